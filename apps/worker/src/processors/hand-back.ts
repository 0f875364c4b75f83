import { DelayedError, type Job } from 'bullmq';

/**
 * Returns a job to the queue from inside its processor, for whichever worker takes it next (this
 * one after a restart, or another). BullMQ's way: move it to delayed, then throw DelayedError so
 * that the worker does not also complete or fail it. `afterwards` runs once the job is back (a
 * restart of this worker waits for that).
 */
export async function handJobBack(job: Job, token: string, afterwards?: () => void): Promise<never> {
  await job.moveToDelayed(Date.now() + 500, token);
  afterwards?.();
  throw new DelayedError();
}
