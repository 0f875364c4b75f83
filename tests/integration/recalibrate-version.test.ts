import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classCounts, generateSyntheticFaces, packDataset } from '@moodlab/cnn/datasets';
import { evaluateModel, loadModelFromArtifact, modelToArtifact } from '@moodlab/cnn/inference';
import { isBatchNorm, trainModel } from '@moodlab/cnn/training';
import { selectBackend } from '@moodlab/cnn/backend';
import {
  createDb,
  createRun,
  getModelVersionByNumber,
  markRunCompleted,
  recordTrainedModel,
  registerDataset,
  type Prisma,
} from '@moodlab/db';
import { ConflictError, modelBundleOf, NotFoundError } from '@moodlab/runs';
import { recalibrateModelVersion } from '@moodlab/runs/training';
import { EMOTIONS, hyperparametersSchema } from '@moodlab/shared';
import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { TEST_DATABASE_URL } from '../test-env';

/** An existing model version whose BatchNorm statistics are wrong, repaired without training. */
const db = createDb(TEST_DATABASE_URL);
const NAME = 'recalibrate-synthetic';
const OTHER = 'recalibrate-reversed';
const hp = hyperparametersSchema.parse({
  epochs: 3,
  batchSize: 32,
  architecture: 'small-cnn',
  recalibrateBatchNorm: 0,
});
let version = 0;
let datasetId = '';

/** Stores a model's artifact as a new version of the run, without an evaluation. */
async function storeVersion(runId: string, artifact: Awaited<ReturnType<typeof modelToArtifact>>) {
  const mv = await recordTrainedModel(db, {
    runId,
    datasetId,
    architecture: hp.architecture,
    summary: { epochs: 3 },
    artifact: { meta: artifact.meta as Prisma.InputJsonValue, data: artifact.data },
    evaluation: null,
  });
  return mv.version;
}

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  await db.run.deleteMany({ where: { dataset: { name: { in: [NAME, OTHER] } } } });
  await db.dataset.deleteMany({ where: { name: { in: [NAME, OTHER] } } });
  // The same images the dataset below packs (same generator and seeds).
  const ds = await registerSyntheticDataset(db, { name: NAME, trainPerClass: 40, validationPerClass: 15 });
  datasetId = ds.id;
  const { model } = await trainModel({
    hyperparameters: hp,
    classNames: EMOTIONS,
    train: generateSyntheticFaces({ perClass: 40, seed: 1 }),
  });
  // Moving means far off: the trained weights are fine, their statistics are not.
  for (const layer of model.layers.filter(isBatchNorm)) {
    const [gamma, beta, mean, variance] = layer.getWeights();
    layer.setWeights([gamma!, beta!, tf.tidy(() => mean!.add(3)), variance!]);
  }
  const run = await createRun(db, {
    datasetId,
    architecture: hp.architecture,
    hyperparameters: hp,
    seed: hp.seed,
    tags: ['recalibrate'],
  });
  await db.run.update({ where: { id: run.id }, data: { status: 'running', startedAt: new Date() } });
  await markRunCompleted(db, run.id);
  const artifact = await modelToArtifact(model, {
    classNames: [...EMOTIONS],
    preprocessing: hp.preprocessing,
    architecture: hp.architecture,
  });
  model.dispose();
  version = await storeVersion(run.id, artifact);
});

afterAll(async () => {
  await db.$disconnect();
});

describe('recalibrating a stored model version', () => {
  it('stores a new version of the same run with exact statistics, its evaluation and provenance; the source is unchanged', async () => {
    const source = (await getModelVersionByNumber(db, version))!;
    const layers: number[] = [];
    const result = await recalibrateModelVersion(db, { version, images: 100 }, (done) => layers.push(done));
    expect(layers).toEqual([1, 2, 3]);
    expect(result.outcome.images).toBe(100);
    expect(result.outcome.used).toBe(true);
    expect(result.outcome.valAccuracy!).toBeGreaterThan(result.outcome.valAccuracyBefore! + 0.1);
    const created = (await db.modelVersion.findUnique({
      where: { version: result.version! },
      include: { artifact: true, evaluations: true },
    }))!;
    expect(created.runId).toBe(source.runId);
    expect(created.summary).toMatchObject({
      epochs: 3,
      recalibrated: result.outcome,
      recalibratedFrom: { version, dataset: NAME },
    });
    expect(created.evaluations).toHaveLength(1);
    expect(created.evaluations[0]).toMatchObject({
      split: 'validation',
      accuracy: result.outcome.valAccuracy,
      datasetId,
    });
    // The stored weights are the ones that validated so.
    const { model, metadata } = await loadModelFromArtifact(
      created.artifact.meta,
      new Uint8Array(created.artifact.data),
    );
    expect(
      evaluateModel(model, generateSyntheticFaces({ perClass: 15, seed: 2 }), EMOTIONS, metadata.preprocessing)
        .accuracy,
    ).toBeCloseTo(result.outcome.valAccuracy!, 6);
    model.dispose();
    expect((await getModelVersionByNumber(db, version))!.artifact.digest).toBe(source.artifact.digest);
    const card = (await modelBundleOf(db, result.version!)).card;
    expect(card.run.recalibrated).toEqual(result.outcome);
  });

  it("averages other versions' weights in first when asked (a model soup), and records which", async () => {
    // A sibling version: the source's weights, its first kernel moved by 0.5.
    const source = (await getModelVersionByNumber(db, version))!;
    const { model: sibling, metadata } = await loadModelFromArtifact(
      source.artifact.meta,
      new Uint8Array(source.artifact.data),
    );
    const original = sibling.getWeights();
    const kernel = Array.from(original[0]!.dataSync());
    sibling.setWeights([tf.tidy(() => original[0]!.add(0.5)), ...original.slice(1)]);
    const moved = await modelToArtifact(sibling, metadata);
    sibling.dispose();
    const siblingVersion = await storeVersion(source.runId, moved);

    const result = await recalibrateModelVersion(db, { version, images: 100, averageWith: [siblingVersion] });
    const soup = (await db.modelVersion.findUnique({
      where: { version: result.version! },
      include: { artifact: true },
    }))!;
    expect(soup.summary).toMatchObject({ averagedWith: [siblingVersion], recalibratedFrom: { version } });
    const { model } = await loadModelFromArtifact(soup.artifact.meta, new Uint8Array(soup.artifact.data));
    const averaged = model.getWeights()[0]!.dataSync();
    model.dispose();
    averaged.forEach((w, i) => expect(w).toBeCloseTo(kernel[i]! + 0.25, 5));

    await expect(recalibrateModelVersion(db, { version, averageWith: [99_999] })).rejects.toThrow(NotFoundError);
  });

  it('refuses unknown versions and datasets, and datasets that do not fit the model', async () => {
    await expect(recalibrateModelVersion(db, { version: 99_999 })).rejects.toThrow(NotFoundError);
    await expect(recalibrateModelVersion(db, { version, dataset: 'no-such-dataset' })).rejects.toThrow(
      'Unknown dataset "no-such-dataset"',
    );
    await expect(recalibrateModelVersion(db, { version, images: 0 })).rejects.toThrow();
    // Same images, another class order: statistics would be fine, but the labels would lie.
    const images = generateSyntheticFaces({ perClass: 5, seed: 1 });
    const reversed = [...EMOTIONS].reverse();
    const packed = packDataset(48, reversed, { train: images });
    await registerDataset(db, {
      name: OTHER,
      source: 'synthetic',
      classNames: reversed,
      counts: { train: classCounts(images, reversed) },
      imageSize: 48,
      digest: packed.digest,
      report: {},
      pack: { meta: packed.meta, data: packed.data },
    });
    await expect(recalibrateModelVersion(db, { version, dataset: OTHER })).rejects.toThrow(ConflictError);
    await expect(recalibrateModelVersion(db, { version, dataset: OTHER })).rejects.toThrow(/does not match the model/);
    // A dataset known only from a model card, without images: say what to do.
    await db.dataset.update({ where: { id: datasetId }, data: { packId: null } });
    await expect(recalibrateModelVersion(db, { version })).rejects.toThrow(
      /has no images on this machine; name a dataset/,
    );
  });
});
