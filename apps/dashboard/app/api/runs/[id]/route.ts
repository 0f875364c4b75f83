import { NextResponse } from 'next/server';
import { getRun } from '@moodlab/db';
import { jsonRoute, uuidParam } from '@/server/http';
import { NotFoundError } from '@moodlab/runs';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const run = await getRun(services().db, id);
  if (!run) throw new NotFoundError(`Unknown run id ${id}`);
  return NextResponse.json(run);
});
