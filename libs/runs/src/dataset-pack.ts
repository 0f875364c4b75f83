import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getArtifact, getDataset, type Db } from '@moodlab/db';
import { imagesMissing, NotFoundError } from './errors';

export const DEFAULT_PACK_CACHE = path.join(os.homedir(), '.cache', 'moodlab', 'packs');

/**
 * A dataset's packed images. Postgres holds the one copy every machine can reach; each machine
 * keeps a local copy named by content digest, so repeated runs skip the transfer.
 */
export async function loadDatasetPack(db: Db, datasetId: string, cacheDir: string | null = DEFAULT_PACK_CACHE) {
  const dataset = await getDataset(db, datasetId);
  if (!dataset) throw new NotFoundError(`Unknown dataset id ${datasetId}`);
  if (!dataset.packId) throw imagesMissing(dataset.name);
  const cached = cacheDir ? path.join(cacheDir, `${dataset.digest}.pack`) : null;
  if (cached) {
    const hit = await readFile(cached).catch(() => null);
    const meta = await readFile(`${cached}.json`, 'utf8').catch(() => null);
    if (hit && meta)
      return {
        dataset,
        meta: JSON.parse(meta) as unknown,
        data: new Uint8Array(hit.buffer, hit.byteOffset, hit.byteLength),
      };
  }
  const pack = await getArtifact(db, dataset.packId);
  if (!pack) throw new Error(`Dataset "${dataset.name}" lost its packed images (artifact ${dataset.packId})`);
  const data = new Uint8Array(pack.data);
  if (cached) {
    await mkdir(path.dirname(cached), { recursive: true });
    await writeAtomically(`${cached}.json`, JSON.stringify(pack.meta));
    await writeAtomically(cached, data);
  }
  return { dataset, meta: pack.meta as unknown, data };
}

/**
 * Write then rename, so a concurrent reader never sees half a file. The temporary name is unique
 * per write: two jobs of one worker process may fill the same cache entry at once.
 */
async function writeAtomically(file: string, data: string | Uint8Array) {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
