import { NextResponse } from 'next/server';
import { sweepView } from '@moodlab/runs';
import { jsonRoute, uuidParam } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) =>
  NextResponse.json(await sweepView(services().db, uuidParam.parse((await params).id))),
);
