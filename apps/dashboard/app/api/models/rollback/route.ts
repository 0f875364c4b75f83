import { NextResponse } from 'next/server';
import { promotionRequestSchema, rollback } from '@moodlab/runs';
import { adminRoute, readJson } from '@/server/http';
import { services } from '@/server/services';

/** Serves the version promoted before the current one again (409 when there is none). */
export const POST = adminRoute(async (req: Request) => {
  const body = promotionRequestSchema.parse(await readJson(req));
  return NextResponse.json(await rollback(services().db, body), { status: 201 });
});
