import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb } from '@moodlab/db';
import { loadDatasetPack } from '@moodlab/runs';
import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { TEST_DATABASE_URL } from '../test-env';

const db = createDb(TEST_DATABASE_URL);
const NAME = 'pack-cache-synthetic';
let datasetId = '';
let cacheDir = '';

beforeAll(async () => {
  await db.run.deleteMany({ where: { dataset: { name: NAME } } });
  await db.dataset.deleteMany({ where: { name: NAME } });
  datasetId = (await registerSyntheticDataset(db, { name: NAME, trainPerClass: 4, validationPerClass: 2 })).id;
  cacheDir = await mkdtemp(path.join(tmpdir(), 'moodlab-pack-cache-'));
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
  await db.dataset.deleteMany({ where: { name: NAME } });
  await db.$disconnect();
});

// Two jobs of one worker process (WORKER_CONCURRENCY=2) start on a machine that has not cached
// the dataset yet: both fill the same cache entry at once.
it('fills one cache entry from concurrent loads in one process, and later loads read it', async () => {
  const loads = await Promise.all(Array.from({ length: 4 }, () => loadDatasetPack(db, datasetId, cacheDir)));
  const bytes = loads[0]!.data;
  for (const l of loads) expect(l.data).toEqual(bytes);
  const files = await readdir(cacheDir);
  expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  expect(files.sort()).toEqual([`${loads[0]!.dataset.digest}.pack`, `${loads[0]!.dataset.digest}.pack.json`]);
  const cached = await loadDatasetPack(db, datasetId, cacheDir);
  expect(cached.data).toEqual(bytes);
  expect(cached.meta).toEqual(loads[0]!.meta);
});
