import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { servingPromotion, type Db } from '@moodlab/db';
import { createRedis, createTrainQueue } from '@moodlab/jobs';
import { promote, readModelBundle, registerModelBundle, startRun } from '@moodlab/runs';
import { toolsEnv } from '../env';
/** The model the repository ships (trained on FER2013; see its card.json and README). */
export const SHIPPED_MODEL_DIR = fileURLToPath(new URL('../../models/default', import.meta.url));

/**
 * On a fresh install nothing is promoted yet: register and promote the shipped model, so the
 * demo recognises real faces at once. Without one (a fork that removed it), queue a small run on
 * the built-in dataset instead. Either way it is an ordinary run with its epochs, model version
 * and evaluations.
 */
export async function registerDefaultModel(
  db: Db,
  dataset: { id: string; packId: string | null },
  log: (line: string) => void,
  bundleDir: string | null = SHIPPED_MODEL_DIR,
) {
  if (await servingPromotion(db)) return null;
  if (bundleDir && existsSync(bundleDir)) {
    const bundle = await readModelBundle(bundleDir);
    const mv = await registerModelBundle(db, bundle);
    await promote(db, mv.id, {
      note: `default model shipped with Moodlab (${bundle.card.architecture} trained on ${bundle.card.dataset.name})`,
    });
    const val = bundle.card.evaluations.find((e) => e.split === 'validation');
    return {
      kind: 'promoted' as const,
      version: mv.version,
      accuracy: val?.accuracy ?? null,
      source: `${bundle.card.dataset.name} (shipped)`,
    };
  }
  // No bundle (a fork that removed it): an ordinary run through the one start-run workflow, which
  // the worker that set-up starts next trains in about half a minute; promote it from /models.
  const redis = createRedis(toolsEnv.REDIS_URL, 'client');
  const trainQueue = createTrainQueue(redis);
  try {
    const run = await startRun(
      { db, trainQueue },
      { datasetId: dataset.id, hyperparameters: { epochs: 4 }, tags: ['default-model'] },
      'setup',
    );
    log(`no shipped model in ${bundleDir}; queued run ${run.id} on the built-in dataset: promote its model on /models`);
    return { kind: 'queued' as const, runId: run.id };
  } finally {
    await trainQueue.close();
    redis.disconnect();
  }
}
