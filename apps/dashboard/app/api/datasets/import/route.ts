import { NextResponse } from 'next/server';
import { z } from 'zod';
import { importSourceSchema } from '@moodlab/jobs';
import { importOptionsSchema, queueImport, type ImportRequest } from '@moodlab/runs';
import { env } from '@/server/env';
import { adminRoute, HttpError, readJson } from '@/server/http';
import { services } from '@/server/services';

export const runtime = 'nodejs';

const MAX_UPLOAD_BYTES = 300 * 1024 * 1024;
/** A folder or fer2013.csv on the workers' disk, as JSON; zips come as multipart uploads. */
const pathImportSchema = importOptionsSchema.extend({ source: importSourceSchema }).strict();

/**
 * Starts an import job: an uploaded zip (multipart, field "file"), or a folder / fer2013.csv on
 * the workers' file system (JSON). The upload is stored in Postgres, so any worker can take it.
 */
export const POST = adminRoute(async (req: Request) => {
  const type = req.headers.get('content-type') ?? '';
  const request = type.startsWith('multipart/form-data') ? await uploadRequest(req) : await pathRequest(req);
  const { jobId } = await queueImport(services(), request, env.MOODLAB_IMPORT_ROOTS);
  return NextResponse.json({ jobId }, { status: 202 });
});

async function uploadRequest(req: Request): Promise<ImportRequest> {
  const form = await req.formData().catch(() => {
    throw new HttpError(400, 'malformed multipart body');
  });
  const file = form.get('file');
  if (!(file instanceof File)) throw new HttpError(400, 'multipart body needs a zip file field named "file"');
  if (file.size > MAX_UPLOAD_BYTES)
    throw new HttpError(
      413,
      `the archive is ${(file.size / 1e6).toFixed(0)} MB; the limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`,
    );
  // Form fields are text; the image size is the one number among them.
  const options = importOptionsSchema.parse({
    name: form.get('name') ?? undefined,
    imageSize: form.get('imageSize') ? z.coerce.number().parse(form.get('imageSize')) : undefined,
    onProblem: form.get('onProblem') ?? undefined,
  });
  return { ...options, source: { kind: 'zip', fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } };
}

async function pathRequest(req: Request): Promise<ImportRequest> {
  const body = pathImportSchema.parse(await readJson(req));
  if (body.source.kind === 'zip') throw new HttpError(400, 'upload zips as multipart/form-data');
  return { ...body, source: body.source };
}
