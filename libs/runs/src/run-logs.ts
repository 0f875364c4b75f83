import type { RunDeps } from './run-lifecycle';

/** The worker's log lines for a run (BullMQ job logs; they live as long as the job). */
export async function runLogs(
  { trainQueue }: Pick<RunDeps, 'trainQueue'>,
  runId: string,
  last = 200,
): Promise<string[]> {
  const { logs } = await trainQueue.getJobLogs(runId, -last, -1);
  return logs;
}
