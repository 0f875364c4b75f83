import { NextResponse } from 'next/server';
import { adminRoute, readJson, uuidParam } from '@/server/http';
import { runs } from '@/server/runs';

/** Body (optional): { "epochs": N } resumes with a new length. */
export const POST = adminRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const body = req.headers.get('content-type')?.includes('application/json') ? await readJson(req) : {};
  return NextResponse.json(await runs.resume(id, body));
});
