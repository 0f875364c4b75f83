import type { Db } from '../client';
import type { Prisma } from '../generated/client';

export async function createSweepRecord(
  db: Db,
  sweep: { name: string; datasetId: string; spec: Prisma.InputJsonValue },
) {
  return db.sweep.create({ data: sweep });
}

/** A sweep with its trials (oldest first), each with its status, values and epoch metrics. */
export async function getSweepWithTrials(db: Db, id: string) {
  return db.sweep.findUnique({
    where: { id },
    include: {
      dataset: { select: { id: true, name: true } },
      runs: {
        orderBy: { trialIndex: 'asc' },
        select: {
          id: true,
          status: true,
          error: true,
          trialIndex: true,
          trialParams: true,
          createdAt: true,
          finishedAt: true,
          epochs: {
            orderBy: { epoch: 'asc' },
            select: { epoch: true, valAccuracy: true, valLoss: true, durationMs: true },
          },
          modelVersions: { select: { id: true, version: true } },
        },
      },
    },
  });
}

export async function listSweeps(db: Db) {
  return db.sweep.findMany({
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      name: true,
      status: true,
      createdAt: true,
      dataset: { select: { name: true } },
      _count: { select: { runs: true } },
    },
  });
}

/** Moves a running sweep to a final status; false when it was no longer running. */
export async function finishSweep(db: Db, id: string, status: 'completed' | 'stopped' | 'failed', note: string | null) {
  const { count } = await db.sweep.updateMany({
    where: { id, status: 'running' },
    data: { status, note, finishedAt: new Date() },
  });
  return count === 1;
}

/**
 * The metric of every trial of a sweep at one epoch, recorded no later than `until` (the deciding
 * trial's own record), so a decision depends only on what had arrived before it.
 */
export async function sweepMetricsAtEpoch(db: Db, sweepId: string, epoch: number, until: Date) {
  return db.epochMetric.findMany({
    where: { epoch, createdAt: { lte: until }, run: { sweepId } },
    select: { runId: true, valAccuracy: true, valLoss: true },
  });
}

/** The sweep a run is a trial of, if any (without loading the run's epochs and versions). */
export async function runSweepId(db: Db, runId: string): Promise<string | null> {
  return (await db.run.findUnique({ where: { id: runId }, select: { sweepId: true } }))?.sweepId ?? null;
}

/** A run's sweep membership and one epoch's record (for the ASHA decision after it). */
export async function trialAtEpoch(db: Db, runId: string, epoch: number) {
  return db.run.findUnique({
    where: { id: runId },
    select: {
      sweepId: true,
      sweep: { select: { spec: true, status: true } },
      epochs: { where: { epoch }, select: { createdAt: true, valAccuracy: true, valLoss: true } },
    },
  });
}
