-- Per day and class (instance, response type, NXDOMAIN / SERVFAIL / other): the signature-day cube summed over query
-- type, protocol and the other rcodes — what the volume charts draw. A chart with no filter but the instance reads
-- ~27 rows a day here instead of ~300 signature rows joined and grouped (rollup-write.ts writes both in one step).
CREATE TABLE "querylog_class_day" (
    "day" DATE NOT NULL,
    "server_id" SMALLINT NOT NULL,
    "rt" SMALLINT NOT NULL,
    "cls" SMALLINT NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,
    "h00" INTEGER NOT NULL DEFAULT 0,
    "h01" INTEGER NOT NULL DEFAULT 0,
    "h02" INTEGER NOT NULL DEFAULT 0,
    "h03" INTEGER NOT NULL DEFAULT 0,
    "h04" INTEGER NOT NULL DEFAULT 0,
    "h05" INTEGER NOT NULL DEFAULT 0,
    "h06" INTEGER NOT NULL DEFAULT 0,
    "h07" INTEGER NOT NULL DEFAULT 0,
    "h08" INTEGER NOT NULL DEFAULT 0,
    "h09" INTEGER NOT NULL DEFAULT 0,
    "h10" INTEGER NOT NULL DEFAULT 0,
    "h11" INTEGER NOT NULL DEFAULT 0,
    "h12" INTEGER NOT NULL DEFAULT 0,
    "h13" INTEGER NOT NULL DEFAULT 0,
    "h14" INTEGER NOT NULL DEFAULT 0,
    "h15" INTEGER NOT NULL DEFAULT 0,
    "h16" INTEGER NOT NULL DEFAULT 0,
    "h17" INTEGER NOT NULL DEFAULT 0,
    "h18" INTEGER NOT NULL DEFAULT 0,
    "h19" INTEGER NOT NULL DEFAULT 0,
    "h20" INTEGER NOT NULL DEFAULT 0,
    "h21" INTEGER NOT NULL DEFAULT 0,
    "h22" INTEGER NOT NULL DEFAULT 0,
    "h23" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "querylog_class_day_pkey" PRIMARY KEY ("day", "server_id", "rt", "cls")
) WITH (fillfactor = 70);

-- what the signature cube already holds
INSERT INTO "querylog_class_day" (day, server_id, rt, cls, n, h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23)
SELECT d.day, s.server_id, s.response_type, CASE WHEN s.rcode IN (2, 3) THEN s.rcode ELSE 0 END, sum(d.n), sum(d.h00), sum(d.h01), sum(d.h02), sum(d.h03), sum(d.h04), sum(d.h05), sum(d.h06), sum(d.h07), sum(d.h08), sum(d.h09), sum(d.h10), sum(d.h11), sum(d.h12), sum(d.h13), sum(d.h14), sum(d.h15), sum(d.h16), sum(d.h17), sum(d.h18), sum(d.h19), sum(d.h20), sum(d.h21), sum(d.h22), sum(d.h23)
  FROM "querylog_sig_day" d JOIN "querylog_sigs" s ON s.id = d.sig
 GROUP BY 1, 2, 3, 4;
