import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EMOTIONS, hyperparametersSchema } from '@moodlab/shared';
import { readModelBundle, registerModelBundle } from '@moodlab/runs';
import { evaluateModel, modelToArtifact } from '@moodlab/cnn/inference';
import { packMetaSchema, unpackSplit } from '@moodlab/cnn/datasets';
import { selectBackend } from '@moodlab/cnn/backend';
import { trainModel } from '@moodlab/cnn/training';
import {
  createRun,
  getArtifact,
  markRunCompleted,
  markRunRunning,
  promoteModelVersion,
  recordEpoch,
  recordTrainedModel,
  servingPromotion,
  setRunBackend,
  type Db,
  type Prisma,
} from '@moodlab/db';

/** The model the repository ships (trained on FER2013; see its card.json and README). */
export const SHIPPED_MODEL_DIR = fileURLToPath(new URL('../../models/default', import.meta.url));

/**
 * On a fresh install nothing is promoted yet: register and promote the shipped model, so the
 * demo recognises real faces at once. Without one (a fork that removed it), train a small model
 * on the built-in dataset (about half a minute) instead. Either way it is an ordinary run with
 * its epochs, model version and evaluations.
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
    await promoteModelVersion(
      db,
      mv.id,
      `default model shipped with Moodlab (${bundle.card.architecture} trained on ${bundle.card.dataset.name})`,
    );
    const val = bundle.card.evaluations.find((e) => e.split === 'validation');
    return { version: mv.version, accuracy: val?.accuracy ?? null, source: `${bundle.card.dataset.name} (shipped)` };
  }
  const pack = dataset.packId ? await getArtifact(db, dataset.packId) : null;
  if (!pack) throw new Error('the built-in dataset has no packed images');
  const meta = packMetaSchema.parse(pack.meta);
  const data = new Uint8Array(pack.data);
  const backend = await selectBackend();
  const hp = hyperparametersSchema.parse({ epochs: 4 });
  const run = await createRun(db, {
    datasetId: dataset.id,
    architecture: hp.architecture,
    hyperparameters: hp,
    seed: hp.seed,
    tags: ['default-model'],
  });
  await markRunRunning(db, run.id, 'setup');
  await setRunBackend(db, run.id, backend.name);
  const validation = unpackSplit(meta, data, 'validation');
  const result = await trainModel({
    hyperparameters: hp,
    classNames: EMOTIONS,
    train: unpackSplit(meta, data, 'train'),
    validation,
    onEpochEnd: async (m) => {
      await recordEpoch(db, run.id, m);
      log(`default model: epoch ${m.epoch + 1}/${hp.epochs}, val accuracy ${((m.valAccuracy ?? 0) * 100).toFixed(1)}%`);
    },
  });
  const report = evaluateModel(result.model, validation, EMOTIONS, hp.preprocessing);
  const artifact = await modelToArtifact(result.model, {
    classNames: [...EMOTIONS],
    preprocessing: hp.preprocessing,
    architecture: hp.architecture,
  });
  const mv = await recordTrainedModel(db, {
    runId: run.id,
    datasetId: dataset.id,
    architecture: hp.architecture,
    summary: {
      epochs: result.history.length,
      bestEpoch: result.best?.epoch ?? null,
      bestValAccuracy: result.best?.valAccuracy ?? null,
    },
    artifact: { meta: artifact.meta as Prisma.InputJsonValue, data: artifact.data },
    evaluation: { split: 'validation', ...report },
  });
  await markRunCompleted(db, run.id);
  await promoteModelVersion(db, mv.id, 'default model trained by set-up on the built-in synthetic dataset');
  return { version: mv.version, accuracy: report.accuracy, source: 'synthetic faces (trained now)' };
}
