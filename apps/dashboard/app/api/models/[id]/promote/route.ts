import { NextResponse } from 'next/server';
import { promote, promotionRequestSchema } from '@moodlab/runs';
import { adminRoute, readJson, uuidParam } from '@/server/http';
import { services } from '@/server/services';

/** Promotes a model version to serve the live demo and the API, with a note on why. */
export const POST = adminRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const body = promotionRequestSchema.parse(await readJson(req));
  return NextResponse.json(await promote(services().db, id, body), { status: 201 });
});
