import { NextResponse } from 'next/server';
import { z } from 'zod';
import { importSourceSchema } from '@moodlab/jobs';
import { importOptionsSchema, MAX_UPLOAD_BYTES, queueImport, type ImportRequest } from '@moodlab/runs';
import { env } from '@/server/env';
import { adminRoute, HttpError, readJson } from '@/server/http';
import { services } from '@/server/services';
import { streamUpload } from '@/server/multipart-upload';

export const runtime = 'nodejs';

/** A folder or fer2013.csv on the workers' disk, as JSON; zips come as multipart uploads. */
const pathImportSchema = importOptionsSchema.extend({ source: importSourceSchema }).strict();

/**
 * Starts an import job: an uploaded zip (multipart: the fields, then the file "file"), or a folder
 * / fer2013.csv on the workers' file system (JSON). The upload streams into Postgres in parts, so
 * any worker can take it and the dashboard never holds it whole.
 */
export const POST = adminRoute(async (req: Request) => {
  const type = req.headers.get('content-type') ?? '';
  const { jobId } = type.startsWith('multipart/form-data')
    ? await upload(req)
    : await queueImport(services(), await pathRequest(req), env.MOODLAB_IMPORT_ROOTS);
  return NextResponse.json({ jobId }, { status: 202 });
});

/** A zip streamed into Postgres as it arrives; the fields (name, imageSize, onProblem) come first. */
function upload(req: Request) {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > MAX_UPLOAD_BYTES + 64 * 1024)
    throw new HttpError(
      413,
      `the archive is ${(declared / 1e6).toFixed(0)} MB; the limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`,
    );
  return streamUpload(req, 'file', (fields, file) => {
    if (fields.name === undefined)
      throw new HttpError(
        400,
        'send the name field (and imageSize, onProblem) before the file: the file is stored as it arrives',
      );
    // Form fields are text; the image size is the one number among them.
    const options = importOptionsSchema.parse({
      name: fields.name,
      imageSize: fields.imageSize ? z.coerce.number().parse(fields.imageSize) : undefined,
      onProblem: fields.onProblem,
    });
    return queueImport(
      services(),
      { ...options, source: { kind: 'zip', fileName: file.name, bytes: file.stream } },
      env.MOODLAB_IMPORT_ROOTS,
    );
  });
}

async function pathRequest(req: Request): Promise<ImportRequest> {
  const body = pathImportSchema.parse(await readJson(req));
  if (body.source.kind === 'zip') throw new HttpError(400, 'upload zips as multipart/form-data');
  return { ...body, source: body.source };
}
