import { getArtifact, getDataset, type Db } from '@moodlab/db';

/** A dataset's packed images, from Postgres, so any worker on any machine can train on it. */
export async function loadDatasetPack(db: Db, datasetId: string) {
  const dataset = await getDataset(db, datasetId);
  if (!dataset) throw new Error(`Unknown dataset id ${datasetId}`);
  if (!dataset.packId) throw new Error(`Dataset "${dataset.name}" has no packed images`);
  const pack = await getArtifact(db, dataset.packId);
  if (!pack) throw new Error(`Dataset "${dataset.name}" lost its packed images (artifact ${dataset.packId})`);
  return { dataset, meta: pack.meta, data: new Uint8Array(pack.data) };
}
