import type * as tf from '@tensorflow/tfjs';
import { evaluateModel, loadModelFromArtifact, modelToArtifact } from '@moodlab/cnn/inference';
import { averageWeightsInto, hasBatchNorm, recalibrateBatchNorm } from '@moodlab/cnn/training';
import { packMetaSchema, unpackSplit } from '@moodlab/cnn/datasets';
import { createModelVersion, getDatasetByName, getModelVersionProvenance, type Db, type Prisma } from '@moodlab/db';
import { storedHyperparametersSchema, type BatchNormRecalibration } from '@moodlab/shared';
import { z } from 'zod';
import { loadDatasetPack } from './dataset-pack';
import { ConflictError, NotFoundError } from './errors';

export const recalibrateRequestSchema = z.object({
  version: z.number().int().min(1),
  /** Training images to take the statistics from; the version's own run's dataset when absent. */
  dataset: z.string().min(1).optional(),
  images: z.number().int().min(1).max(1_000_000).default(8192),
  /**
   * Other versions of the same architecture whose weights are averaged with this one's first (a
   * "model soup": versions fine-tuned from one starting point). Empty: recalibration alone.
   */
  averageWith: z.array(z.number().int().min(1)).max(16).default([]),
});
export type RecalibrateRequest = z.input<typeof recalibrateRequestSchema>;

/** A stored summary's fields, to extend (summaries are JSON objects; anything else has none to keep). */
function summaryObject(summary: Prisma.JsonValue): Prisma.JsonObject {
  return summary !== null && typeof summary === 'object' && !Array.isArray(summary) ? summary : {};
}

export interface RecalibrateResult {
  outcome: BatchNormRecalibration;
  /** The new model version, or null when the new statistics validated worse and nothing was stored. */
  version: number | null;
}

/**
 * Recomputes an existing model version's BatchNorm statistics over training images (see
 * recalibrate-batchnorm.ts), after averaging its weights with other versions' when asked, and
 * stores the result as a new version of the same run when it validates at least as well as before
 * the recalibration. The source versions are never changed.
 */
export async function recalibrateModelVersion(
  db: Db,
  body: RecalibrateRequest,
  onLayer?: (done: number, total: number) => void,
): Promise<RecalibrateResult> {
  const req = recalibrateRequestSchema.parse(body);
  const mv = await getModelVersionProvenance(db, req.version);
  if (!mv) throw new NotFoundError(`Unknown model version ${req.version}`);
  const named = req.dataset ? await getDatasetByName(db, req.dataset) : null;
  if (req.dataset && !named) throw new NotFoundError(`Unknown dataset "${req.dataset}"`);
  if (!named && !mv.run.dataset.packId) {
    throw new ConflictError(
      `model version ${req.version}'s dataset "${mv.run.dataset.name}" has no images on this machine; name a dataset to take training images from`,
    );
  }
  const pack = await loadDatasetPack(db, named?.id ?? mv.run.datasetId);
  const meta = packMetaSchema.parse(pack.meta);
  const { model, metadata } = await loadModelFromArtifact(mv.artifact.meta, new Uint8Array(mv.artifact.data));
  try {
    if (!hasBatchNorm(model))
      throw new ConflictError(`model version ${req.version} (${metadata.architecture}) has no BatchNorm layers`);
    if (meta.imageSize !== metadata.preprocessing.imageSize || meta.classNames.join() !== metadata.classNames.join()) {
      throw new ConflictError(
        `dataset "${pack.dataset.name}" (${meta.imageSize}px; ${meta.classNames.join(', ')}) does not match the model (${metadata.preprocessing.imageSize}px; ${metadata.classNames.join(', ')})`,
      );
    }
    if (!meta.splits.train?.count) throw new ConflictError(`dataset "${pack.dataset.name}" has no train split`);
    await averageInVersions(db, model, mv.architecture, req.averageWith);
    const validation = meta.splits.validation?.count ? unpackSplit(meta, pack.data, 'validation') : null;
    const evaluate = () =>
      validation ? evaluateModel(model, validation, metadata.classNames, metadata.preprocessing) : null;
    const before = evaluate()?.accuracy ?? null;
    const seed = storedHyperparametersSchema.parse(mv.run.hyperparameters).seed;
    const images = recalibrateBatchNorm(model, unpackSplit(meta, pack.data, 'train'), metadata.preprocessing, {
      images: req.images,
      seed,
      onLayer,
    });
    const report = evaluate();
    const used = report === null || before === null || report.accuracy >= before;
    const outcome: BatchNormRecalibration = {
      images,
      valAccuracyBefore: before,
      valAccuracy: report?.accuracy ?? null,
      used,
    };
    if (!used) return { outcome, version: null };
    const artifact = await modelToArtifact(model, metadata);
    const created = await createModelVersion(
      db,
      {
        runId: mv.run.id,
        architecture: mv.architecture,
        summary: {
          ...summaryObject(mv.summary),
          recalibrated: outcome,
          recalibratedFrom: { version: mv.version, dataset: pack.dataset.name },
          ...(req.averageWith.length ? { averagedWith: req.averageWith } : {}),
        },
        artifact: { meta: artifact.meta as Prisma.InputJsonValue, data: artifact.data },
      },
      report ? [{ datasetId: pack.dataset.id, split: 'validation', ...report }] : [],
    );
    return { outcome, version: created.version };
  } finally {
    model.dispose();
  }
}

/** Averages the named versions' weights into `model` (see averageWeightsInto); each must share its architecture. */
async function averageInVersions(db: Db, model: tf.LayersModel, architecture: string, versions: readonly number[]) {
  const others: tf.LayersModel[] = [];
  try {
    for (const version of versions) {
      const other = await getModelVersionProvenance(db, version);
      if (!other) throw new NotFoundError(`Unknown model version ${version}`);
      if (other.architecture !== architecture) {
        throw new ConflictError(
          `model version ${version} is a ${other.architecture}, not a ${architecture}: only one architecture's weights average`,
        );
      }
      others.push((await loadModelFromArtifact(other.artifact.meta, new Uint8Array(other.artifact.data))).model);
    }
    if (others.length) averageWeightsInto(model, others);
  } finally {
    for (const other of others) other.dispose();
  }
}
