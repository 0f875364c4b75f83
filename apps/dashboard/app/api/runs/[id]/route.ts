import { NextResponse } from 'next/server';
import { getRun } from '@moodlab/db';
import { errorResponse, uuidParam } from '@/server/http';
import { NotFoundError } from '@/server/runs-service';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = uuidParam.parse((await params).id);
    const run = await getRun(services().db, id);
    if (!run) throw new NotFoundError(`Unknown run id ${id}`);
    return NextResponse.json(run);
  } catch (err) {
    return errorResponse(err);
  }
}
