-- Per-network keys for the query-log rollups: each IPv4 client's /24, rolled up like a client (querylog_key_day /
-- querylog_key_hot / querylog_key_hot_rtt rows of kind 2), so a CIDR filter of /24 or wider reads one row per network
-- and day instead of one per client and day (server/querylogs/nets.ts).
CREATE TABLE "querylog_nets" (
    "id" INTEGER NOT NULL,
    "net" INET NOT NULL,
    "pool" INTEGER NOT NULL,
    CONSTRAINT "querylog_nets_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "querylog_nets_net_key" ON "querylog_nets"("net");
CREATE SEQUENCE "querylog_nets_id_seq" AS INTEGER OWNED BY "querylog_nets"."id";
ALTER TABLE "querylog_nets" ALTER COLUMN "id" SET DEFAULT nextval('"querylog_nets_id_seq"');

-- Rows of the day whose step also wrote the per-network keys: the networks are complete for a day when this equals
-- "rows" (days rolled up before them keep 0 and are read per client).
ALTER TABLE "querylog_days" ADD COLUMN "net_rows" BIGINT NOT NULL DEFAULT 0;
