import { NextResponse } from 'next/server';
import { listRunSummaries } from '@moodlab/db';
import { adminRoute, jsonRoute, readJson } from '@/server/http';
import { runs } from '@/server/runs';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async () => NextResponse.json(await listRunSummaries(services().db)));

export const POST = adminRoute(async (req: Request) =>
  NextResponse.json(await runs.start(await readJson(req)), { status: 201 }),
);
