import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMOTIONS, hyperparametersSchema, type EpochMetricData } from '@moodlab/shared';
import { selectBackend } from '../backend/select-backend';
import { generateSyntheticFaces } from '../datasets/synthetic-faces';
import { evaluateModel } from '../inference/evaluate';
import { loadModelFromArtifact, modelToArtifact } from '../inference/model-artifact';
import { restoreCheckpoint, type EncodedCheckpoint } from './checkpoint';
import { getArchitecture } from './models/registry';
import { recalibrateBatchNorm } from './recalibrate-batchnorm';
import { trainModel } from './train';
import { ReplicaPool } from './replica-pool';
import { predictProbabilities } from '../inference/predict';

const train = generateSyntheticFaces({ perClass: 60, seed: 1 });
const validation = generateSyntheticFaces({ perClass: 20, seed: 2 });
const hp = hyperparametersSchema.parse({
  epochs: 3,
  batchSize: 32,
  augmentation: { enabled: true },
  classWeighting: true,
});

const maxDiff = (a: tf.Tensor[], b: tf.Tensor[]) =>
  Math.max(...a.map((t, i) => tf.tidy(() => t.sub(b[i]!).abs().max().dataSync()[0]!)));

/** A fresh model holding a checkpoint's weights, and the checkpoint's running weight average (if any). */
async function restored(c: EncodedCheckpoint, architecture: string) {
  const model = getArchitecture(architecture).build({ imageSize: 48, numClasses: 7, seed: 0 });
  const { average } = await restoreCheckpoint(c.data, model, tf.train.adam());
  return { model, average };
}

describe('training on the WASM backend', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
  });

  it('learns the synthetic faces above chance, exports a loadable model and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const longer = { ...hp, epochs: 5 };
    const result = await trainModel({ hyperparameters: longer, classNames: EMOTIONS, train, validation });
    expect(result.history).toHaveLength(5);
    const report = evaluateModel(result.model, validation, EMOTIONS, hp.preprocessing);
    expect(report.accuracy).toBeGreaterThan(2 / 7);

    const artifact = await modelToArtifact(result.model, {
      classNames: [...EMOTIONS],
      preprocessing: hp.preprocessing,
      architecture: hp.architecture,
    });
    const loaded = await loadModelFromArtifact(JSON.parse(JSON.stringify(artifact.meta)), artifact.data);
    expect(loaded.metadata.classNames).toEqual([...EMOTIONS]);
    expect(evaluateModel(loaded.model, validation, EMOTIONS, hp.preprocessing).accuracy).toBeCloseTo(
      report.accuracy,
      6,
    );
    result.model.dispose();
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("starts from a given model version's weights (initFrom), and refuses one of another architecture", async () => {
    const source = getArchitecture('small-cnn').build({ imageSize: 48, numClasses: 7, seed: 5 });
    const artifact = await modelToArtifact(source, {
      classNames: [...EMOTIONS],
      preprocessing: hp.preprocessing,
      architecture: 'small-cnn',
    });
    // A learning rate too small to move anything: the result shows where training started.
    const still = hyperparametersSchema.parse({
      epochs: 1,
      batchSize: 64,
      optimizer: 'sgd',
      momentum: 0,
      learningRate: 1e-12,
    });
    const warm = await trainModel({ hyperparameters: still, classNames: EMOTIONS, train, initialModel: artifact });
    const cold = await trainModel({ hyperparameters: still, classNames: EMOTIONS, train });
    // Trainable weights only: BatchNorm's moving statistics move with any forward pass in training mode.
    const maxDiff = (m: tf.LayersModel) =>
      Math.max(
        ...m.trainableWeights.map((w, i) =>
          tf.tidy(() => w.read().sub(source.trainableWeights[i]!.read()).abs().max().dataSync()[0]!),
        ),
      );
    expect(maxDiff(warm.model)).toBeLessThan(1e-6);
    expect(maxDiff(cold.model)).toBeGreaterThan(1e-2);
    const other = await modelToArtifact(getArchitecture('vgg-lite').build({ imageSize: 48, numClasses: 7, seed: 5 }), {
      classNames: [...EMOTIONS],
      preprocessing: hp.preprocessing,
      architecture: 'vgg-lite',
    });
    await expect(
      trainModel({ hyperparameters: still, classNames: EMOTIONS, train, initialModel: other }),
    ).rejects.toThrow(/initial model \(vgg-lite\) does not match/);
    for (const m of [source, warm.model, cold.model]) m.dispose();
  });

  it('resumes from a checkpoint to the same history as an unbroken run', async () => {
    const unbroken = await trainModel({ hyperparameters: hp, classNames: EMOTIONS, train, validation });
    unbroken.model.dispose();

    // "Kill" the run after its first epoch, as a dying worker does: keep that epoch's checkpoint
    // (the worker persists it before going on), then resume from it.
    let firstCheckpoint: EncodedCheckpoint | null = null;
    await expect(
      trainModel({
        hyperparameters: hp,
        classNames: EMOTIONS,
        train,
        validation,
        onEpochEnd: async (_m, c) => {
          firstCheckpoint = c;
          throw new Error('worker killed');
        },
      }),
    ).rejects.toThrow('worker killed');
    const resumed = await trainModel({
      hyperparameters: hp,
      classNames: EMOTIONS,
      train,
      validation,
      resumeFrom: firstCheckpoint!.data,
    });
    resumed.model.dispose();
    const strip = (h: EpochMetricData[]) => h.map(({ durationMs: _d, ...rest }) => rest);
    expect(resumed.history).toHaveLength(3);
    expect(strip(resumed.history)[0]).toEqual(strip(unbroken.history)[0]);
    for (let i = 1; i < 3; i++) {
      expect(resumed.history[i]!.loss).toBeCloseTo(unbroken.history[i]!.loss, 4);
      expect(resumed.history[i]!.valAccuracy).toBeCloseTo(unbroken.history[i]!.valAccuracy!, 4);
    }

    // A sweep that stopped the run at that epoch (its verdict came after the checkpoint was saved):
    // the resumed run trains nothing more and ends with the checkpoint's weights.
    const stopped = await trainModel({
      // Without recalibration, whose statistics would differ from the checkpoint's.
      hyperparameters: { ...hp, recalibrateBatchNorm: 0 },
      classNames: EMOTIONS,
      train,
      validation,
      resumeFrom: firstCheckpoint!.data,
      stoppedAtCheckpoint: true,
      onEpochEnd: () => Promise.reject(new Error('trained an epoch past the stop')),
    });
    expect(stopped.stoppedEarly).toBe(true);
    expect(strip(stopped.history)).toEqual(strip(unbroken.history).slice(0, 1));
    const fromCheckpoint = await restored(firstCheckpoint!, hp.architecture);
    expect(maxDiff(stopped.model.getWeights(), fromCheckpoint.model.getWeights())).toBeLessThan(1e-6);
    stopped.model.dispose();
    fromCheckpoint.model.dispose();
  });

  it('trains data-parallel on two threads, deterministically, to the same quality', async () => {
    const small = hyperparametersSchema.parse({ epochs: 2, batchSize: 32 });
    const counts: number[] = [];
    const run = () =>
      trainModel({
        hyperparameters: small,
        classNames: EMOTIONS,
        train,
        validation,
        replicas: 2,
        minImagesForReplicas: 0,
        onReplicaTensors: ([c]) => counts.push(c!),
      });
    const [a, b] = [await run(), await run()];
    // The replica's tensors stay constant from step to step: nothing leaks per batch.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
    const single = await trainModel({ hyperparameters: small, classNames: EMOTIONS, train, validation });
    // Same data, same averaged gradients up to float rounding and dropout masks: close, not equal.
    expect(Math.abs(a.history[1]!.loss - single.history[1]!.loss)).toBeLessThan(0.35);
    expect(a.history[1]!.valAccuracy!).toBeGreaterThan(2 / 7);
    for (const r of [a, b, single]) r.model.dispose();
  });

  it('learns from its teachers (distillFrom) on two threads: with all the weight on them, labels that are all wrong do not matter', async () => {
    const taught = await trainModel({
      hyperparameters: { ...hp, epochs: 10 },
      classNames: EMOTIONS,
      train,
      validation,
    });
    const teacher = await modelToArtifact(taught.model, {
      classNames: [...EMOTIONS],
      preprocessing: hp.preprocessing,
      architecture: hp.architecture,
    });
    taught.model.dispose();
    // Every label moved to the next class: a model that believed them would be wrong on every face.
    const mislabelled = { ...train, labels: train.labels.map((l) => (l + 1) % 7) };
    const phases = new Set<string>();
    const checkpoints: EncodedCheckpoint[] = [];
    const student = (distillWeight: number) =>
      trainModel({
        hyperparameters: { ...hp, epochs: 8, distillFrom: [1], distillWeight },
        classNames: EMOTIONS,
        train: mislabelled,
        validation,
        teachers: [teacher],
        replicas: 2,
        minImagesForReplicas: 0,
        onProgress: (p) => phases.add(p.phase),
        onEpochEnd: (_m, c) => {
          checkpoints.push(c);
          return Promise.resolve();
        },
      });
    const [fromTeacher, fromLabels] = [await student(1), await student(0)];
    expect(phases).toContain('teaching');
    expect(fromTeacher.history.at(-1)!.valAccuracy!).toBeGreaterThan(2 / 7);
    expect(fromLabels.history.at(-1)!.valAccuracy!).toBeLessThan(fromTeacher.history.at(-1)!.valAccuracy! - 0.2);
    for (const r of [fromTeacher, fromLabels]) r.model.dispose();

    // Resumed from its first checkpoint, the taught run goes on from the teachers' labels that the
    // checkpoint carries: it labels nothing again, and needs no teacher to be given.
    phases.clear();
    const resumed = await trainModel({
      hyperparameters: { ...hp, epochs: 4, distillFrom: [1], distillWeight: 1 },
      classNames: EMOTIONS,
      train: mislabelled,
      validation,
      resumeFrom: checkpoints[0]!.data,
      onProgress: (p) => phases.add(p.phase),
    });
    expect(phases).not.toContain('teaching');
    expect(resumed.history).toHaveLength(4);
    expect(resumed.history.at(-1)!.valAccuracy!).toBeGreaterThan(2 / 7);
    resumed.model.dispose();
    await expect(
      trainModel({ hyperparameters: { ...hp, distillFrom: [1, 2] }, classNames: EMOTIONS, train, teachers: [teacher] }),
    ).rejects.toThrow('distils from 2 teacher(s) but 1 were given');
  });

  it("predicts a split on its replicas as one thread does (with flip TTA too), with the coordinator's weights and BatchNorm statistics", async () => {
    const pool = await ReplicaPool.start(1, {
      hyperparameters: hp,
      numClasses: 7,
      classWeights: null,
      backend: 'wasm',
    });
    try {
      // Another seed than the replica's own model, and recomputed moving statistics: both must travel.
      const model = getArchitecture(hp.architecture).build({ imageSize: 48, numClasses: 7, seed: 3 });
      recalibrateBatchNorm(model, train, hp.preprocessing, { images: 256, seed: 1 });
      for (const flipTta of [false, true]) {
        const pooled = await pool.predict(model, validation, flipTta);
        const alone = predictProbabilities(model, validation, hp.preprocessing, 256, flipTta);
        expect(pooled.length).toBe(alone.length);
        expect(Math.max(...pooled.map((v, i) => Math.abs(v - alone[i]!)))).toBeLessThan(1e-5);
      }
      model.dispose();
    } finally {
      pool.close();
    }
  });

  it('averages the weights of its last epochs (SWA), keeps the running mean across a resume, and reports how it validated', async () => {
    // BatchNorm recalibration off: the final weights must be exactly the average.
    const swa = hyperparametersSchema.parse({
      epochs: 3,
      batchSize: 32,
      averageLastEpochs: 2,
      recalibrateBatchNorm: 0,
    });
    const checkpoints: EncodedCheckpoint[] = [];
    const unbroken = await trainModel({
      hyperparameters: swa,
      classNames: EMOTIONS,
      train,
      onEpochEnd: async (_m, c) => {
        checkpoints.push(c);
      },
    });
    // Without a validation split the average is always the model.
    expect(unbroken.averaged).toEqual({ epochs: 2, valAccuracy: null, used: true });
    const weightsAfter = async (c: EncodedCheckpoint) => {
      const { model: m, average } = await restored(c, swa.architecture);
      if (average) tf.dispose(average.weights);
      return {
        weights: m.getWeights().map((w) => w.clone()),
        averaged: average?.epochs ?? 0,
        dispose: () => m.dispose(),
      };
    };
    const [e0, e1, e2] = await Promise.all(checkpoints.map(weightsAfter));
    expect([e0!.averaged, e1!.averaged, e2!.averaged]).toEqual([0, 1, 2]);
    const mean = e1!.weights.map((w, i) => w.add(e2!.weights[i]!).div(2));
    expect(maxDiff(unbroken.model.getWeights(), mean)).toBeLessThan(1e-5);
    expect(maxDiff(unbroken.model.getWeights(), e2!.weights)).toBeGreaterThan(1e-4);

    // Killed after the first averaged epoch, resumed: the same average.
    const resumed = await trainModel({
      hyperparameters: swa,
      classNames: EMOTIONS,
      train,
      resumeFrom: checkpoints[1]!.data,
    });
    expect(resumed.averaged?.epochs).toBe(2);
    expect(maxDiff(resumed.model.getWeights(), unbroken.model.getWeights())).toBeLessThan(1e-3);

    const validated = await trainModel({ hyperparameters: swa, classNames: EMOTIONS, train, validation });
    expect(validated.averaged!.valAccuracy).toBeGreaterThan(0);
    expect(validated.averaged!.used).toBe(validated.averaged!.valAccuracy! >= validated.history.at(-1)!.valAccuracy!);
    tf.dispose(mean);
    for (const e of [e0!, e1!, e2!]) {
      tf.dispose(e.weights);
      e.dispose();
    }
    for (const r of [unbroken, resumed, validated]) r.model.dispose();
  });

  it('recomputes the BatchNorm statistics at the end, and keeps them only when they validate no worse', async () => {
    const base = hyperparametersSchema.parse({ epochs: 2, batchSize: 32, recalibrateBatchNorm: 0 });
    const plain = await trainModel({ hyperparameters: base, classNames: EMOTIONS, train });
    expect(plain.recalibrated).toBeNull();
    const recal = await trainModel({
      hyperparameters: { ...base, recalibrateBatchNorm: 200 },
      classNames: EMOTIONS,
      train,
    });
    // Without a validation split the new statistics are always kept.
    expect(recal.recalibrated).toEqual({ images: 200, valAccuracyBefore: null, valAccuracy: null, used: true });
    // The same training, then the library's recalibration: the same weights.
    recalibrateBatchNorm(plain.model, train, base.preprocessing, { images: 200, seed: base.seed });
    expect(maxDiff(plain.model.getWeights(), recal.model.getWeights())).toBeLessThan(1e-5);

    const validated = await trainModel({
      hyperparameters: { ...base, recalibrateBatchNorm: 200 },
      classNames: EMOTIONS,
      train,
      validation,
    });
    const r = validated.recalibrated!;
    expect(r.valAccuracyBefore).toBe(validated.history.at(-1)!.valAccuracy);
    expect(r.used).toBe(r.valAccuracy! >= r.valAccuracyBefore!);
    const final = evaluateModel(validated.model, validation, EMOTIONS, base.preprocessing).accuracy;
    expect(final).toBeCloseTo(r.used ? r.valAccuracy! : r.valAccuracyBefore!, 6);
    for (const m of [plain, recal, validated]) m.model.dispose();
  });

  it('judges the weight average with recomputed BatchNorm statistics, and makes the best of the candidates the model', async () => {
    const both = hyperparametersSchema.parse({
      epochs: 3,
      batchSize: 32,
      averageLastEpochs: 2,
      recalibrateBatchNorm: 150,
    });
    const checkpoints: EncodedCheckpoint[] = [];
    const run = await trainModel({
      hyperparameters: both,
      classNames: EMOTIONS,
      train,
      onEpochEnd: async (_m, c) => {
        checkpoints.push(c);
      },
    });
    // Without validation: the average, recalibrated.
    expect(run.averaged).toEqual({ epochs: 2, valAccuracy: null, used: true });
    expect(run.recalibrated).toEqual({ images: 150, valAccuracyBefore: null, valAccuracy: null, used: true });
    const { model: expected, average } = await restored(checkpoints.at(-1)!, both.architecture);
    expected.setWeights(average!.weights);
    tf.dispose(average!.weights);
    recalibrateBatchNorm(expected, train, both.preprocessing, { images: 150, seed: both.seed });
    expect(maxDiff(expected.getWeights(), run.model.getWeights())).toBeLessThan(1e-5);

    const validated = await trainModel({ hyperparameters: both, classNames: EMOTIONS, train, validation });
    const final = evaluateModel(validated.model, validation, EMOTIONS, both.preprocessing).accuracy;
    const last = validated.history.at(-1)!.valAccuracy!;
    const { averaged, recalibrated } = { averaged: validated.averaged!, recalibrated: validated.recalibrated! };
    expect(final).toBeGreaterThanOrEqual(last);
    expect(final).toBeGreaterThanOrEqual(averaged.valAccuracy!);
    expect(final).toBeCloseTo(recalibrated.used ? recalibrated.valAccuracy! : recalibrated.valAccuracyBefore!, 6);
    if (!averaged.used) expect(recalibrated.valAccuracyBefore).toBe(last);
    for (const m of [run, validated]) m.model.dispose();
    expected.dispose();
  });
});
