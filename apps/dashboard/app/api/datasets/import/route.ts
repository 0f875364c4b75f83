import { NextResponse } from 'next/server';
import { z } from 'zod';
import { deleteArtifact, getDatasetByName, saveArtifact } from '@moodlab/db';
import { enqueueImport, importSourceSchema } from '@moodlab/jobs';
import { confineImportPath } from '@moodlab/runs';
import { env } from '@/server/env';
import { adminRoute, HttpError, readJson } from '@/server/http';
import { services } from '@/server/services';

export const runtime = 'nodejs';

const MAX_UPLOAD_BYTES = 300 * 1024 * 1024;
const optionsSchema = z.object({
  name: z.string().min(1),
  imageSize: z.coerce.number().int().min(16).max(128).default(48),
  onProblem: z.enum(['skip', 'fail']).default('skip'),
});

/**
 * Starts an import job: an uploaded zip (multipart, field "file"), or a folder / fer2013.csv on
 * the workers' file system (JSON). The upload is stored in Postgres, so any worker can take it.
 */
export const POST = adminRoute(async (req: Request) => {
  const { db, importQueue } = services();
  const type = req.headers.get('content-type') ?? '';
  let payload: unknown;
  let uploadId: string | null = null;
  if (type.startsWith('multipart/form-data')) {
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
    const opts = optionsSchema.parse(
      Object.fromEntries(['name', 'imageSize', 'onProblem'].map((k) => [k, form.get(k) ?? undefined])),
    );
    if (await getDatasetByName(db, opts.name))
      throw new HttpError(409, `a dataset named "${opts.name}" exists already`);
    const upload = await saveArtifact(db, {
      kind: 'upload',
      meta: { fileName: file.name },
      data: new Uint8Array(await file.arrayBuffer()),
    });
    uploadId = upload.id;
    payload = { ...opts, source: { kind: 'zip', artifactId: upload.id, fileName: file.name } };
  } else {
    const body = optionsSchema
      .extend({ source: importSourceSchema })
      .strict()
      .parse(await readJson(req));
    if (body.source.kind === 'zip') throw new HttpError(400, 'upload zips as multipart/form-data');
    const confined = await confineImportPath(body.source.path, env.MOODLAB_IMPORT_ROOTS);
    if (await getDatasetByName(db, body.name))
      throw new HttpError(409, `a dataset named "${body.name}" exists already`);
    payload = { ...body, source: { ...body.source, path: confined } };
  }
  const job = await enqueueImport(importQueue, payload).catch(async (err: unknown) => {
    if (uploadId) await deleteArtifact(db, uploadId);
    throw err;
  });
  return NextResponse.json({ jobId: job.id }, { status: 202 });
});
