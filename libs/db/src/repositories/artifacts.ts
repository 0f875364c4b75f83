import { createHash } from 'node:crypto';
import type { Db } from '../client';
import type { Prisma } from '../generated/client';

export interface NewArtifact {
  kind: 'dataset-pack' | 'model' | 'checkpoint';
  meta: Prisma.InputJsonValue;
  data: Uint8Array;
}

export function digestOf(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function saveArtifact(db: Db, artifact: NewArtifact) {
  return db.artifact.create({
    data: {
      kind: artifact.kind,
      meta: artifact.meta,
      data: Buffer.from(artifact.data.buffer, artifact.data.byteOffset, artifact.data.byteLength),
      digest: digestOf(artifact.data),
      sizeBytes: artifact.data.byteLength,
    },
    select: { id: true, digest: true, sizeBytes: true },
  });
}

export async function getArtifact(db: Db, id: string) {
  return db.artifact.findUnique({ where: { id } });
}

export async function deleteArtifact(db: Db, id: string): Promise<void> {
  await db.artifact.deleteMany({ where: { id } });
}
