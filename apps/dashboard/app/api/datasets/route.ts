import { NextResponse } from 'next/server';
import { listDatasets } from '@moodlab/db';
import { errorResponse } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    return NextResponse.json(await listDatasets(services().db));
  } catch (err) {
    return errorResponse(err);
  }
}
