import { NextResponse } from 'next/server';
import { z } from 'zod';
import { adminRoute, HttpError, readJson } from '@/server/http';
import { runs } from '@/server/runs';
import { services } from '@/server/services';

const paramsSchema = z.object({
  queue: z.enum(['train', 'evaluate', 'import']),
  jobId: z.string().min(1).max(100),
  action: z.enum(['cancel', 'retry', 'priority']),
});
const prioritySchema = z.object({ priority: z.number().int().min(0).max(2_097_152) }).strict();

/** Queue actions. Train jobs are runs: cancelling one goes through the run lifecycle. */
export const POST = adminRoute(async (req: Request, { params }: { params: Promise<Record<string, string>> }) => {
  const { queue, jobId, action } = paramsSchema.parse(await params);
  const { trainQueue, evaluateQueue, importQueue } = services();
  const q = queue === 'train' ? trainQueue : queue === 'evaluate' ? evaluateQueue : importQueue;
  const job = await q.getJob(jobId);
  if (!job) throw new HttpError(404, `no job ${jobId} in the ${queue} queue`);
  if (action === 'cancel') {
    if (queue === 'train') return NextResponse.json(await runs.cancel(jobId));
    // A worker holds a running job's lock; BullMQ refuses to remove it from under that worker.
    if ((await job.getState()) === 'active')
      throw new HttpError(
        409,
        `${queue} job ${jobId} is running on a worker and cannot be cancelled; wait for it to finish`,
      );
    await job.remove();
    return NextResponse.json({ removed: jobId });
  }
  if (action === 'retry') {
    if (queue === 'train') return NextResponse.json(await runs.resume(jobId));
    if ((await job.getState()) !== 'failed')
      throw new HttpError(409, `${queue} job ${jobId} has not failed; only failed jobs can be retried`);
    await job.retry('failed');
    return NextResponse.json({ retried: jobId });
  }
  const { priority } = prioritySchema.parse(await readJson(req));
  await job.changePriority({ priority });
  return NextResponse.json({ jobId, priority });
});
