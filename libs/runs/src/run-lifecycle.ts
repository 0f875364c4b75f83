import { z } from 'zod';
import {
  canStartFrom,
  errorMessage,
  ARCHITECTURE_NAMES,
  isArchitectureName,
  isImportedArchitecture,
} from '@moodlab/shared';
import {
  createRun,
  getDataset,
  getModelVersionContract,
  getRun,
  markRunCancelled,
  markRunFailed,
  requeueRun,
  setRunJobId,
  type Db,
} from '@moodlab/db';
import { enqueueTrain, trainPayloadSchema, type createTrainQueue } from '@moodlab/jobs';
import {
  hyperparametersSchema,
  storableText,
  storedHyperparametersSchema,
  type Hyperparameters,
} from '@moodlab/shared';
import { ConflictError, imagesMissing, NotFoundError } from './errors';

/**
 * Starting, cancelling and resuming runs: the one place that keeps a Run row and its BullMQ job
 * in step, used by the dashboard's API and the CLI alike.
 */
export interface RunDeps {
  db: Db;
  trainQueue: ReturnType<typeof createTrainQueue>;
}

/** What a caller asks to train: the job's payload without the run (created here), plus tags and a priority. */
export const startRunRequestSchema = trainPayloadSchema
  .omit({ runId: true })
  .extend({
    hyperparameters: hyperparametersSchema.default(hyperparametersSchema.parse({})),
    tags: z.array(storableText().min(1).max(40)).max(20).default([]),
    priority: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
export type StartRunRequest = z.input<typeof startRunRequestSchema>;

function invalid(path: string[], message: string, input: unknown): z.ZodError {
  return new z.ZodError([{ code: 'custom', path, message, input }]);
}

async function enqueue(
  { db, trainQueue }: RunDeps,
  runId: string,
  datasetId: string,
  hp: Hyperparameters,
  priority?: number,
) {
  try {
    const job = await enqueueTrain(trainQueue, { runId, datasetId, hyperparameters: hp }, priority);
    await setRunJobId(db, runId, job.id!);
  } catch (err) {
    await markRunFailed(db, runId, `could not enqueue: ${errorMessage(err)}`);
    throw err;
  }
}

const contractSchema = z.object({
  metadata: z.object({
    classNames: z.array(z.string()),
    preprocessing: z.object({ imageSize: z.number(), normalization: z.string() }),
  }),
});

/** A model version a run uses (initFrom, distillFrom) must exist and predict the dataset's classes in its order. */
async function versionPredicting(db: Db, path: string[], version: number, classNames: string[]) {
  const mv = await getModelVersionContract(db, version);
  if (!mv) throw invalid(path, `No model version ${version}`, version);
  const { metadata } = contractSchema.parse(mv.artifact.meta);
  if (metadata.classNames.join() !== classNames.join())
    throw invalid(
      path,
      `Model version ${version} predicts ${metadata.classNames.join(', ')}; the dataset has ${classNames.join(', ')}`,
      version,
    );
  return { architecture: mv.architecture, metadata };
}

/** A run may start from a model version only if the weights fit: architecture, classes, image size. */
async function checkInitialModel(db: Db, hp: Hyperparameters, classNames: string[]) {
  const path = ['hyperparameters', 'initFrom'];
  const { architecture, metadata } = await versionPredicting(db, path, hp.initFrom!, classNames);
  if (!canStartFrom(hp.architecture, architecture))
    throw invalid(path, `Model version ${hp.initFrom} is a ${architecture}, not a ${hp.architecture}`, hp.initFrom);
  if (metadata.preprocessing.imageSize !== hp.preprocessing.imageSize)
    throw invalid(path, `Model version ${hp.initFrom} takes ${metadata.preprocessing.imageSize}px images`, hp.initFrom);
  // A trained-here model can be fine-tuned with another normalisation; an imported one was trained elsewhere with its own.
  if (
    isImportedArchitecture(hp.architecture) &&
    metadata.preprocessing.normalization !== hp.preprocessing.normalization
  )
    throw invalid(
      ['hyperparameters', 'preprocessing', 'normalization'],
      `Model version ${hp.initFrom} takes ${metadata.preprocessing.normalization}-normalised images`,
      hp.preprocessing.normalization,
    );
}

/**
 * Teachers must exist and predict the dataset's classes in its order; their architecture and input
 * size are free (each sees the images resized to its own input, as in its evaluations).
 */
async function checkTeachers(db: Db, hp: Hyperparameters, classNames: string[]) {
  for (const version of hp.distillFrom)
    await versionPredicting(db, ['hyperparameters', 'distillFrom'], version, classNames);
}

/** Creates the run row, then its job; if Redis refuses the job the run is failed, not left queued. */
export async function startRun(
  deps: RunDeps,
  body: unknown,
  codeVersion = 'dev',
  trial?: { sweepId: string; trialIndex: number; trialParams: Record<string, string | number | boolean> },
) {
  const req = startRunRequestSchema.parse(body);
  const hp = req.hyperparameters;
  const imported = isImportedArchitecture(hp.architecture);
  if (!isArchitectureName(hp.architecture) && !(imported && hp.initFrom !== null)) {
    throw invalid(
      ['hyperparameters', 'architecture'],
      imported
        ? `${hp.architecture} is an imported model: fine-tune it from its version (set initFrom)`
        : `Unknown architecture; known: ${ARCHITECTURE_NAMES.join(', ')}`,
      hp.architecture,
    );
  }
  const dataset = await getDataset(deps.db, req.datasetId);
  if (!dataset) throw new NotFoundError(`Unknown dataset id ${req.datasetId}`);
  if (!dataset.packId) throw imagesMissing(dataset.name);
  // An imported model takes its own size; the images are resized to it, as in its evaluations.
  if (!imported && dataset.imageSize !== hp.preprocessing.imageSize) {
    throw invalid(
      ['hyperparameters', 'preprocessing', 'imageSize'],
      `Dataset "${dataset.name}" has ${dataset.imageSize}px images`,
      hp.preprocessing.imageSize,
    );
  }
  if (hp.initFrom !== null) await checkInitialModel(deps.db, hp, dataset.classNames);
  await checkTeachers(deps.db, hp, dataset.classNames);
  const run = await createRun(deps.db, {
    datasetId: dataset.id,
    architecture: hp.architecture,
    hyperparameters: hp,
    seed: hp.seed,
    tags: req.tags,
    codeVersion,
    ...trial,
  });
  await enqueue(deps, run.id, dataset.id, hp, req.priority);
  return run;
}

export async function cancelRun({ db, trainQueue }: RunDeps, id: string) {
  const run = await getRun(db, id);
  if (!run) throw new NotFoundError(`Unknown run id ${id}`);
  // A waiting job is removed; an active one is stopped by its worker, which polls the status.
  const job = run.jobId ? await trainQueue.getJob(run.jobId) : undefined;
  if (job && (await job.getState()) !== 'active') await job.remove().catch(() => {});
  const changed = await markRunCancelled(db, id);
  return { cancelled: changed, status: changed ? 'cancelled' : run.status };
}

/**
 * Queues a failed or cancelled run again; it continues from its last checkpoint, keeping its
 * epochs so far. (Also the way to continue a long run after Redis lost its queue.) `epochs`
 * lengthens or shortens the run; the LR schedule follows the new length from the next epoch.
 * Only what is sent changes: the hyperparameters' defaults are unwrapped so that none fills in.
 */
export const resumeRunRequestSchema = z
  .object({
    epochs: hyperparametersSchema.shape.epochs.unwrap().optional(),
    averageLastEpochs: hyperparametersSchema.shape.averageLastEpochs.unwrap().optional(),
  })
  .strict();
export type ResumeRunRequest = z.infer<typeof resumeRunRequestSchema>;

export async function resumeRun(deps: RunDeps, id: string, opts: ResumeRunRequest = {}) {
  const run = await getRun(deps.db, id);
  if (!run) throw new NotFoundError(`Unknown run id ${id}`);
  if (run.status !== 'failed' && run.status !== 'cancelled')
    throw new ConflictError(`Run ${id} is ${run.status}; only failed or cancelled runs can be resumed`);
  if (opts.epochs !== undefined && opts.epochs <= run.epochs.length) {
    throw new ConflictError(`Run ${id} has already trained ${run.epochs.length} epochs; resume it with more than that`);
  }
  const changes = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const changed = Object.keys(changes).length > 0;
  const hp = storedHyperparametersSchema.parse({ ...(run.hyperparameters as object), ...changes });
  // The average covers whole epochs from its first one on; those must still be ahead.
  if (opts.averageLastEpochs !== undefined && hp.epochs - hp.averageLastEpochs < run.epochs.length) {
    throw new ConflictError(
      `Run ${id} has already trained ${run.epochs.length} of ${hp.epochs} epochs; it can average at most its last ${hp.epochs - run.epochs.length}`,
    );
  }
  // BullMQ ignores a job whose id exists, so the finished job of the earlier attempt goes first.
  const old = run.jobId ? await deps.trainQueue.getJob(run.jobId) : undefined;
  if (old) await old.remove();
  if (!(await requeueRun(deps.db, id, changed ? hp : undefined)))
    throw new ConflictError(`Run ${id} changed state meanwhile`);
  await enqueue(deps, id, run.datasetId, hp);
  return { id, status: 'queued' as const };
}
