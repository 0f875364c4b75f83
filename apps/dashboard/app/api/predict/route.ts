import { NextResponse } from 'next/server';
import { predictImage } from '@moodlab/faces/node';
import { HttpError, jsonRoute } from '@/server/http';
import { parsePredictRequest } from '@/server/predict-request';
import { servingModel } from '@/server/serving';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST an image; get the model version and, per face, its box, a score per label and the top label. */
export const POST = jsonRoute(async (req: Request) => {
  const { bytes, modelVersion, detector } = await parsePredictRequest(req);
  const served = await servingModel(modelVersion);
  const result = await predictImage(bytes, served.model, served.metadata, detector);
  if (!result.faces.length) throw new HttpError(422, 'no face detected in the image');
  return NextResponse.json({ modelVersion: served.version, modelVersionId: served.id, ...result });
});
