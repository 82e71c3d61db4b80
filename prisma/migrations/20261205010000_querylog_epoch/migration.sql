-- Bumped by every transaction that changes what the query-log rollups count (a step, a day packed, a day's causes
-- rebuilt): a reader that saw the same epoch before and after its reads saw one consistent state (rollup.ts settled).
ALTER TABLE "querylog_state" ADD COLUMN "epoch" BIGINT NOT NULL DEFAULT 0;
