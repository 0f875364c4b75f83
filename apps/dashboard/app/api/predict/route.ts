import { NextResponse } from 'next/server';
import { HttpError, jsonRoute } from '@/server/http';
import { parsePredictRequest } from '@/server/predict-request';
import { predict } from '@/server/predict';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST an image; get the model version and, per face, its box, a score per label and the top label. */
export const POST = jsonRoute(async (req: Request) => {
  const { bytes, modelVersion, detector } = await parsePredictRequest(req);
  const result = await predict(bytes, modelVersion, detector);
  if (!result.faces.length) throw new HttpError(422, 'no face detected in the image');
  return NextResponse.json(result);
});
