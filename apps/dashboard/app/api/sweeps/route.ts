import { NextResponse } from 'next/server';
import { listSweeps } from '@moodlab/db';
import { createSweep } from '@moodlab/runs';
import { adminRoute, jsonRoute, readJson } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async () => NextResponse.json(await listSweeps(services().db)));

/** Starts a sweep from its spec (JSON; see sweepSpecSchema); 400 names the field that is wrong. */
export const POST = adminRoute(async (req: Request) =>
  NextResponse.json(await createSweep(services(), await readJson(req)), { status: 201 }),
);
