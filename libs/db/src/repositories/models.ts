import type { Db } from '../client';
import type { Prisma } from '../generated/client';
import { ARTIFACT_TRANSACTION, artifactRow } from './artifacts';
import { parseEvaluationRow } from '../json-columns';
import { modelVersionSummarySchema } from '@moodlab/shared';

export interface NewModelVersion {
  runId: string;
  architecture: string;
  summary: Prisma.InputJsonValue;
  artifact: { meta: Prisma.InputJsonValue; data: Uint8Array };
}

/** An evaluation stored with a new model version, as the metrics report it. */
export interface NewEvaluation {
  datasetId: string;
  split: string;
  accuracy: number;
  macroF1: number;
  perClass: Prisma.InputJsonValue;
  confusion: Prisma.InputJsonValue;
}

/**
 * A new model version, numbered after the highest so far, with the evaluations it was made with:
 * all commit or none does, so a version is never left without them.
 */
export async function createModelVersion(db: Db, mv: NewModelVersion, evaluations: readonly NewEvaluation[] = []) {
  // Version numbers come from the table's max; the unique index makes a concurrent duplicate
  // fail, and we retry, rather than locking the table.
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const last = await tx.modelVersion.aggregate({ _max: { version: true } });
        const artifact = await tx.artifact.create({
          data: artifactRow({ kind: 'model', ...mv.artifact }),
          select: { id: true },
        });
        const created = await tx.modelVersion.create({
          data: {
            version: (last._max.version ?? 0) + 1,
            runId: mv.runId,
            architecture: mv.architecture,
            summary: mv.summary,
            artifactId: artifact.id,
          },
        });
        await tx.evaluation.createMany({
          // Field by field: callers pass metrics reports, which may carry more than the table holds.
          data: evaluations.map((ev) => ({
            modelVersionId: created.id,
            datasetId: ev.datasetId,
            split: ev.split,
            accuracy: ev.accuracy,
            macroF1: ev.macroF1,
            perClass: ev.perClass,
            confusionMatrix: ev.confusion,
          })),
        });
        return created;
      }, ARTIFACT_TRANSACTION);
    } catch (err) {
      if (attempt < 3 && (err as { code?: string }).code === 'P2002') continue;
      throw err;
    }
  }
}

/** Every model version, newest first, with its run's dataset, its evaluations and its summary parsed. */
export async function listModelVersions(db: Db) {
  const rows = await db.modelVersion.findMany({
    orderBy: { version: 'desc' },
    include: { run: { select: { id: true, dataset: { select: { name: true } } } }, evaluations: true },
  });
  return rows.map((v) => ({ ...v, summary: modelVersionSummarySchema.parse(v.summary) }));
}

export async function getModelVersion(db: Db, id: string) {
  return db.modelVersion.findUnique({ where: { id }, include: { artifact: true } });
}

/** Id and number only: for hot paths that must not load the weights. */
export async function findModelVersionId(db: Db, version: number): Promise<string | null> {
  return (await db.modelVersion.findUnique({ where: { version }, select: { id: true } }))?.id ?? null;
}

/** A version with its weights, evaluations (newest first), run, epochs and dataset: all a model card says. */
export async function getModelVersionProvenance(db: Db, version: number) {
  return db.modelVersion.findUnique({
    where: { version },
    include: {
      artifact: true,
      evaluations: { orderBy: { createdAt: 'desc' } },
      run: { include: { dataset: true, epochs: { orderBy: { epoch: 'asc' } } } },
    },
  });
}

/** The version whose weights are exactly these bytes (registering a bundle twice is a no-op). */
export async function findModelVersionByDigest(db: Db, digest: string) {
  return db.modelVersion.findFirst({
    where: { artifact: { kind: 'model', digest } },
    select: { id: true, version: true },
  });
}

/** A version's architecture and the digest of its weights (a model's identity across machines). */
export async function getModelVersionIdentity(db: Db, version: number) {
  const mv = await db.modelVersion.findUnique({
    where: { version },
    select: { architecture: true, artifact: { select: { digest: true } } },
  });
  return mv && { architecture: mv.architecture, weightsSha256: mv.artifact.digest };
}

/** A version's architecture and artifact metadata, without its weights. */
export async function getModelVersionContract(db: Db, version: number) {
  return db.modelVersion.findUnique({
    where: { version },
    select: { id: true, architecture: true, artifact: { select: { meta: true } } },
  });
}

export async function getModelVersionByNumber(db: Db, version: number) {
  return db.modelVersion.findUnique({ where: { version }, include: { artifact: true } });
}

export async function promoteModelVersion(db: Db, modelVersionId: string, note = '') {
  return db.promotion.create({ data: { modelVersionId, note } });
}

export async function promotionHistory(db: Db, take = 50) {
  return db.promotion.findMany({
    orderBy: { createdAt: 'desc' },
    take,
    include: { modelVersion: { select: { version: true } } },
  });
}

export async function servingPromotion(db: Db) {
  return db.promotion.findFirst({
    orderBy: { createdAt: 'desc' },
    include: { modelVersion: { select: { id: true, version: true } } },
  });
}

/** Re-promotes the version that served before the current one (null when there is none); history is appended. */
export async function rollbackPromotion(db: Db, note = '') {
  const [current, ...older] = await db.promotion.findMany({ orderBy: { createdAt: 'desc' }, take: 50 });
  const previous = older.find((p) => p.modelVersionId !== current?.modelVersionId);
  if (!current || !previous) return null;
  return db.promotion.create({ data: { modelVersionId: previous.modelVersionId, note, rollbackOf: current.id } });
}

export async function getEvaluation(db: Db, id: string) {
  const ev = await db.evaluation.findUnique({ where: { id } });
  return ev && parseEvaluationRow(ev);
}

export async function recordEvaluation(db: Db, ev: Prisma.EvaluationUncheckedCreateInput) {
  return db.evaluation.create({ data: ev });
}

export interface TrainedModel extends NewModelVersion {
  datasetId: string;
  /** The validation evaluation made right after training, when the dataset has that split. */
  evaluation: Omit<NewEvaluation, 'datasetId'> | null;
}

/**
 * Stores a finished training's model version and its evaluation, together and once: a version the
 * run recorded after its latest checkpoint (a retry after a commit whose answer was lost) is
 * returned as it is.
 */
export async function recordTrainedModel(db: Db, m: TrainedModel) {
  const recorded = await versionAfterLastCheckpoint(db, m.runId);
  if (recorded) return recorded;
  return createModelVersion(db, m, m.evaluation ? [{ datasetId: m.datasetId, ...m.evaluation }] : []);
}

/**
 * The run's model version recorded after its latest checkpoint, or null: one means the run finished
 * training and recorded its model, whatever happened after (a worker killed before marking the run
 * completed, or a database that committed the version but whose answer was lost).
 */
export async function versionAfterLastCheckpoint(db: Db, runId: string) {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: {
      checkpoint: { select: { createdAt: true } },
      modelVersions: { orderBy: { createdAt: 'desc' }, take: 1 },
    },
  });
  const mv = run?.modelVersions[0];
  if (!mv || !run.checkpoint || mv.createdAt < run.checkpoint.createdAt) return null;
  return { ...mv, summary: modelVersionSummarySchema.parse(mv.summary) };
}
