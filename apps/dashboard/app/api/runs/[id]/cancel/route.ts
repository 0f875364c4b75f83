import { NextResponse } from 'next/server';
import { jsonRoute, uuidParam } from '@/server/http';
import { cancelRun } from '@/server/runs-service';

export const POST = jsonRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) =>
  NextResponse.json(await cancelRun(uuidParam.parse((await params).id))));
