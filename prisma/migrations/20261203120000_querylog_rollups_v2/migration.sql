-- Query-log rollups, second layout (issue 14): every filter the page offers answered from rollups.
-- The old tables are dropped and the watermark reset: the new rollups are rebuilt from dns_logs by the worker
-- (the first build of 27M rows takes a few minutes). Technitium's dns_logs is in another database and never touched.

DROP TABLE IF EXISTS "querylog_hourly", "querylog_daily", "querylog_daily_rt", "querylog_rtt", "querylog_rtt_daily",
  "querylog_top", "querylog_top_ranked", "querylog_names", "querylog_clients", "querylog_hour_span";

UPDATE "querylog_state" SET "watermark" = 0, "rows_rolled" = 0, "last_error" = NULL;
ALTER TABLE "querylog_state" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "querylog_state" ADD COLUMN "watermark_at" TIMESTAMPTZ(3);
ALTER TABLE "querylog_state" ADD COLUMN "vacuumed_at" TIMESTAMPTZ(3);

-- Instances (server column) and signatures: one id per (instance, response type, rcode, qtype, protocol) seen.
-- Every enum filter becomes a set of signature ids; a new dimension (client kind, NXDOMAIN cause) is one more column.
CREATE TABLE "querylog_servers" (
    "id" SMALLINT NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "querylog_servers_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "querylog_servers_name_key" ON "querylog_servers"("name");

CREATE TABLE "querylog_sigs" (
    "id" SMALLINT NOT NULL,
    "server_id" SMALLINT NOT NULL,
    "response_type" SMALLINT NOT NULL,
    "rcode" SMALLINT NOT NULL,
    "qtype" INTEGER NOT NULL,
    "protocol" SMALLINT NOT NULL,
    CONSTRAINT "querylog_sigs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "querylog_sigs_dims_key" ON "querylog_sigs"("server_id", "response_type", "rcode", "qtype", "protocol");

-- Dictionaries: insert-only (no hit counters, so no dead rows). pool = locality group of quiet keys.
CREATE TABLE "querylog_names" (
    "id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "pool" INTEGER NOT NULL,
    CONSTRAINT "querylog_names_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "querylog_names_name_key" ON "querylog_names"("name");
-- Trigram index on lower(name) (names are stored lower-case already): LIKE searches on lower(name) use it, while
-- equality lookups (`name = …`, `name = ANY(…)`) keep using the unique index — pg_trgm ≥ 1.6 would otherwise also
-- answer `=` from the much slower GIN index. fastupdate: new names go to the index's pending list and are merged in
-- bulk (by dnsdeck's own VACUUM), so a day of 100k new names costs milliseconds instead of 100k × ~20 insertions.
CREATE INDEX "querylog_names_name_trgm_idx" ON "querylog_names" USING GIN (lower("name") gin_trgm_ops) WITH (fastupdate = on, gin_pending_list_limit = 32768);
CREATE SEQUENCE "querylog_names_id_seq" AS INTEGER OWNED BY "querylog_names"."id";
ALTER TABLE "querylog_names" ALTER COLUMN "id" SET DEFAULT nextval('"querylog_names_id_seq"');

CREATE TABLE "querylog_clients" (
    "id" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "addr" INET,
    "pool" INTEGER NOT NULL,
    CONSTRAINT "querylog_clients_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "querylog_clients_ip_key" ON "querylog_clients"("ip");
CREATE SEQUENCE "querylog_clients_id_seq" AS INTEGER OWNED BY "querylog_clients"."id";
ALTER TABLE "querylog_clients" ALTER COLUMN "id" SET DEFAULT nextval('"querylog_clients_id_seq"');

-- Per hour and instance: rows and dlid range (turns time ranges into dlid ranges).
CREATE TABLE "querylog_hour_span" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "server_id" SMALLINT NOT NULL,
    "n" BIGINT NOT NULL,
    "min_dlid" BIGINT NOT NULL,
    "max_dlid" BIGINT NOT NULL,
    CONSTRAINT "querylog_hour_span_pkey" PRIMARY KEY ("hour", "server_id")
) WITH (fillfactor = 70);

-- Per UTC day and signature: the day's count and its 24 hourly counts (charts at 1 h … 1 d, exact counts).
CREATE TABLE "querylog_sig_day" (
    "day" DATE NOT NULL,
    "sig" SMALLINT NOT NULL,
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
    CONSTRAINT "querylog_sig_day_pkey" PRIMARY KEY ("day", "sig")
) WITH (fillfactor = 70);

-- Per hour and signature: twelve 5-minute counts (charts at 5 and 15 minutes).
CREATE TABLE "querylog_sig_5m" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "sig" SMALLINT NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    "m00" INTEGER NOT NULL DEFAULT 0,
    "m01" INTEGER NOT NULL DEFAULT 0,
    "m02" INTEGER NOT NULL DEFAULT 0,
    "m03" INTEGER NOT NULL DEFAULT 0,
    "m04" INTEGER NOT NULL DEFAULT 0,
    "m05" INTEGER NOT NULL DEFAULT 0,
    "m06" INTEGER NOT NULL DEFAULT 0,
    "m07" INTEGER NOT NULL DEFAULT 0,
    "m08" INTEGER NOT NULL DEFAULT 0,
    "m09" INTEGER NOT NULL DEFAULT 0,
    "m10" INTEGER NOT NULL DEFAULT 0,
    "m11" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "querylog_sig_5m_pkey" PRIMARY KEY ("hour", "sig")
) WITH (fillfactor = 70);

-- Recursive RTT histograms (40 log buckets) per day / hour and signature.
CREATE TABLE "querylog_rtt_day" (
    "day" DATE NOT NULL,
    "sig" SMALLINT NOT NULL,
    "b00" INTEGER NOT NULL DEFAULT 0,
    "b01" INTEGER NOT NULL DEFAULT 0,
    "b02" INTEGER NOT NULL DEFAULT 0,
    "b03" INTEGER NOT NULL DEFAULT 0,
    "b04" INTEGER NOT NULL DEFAULT 0,
    "b05" INTEGER NOT NULL DEFAULT 0,
    "b06" INTEGER NOT NULL DEFAULT 0,
    "b07" INTEGER NOT NULL DEFAULT 0,
    "b08" INTEGER NOT NULL DEFAULT 0,
    "b09" INTEGER NOT NULL DEFAULT 0,
    "b10" INTEGER NOT NULL DEFAULT 0,
    "b11" INTEGER NOT NULL DEFAULT 0,
    "b12" INTEGER NOT NULL DEFAULT 0,
    "b13" INTEGER NOT NULL DEFAULT 0,
    "b14" INTEGER NOT NULL DEFAULT 0,
    "b15" INTEGER NOT NULL DEFAULT 0,
    "b16" INTEGER NOT NULL DEFAULT 0,
    "b17" INTEGER NOT NULL DEFAULT 0,
    "b18" INTEGER NOT NULL DEFAULT 0,
    "b19" INTEGER NOT NULL DEFAULT 0,
    "b20" INTEGER NOT NULL DEFAULT 0,
    "b21" INTEGER NOT NULL DEFAULT 0,
    "b22" INTEGER NOT NULL DEFAULT 0,
    "b23" INTEGER NOT NULL DEFAULT 0,
    "b24" INTEGER NOT NULL DEFAULT 0,
    "b25" INTEGER NOT NULL DEFAULT 0,
    "b26" INTEGER NOT NULL DEFAULT 0,
    "b27" INTEGER NOT NULL DEFAULT 0,
    "b28" INTEGER NOT NULL DEFAULT 0,
    "b29" INTEGER NOT NULL DEFAULT 0,
    "b30" INTEGER NOT NULL DEFAULT 0,
    "b31" INTEGER NOT NULL DEFAULT 0,
    "b32" INTEGER NOT NULL DEFAULT 0,
    "b33" INTEGER NOT NULL DEFAULT 0,
    "b34" INTEGER NOT NULL DEFAULT 0,
    "b35" INTEGER NOT NULL DEFAULT 0,
    "b36" INTEGER NOT NULL DEFAULT 0,
    "b37" INTEGER NOT NULL DEFAULT 0,
    "b38" INTEGER NOT NULL DEFAULT 0,
    "b39" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "querylog_rtt_day_pkey" PRIMARY KEY ("day", "sig")
) WITH (fillfactor = 70);
CREATE TABLE "querylog_rtt_hour" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "sig" SMALLINT NOT NULL,
    "b00" INTEGER NOT NULL DEFAULT 0,
    "b01" INTEGER NOT NULL DEFAULT 0,
    "b02" INTEGER NOT NULL DEFAULT 0,
    "b03" INTEGER NOT NULL DEFAULT 0,
    "b04" INTEGER NOT NULL DEFAULT 0,
    "b05" INTEGER NOT NULL DEFAULT 0,
    "b06" INTEGER NOT NULL DEFAULT 0,
    "b07" INTEGER NOT NULL DEFAULT 0,
    "b08" INTEGER NOT NULL DEFAULT 0,
    "b09" INTEGER NOT NULL DEFAULT 0,
    "b10" INTEGER NOT NULL DEFAULT 0,
    "b11" INTEGER NOT NULL DEFAULT 0,
    "b12" INTEGER NOT NULL DEFAULT 0,
    "b13" INTEGER NOT NULL DEFAULT 0,
    "b14" INTEGER NOT NULL DEFAULT 0,
    "b15" INTEGER NOT NULL DEFAULT 0,
    "b16" INTEGER NOT NULL DEFAULT 0,
    "b17" INTEGER NOT NULL DEFAULT 0,
    "b18" INTEGER NOT NULL DEFAULT 0,
    "b19" INTEGER NOT NULL DEFAULT 0,
    "b20" INTEGER NOT NULL DEFAULT 0,
    "b21" INTEGER NOT NULL DEFAULT 0,
    "b22" INTEGER NOT NULL DEFAULT 0,
    "b23" INTEGER NOT NULL DEFAULT 0,
    "b24" INTEGER NOT NULL DEFAULT 0,
    "b25" INTEGER NOT NULL DEFAULT 0,
    "b26" INTEGER NOT NULL DEFAULT 0,
    "b27" INTEGER NOT NULL DEFAULT 0,
    "b28" INTEGER NOT NULL DEFAULT 0,
    "b29" INTEGER NOT NULL DEFAULT 0,
    "b30" INTEGER NOT NULL DEFAULT 0,
    "b31" INTEGER NOT NULL DEFAULT 0,
    "b32" INTEGER NOT NULL DEFAULT 0,
    "b33" INTEGER NOT NULL DEFAULT 0,
    "b34" INTEGER NOT NULL DEFAULT 0,
    "b35" INTEGER NOT NULL DEFAULT 0,
    "b36" INTEGER NOT NULL DEFAULT 0,
    "b37" INTEGER NOT NULL DEFAULT 0,
    "b38" INTEGER NOT NULL DEFAULT 0,
    "b39" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "querylog_rtt_hour_pkey" PRIMARY KEY ("hour", "sig")
) WITH (fillfactor = 70);

-- Closed days per client (kind 0) / name (kind 1), packed (server/querylogs/pack.ts): a busy key has its own row
-- (grp = key id: hourly counts per signature, RTT per instance), quiet keys share a pool row (grp = -1 - pool).
CREATE TABLE "querylog_key_day" (
    "kind" SMALLINT NOT NULL,
    "grp" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "h" BYTEA,
    "r" BYTEA,
    "d" BYTEA,
    CONSTRAINT "querylog_key_day_pkey" PRIMARY KEY ("kind", "grp", "day")
);

-- The open day (and stragglers of closed ones) per key, hour and signature, before it is packed.
CREATE TABLE "querylog_key_hot" (
    "kind" SMALLINT NOT NULL,
    "key_id" INTEGER NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "sig" SMALLINT NOT NULL,
    "n" INTEGER NOT NULL,
    CONSTRAINT "querylog_key_hot_pkey" PRIMARY KEY ("kind", "key_id", "hour", "sig")
) WITH (fillfactor = 70);
CREATE TABLE "querylog_key_hot_rtt" (
    "kind" SMALLINT NOT NULL,
    "key_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "server_id" SMALLINT NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "n" INTEGER NOT NULL,
    CONSTRAINT "querylog_key_hot_rtt_pkey" PRIMARY KEY ("kind", "key_id", "day", "server_id", "bucket")
) WITH (fillfactor = 70);

-- Each closed day's top keys per slice (all, per instance, per signature, blocked), with the highest count left out.
CREATE TABLE "querylog_top_day" (
    "day" DATE NOT NULL,
    "kind" SMALLINT NOT NULL,
    "slice" INTEGER NOT NULL,
    "keys" BYTEA NOT NULL,
    "rest" INTEGER NOT NULL,
    CONSTRAINT "querylog_top_day_pkey" PRIMARY KEY ("day", "kind", "slice")
);

-- One row in 128 (by a hash of dlid): candidates for top lists and estimates that no rollup can answer exactly.
CREATE TABLE "querylog_sample" (
    "dlid" BIGINT NOT NULL,
    "ts" TIMESTAMPTZ(6) NOT NULL,
    "sig" SMALLINT NOT NULL,
    "client_id" INTEGER NOT NULL,
    "name_id" INTEGER,
    "rtt" REAL,
    CONSTRAINT "querylog_sample_pkey" PRIMARY KEY ("dlid")
);
CREATE INDEX "querylog_sample_ts_idx" ON "querylog_sample"("ts");
CREATE INDEX "querylog_sample_client_idx" ON "querylog_sample"("client_id", "ts");
CREATE INDEX "querylog_sample_name_idx" ON "querylog_sample"("name_id", "ts");

-- Per UTC day: how it was built (rollup version, packed or still hot) — back-fills re-build days of older versions.
CREATE TABLE "querylog_days" (
    "day" DATE NOT NULL,
    "version" INTEGER NOT NULL,
    "packed" BOOLEAN NOT NULL DEFAULT false,
    "hot_rows" BIGINT NOT NULL DEFAULT 0,
    "rows" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "querylog_days_pkey" PRIMARY KEY ("day")
) WITH (fillfactor = 70);
