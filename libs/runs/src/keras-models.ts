import { z } from 'zod';
import { packMetaSchema, unpackSplit } from '@moodlab/cnn/datasets';
import { loadModelFromArtifact } from '@moodlab/cnn/inference';
import {
  importKerasModel,
  kerasH5Bytes,
  KerasFileError,
  KerasSettingsMissingError,
  suggestKerasSettings,
} from '@moodlab/cnn/keras';
import {
  createModelVersion,
  digestOf,
  findModelVersionByDigest,
  getDataset,
  getModelVersion,
  getModelVersionByNumber,
  recordFinishedRun,
  type Db,
  type Prisma,
} from '@moodlab/db';
import {
  classOrderSchema,
  formatPercent,
  hyperparametersSchema,
  NORMALIZATIONS,
  type ImportedModel,
  type ModelVersionSummary,
} from '@moodlab/shared';
import { loadDatasetPack } from './dataset-pack';
import { InvalidRequestError, NotFoundError } from './errors';
import { queueEvaluation, type EvaluationDeps } from './evaluation';

/** What a caller says about a Keras file besides its bytes. */
export const kerasImportRequestSchema = z.object({
  /** The dataset whose classes the model predicts; its validation split evaluates it. */
  datasetId: z.uuid(),
  /** The model's output order (a preset or the list); a file `moodlab export` wrote records it. */
  classOrder: classOrderSchema.optional(),
  normalization: z.enum(NORMALIZATIONS).optional(),
  tags: z.array(z.string().min(1).max(40)).max(10).default([]),
  /** Queue an evaluation on the dataset's validation split (when its images are here). */
  evaluate: z.boolean().default(true),
});
export type KerasImportRequest = z.input<typeof kerasImportRequestSchema>;

export interface KerasImportResult {
  version: number;
  modelVersionId: string;
  runId: string | null;
  created: boolean;
  imported: ImportedModel | null;
  evaluationJobId: string | null;
}

/**
 * Brings a Keras model (.h5 or .keras bytes) in as an ordinary run (kind `import`) and model
 * version: evaluated, compared, promoted and fine-tuned like any other. The dashboard's upload
 * and the CLI's `import-model` both call this. Nothing is stored unless the file is a model we
 * can run with this dataset's classes; the same weights imported twice return the first version.
 */
export async function importKerasFile(
  deps: EvaluationDeps,
  file: { fileName: string; bytes: Uint8Array },
  request: KerasImportRequest,
): Promise<KerasImportResult> {
  const body = kerasImportRequestSchema.parse(request);
  const dataset = await getDataset(deps.db, body.datasetId);
  if (!dataset) throw new NotFoundError(`Unknown dataset id ${body.datasetId}`);
  const imported = await importKerasModel(file.bytes, {
    fileName: file.fileName,
    classOrder: body.classOrder,
    normalization: body.normalization,
    classNames: dataset.classNames,
  }).catch(async (err: unknown) => {
    if (err instanceof KerasSettingsMissingError)
      throw new InvalidRequestError(`${err.message}${await suggestion(deps.db, dataset, file.bytes)}`);
    if (err instanceof KerasFileError) throw new InvalidRequestError(`${file.fileName}: ${err.message}`);
    throw err;
  });
  const existing = await findModelVersionByDigest(deps.db, digestOf(imported.artifact.data));
  if (existing)
    return {
      version: existing.version,
      modelVersionId: existing.id,
      runId: null,
      created: false,
      imported: null,
      evaluationJobId: null,
    };
  const now = new Date();
  const hyperparameters = hyperparametersSchema.parse({
    architecture: imported.architecture,
    preprocessing: { imageSize: imported.preprocessing.imageSize, normalization: imported.preprocessing.normalization },
  });
  const run = await recordFinishedRun(deps.db, {
    kind: 'import',
    datasetId: dataset.id,
    architecture: imported.architecture,
    hyperparameters,
    seed: hyperparameters.seed,
    tags: ['keras', ...body.tags],
    backend: null,
    startedAt: now,
    finishedAt: now,
    epochs: [],
  });
  const summary: ModelVersionSummary = {
    epochs: 0,
    bestEpoch: null,
    bestValAccuracy: null,
    imported: imported.imported,
  };
  const mv = await createModelVersion(deps.db, {
    runId: run.id,
    architecture: imported.architecture,
    summary,
    artifact: { meta: imported.artifact.meta as Prisma.InputJsonValue, data: imported.artifact.data },
  });
  const canEvaluate = body.evaluate && dataset.packId && 'validation' in dataset.counts;
  const evaluation = canEvaluate
    ? await queueEvaluation(deps, mv.id, { datasetId: dataset.id, split: 'validation' })
    : null;
  return {
    version: mv.version,
    modelVersionId: mv.id,
    runId: run.id,
    created: true,
    imported: imported.imported,
    evaluationJobId: evaluation?.jobId ?? null,
  };
}

/** A hint from the dataset's validation images: which preset order and normalisation fit best. */
async function suggestion(db: Db, dataset: { id: string; name: string; packId: string | null }, bytes: Uint8Array) {
  if (!dataset.packId) return '';
  try {
    const pack = await loadDatasetPack(db, dataset.id);
    const meta = packMetaSchema.parse(pack.meta);
    const split = meta.splits.validation ? 'validation' : 'train';
    const trials = await suggestKerasSettings(bytes, unpackSplit(meta, pack.data, split), meta.classNames);
    const [best, next] = trials;
    if (!best) return '';
    return (
      `. A check on ${dataset.name}'s ${split} images suggests class order ${best.classOrder} with normalisation ${best.normalization} ` +
      `(${formatPercent(best.accuracy)} correct${next ? `; next best ${next.classOrder} with ${next.normalization}, ${formatPercent(next.accuracy)}` : ''})`
    );
  } catch {
    // The hint is a courtesy; the error it decorates says what to do.
    return '';
  }
}

/**
 * A model version as a Keras HDF5 file (see kerasH5Bytes for the layout): for `moodlab export
 * --format keras` and the dashboard's download. The stored (unfolded) model, so Keras can train on.
 */
export async function kerasFileOf(
  db: Db,
  ref: { version: number } | { id: string },
): Promise<{ fileName: string; bytes: Uint8Array }> {
  const mv = 'id' in ref ? await getModelVersion(db, ref.id) : await getModelVersionByNumber(db, ref.version);
  if (!mv) throw new NotFoundError(`Unknown model version ${'id' in ref ? `id ${ref.id}` : ref.version}`);
  const { version } = mv;
  const { model, metadata } = await loadModelFromArtifact(mv.artifact.meta, new Uint8Array(mv.artifact.data));
  try {
    const stem = mv.architecture.replace(/^keras:/, '').replace(/[^\w.-]+/g, '_');
    return { fileName: `moodlab-v${version}-${stem}.h5`, bytes: await kerasH5Bytes(model, metadata) };
  } finally {
    model.dispose();
  }
}
