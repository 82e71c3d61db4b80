-- Each open day's rows per client and per name (kinds 0 and 1), and its blocked ones ("b"), kept beside querylog_key_hot
-- by every step: a top list with no instance/enum filter ranks the day not closed yet from these ~10^5 totals instead of
-- summing its ~10^5–10^6 hourly rows per request (server/querylogs/top.ts openCandidates). Deleted with the hot rows
-- when the day is packed.
CREATE TABLE "querylog_key_hot_day" (
    "kind" SMALLINT NOT NULL,
    "day" DATE NOT NULL,
    "key_id" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,
    "b" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "querylog_key_hot_day_pkey" PRIMARY KEY ("kind", "day", "key_id")
) WITH (fillfactor = 70);

INSERT INTO "querylog_key_hot_day" ("kind", "day", "key_id", "n", "b")
SELECT h."kind", (h."hour" AT TIME ZONE 'UTC')::date, h."key_id", sum(h."n")::int, coalesce(sum(h."n") FILTER (WHERE s."response_type" IN (4, 5, 6)), 0)::int
  FROM "querylog_key_hot" h JOIN "querylog_days" d ON d."day" = (h."hour" AT TIME ZONE 'UTC')::date AND NOT d."packed"
  JOIN "querylog_sigs" s ON s."id" = h."sig"
 WHERE h."kind" IN (0, 1)
 GROUP BY 1, 2, 3;
