import {
  findRunsByStatus,
  getRunHolder,
  liveWorkers,
  markRunCancelled,
  markRunCompleted,
  markRunFailed,
  markRunQueued,
  setRunJobId,
} from '@moodlab/db';
import { enqueueTrain, trainResultSchema } from '@moodlab/jobs';
import { storedHyperparametersSchema } from '@moodlab/shared';
import type { RunDeps } from './run-lifecycle';

/** Why a run whose job vanished goes back to the queue; its worker resumes it from its last checkpoint. */
export const JOB_VANISHED =
  'its job vanished from Redis (Redis restarted without its data?); re-enqueued, it resumes from its last checkpoint';
export const WORKER_LOST = 'worker lost; will resume from its last checkpoint';

export interface ReconcileOptions {
  /** A worker whose last heartbeat is older than this is dead. */
  staleAfterMs: number;
  /** A queued run younger than this may be between its row and its job (startRun); left alone. */
  graceMs?: number;
}

export interface ReconcileAction {
  runId: string;
  action: 're-enqueued' | 'queued' | 'completed' | 'cancelled' | 'failed';
  reason: string;
}

/**
 * Makes the queue agree with Postgres, the record, for every training run that is not finished:
 * a run whose job vanished (Redis lost its data) is enqueued again, unless a live worker still
 * trains it; a job that finished decides its run's status; a running run whose job went back to
 * waiting is queued. Runs at worker start and periodically; safe on any number of workers at once
 * (job id = run id, and every status change is conditional).
 */
export async function reconcileRuns({ db, trainQueue }: RunDeps, opts: ReconcileOptions): Promise<ReconcileAction[]> {
  const actions: ReconcileAction[] = [];
  const live = await liveWorkers(db, opts.staleAfterMs);
  const running = (await findRunsByStatus(db, 'running')).filter((r) => r.kind === 'train');
  const queued = (await findRunsByStatus(db, 'queued')).filter(
    (r) => r.kind === 'train' && Date.now() - r.createdAt.getTime() > (opts.graceMs ?? 10_000),
  );
  for (const run of [...running, ...queued]) {
    const isRunning = running.includes(run);
    const job = await trainQueue.getJob(run.jobId ?? run.id);
    if (!job) {
      // A live worker still training it finishes and records it without its job.
      if (isRunning && run.workerId && live.get(run.workerId)?.includes(run.id)) continue;
      if (isRunning && !(await markRunQueued(db, run.id, JOB_VANISHED, run.workerId))) continue;
      const hyperparameters = storedHyperparametersSchema.parse(run.hyperparameters);
      const added = await enqueueTrain(trainQueue, { runId: run.id, datasetId: run.datasetId, hyperparameters });
      await setRunJobId(db, run.id, added.id!);
      actions.push({ runId: run.id, action: 're-enqueued', reason: JOB_VANISHED });
      continue;
    }
    const state = await job.getState();
    if (state === 'failed') {
      if (await markRunFailed(db, run.id, job.failedReason || 'job failed'))
        actions.push({ runId: run.id, action: 'failed', reason: job.failedReason });
    } else if (state === 'completed') {
      const result = trainResultSchema.safeParse(job.returnvalue);
      const done =
        result.success && result.data.cancelled
          ? await markRunCancelled(db, run.id)
          : await markRunCompleted(db, run.id);
      if (done)
        actions.push({
          runId: run.id,
          action: result.success && result.data.cancelled ? 'cancelled' : 'completed',
          reason: 'its job had finished',
        });
    } else if (isRunning && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
      if (await markRunQueued(db, run.id, WORKER_LOST, run.workerId))
        actions.push({ runId: run.id, action: 'queued', reason: WORKER_LOST });
    }
  }
  return actions;
}

/**
 * A stalled-job report (BullMQ: the job's lock expired) puts its run back in the queue, but only
 * if the run's holder is dead and still holds it: any worker's stalled check may report the job,
 * possibly after another worker has already taken the run again.
 */
export async function requeueStalledRun(
  { db }: Pick<RunDeps, 'db'>,
  runId: string,
  staleAfterMs: number,
): Promise<boolean> {
  const holder = await getRunHolder(db, runId);
  if (!holder || (await liveWorkers(db, staleAfterMs)).has(holder)) return false;
  return markRunQueued(db, runId, WORKER_LOST, holder);
}
