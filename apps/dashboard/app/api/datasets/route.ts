import { NextResponse } from 'next/server';
import { listDatasets } from '@moodlab/db';
import { jsonRoute } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async () => NextResponse.json(await listDatasets(services().db)));
