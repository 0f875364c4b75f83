import { NextResponse } from 'next/server';
import { adminRoute, uuidParam } from '@/server/http';
import { runs } from '@/server/runs';

export const POST = adminRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) =>
  NextResponse.json(await runs.cancel(uuidParam.parse((await params).id))),
);
