import { NextResponse } from 'next/server';
import { listRuns } from '@moodlab/db';
import { errorResponse, readJson } from '@/server/http';
import { startRun } from '@/server/runs-service';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    return NextResponse.json(await listRuns(services().db));
  } catch (err) {
    return errorResponse(err);
  }
}

export async function POST(req: Request) {
  try {
    const run = await startRun(await readJson(req));
    return NextResponse.json(run, { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
