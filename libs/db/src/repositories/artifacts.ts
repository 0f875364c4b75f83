import { createHash } from 'node:crypto';
import { poolOf, type Db } from '../client';
import type { Prisma } from '../generated/client';

export interface NewArtifact {
  kind: 'dataset-pack' | 'model' | 'checkpoint' | 'upload';
  meta: Prisma.InputJsonValue;
  data: Uint8Array;
}

export function digestOf(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The row for an artifact; usable inside any transaction's `artifact.create`. */
/**
 * Options for a transaction that writes an artifact. A checkpoint of a larger model is tens of
 * megabytes (weights, optimizer moments, a running weight average): on a busy machine writing one
 * outlasted Prisma's default of 5 s and failed a vgg-wide run as it recorded its third epoch.
 */
export const ARTIFACT_TRANSACTION = { maxWait: 10_000, timeout: 120_000 };

export function artifactRow(artifact: NewArtifact): Prisma.ArtifactCreateInput {
  return {
    kind: artifact.kind,
    meta: artifact.meta,
    // Our buffers are never shared memory; Prisma's type insists on a plain ArrayBuffer.
    data: new Uint8Array(artifact.data.buffer as ArrayBuffer, artifact.data.byteOffset, artifact.data.byteLength),
    digest: digestOf(artifact.data),
    sizeBytes: artifact.data.byteLength,
  };
}

export async function saveArtifact(db: Db, artifact: NewArtifact) {
  return db.artifact.create({ data: artifactRow(artifact), select: { id: true, digest: true, sizeBytes: true } });
}

export async function getArtifact(db: Db, id: string) {
  return db.artifact.findUnique({ where: { id } });
}

export async function deleteArtifact(db: Db, id: string): Promise<void> {
  await db.artifact.deleteMany({ where: { id } });
}

/** Parts of an upload: big enough to keep round trips few, small enough that memory stays flat. */
export const UPLOAD_PART_BYTES = 4 * 1024 * 1024;

/** Thrown when a streamed upload passes its size limit; nothing of it is kept. */
export class UploadTooLargeError extends Error {}

/**
 * Stores an upload as it streams in, part by part (see UploadPart): memory holds one part at a
 * time, not the file. Over `maxBytes`, or if the stream fails, what was written is deleted.
 */
export async function saveUpload(
  db: Db,
  fileName: string,
  chunks: AsyncIterable<Uint8Array> | Uint8Array,
  maxBytes: number,
): Promise<{ id: string; sizeBytes: number }> {
  const upload = await db.artifact.create({
    data: { kind: 'upload', meta: { fileName }, data: new Uint8Array(0), digest: '', sizeBytes: 0 },
    select: { id: true },
  });
  const hash = createHash('sha256');
  let size = 0,
    index = 0,
    pending: Uint8Array[] = [],
    pendingBytes = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const part = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await poolOf(db).query('INSERT INTO "UploadPart" ("artifactId", "index", "data") VALUES ($1, $2, $3)', [
      upload.id,
      index++,
      part,
    ]);
  };
  try {
    for await (const chunk of chunks instanceof Uint8Array ? [chunks] : chunks) {
      size += chunk.byteLength;
      if (size > maxBytes)
        throw new UploadTooLargeError(`the upload is larger than ${(maxBytes / 1024 / 1024).toFixed(0)} MB`);
      hash.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= UPLOAD_PART_BYTES) await flush();
    }
    await flush();
    await db.artifact.update({ where: { id: upload.id }, data: { digest: hash.digest('hex'), sizeBytes: size } });
    return { id: upload.id, sizeBytes: size };
  } catch (err) {
    await deleteArtifact(db, upload.id);
    throw err;
  }
}

/** An upload's bytes, from its parts (or, for uploads stored whole, from the artifact itself). */
export async function readUpload(db: Db, id: string): Promise<Uint8Array | null> {
  const artifact = await db.artifact.findUnique({ where: { id }, select: { data: true } });
  if (!artifact) return null;
  const { rows } = await poolOf(db).query<{ data: Buffer }>(
    'SELECT "data" FROM "UploadPart" WHERE "artifactId" = $1 ORDER BY "index"',
    [id],
  );
  if (!rows.length) return new Uint8Array(artifact.data);
  const joined = Buffer.concat(rows.map((p) => p.data));
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
}
