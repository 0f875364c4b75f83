import { NextResponse } from 'next/server';
import { jsonRoute, uuidParam } from '@/server/http';
import { runs } from '@/server/runs';

export const POST = jsonRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) =>
  NextResponse.json(await runs.resume(uuidParam.parse((await params).id))));
