import { z } from 'zod';
import { architectureNames } from '@moodlab/cnn/registry';
import { createRun, getDataset, getRun, markRunCancelled, markRunFailed, setRunJobId } from '@moodlab/db';
import { enqueueTrain } from '@moodlab/jobs';
import { hyperparametersSchema } from '@moodlab/shared';
import { services } from './services';

export const startRunRequestSchema = z.object({
  datasetId: z.uuid(),
  hyperparameters: hyperparametersSchema.default(hyperparametersSchema.parse({})),
  tags: z.array(z.string().min(1).max(40)).max(20).default([]),
  priority: z.number().int().min(0).max(1000).optional(),
}).strict();
export type StartRunRequest = z.input<typeof startRunRequestSchema>;

export class NotFoundError extends Error {}

/** Creates the run row, then its job; if Redis refuses the job the run is failed, not left queued. */
export async function startRun(body: unknown) {
  const req = startRunRequestSchema.parse(body);
  const { db, trainQueue } = services();
  if (!architectureNames().includes(req.hyperparameters.architecture)) {
    throw new z.ZodError([{ code: 'custom', path: ['hyperparameters', 'architecture'], message: `Unknown architecture; known: ${architectureNames().join(', ')}`, input: req.hyperparameters.architecture }]);
  }
  const dataset = await getDataset(db, req.datasetId);
  if (!dataset) throw new NotFoundError(`Unknown dataset id ${req.datasetId}`);
  if (dataset.imageSize !== req.hyperparameters.preprocessing.imageSize) {
    throw new z.ZodError([{ code: 'custom', path: ['hyperparameters', 'preprocessing', 'imageSize'], message: `Dataset "${dataset.name}" has ${dataset.imageSize}px images`, input: req.hyperparameters.preprocessing.imageSize }]);
  }
  const run = await createRun(db, {
    datasetId: dataset.id, architecture: req.hyperparameters.architecture, hyperparameters: req.hyperparameters,
    seed: req.hyperparameters.seed, tags: req.tags, codeVersion: process.env.npm_package_version ?? 'dev',
  });
  try {
    const job = await enqueueTrain(trainQueue, { runId: run.id, datasetId: dataset.id, hyperparameters: req.hyperparameters }, req.priority);
    await setRunJobId(db, run.id, job.id!);
  } catch (err) {
    await markRunFailed(db, run.id, `could not enqueue: ${(err as Error).message}`);
    throw err;
  }
  return run;
}

export async function cancelRun(id: string) {
  const { db, trainQueue } = services();
  const run = await getRun(db, id);
  if (!run) throw new NotFoundError(`Unknown run id ${id}`);
  // A waiting job is removed; an active one is stopped by its worker, which polls the status.
  const job = run.jobId ? await trainQueue.getJob(run.jobId) : undefined;
  if (job && (await job.getState()) !== 'active') await job.remove().catch(() => {});
  const changed = await markRunCancelled(db, id);
  return { cancelled: changed, status: changed ? 'cancelled' : run.status };
}
