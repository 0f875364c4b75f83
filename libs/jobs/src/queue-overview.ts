import type { Queue } from 'bullmq';

export const LISTED_STATES = ['active', 'waiting', 'prioritized', 'delayed', 'failed'] as const;
export type ListedState = (typeof LISTED_STATES)[number];

export interface JobSummary {
  id: string;
  name: string;
  state: ListedState;
  priority: number;
  attemptsMade: number;
  timestamp: number;
  processedOn: number | null;
  failedReason: string | null;
  progress: unknown;
  data: unknown;
}

/** Counts per state and the newest jobs of each listed state, for the Queue page. */
export async function queueOverview(queue: Queue, perState = 50) {
  const counts = await queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed', 'failed', 'completed');
  const jobs: JobSummary[] = [];
  for (const state of LISTED_STATES) {
    for (const job of await queue.getJobs([state], 0, perState - 1)) {
      if (!job?.id) continue;
      jobs.push({
        id: job.id,
        name: job.name,
        state,
        priority: job.opts.priority ?? 0,
        attemptsMade: job.attemptsMade,
        timestamp: job.timestamp,
        processedOn: job.processedOn ?? null,
        failedReason: job.failedReason || null,
        progress: job.progress,
        data: job.data,
      });
    }
  }
  return { name: queue.name, counts, jobs };
}
