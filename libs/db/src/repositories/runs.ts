import { checkpointMetaSchema, type EpochMetricData, type RunStatus, type TrainProgress } from '@moodlab/shared';
import type { Db } from '../client';
import type { Prisma } from '../generated/client';
import { ARTIFACT_TRANSACTION, artifactRow } from './artifacts';
import { parseEvaluationRow, parseRunColumns } from '../json-columns';

export interface NewRun {
  datasetId: string;
  architecture: string;
  hyperparameters: Prisma.InputJsonValue;
  seed: number;
  tags?: string[];
  codeVersion?: string;
  kind?: 'train' | 'import';
  /** A sweep's trial: its sweep, number and the values it tries. */
  sweepId?: string;
  trialIndex?: number;
  trialParams?: Prisma.InputJsonValue;
}

export async function createRun(db: Db, run: NewRun) {
  return parseRunColumns(await db.run.create({ data: { ...run, status: 'queued' } }));
}

/** A run that happened elsewhere (a shipped model's training), recorded complete with its epochs. */
export async function recordFinishedRun(
  db: Db,
  run: NewRun & { backend: string | null; startedAt: Date | null; finishedAt: Date | null; epochs: EpochMetricData[] },
) {
  const { epochs, ...fields } = run;
  return db.$transaction(async (tx) => {
    const created = await tx.run.create({ data: { ...fields, status: 'completed' } });
    await tx.epochMetric.createMany({ data: epochs.map((m) => ({ runId: created.id, ...m })) });
    return created;
  });
}

export async function setRunJobId(db: Db, runId: string, jobId: string) {
  await db.run.update({ where: { id: runId }, data: { jobId } });
}

/** A run with its dataset, epochs, and model versions oldest first (each with its evaluations, newest first). */
export async function getRun(db: Db, id: string) {
  const run = await db.run.findUnique({
    where: { id },
    include: {
      dataset: { select: { id: true, name: true } },
      epochs: { orderBy: { epoch: 'asc' } },
      modelVersions: {
        select: {
          id: true,
          version: true,
          artifactId: true,
          summary: true,
          createdAt: true,
          evaluations: { orderBy: { createdAt: 'desc' } },
        },
        orderBy: { version: 'asc' },
      },
    },
  });
  return (
    run && {
      ...parseRunColumns(run),
      modelVersions: run.modelVersions.map((mv) => ({ ...mv, evaluations: mv.evaluations.map(parseEvaluationRow) })),
    }
  );
}

/**
 * The runs table: each run with its best-epoch (not last-epoch) validation accuracy and the
 * macro-F1 of its model's validation evaluation. Three queries whatever the number of runs.
 */
export async function listRunSummaries(db: Db, take = 1000) {
  const runs = await db.run.findMany({
    orderBy: { createdAt: 'desc' },
    take,
    select: {
      id: true,
      status: true,
      architecture: true,
      backend: true,
      tags: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      hyperparameters: true,
      dataset: { select: { id: true, name: true } },
      _count: { select: { epochs: true } },
    },
  });
  const ids = runs.map((r) => r.id);
  const [best, evals] = await Promise.all([
    db.epochMetric.groupBy({ by: ['runId'], where: { runId: { in: ids } }, _max: { valAccuracy: true } }),
    db.evaluation.findMany({
      where: { split: 'validation', modelVersion: { runId: { in: ids } } },
      select: { macroF1: true, modelVersion: { select: { runId: true } } },
    }),
  ]);
  const bestByRun = new Map(best.map((b) => [b.runId, b._max.valAccuracy]));
  const f1ByRun = new Map(evals.map((e) => [e.modelVersion.runId, e.macroF1]));
  return runs.map((r) => ({
    ...r,
    bestValAccuracy: bestByRun.get(r.id) ?? null,
    macroF1: f1ByRun.get(r.id) ?? null,
    durationMs: r.startedAt ? (r.finishedAt ?? new Date()).getTime() - r.startedAt.getTime() : null,
  }));
}

/** Runs with their epochs and latest validation evaluation, for side-by-side comparison. */
export async function getRunsForComparison(db: Db, ids: string[]) {
  const runs = await db.run.findMany({
    where: { id: { in: ids } },
    include: {
      dataset: { select: { name: true } },
      epochs: { orderBy: { epoch: 'asc' } },
      modelVersions: {
        select: {
          version: true,
          evaluations: { where: { split: 'validation' }, orderBy: { createdAt: 'desc' }, take: 1 },
        },
        orderBy: { version: 'asc' },
      },
    },
  });
  return runs.map((run) => ({
    ...parseRunColumns(run),
    modelVersions: run.modelVersions.map((mv) => ({ ...mv, evaluations: mv.evaluations.map(parseEvaluationRow) })),
  }));
}

/**
 * Status transitions are guarded by the statuses they may leave, so a late message from a
 * worker can never turn a cancelled run back into a running or completed one.
 */
async function transition(
  db: Db,
  id: string,
  from: RunStatus[],
  data: Prisma.RunUpdateManyMutationInput,
  where: Prisma.RunWhereInput = {},
): Promise<boolean> {
  const { count } = await db.run.updateMany({ where: { ...where, id, status: { in: from } }, data });
  return count === 1;
}

export function markRunRunning(db: Db, id: string, workerId: string) {
  return transition(db, id, ['queued', 'running'], { status: 'running', workerId, startedAt: new Date(), error: null });
}

export async function setRunBackend(db: Db, id: string, backend: string) {
  await db.run.update({ where: { id }, data: { backend } });
}

/**
 * A running run goes back to the queue. With `heldBy`, only while that worker still holds it: a
 * dead worker's run may already have been taken by another worker, whose claim must stand.
 */
export function markRunQueued(db: Db, id: string, reason: string, heldBy?: string | null): Promise<boolean> {
  return transition(
    db,
    id,
    ['running'],
    { status: 'queued', error: reason, workerId: null },
    heldBy === undefined ? {} : { workerId: heldBy },
  );
}

/** Queues a failed or cancelled run again (it resumes from its checkpoint), optionally with changed hyperparameters (e.g. its length). */
export function requeueRun(db: Db, id: string, hyperparameters?: Prisma.InputJsonValue) {
  return transition(db, id, ['failed', 'cancelled'], {
    status: 'queued',
    error: null,
    finishedAt: null,
    workerId: null,
    ...(hyperparameters ? { hyperparameters } : {}),
  });
}

/** Also from queued: a job that finished with its model is complete, whatever a stalled-job check decided meanwhile. */
export function markRunCompleted(db: Db, id: string, note: string | null = null) {
  return transition(db, id, ['running', 'queued'], { status: 'completed', finishedAt: new Date(), error: note });
}

export function markRunFailed(db: Db, id: string, error: string) {
  return transition(db, id, ['queued', 'running'], { status: 'failed', error, finishedAt: new Date() });
}

export function markRunCancelled(db: Db, id: string) {
  return transition(db, id, ['queued', 'running'], { status: 'cancelled', finishedAt: new Date() });
}

export async function getRunStatus(db: Db, id: string): Promise<RunStatus | null> {
  const run = await db.run.findUnique({ where: { id }, select: { status: true } });
  return run?.status ?? null;
}

export async function saveRunProgress(db: Db, id: string, progress: TrainProgress) {
  await db.run.update({ where: { id }, data: { progress } });
}

/** Idempotent per (run, epoch): a resumed run that repeats an epoch overwrites, never duplicates. */
export async function recordEpoch(db: Db, runId: string, m: EpochMetricData) {
  await db.epochMetric.upsert({
    where: { runId_epoch: { runId, epoch: m.epoch } },
    create: { runId, ...m },
    update: { ...m },
  });
}

/**
 * Records an epoch and the checkpoint after it in one transaction, so a killed worker never leaves
 * an epoch that its run would train again on resuming. With `serializeOn` (a sweep's id) writers
 * of one sweep take turns and the epoch's time is taken in its turn: an epoch recorded earlier is
 * committed earlier, which ASHA's verdicts (judged against the epochs recorded before) rely on.
 */
export async function recordEpochWithCheckpoint(
  db: Db,
  runId: string,
  m: EpochMetricData,
  checkpoint: { meta: Prisma.InputJsonValue; data: Uint8Array },
  serializeOn: string | null,
) {
  await db.$transaction(async (tx) => {
    // The run points at its newest checkpoint; the one it replaces goes.
    const prev = await tx.run.findUnique({ where: { id: runId }, select: { checkpointId: true } });
    const created = await tx.artifact.create({
      data: artifactRow({ kind: 'checkpoint', meta: checkpoint.meta, data: checkpoint.data }),
      select: { id: true },
    });
    await tx.run.update({ where: { id: runId }, data: { checkpointId: created.id } });
    if (prev?.checkpointId) await tx.artifact.delete({ where: { id: prev.checkpointId } });
    if (serializeOn !== null) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${serializeOn}))`;
    const createdAt = new Date();
    await tx.epochMetric.upsert({
      where: { runId_epoch: { runId, epoch: m.epoch } },
      create: { runId, ...m, createdAt },
      update: { ...m, createdAt },
    });
  }, ARTIFACT_TRANSACTION);
}

/** Drops epochs past the checkpoint a resumed run restarts from. */
export async function truncateEpochs(db: Db, runId: string, fromEpoch: number) {
  await db.epochMetric.deleteMany({ where: { runId, epoch: { gte: fromEpoch } } });
}

export async function listEpochs(db: Db, runId: string) {
  return db.epochMetric.findMany({ where: { runId }, orderBy: { epoch: 'asc' } });
}

/** A run's checkpoint, if it has one, with its meta parsed (a malformed one throws rather than resuming from epoch 0). */
export async function getRunCheckpoint(db: Db, runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, select: { checkpoint: true } });
  if (!run?.checkpoint) return null;
  return { ...run.checkpoint, meta: checkpointMetaSchema.parse(run.checkpoint.meta) };
}

export async function findRunsByStatus(db: Db, status: RunStatus) {
  return db.run.findMany({
    where: { status },
    select: {
      id: true,
      jobId: true,
      workerId: true,
      kind: true,
      datasetId: true,
      hyperparameters: true,
      createdAt: true,
    },
  });
}

/** Who holds a run now (null: nobody). */
export async function getRunHolder(db: Db, id: string): Promise<string | null> {
  const run = await db.run.findUnique({ where: { id }, select: { workerId: true } });
  return run?.workerId ?? null;
}
