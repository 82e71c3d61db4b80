-- CreateTable
CREATE TABLE "sync_runs" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "options" JSONB,
    "steps" JSONB NOT NULL,
    "results" JSONB,
    "summary" TEXT,
    "error" TEXT,

    CONSTRAINT "sync_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sync_runs_started_at_idx" ON "sync_runs"("started_at" DESC);

-- CreateIndex
CREATE INDEX "sync_runs_kind_started_at_idx" ON "sync_runs"("kind", "started_at");

-- CreateIndex (not expressible in the Prisma schema): at most one running sync of each kind. A second start
-- fails on this index and is refused with the running run's id.
CREATE UNIQUE INDEX "sync_runs_kind_running_key" ON "sync_runs"("kind") WHERE "status" = 'running';
