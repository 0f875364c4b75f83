import { EMOTIONS, hyperparametersSchema } from '@moodlab/shared';
import { evaluateModel, modelToArtifact, packMetaSchema, selectBackend, trainModel, unpackSplit } from '@moodlab/cnn';
import {
  createRun, getArtifact, markRunCompleted, markRunRunning, promoteModelVersion, recordEpoch, recordTrainedModel, servingPromotion, setRunBackend, type Db, type Prisma,
} from '@moodlab/db';

/**
 * On a fresh install nothing is promoted yet: train a small model on the built-in dataset
 * (about half a minute on one core) and promote it, so the product serves something at once.
 * It is recorded as an ordinary run, with its epochs, model version and evaluation.
 */
export async function registerDefaultModel(db: Db, dataset: { id: string; packId: string | null }, log: (line: string) => void) {
  if (await servingPromotion(db)) return null;
  const pack = dataset.packId ? await getArtifact(db, dataset.packId) : null;
  if (!pack) throw new Error('the built-in dataset has no packed images');
  const meta = packMetaSchema.parse(pack.meta);
  const data = new Uint8Array(pack.data);
  const backend = await selectBackend();
  const hp = hyperparametersSchema.parse({ epochs: 4 });
  const run = await createRun(db, { datasetId: dataset.id, architecture: hp.architecture, hyperparameters: hp, seed: hp.seed, tags: ['default-model'] });
  await markRunRunning(db, run.id, 'setup');
  await setRunBackend(db, run.id, backend.name);
  const validation = unpackSplit(meta, data, 'validation');
  const result = await trainModel({
    hyperparameters: hp, classNames: EMOTIONS, train: unpackSplit(meta, data, 'train'), validation,
    onEpochEnd: async (m) => {
      await recordEpoch(db, run.id, m);
      log(`default model: epoch ${m.epoch + 1}/${hp.epochs}, val accuracy ${((m.valAccuracy ?? 0) * 100).toFixed(1)}%`);
    },
  });
  const report = evaluateModel(result.model, validation, EMOTIONS, hp.preprocessing);
  const artifact = await modelToArtifact(result.model, { classNames: [...EMOTIONS], preprocessing: hp.preprocessing, architecture: hp.architecture });
  const mv = await recordTrainedModel(db, {
    runId: run.id, datasetId: dataset.id, architecture: hp.architecture,
    summary: { epochs: result.history.length, bestEpoch: result.best?.epoch ?? null, bestValAccuracy: result.best?.valAccuracy ?? null },
    artifact: { meta: artifact.meta as Prisma.InputJsonValue, data: artifact.data },
    evaluation: { split: 'validation', ...report },
  });
  await markRunCompleted(db, run.id);
  await promoteModelVersion(db, mv.id, 'default model trained by set-up on the built-in synthetic dataset');
  return { version: mv.version, accuracy: report.accuracy };
}
