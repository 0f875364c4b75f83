import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * A sweep's controller is one job (its id is the sweep's): it starts trials as the budget and the
 * parallelism allow, until all are done. Its state is in Postgres, so when the worker running it
 * dies, BullMQ hands the stalled job to another worker, which carries on where it stood.
 */
export const SWEEP_QUEUE = 'sweep';

export const sweepPayloadSchema = z.object({ sweepId: z.uuid() }).strict();
export type SweepPayload = z.infer<typeof sweepPayloadSchema>;

export const sweepJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export function createSweepQueue(connection: Redis): Queue<SweepPayload> {
  return new Queue<SweepPayload>(SWEEP_QUEUE, { connection, defaultJobOptions: sweepJobOptions });
}

export async function enqueueSweep(queue: Queue<SweepPayload>, payload: SweepPayload) {
  const data = sweepPayloadSchema.parse(payload);
  return queue.add('sweep', data, { jobId: data.sweepId });
}
