-- Query-log explorer (issue 6): rollups, watermark and name/client dictionaries kept in dnsdeck's own database.
-- Technitium's dns_logs table lives in another database (QUERYLOG_DATABASE_URL) and is never touched here.

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateTable
CREATE TABLE "querylog_state" (
    "id" TEXT NOT NULL,
    "watermark" BIGINT NOT NULL DEFAULT 0,
    "rows_rolled" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,

    CONSTRAINT "querylog_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "querylog_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "server" TEXT NOT NULL,
    "response_type" SMALLINT NOT NULL,
    "rcode" SMALLINT NOT NULL,
    "qtype" INTEGER NOT NULL,
    "protocol" SMALLINT NOT NULL,
    "count" BIGINT NOT NULL,
    "min_dlid" BIGINT NOT NULL,
    "max_dlid" BIGINT NOT NULL,

    CONSTRAINT "querylog_hourly_pkey" PRIMARY KEY ("hour","server","response_type","rcode","qtype","protocol")
);

-- CreateTable
CREATE TABLE "querylog_daily" (
    "day" DATE NOT NULL,
    "server" TEXT NOT NULL,
    "response_type" SMALLINT NOT NULL,
    "rcode" SMALLINT NOT NULL,
    "qtype" INTEGER NOT NULL,
    "protocol" SMALLINT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "querylog_daily_pkey" PRIMARY KEY ("day","server","response_type","rcode","qtype","protocol")
);

-- CreateTable
CREATE TABLE "querylog_daily_rt" (
    "day" DATE NOT NULL,
    "server" TEXT NOT NULL,
    "response_type" SMALLINT NOT NULL,
    "rcode" SMALLINT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "querylog_daily_rt_pkey" PRIMARY KEY ("day","server","response_type","rcode")
);

-- CreateTable
CREATE TABLE "querylog_hour_span" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "server" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "min_dlid" BIGINT NOT NULL,
    "max_dlid" BIGINT NOT NULL,

    CONSTRAINT "querylog_hour_span_pkey" PRIMARY KEY ("hour","server")
);

-- CreateTable
CREATE TABLE "querylog_rtt" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "server" TEXT NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "querylog_rtt_pkey" PRIMARY KEY ("hour","server","bucket")
);

-- CreateTable
CREATE TABLE "querylog_rtt_daily" (
    "day" DATE NOT NULL,
    "server" TEXT NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "querylog_rtt_daily_pkey" PRIMARY KEY ("day","server","bucket")
);

-- CreateTable
CREATE TABLE "querylog_top" (
    "day" DATE NOT NULL,
    "server" TEXT NOT NULL,
    "kind" SMALLINT NOT NULL,
    "key" TEXT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "querylog_top_pkey" PRIMARY KEY ("day","server","kind","key")
);

-- CreateTable
CREATE TABLE "querylog_top_ranked" (
    "day" DATE NOT NULL,
    "server" TEXT NOT NULL,
    "kind" SMALLINT NOT NULL,
    "rnk" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "querylog_top_ranked_pkey" PRIMARY KEY ("day","server","kind","rnk")
);

-- CreateTable
CREATE TABLE "querylog_names" (
    "name" TEXT NOT NULL,
    "first_dlid" BIGINT NOT NULL,
    "hits" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "querylog_names_pkey" PRIMARY KEY ("name")
) WITH (fillfactor = 50);

-- CreateTable
CREATE TABLE "querylog_clients" (
    "ip" TEXT NOT NULL,
    "addr" INET,
    "hits" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "querylog_clients_pkey" PRIMARY KEY ("ip")
) WITH (fillfactor = 50);

-- CreateIndex
CREATE INDEX "querylog_hourly_hour_idx" ON "querylog_hourly"("hour");

-- CreateIndex
CREATE INDEX "querylog_top_kind_key_idx" ON "querylog_top"("kind", "key");

-- CreateIndex
-- Trigram index on lower(name) (names are stored lower-case already): LIKE searches use it, while equality lookups
-- (`name = …`) keep using the primary key; pg_trgm ≥ 1.6 would otherwise also answer `=` from the slower GIN index.
-- fastupdate off: no pending list to scan on every search; fillfactor 50 above keeps hit-count updates HOT.
CREATE INDEX "querylog_names_name_trgm_idx" ON "querylog_names" USING GIN (lower("name") gin_trgm_ops) WITH (fastupdate = off);
