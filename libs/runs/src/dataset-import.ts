import path from 'node:path';
import {
  classCounts,
  importClassFolders,
  importFer2013Csv,
  importZip,
  packDataset,
  type ImportResult,
} from '@moodlab/cnn/datasets';
import {
  deleteArtifact,
  getDatasetByName,
  readUpload,
  registerDataset,
  saveUpload,
  UploadTooLargeError,
  type Db,
} from '@moodlab/db';
import { enqueueImport, importPayloadSchema, type createImportQueue, type ImportPayload } from '@moodlab/jobs';
import { EMOTIONS } from '@moodlab/shared';
import type { z } from 'zod';
import { ConflictError, PayloadTooLargeError } from './errors';
import { confineImportPath } from './import-roots';

/**
 * Imports a dataset described by an import job: decode, report, pack, register. Shared by the
 * worker's import queue and the CLI, so both produce the same dataset from the same files.
 */
export async function importDataset(db: Db, job: ImportPayload, onProgress: (done: number, total: number) => void) {
  try {
    return await importFrom(db, job, onProgress);
  } finally {
    // An upload is used once, imported or refused; a worker that dies keeps it for the job's next attempt.
    if (job.source.kind === 'zip') await deleteArtifact(db, job.source.artifactId);
  }
}

async function importFrom(db: Db, job: ImportPayload, onProgress: (done: number, total: number) => void) {
  const opts = { classNames: EMOTIONS, size: job.imageSize, onProblem: job.onProblem, onProgress };
  let result: ImportResult;
  let source: string;
  if (job.source.kind === 'zip') {
    const upload = await readUpload(db, job.source.artifactId);
    if (!upload)
      throw new Error(`the uploaded archive ${job.source.fileName} is gone (artifact ${job.source.artifactId})`);
    result = await importZip(upload, opts);
    source = `zip:${job.source.fileName}`;
  } else if (job.source.kind === 'csv') {
    result = await importFer2013Csv(job.source.path, { ...opts, onProgress: (rows) => onProgress(rows, 0) });
    source = `csv:${path.resolve(job.source.path)}`;
  } else {
    result = await importClassFolders(job.source.path, opts);
    source = `folder:${path.resolve(job.source.path)}`;
  }
  const { splits, report } = result;
  if (!splits.train?.labels.length) throw new Error('the import found no training images (expected a train/ split)');
  const packed = packDataset(job.imageSize, EMOTIONS, splits);
  const dataset = await registerDataset(db, {
    name: job.name,
    source,
    classNames: [...EMOTIONS],
    imageSize: job.imageSize,
    digest: packed.digest,
    counts: Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, classCounts(v, EMOTIONS)])),
    report: JSON.parse(JSON.stringify(report)),
    pack: { meta: packed.meta, data: packed.data },
  });
  return { datasetId: dataset.id, kept: report.kept, files: report.files };
}

/** Import options a caller gives besides the images: the job's payload without its source. */
export const importOptionsSchema = importPayloadSchema.omit({ source: true });

/** The images as a caller has them: an uploaded zip's bytes, or a folder or fer2013.csv on disk. */
export type ImportSource =
  | {
      kind: 'zip';
      fileName: string;
      /** The archive, whole or as it streams in (a request body), stored in parts either way. */
      bytes: Uint8Array | AsyncIterable<Uint8Array>;
      maxBytes?: number;
    }
  | { kind: 'folder' | 'csv'; path: string };

/** The largest archive an import accepts. */
export const MAX_UPLOAD_BYTES = 300 * 1024 * 1024;
export type ImportRequest = z.input<typeof importOptionsSchema> & { source: ImportSource };

/**
 * Turns a request into an import job's payload: refuses a name whose dataset has its images (ConflictError), confines
 * a path to `roots` (ForbiddenError; null: the caller's own disk, as the CLI's), and stores an
 * upload in Postgres so that any worker can take it. `discard` removes that upload if the job
 * never starts.
 */
export async function prepareImport(
  db: Db,
  request: ImportRequest,
  roots: readonly string[] | null,
): Promise<{ payload: ImportPayload; discard: () => Promise<void> }> {
  const { source, ...rest } = request;
  const options = importOptionsSchema.parse(rest);
  // A record without images (registered with a model card) is what an import under its name attaches them to.
  if ((await getDatasetByName(db, options.name))?.packId)
    throw new ConflictError(`a dataset named "${options.name}" exists already`);
  if (source.kind !== 'zip') {
    const confined = roots ? await confineImportPath(source.path, roots) : source.path;
    return {
      payload: importPayloadSchema.parse({ ...options, source: { kind: source.kind, path: confined } }),
      discard: async () => {},
    };
  }
  // Streamed in parts as it arrives (the name was checked first, so a refused import stores nothing).
  const upload = await saveUpload(db, source.fileName, source.bytes, source.maxBytes ?? MAX_UPLOAD_BYTES).catch(
    (err: unknown) => {
      throw err instanceof UploadTooLargeError ? new PayloadTooLargeError(err.message) : err;
    },
  );
  return {
    payload: importPayloadSchema.parse({
      ...options,
      source: { kind: 'zip', artifactId: upload.id, fileName: source.fileName },
    }),
    discard: () => deleteArtifact(db, upload.id),
  };
}

/** Prepares an import and queues it for a worker; the dashboard's upload and folder forms use this. */
export async function queueImport(
  { db, importQueue }: { db: Db; importQueue: ReturnType<typeof createImportQueue> },
  request: ImportRequest,
  roots: readonly string[],
): Promise<{ jobId: string }> {
  const { payload, discard } = await prepareImport(db, request, roots);
  try {
    const job = await enqueueImport(importQueue, payload);
    if (!job.id) throw new Error('BullMQ returned a job without an id');
    return { jobId: job.id };
  } catch (err) {
    await discard();
    throw err;
  }
}
