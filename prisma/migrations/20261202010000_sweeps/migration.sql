-- Hyperparameter sweeps; their trials are runs.
CREATE TYPE "SweepStatus" AS ENUM ('running', 'completed', 'stopped', 'failed');

CREATE TABLE "Sweep" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "datasetId" UUID NOT NULL,
    "spec" JSONB NOT NULL,
    "status" "SweepStatus" NOT NULL DEFAULT 'running',
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Sweep_status_idx" ON "Sweep"("status");
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Run" ADD COLUMN "sweepId" UUID, ADD COLUMN "trialIndex" INTEGER, ADD COLUMN "trialParams" JSONB;
CREATE UNIQUE INDEX "Run_sweepId_trialIndex_key" ON "Run"("sweepId", "trialIndex");
ALTER TABLE "Run" ADD CONSTRAINT "Run_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE SET NULL ON UPDATE CASCADE;
