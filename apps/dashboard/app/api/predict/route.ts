import { NextResponse } from 'next/server';
import { HttpError, jsonRoute } from '@/server/http';
import { parsePredictRequest } from '@/server/predict-request';
import { predict } from '@/server/predict';
import { serverTiming } from '@/server/server-timing';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST an image; get the model version and, per face, its box, a score per label and the top label. */
export const POST = jsonRoute(async (req: Request) => {
  const t0 = performance.now();
  const { bytes, modelVersion, detector } = await parsePredictRequest(req);
  const t1 = performance.now();
  const result = await predict(bytes, modelVersion, detector);
  const t2 = performance.now();
  if (!result.faces.length) throw new HttpError(422, 'no face detected in the image');
  // Where a request's time went, readable in the browser's network panel and by load tests.
  const { decodeMs, detectMs, classifyMs } = result.timings;
  return NextResponse.json(result, {
    headers: {
      'Server-Timing': serverTiming({
        parse: t1 - t0,
        decode: decodeMs,
        detect: detectMs,
        classify: classifyMs,
        handoff: t2 - t1 - decodeMs - detectMs - classifyMs,
        total: t2 - t0,
      }),
    },
  });
});
