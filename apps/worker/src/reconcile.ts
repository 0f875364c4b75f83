import type { Queue } from 'bullmq';
import { findRunsByStatus, markRunFailed, markRunQueued, type Db } from '@moodlab/db';

/**
 * Makes Postgres agree with the queue for runs marked running: a run whose job is gone or
 * failed is failed, one whose job went back to waiting (a dead worker's, recovered by BullMQ's
 * stalled check) is queued. Runs at worker boot and periodically.
 */
export async function reconcileRuns(db: Db, trainQueue: Queue): Promise<void> {
  for (const run of await findRunsByStatus(db, 'running')) {
    const job = run.jobId ? await trainQueue.getJob(run.jobId) : undefined;
    if (!job) {
      await markRunFailed(db, run.id, 'its job is no longer in the queue (Redis was reset?)');
      continue;
    }
    const state = await job.getState();
    if (state === 'failed') await markRunFailed(db, run.id, job.failedReason || 'job failed');
    else if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await markRunQueued(db, run.id, 'worker lost; will resume from its last checkpoint');
  }
}
