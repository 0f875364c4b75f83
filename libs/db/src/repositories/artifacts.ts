import { createHash } from 'node:crypto';
import type { Db } from '../client';
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
