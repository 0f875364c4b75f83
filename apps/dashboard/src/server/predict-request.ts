import { z } from 'zod';
import { versionNumberSchema } from '@moodlab/shared';
import { HttpError } from './http';

/** Limits and parsing of a prediction request: multipart (field "image") or JSON with base64. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const jsonBodySchema = z
  .object({
    image: z.string().min(1, 'image is empty'),
    modelVersion: versionNumberSchema.optional(),
    detector: z.enum(['tiny', 'ssd']).default('tiny'),
  })
  .strict();

const optionsSchema = z.object({
  modelVersion: z.coerce.number().pipe(versionNumberSchema).optional(),
  detector: z.enum(['tiny', 'ssd']).default('tiny'),
});

export interface PredictRequest {
  bytes: Uint8Array;
  modelVersion?: number;
  detector: 'tiny' | 'ssd';
}

function checkSize(n: number): void {
  if (n > MAX_IMAGE_BYTES)
    throw new HttpError(413, `image is ${(n / 1e6).toFixed(1)} MB; the limit is ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
  if (n === 0) throw new HttpError(400, 'image is empty');
}

export async function parsePredictRequest(req: Request): Promise<PredictRequest> {
  const type = req.headers.get('content-type') ?? '';
  // The image limit is on its bytes; base64 in JSON carries 4 characters for every 3 of them.
  const length = Number(req.headers.get('content-length') ?? 0);
  const maxBody =
    (type.startsWith('application/json') ? Math.ceil((MAX_IMAGE_BYTES * 4) / 3) : MAX_IMAGE_BYTES) + 64 * 1024;
  if (length > maxBody)
    throw new HttpError(
      413,
      `the request body is ${(length / 1e6).toFixed(1)} MB; the limit is ${MAX_IMAGE_BYTES / 1024 / 1024} MB for the image`,
    );
  if (type.startsWith('multipart/form-data')) {
    const form = await req.formData().catch(() => {
      throw new HttpError(400, 'malformed multipart body');
    });
    const file = form.get('image');
    if (!(file instanceof Blob)) throw new HttpError(400, 'multipart body needs a file field named "image"');
    checkSize(file.size);
    const opts = optionsSchema.parse({
      modelVersion: form.get('modelVersion') ?? undefined,
      detector: form.get('detector') ?? undefined,
    });
    return { bytes: new Uint8Array(await file.arrayBuffer()), ...opts };
  }
  if (type.startsWith('application/json')) {
    const body = jsonBodySchema.parse(
      await req.json().catch(() => {
        throw new HttpError(400, 'body is not valid JSON');
      }),
    );
    const b64 = body.image.replace(/^data:[^;]+;base64,/, '');
    if (!/^[A-Za-z0-9+/=\s]+$/.test(b64)) throw new HttpError(400, 'image is not base64');
    const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
    checkSize(bytes.length);
    return { bytes, modelVersion: body.modelVersion, detector: body.detector };
  }
  throw new HttpError(415, 'send multipart/form-data with an "image" file, or JSON {"image": "<base64>"}');
}
