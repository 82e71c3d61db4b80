-- Bumped by every transaction that changes what the query-log rollups count (a step, a day packed, a day's causes
-- rebuilt): a reader that saw the same epoch before and after its reads saw one consistent state (rollup.ts settled).
ALTER TABLE "querylog_state" ADD COLUMN "epoch" BIGINT NOT NULL DEFAULT 0;

-- Which ranked lists a packed day holds (rollup-pack.ts TOP_SLICES): 1 = also one list per rcode, response type and
-- query type, so a top list filtered by one of them reads one list a day instead of one per signature. Days packed
-- before keep 0 and are read as before.
ALTER TABLE "querylog_days" ADD COLUMN "top_slices" SMALLINT NOT NULL DEFAULT 0;
