-- A packed day's RTT histograms per hour and signature in one row (server/querylogs/pack.ts packSlots: slot = hour·40 +
-- bucket, u16 · n u32 big-endian, per non-empty slot) instead of 24 rows of 40 integer columns, most of them zero.
-- querylog_rtt_hour keeps the hours of days not packed yet (and a packed day's stragglers); readers add both. Days
-- already packed move here now, with the statement closeDay uses (server/querylogs/rollup-close.ts moveToDay).
CREATE TABLE "querylog_rtt_hour_day" (
    "day" DATE NOT NULL,
    "sig" SMALLINT NOT NULL,
    "m" BYTEA NOT NULL,
    CONSTRAINT "querylog_rtt_hour_day_pkey" PRIMARY KEY ("day", "sig")
);

INSERT INTO "querylog_rtt_hour_day" ("day", "sig", "m")
SELECT (f."hour" AT TIME ZONE 'UTC')::date, f."sig",
       string_agg(int2send((extract(hour FROM f."hour" AT TIME ZONE 'UTC')::int * 40 + u.i - 1)::int2) || int4send(u.v), ''::bytea ORDER BY f."hour", u.i)
  FROM "querylog_rtt_hour" f
  JOIN "querylog_days" d ON d."day" = (f."hour" AT TIME ZONE 'UTC')::date AND d."packed"
 CROSS JOIN LATERAL unnest(ARRAY[f."b00", f."b01", f."b02", f."b03", f."b04", f."b05", f."b06", f."b07", f."b08", f."b09", f."b10", f."b11", f."b12", f."b13", f."b14", f."b15", f."b16", f."b17", f."b18", f."b19", f."b20", f."b21", f."b22", f."b23", f."b24", f."b25", f."b26", f."b27", f."b28", f."b29", f."b30", f."b31", f."b32", f."b33", f."b34", f."b35", f."b36", f."b37", f."b38", f."b39"]) WITH ORDINALITY AS u(v, i)
 WHERE u.v > 0
 GROUP BY 1, 2;

-- what stays hourly, into a new table (deleting the moved rows would leave their space in the old one for good)
CREATE TABLE "querylog_rtt_hour_open" (LIKE "querylog_rtt_hour" INCLUDING ALL);
INSERT INTO "querylog_rtt_hour_open"
SELECT f.* FROM "querylog_rtt_hour" f
 WHERE NOT EXISTS (SELECT 1 FROM "querylog_days" d WHERE d."day" = (f."hour" AT TIME ZONE 'UTC')::date AND d."packed");
DROP TABLE "querylog_rtt_hour";
ALTER TABLE "querylog_rtt_hour_open" RENAME TO "querylog_rtt_hour";
ALTER TABLE "querylog_rtt_hour" RENAME CONSTRAINT "querylog_rtt_hour_open_pkey" TO "querylog_rtt_hour_pkey";
