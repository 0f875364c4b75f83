import { getDataset, getModelVersion, recordEvaluation, type Db } from '@moodlab/db';
import { enqueueEvaluate, evaluatePayloadSchema, type createEvaluateQueue, type EvaluatePayload } from '@moodlab/jobs';
import { evaluationSplitName, type ClassificationReport } from '@moodlab/shared';
import type { z } from 'zod';
import { imagesMissing, InvalidRequestError, NotFoundError } from './errors';

/**
 * Evaluating a model version on a dataset split: queued by the dashboard's API and the CLI alike,
 * computed by a worker, recorded under one naming rule (`evaluationSplitName`).
 */
export interface EvaluationDeps {
  db: Db;
  evaluateQueue: ReturnType<typeof createEvaluateQueue>;
}

/** What a caller asks for: the job's payload without the model version, which the caller names apart. */
export const evaluationRequestSchema = evaluatePayloadSchema.omit({ modelVersionId: true });
export type EvaluationRequest = z.input<typeof evaluationRequestSchema>;

/**
 * Checks that the model version, the dataset's images and the split exist, then queues the job.
 * Throws NotFoundError, ConflictError (images not imported here) or InvalidRequestError.
 */
export async function queueEvaluation(
  { db, evaluateQueue }: EvaluationDeps,
  modelVersionId: string,
  request: EvaluationRequest,
): Promise<{ jobId: string }> {
  const body = evaluationRequestSchema.parse(request);
  if (!(await getModelVersion(db, modelVersionId)))
    throw new NotFoundError(`Unknown model version id ${modelVersionId}`);
  const dataset = await getDataset(db, body.datasetId);
  if (!dataset) throw new NotFoundError(`Unknown dataset id ${body.datasetId}`);
  if (!dataset.packId) throw imagesMissing(dataset.name);
  if (!Object.keys(dataset.counts).includes(body.split))
    throw new InvalidRequestError(
      `dataset "${dataset.name}" has no "${body.split}" split (it has ${Object.keys(dataset.counts).join(', ')})`,
    );
  const job = await enqueueEvaluate(evaluateQueue, { modelVersionId, ...body });
  if (!job.id) throw new Error('BullMQ returned a job without an id');
  return { jobId: job.id };
}

/** Stores a computed evaluation under the split's name, marked when flip TTA was used. */
export async function recordEvaluationReport(db: Db, payload: EvaluatePayload, report: ClassificationReport) {
  return recordEvaluation(db, {
    modelVersionId: payload.modelVersionId,
    datasetId: payload.datasetId,
    split: evaluationSplitName(payload.split, payload.flipTta),
    accuracy: report.accuracy,
    macroF1: report.macroF1,
    perClass: report.perClass,
    confusionMatrix: report.confusion,
  });
}
