-- A packed day's 5-minute counts per signature in one row (server/querylogs/pack.ts packFiveMinutes: slot u16 · n u32
-- big-endian per non-empty slot) instead of 24 rows of 13 integer columns, half of them zero (~6× smaller: the hourly
-- table was ~72 MB of dnsdeck's tables at 27M dns_logs rows). querylog_sig_5m keeps the hours of days not packed yet
-- (and a packed day's stragglers); readers add both. Days already packed move here now, with the statement closeDay
-- uses (server/querylogs/rollup-close.ts moveToDay), for every packed day at once.
CREATE TABLE "querylog_sig_5m_day" (
    "day" DATE NOT NULL,
    "sig" SMALLINT NOT NULL,
    "m" BYTEA NOT NULL,
    CONSTRAINT "querylog_sig_5m_day_pkey" PRIMARY KEY ("day", "sig")
);

INSERT INTO "querylog_sig_5m_day" ("day", "sig", "m")
SELECT (f."hour" AT TIME ZONE 'UTC')::date, f."sig",
       string_agg(int2send((extract(hour FROM f."hour" AT TIME ZONE 'UTC')::int * 12 + u.i - 1)::int2) || int4send(u.v), ''::bytea ORDER BY f."hour", u.i)
  FROM "querylog_sig_5m" f
  JOIN "querylog_days" d ON d."day" = (f."hour" AT TIME ZONE 'UTC')::date AND d."packed"
 CROSS JOIN LATERAL unnest(ARRAY[f."m00", f."m01", f."m02", f."m03", f."m04", f."m05", f."m06", f."m07", f."m08", f."m09", f."m10", f."m11"]) WITH ORDINALITY AS u(v, i)
 WHERE u.v > 0
 GROUP BY 1, 2;

-- what stays hourly, into a new table: deleting the moved rows would leave their space in the old one for good
-- (dnsdeck's own VACUUM is not FULL)
CREATE TABLE "querylog_sig_5m_open" (LIKE "querylog_sig_5m" INCLUDING ALL);
INSERT INTO "querylog_sig_5m_open"
SELECT f.* FROM "querylog_sig_5m" f
 WHERE NOT EXISTS (SELECT 1 FROM "querylog_days" d WHERE d."day" = (f."hour" AT TIME ZONE 'UTC')::date AND d."packed");
DROP TABLE "querylog_sig_5m";
ALTER TABLE "querylog_sig_5m_open" RENAME TO "querylog_sig_5m";
ALTER TABLE "querylog_sig_5m" RENAME CONSTRAINT "querylog_sig_5m_open_pkey" TO "querylog_sig_5m_pkey";
