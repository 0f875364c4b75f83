import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getArchitecture } from '@moodlab/cnn/training';
import { loadModelFromArtifact, modelToArtifact, predictProbabilities } from '@moodlab/cnn/inference';
import { packMetaSchema, unpackSplit } from '@moodlab/cnn/datasets';
import { selectBackend } from '@moodlab/cnn/backend';
import {
  createDb,
  createRun,
  getArtifact,
  getDatasetByName,
  getModelVersionByNumber,
  markRunCompleted,
  recordEpoch,
  recordTrainedModel,
  type Prisma,
} from '@moodlab/db';
import {
  ConflictError,
  loadDatasetPack,
  modelBundleOf,
  modelCardSchema,
  readModelBundle,
  registerModelBundle,
  startRun,
  writeModelBundle,
  writePipelineFigures,
} from '@moodlab/runs';
import { EMOTIONS, hyperparametersSchema, type PipelineFigures } from '@moodlab/shared';
import { createRedis, createTrainQueue } from '@moodlab/jobs';
import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../test-env';

/** A model exported on one machine and registered on another, as the shipped default model is. */
const db = createDb(TEST_DATABASE_URL);
const redis = createRedis(TEST_REDIS_URL, 'client');
const trainQueue = createTrainQueue(redis);
const NAME = 'bundle-synthetic';
let dir = '';
let version = 0;

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  const ds = await registerSyntheticDataset(db, { name: NAME, trainPerClass: 4, validationPerClass: 3 });
  const hp = hyperparametersSchema.parse({ epochs: 2, architecture: 'small-cnn' });
  const run = await createRun(db, {
    datasetId: ds.id,
    architecture: hp.architecture,
    hyperparameters: hp,
    seed: hp.seed,
    tags: ['bundle'],
  });
  for (const epoch of [0, 1])
    await recordEpoch(db, run.id, {
      epoch,
      loss: 1.5 - epoch / 2,
      accuracy: 0.3 + epoch / 10,
      valLoss: 1.6,
      valAccuracy: 0.25 + epoch / 10,
      learningRate: 0.002,
      durationMs: 10,
    });
  await db.run.update({ where: { id: run.id }, data: { status: 'running', startedAt: new Date() } });
  await markRunCompleted(db, run.id);
  const model = getArchitecture('small-cnn').build({ imageSize: 48, numClasses: 7, seed: 3 });
  const artifact = await modelToArtifact(model, {
    classNames: [...EMOTIONS],
    preprocessing: hp.preprocessing,
    architecture: 'small-cnn',
  });
  const confusion = EMOTIONS.map((_, i) => EMOTIONS.map((__, j) => (i === j ? 2 : 0)));
  const perClass = EMOTIONS.map((label) => ({ label, precision: 1, recall: 1, f1: 1, support: 2 }));
  const mv = await recordTrainedModel(db, {
    runId: run.id,
    datasetId: ds.id,
    architecture: 'small-cnn',
    summary: { epochs: 2, averaged: { epochs: 2, valAccuracy: 0.35, used: true } },
    artifact: { meta: artifact.meta as Prisma.InputJsonValue, data: artifact.data },
    evaluation: { split: 'validation', accuracy: 0.61, macroF1: 0.55, perClass, confusion },
  });
  version = mv.version;
  dir = await mkdtemp(path.join(tmpdir(), 'moodlab-bundle-'));
  await writeModelBundle(dir, await modelBundleOf(db, version));
});

afterAll(async () => {
  await trainQueue.close();
  redis.disconnect();
  await db.$disconnect();
});

describe('model bundle', () => {
  it('writes a standard TF.js model.json with the class order and preprocessing, and a card', async () => {
    const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(modelJson.userDefinedMetadata.classNames).toEqual([...EMOTIONS]);
    const { card } = await readModelBundle(dir);
    expect(card.dataset.name).toBe(NAME);
    expect(card.run.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(card.evaluations).toHaveLength(1);
    expect(card.evaluations[0]).toMatchObject({ split: 'validation', accuracy: 0.61, macroF1: 0.55 });
    expect(card.run.averaged).toEqual({ epochs: 2, valAccuracy: 0.35, used: true });
    const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('| validation | 61.0% | 55.0% |');
    expect(readme).toContain('| **angry** | 2 | 0 | 0 | 0 | 0 | 0 | 0 |');
    expect(readme).toContain('| 2 | 1.0000 | 40.0% |');
    expect(readme).toContain('the mean of those at the end of the last 2 epochs (validation accuracy 35.0%)');
  });

  it('registers on a machine that lacks the dataset: run, epochs, version, evaluation; the dataset without images', async () => {
    const original = (await getModelVersionByNumber(db, version))!;
    // Another machine: nothing of this model or its dataset exists there.
    await db.run.deleteMany({ where: { dataset: { name: NAME } } });
    await db.dataset.delete({ where: { name: NAME } });
    const result = await registerModelBundle(db, await readModelBundle(dir));
    expect(result.created).toBe(true);
    const mv = (await db.modelVersion.findUnique({
      where: { id: result.id },
      include: { artifact: true, evaluations: true, run: { include: { epochs: true, dataset: true } } },
    }))!;
    expect(mv.run.status).toBe('completed');
    expect(mv.run.epochs).toHaveLength(2);
    expect(mv.run.dataset.packId).toBeNull();
    expect(mv.evaluations[0]).toMatchObject({ split: 'validation', accuracy: 0.61 });
    // Same predictions from the registered weights as from the original ones.
    const x = {
      size: 48,
      images: Uint8Array.from({ length: 2 * 48 * 48 }, (_, i) => (i * 37) % 256),
      labels: new Uint8Array(2),
    };
    const before = await loadModelFromArtifact(original.artifact.meta, new Uint8Array(original.artifact.data));
    const after = await loadModelFromArtifact(mv.artifact.meta, new Uint8Array(mv.artifact.data));
    expect(Array.from(predictProbabilities(after.model, x, after.metadata.preprocessing))).toEqual(
      Array.from(predictProbabilities(before.model, x, before.metadata.preprocessing)),
    );
    tf.dispose([before.model, after.model] as never);
    expect((await registerModelBundle(db, await readModelBundle(dir))).created).toBe(false);
  });

  it("reads a card written before a hyperparameter existed as that run was: the feature off, not today's default", async () => {
    const { card } = await readModelBundle(dir);
    const { recalibrateBatchNorm: _, ...older } = card.run.hyperparameters;
    expect(
      modelCardSchema.parse({ ...card, run: { ...card.run, hyperparameters: older } }).run.hyperparameters
        .recalibrateBatchNorm,
    ).toBe(0);
    expect(hyperparametersSchema.parse(older).recalibrateBatchNorm).toBe(8192);
  });

  it('refuses training on the image-less dataset with a clear error, until its images are imported', async () => {
    const ds = (await getDatasetByName(db, NAME))!;
    const body = { datasetId: ds.id, hyperparameters: { epochs: 1 } };
    await expect(startRun({ db, trainQueue }, body)).rejects.toThrow(ConflictError);
    await expect(startRun({ db, trainQueue }, body)).rejects.toThrow(/import them under the name "bundle-synthetic"/);
    await expect(loadDatasetPack(db, ds.id, null)).rejects.toThrow(/no images on this machine/);
    // Importing the same images under the same name attaches them to the registered record.
    const attached = await registerSyntheticDataset(db, { name: NAME, trainPerClass: 4, validationPerClass: 3 });
    expect(attached.id).toBe(ds.id);
    const pack = await loadDatasetPack(db, ds.id, null);
    expect(unpackSplit(packMetaSchema.parse(pack.meta), pack.data, 'validation').labels).toHaveLength(21);
    expect(await getArtifact(db, attached.packId!)).not.toBeNull();
  });

  it('starts a run from a registered version (initFrom) only when its weights fit', async () => {
    const ds = (await getDatasetByName(db, NAME))!;
    const mv = (await db.modelVersion.findFirst({ where: { run: { datasetId: ds.id } }, select: { version: true } }))!;
    const start = (hyperparameters: Record<string, unknown>) =>
      startRun({ db, trainQueue }, { datasetId: ds.id, hyperparameters: { epochs: 1, ...hyperparameters } });
    await expect(start({ architecture: 'vgg-lite', initFrom: mv.version })).rejects.toThrow(
      /is a small-cnn, not a vgg-lite/,
    );
    await expect(start({ architecture: 'small-cnn', initFrom: 9999 })).rejects.toThrow(/No model version 9999/);
    const run = await start({ architecture: 'small-cnn', initFrom: mv.version });
    expect(run.hyperparameters.initFrom).toBe(mv.version);
    await db.run.delete({ where: { id: run.id } });
    await trainQueue.obliterate({ force: true });
  });

  it('starts a run that distils from registered versions of any architecture, and refuses a teacher that does not exist', async () => {
    const ds = (await getDatasetByName(db, NAME))!;
    const mv = (await db.modelVersion.findFirst({ where: { run: { datasetId: ds.id } }, select: { version: true } }))!;
    const start = (distillFrom: number[]) =>
      startRun(
        { db, trainQueue },
        { datasetId: ds.id, hyperparameters: { epochs: 1, architecture: 'vgg-lite', distillFrom } },
      );
    await expect(start([mv.version, 9999])).rejects.toThrow(/No model version 9999/);
    expect(await db.run.count({ where: { datasetId: ds.id, architecture: 'vgg-lite' } })).toBe(0);
    // A small-cnn teacher for a vgg-lite student: teachers only have to predict the same classes.
    const run = await start([mv.version]);
    expect(run.hyperparameters.distillFrom).toEqual([mv.version]);
    await db.run.delete({ where: { id: run.id } });
    await trainQueue.obliterate({ force: true });
  });

  it('records the weights a fine-tuned model started from, and its teachers, by digest, and finds them again where they exist', async () => {
    const parent = await modelBundleOf(db, version);
    const ds = (await getDatasetByName(db, NAME))!;
    const hp = hyperparametersSchema.parse({
      epochs: 1,
      architecture: 'small-cnn',
      initFrom: version,
      distillFrom: [version],
    });
    const run = await createRun(db, {
      datasetId: ds.id,
      architecture: hp.architecture,
      hyperparameters: hp,
      seed: hp.seed,
      tags: ['fine-tune'],
    });
    const model = getArchitecture('small-cnn').build({ imageSize: 48, numClasses: 7, seed: 4 });
    const artifact = await modelToArtifact(model, {
      classNames: [...EMOTIONS],
      preprocessing: hp.preprocessing,
      architecture: 'small-cnn',
    });
    const child = await recordTrainedModel(db, {
      runId: run.id,
      datasetId: ds.id,
      architecture: 'small-cnn',
      summary: { epochs: 1 },
      artifact: { meta: artifact.meta as Prisma.InputJsonValue, data: artifact.data },
      evaluation: null,
    });
    const bundle = await modelBundleOf(db, child.version);
    expect(bundle.card.run.initializedFrom).toEqual({
      architecture: 'small-cnn',
      weightsSha256: parent.card.weightsSha256,
    });
    expect(bundle.card.run.distilledFrom).toEqual([
      { architecture: 'small-cnn', weightsSha256: parent.card.weightsSha256 },
    ]);
    // Registered elsewhere: initFrom points at the version holding the parent's weights there, or at none.
    await db.modelVersion.delete({ where: { id: child.id } });
    const here = await registerModelBundle(db, bundle);
    expect(
      (await db.modelVersion.findUniqueOrThrow({ where: { id: here.id }, include: { run: true } })).run.hyperparameters,
    ).toMatchObject({ initFrom: version, distillFrom: [version] });
    await db.modelVersion.delete({ where: { id: here.id } });
    const orphan = await registerModelBundle(db, {
      ...bundle,
      card: {
        ...bundle.card,
        run: {
          ...bundle.card.run,
          initializedFrom: { architecture: 'small-cnn', weightsSha256: 'f'.repeat(64) },
          distilledFrom: [{ architecture: 'vgg-wide', weightsSha256: 'e'.repeat(64) }],
        },
      },
    });
    expect(
      (await db.modelVersion.findUniqueOrThrow({ where: { id: orphan.id }, include: { run: true } })).run
        .hyperparameters,
    ).toMatchObject({ initFrom: null, distillFrom: [] });
    // Exported again from there, the card still names the parent's and the teachers' weights.
    const again = (await modelBundleOf(db, orphan.version)).card.run;
    expect(again.initializedFrom).toEqual({ architecture: 'small-cnn', weightsSha256: 'f'.repeat(64) });
    expect(again.distilledFrom).toEqual([{ architecture: 'vgg-wide', weightsSha256: 'e'.repeat(64) }]);
    model.dispose();
  });

  it('rejects a bundle whose weights do not match its card, or whose card is malformed', async () => {
    const bad = await mkdtemp(path.join(tmpdir(), 'moodlab-bundle-bad-'));
    const bundle = await readModelBundle(dir);
    await writeModelBundle(bad, { ...bundle, weights: bundle.weights.map((b, i) => (i === 0 ? b ^ 1 : b)) });
    await expect(readModelBundle(bad)).rejects.toThrow(/weights.bin does not match the sha256 in card.json/);
    await writeFile(path.join(bad, 'card.json'), JSON.stringify({ ...bundle.card, dataset: { name: 'x' } }));
    await expect(readModelBundle(bad)).rejects.toThrow(/card.json is invalid/);
    await expect(readModelBundle(path.join(bad, 'missing'))).rejects.toThrow(/cannot read card.json/);
  });

  it('adds the live pipeline figures to a card, and a model registered from it exports them again', async () => {
    const figures: PipelineFigures = {
      measuredAt: '2026-12-02',
      setup: '4 faces, one a frame',
      rows: [
        {
          layout: 'one face',
          facePx: 192,
          faces: 4,
          detected: 0.75,
          exactCrops: 1,
          ofDetected: 2 / 3,
          overall: 0.5,
          faceApiOfDetected: 1 / 3,
          faceApiOverall: 0.25,
        },
      ],
      recallAt192: { angry: 1, disgust: null },
    };
    const withFigures = await mkdtemp(path.join(tmpdir(), 'moodlab-bundle-pipeline-'));
    await writeModelBundle(withFigures, await readModelBundle(dir));
    await writePipelineFigures(withFigures, figures);
    const readme = await readFile(path.join(withFigures, 'README.md'), 'utf8');
    expect(readme).toContain('## Through the live pipeline (2026-12-02)');
    expect(readme).toContain('| one face | 192 | 4 | 75.0% | 100.0% | 66.7% | 50.0% | 33.3% | 25.0% |');
    expect(readme).toContain('angry 100.0%, disgust -.');
    const bundle = await readModelBundle(withFigures);
    expect(bundle.card.pipeline).toEqual(figures);
    // On a machine without this model, registered and exported again: the figures travel with it.
    await db.modelVersion.deleteMany({ where: { run: { dataset: { name: NAME } } } });
    const registered = await registerModelBundle(db, bundle);
    expect(registered.created).toBe(true);
    expect((await modelBundleOf(db, registered.version)).card.pipeline).toEqual(figures);
  });
});
