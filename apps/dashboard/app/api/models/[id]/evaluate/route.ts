import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDataset, getModelVersion } from '@moodlab/db';
import { enqueueEvaluate } from '@moodlab/jobs';
import { imagesMissing, NotFoundError } from '@moodlab/runs';
import { adminRoute, HttpError, readJson, uuidParam } from '@/server/http';
import { services } from '@/server/services';

const bodySchema = z.object({ datasetId: z.uuid(), split: z.string().min(1).default('validation'), flipTta: z.boolean().default(false) }).strict();

/** Queues an evaluation of a model version on any dataset split; a worker records the result. */
export const POST = adminRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = uuidParam.parse((await params).id);
  const body = bodySchema.parse(await readJson(req));
  const { db, evaluateQueue } = services();
  if (!(await getModelVersion(db, id))) throw new NotFoundError(`Unknown model version id ${id}`);
  const dataset = await getDataset(db, body.datasetId);
  if (!dataset) throw new NotFoundError(`Unknown dataset id ${body.datasetId}`);
  if (!dataset.packId) throw imagesMissing(dataset.name);
  if (!Object.keys(dataset.counts as object).includes(body.split)) throw new HttpError(400, `dataset "${dataset.name}" has no "${body.split}" split`);
  const job = await enqueueEvaluate(evaluateQueue, { modelVersionId: id, ...body });
  return NextResponse.json({ jobId: job.id }, { status: 202 });
});
