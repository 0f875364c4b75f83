import { NextResponse } from 'next/server';
import { importStatusSchema, type ImportStatus } from '@/api-schemas';
import { HttpError, jsonRoute } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

/** An import job's state and progress, for the live progress bar. */
export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ jobId: string }> }) => {
  const { importQueue } = services();
  const id = (await params).jobId;
  // The state first, then the job: a job read first could fail in between and come with the new
  // state but without its reason (or result).
  const state = await importQueue.getJobState(id);
  const job = await importQueue.getJob(id);
  if (!job) throw new HttpError(404, 'no such import job');
  const status: ImportStatus = importStatusSchema.parse({
    state,
    progress: job.progress,
    result: job.returnvalue ?? null,
    error: job.failedReason || null,
  });
  return NextResponse.json(status);
});
