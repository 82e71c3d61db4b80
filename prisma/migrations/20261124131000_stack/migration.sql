-- CreateTable
CREATE TABLE "stack_config_revisions" (
    "id" SERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    "note" TEXT,
    "config" JSONB NOT NULL,

    CONSTRAINT "stack_config_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stack_applies" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "config_revision_id" INTEGER NOT NULL,
    "rollback_of" INTEGER,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "take_ownership" BOOLEAN NOT NULL DEFAULT false,
    "config" JSONB NOT NULL,
    "rendered" JSONB NOT NULL,
    "diff" JSONB,
    "steps" JSONB NOT NULL,
    "applied" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "rollout" JSONB,
    "error" TEXT,

    CONSTRAINT "stack_applies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "stack_config_revisions_created_at_idx" ON "stack_config_revisions"("created_at" DESC);

-- CreateIndex
CREATE INDEX "stack_applies_created_at_idx" ON "stack_applies"("created_at" DESC);

-- AddForeignKey
ALTER TABLE "stack_applies" ADD CONSTRAINT "stack_applies_config_revision_id_fkey" FOREIGN KEY ("config_revision_id") REFERENCES "stack_config_revisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
