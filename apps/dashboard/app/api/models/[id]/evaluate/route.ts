import { NextResponse } from 'next/server';
import { evaluationRequestSchema, queueEvaluation } from '@moodlab/runs';
import { adminRoute, readJson, uuidParam } from '@/server/http';
import { services } from '@/server/services';

/** Queues an evaluation of a model version on any dataset split; a worker records the result. */
export const POST = adminRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const body = evaluationRequestSchema.parse(await readJson(req));
  const { jobId } = await queueEvaluation(services(), id, body);
  return NextResponse.json({ jobId }, { status: 202 });
});
