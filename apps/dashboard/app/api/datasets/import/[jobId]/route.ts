import { NextResponse } from 'next/server';
import { importStatusSchema, type ImportStatus } from '@/api-schemas';
import { HttpError, jsonRoute } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

/** An import job's state and progress, for the live progress bar. */
export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ jobId: string }> }) => {
  const job = await services().importQueue.getJob((await params).jobId);
  if (!job) throw new HttpError(404, 'no such import job');
  const status: ImportStatus = importStatusSchema.parse({
    state: await job.getState(),
    progress: job.progress,
    result: job.returnvalue ?? null,
    error: job.failedReason || null,
  });
  return NextResponse.json(status);
});
