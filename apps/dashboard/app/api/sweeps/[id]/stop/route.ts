import { NextResponse } from 'next/server';
import { stopSweep } from '@moodlab/runs';
import { adminRoute, uuidParam } from '@/server/http';
import { services } from '@/server/services';

/** No new trials; the running ones are cancelled. */
export const POST = adminRoute(async (_req: Request, { params }: { params: Promise<{ id: string }> }) =>
  NextResponse.json(await stopSweep(services(), uuidParam.parse((await params).id))),
);
