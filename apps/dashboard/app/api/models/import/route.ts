import { NextResponse } from 'next/server';
import { classOrderFromText } from '@moodlab/shared';
import { importKerasFile, kerasImportRequestSchema } from '@moodlab/runs/keras';
import { adminRoute, HttpError } from '@/server/http';
import { ensureBackend } from '@/server/serving';
import { services } from '@/server/services';

export const runtime = 'nodejs';

const MAX_MODEL_BYTES = 200 * 1024 * 1024;

/**
 * Imports a Keras model (multipart: `file` .h5/.keras, `datasetId`, `classOrder` a preset name or
 * the classes comma-separated in output order, `normalization`, optional `evaluate=false`). 201
 * with the new model version; 200 when the same weights are already a version; 400 naming what
 * is wrong with the file or the fields.
 */
export const POST = adminRoute(async (req: Request) => {
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data'))
    throw new HttpError(415, 'send the model as multipart/form-data with a file field named "file"');
  const form = await req.formData().catch(() => {
    throw new HttpError(400, 'malformed multipart body');
  });
  const file = form.get('file');
  if (!(file instanceof File)) throw new HttpError(400, 'multipart body needs the Keras file in a field named "file"');
  if (file.size > MAX_MODEL_BYTES)
    throw new HttpError(
      413,
      `the file is ${(file.size / 1e6).toFixed(0)} MB; the limit is ${MAX_MODEL_BYTES / 1e6} MB`,
    );
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const request = kerasImportRequestSchema.parse({
    datasetId: text('datasetId'),
    classOrder: classOrderFromText(text('classOrder')),
    normalization: text('normalization'),
    evaluate: text('evaluate') !== 'false',
  });
  await ensureBackend();
  const result = await importKerasFile(
    services(),
    { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) },
    request,
  );
  return NextResponse.json(result, { status: result.created ? 201 : 200 });
});
