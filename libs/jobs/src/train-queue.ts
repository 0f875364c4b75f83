import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { hyperparametersSchema } from '@moodlab/shared';

export const TRAIN_QUEUE = 'train';

export const trainPayloadSchema = z
  .object({
    runId: z.uuid(),
    datasetId: z.uuid(),
    hyperparameters: hyperparametersSchema,
  })
  .strict();
export type TrainPayload = z.infer<typeof trainPayloadSchema>;

export const trainResultSchema = z.object({
  modelVersionId: z.uuid().nullable(),
  epochs: z.number().int().min(0),
  cancelled: z.boolean(),
});
export type TrainResult = z.infer<typeof trainResultSchema>;

/**
 * One attempt: a job that throws is a failed run (the error is the user's to read). A worker
 * that dies is different: BullMQ's stalled-job check hands the job to another worker, which
 * resumes from the run's last checkpoint.
 */
export const trainJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export function createTrainQueue(connection: Redis): Queue<TrainPayload, TrainResult> {
  return new Queue<TrainPayload, TrainResult>(TRAIN_QUEUE, { connection, defaultJobOptions: trainJobOptions });
}

/** Validates before enqueueing (BullMQ's generics check nothing at run time); job id = run id. */
export async function enqueueTrain(queue: Queue<TrainPayload, TrainResult>, payload: unknown, priority?: number) {
  const data = trainPayloadSchema.parse(payload);
  return queue.add('train', data, { jobId: data.runId, ...(priority ? { priority } : {}) });
}
