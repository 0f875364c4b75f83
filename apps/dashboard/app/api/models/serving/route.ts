import { NextResponse } from 'next/server';
import { servingPromotion } from '@moodlab/db';
import { jsonRoute } from '@/server/http';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

/** The promoted version; the demo page polls it to switch models without a reload. */
export const GET = jsonRoute(async () => {
  const p = await servingPromotion(services().db);
  return NextResponse.json(
    p ? { id: p.modelVersion.id, version: p.modelVersion.version, since: p.createdAt, note: p.note } : null,
  );
});
