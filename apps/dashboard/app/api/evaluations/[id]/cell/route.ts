import { NextResponse } from 'next/server';
import { z } from 'zod';
import { jsonRoute, uuidParam } from '@/server/http';
import { cellSamples } from '@/server/evaluation-samples';

const querySchema = z.object({ true: z.coerce.number().int().min(0), pred: z.coerce.number().int().min(0) });

/** GET /api/evaluations/:id/cell?true=5&pred=4 — e.g. the sad faces predicted neutral. */
export const GET = jsonRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const q = querySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return NextResponse.json(await cellSamples(id, q.true, q.pred));
});
