import { UnrecoverableError, type Job } from 'bullmq';
import { createTrainQueue, describeValidationError, sweepPayloadSchema, type createSweepQueue } from '@moodlab/jobs';
import { advanceSweep } from '@moodlab/runs';
import type { ProcessorContext } from './context';

const STEP_MS = 1000;

/**
 * A sweep's controller: advances it every second until its last trial ends. All its state is in
 * Postgres, so a controller that dies (its job stalls) is replaced by the same job on any worker,
 * which carries on from what is recorded.
 */
export function createSweepProcessor(
  ctx: ProcessorContext,
  queues: { trainQueue: ReturnType<typeof createTrainQueue>; sweepQueue: ReturnType<typeof createSweepQueue> },
) {
  return async function processSweep(job: Job): Promise<{ sweepId: string }> {
    const parsed = sweepPayloadSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`Invalid sweep job payload: ${describeValidationError(parsed.error)}`);
    const { sweepId } = parsed.data;
    const deps = { db: ctx.db, ...queues };
    while (!ctx.shuttingDown.aborted) {
      const { done, started } = await advanceSweep(deps, sweepId);
      if (started) await job.log(`started ${started} trial(s)`).catch(() => {});
      if (done) return { sweepId };
      await new Promise((r) => setTimeout(r, STEP_MS));
    }
    // Shutting down: the job goes back to the queue and another worker's controller continues.
    throw new Error('worker shutting down; the sweep continues on another worker');
  };
}
