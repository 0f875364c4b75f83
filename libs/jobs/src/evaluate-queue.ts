import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const EVALUATE_QUEUE = 'evaluate';

export const evaluatePayloadSchema = z
  .object({
    modelVersionId: z.uuid(),
    datasetId: z.uuid(),
    split: z.string().min(1).default('validation'),
    flipTta: z.boolean().default(false),
  })
  .strict();
export type EvaluatePayload = z.infer<typeof evaluatePayloadSchema>;

export const evaluateResultSchema = z.object({ evaluationId: z.uuid(), accuracy: z.number(), macroF1: z.number() });
export type EvaluateResult = z.infer<typeof evaluateResultSchema>;

export const evaluateJobOptions: JobsOptions = {
  attempts: 2,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export function createEvaluateQueue(connection: Redis): Queue<EvaluatePayload, EvaluateResult> {
  return new Queue<EvaluatePayload, EvaluateResult>(EVALUATE_QUEUE, {
    connection,
    defaultJobOptions: evaluateJobOptions,
  });
}

export async function enqueueEvaluate(queue: Queue<EvaluatePayload, EvaluateResult>, payload: unknown) {
  return queue.add('evaluate', evaluatePayloadSchema.parse(payload));
}
