-- Audit rows written before a mutation acts (result 'pending', then its outcome) and aggregated refusals of callers
-- without an identity: one row per source, reason and minute whose "count" grows.

-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "agg_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_agg_key_key" ON "audit_events"("agg_key");
