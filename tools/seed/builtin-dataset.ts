import { EMOTIONS } from '@moodlab/shared';
import { classCounts, generateSyntheticFaces, packDataset } from '@moodlab/cnn/datasets';
import { registerDataset, type Db } from '@moodlab/db';

export const SYNTHETIC_DATASET_NAME = 'synthetic-faces';

/** The built-in dataset: procedurally drawn faces, so a fresh install can train without any files. */
export async function registerSyntheticDataset(
  db: Db,
  opts: { trainPerClass?: number; validationPerClass?: number; name?: string } = {},
) {
  const train = generateSyntheticFaces({ perClass: opts.trainPerClass ?? 250, seed: 1 });
  const validation = generateSyntheticFaces({ perClass: opts.validationPerClass ?? 50, seed: 2 });
  const packed = packDataset(48, EMOTIONS, { train, validation });
  return registerDataset(db, {
    name: opts.name ?? SYNTHETIC_DATASET_NAME,
    source: 'synthetic',
    classNames: [...EMOTIONS],
    counts: { train: classCounts(train, EMOTIONS), validation: classCounts(validation, EMOTIONS) },
    imageSize: 48,
    digest: packed.digest,
    report: { generated: true, skipped: {} },
    pack: { meta: packed.meta, data: packed.data },
  });
}
