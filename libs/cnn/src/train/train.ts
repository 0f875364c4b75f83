import * as tf from '@tensorflow/tfjs';
import type { EpochMetricData, Hyperparameters, TrainProgress } from '@moodlab/shared';
import { gatherBatch } from '../data/augment';
import type { LabeledImages } from '../data/labeled-images';
import { toModelInput } from '../data/preprocess';
import { createRng, shuffledIndices } from '../data/random';
import { argmaxRows, meanCrossEntropy, predictProbabilities } from '../eval/predict';
import { getArchitecture } from '../models/registry';
import { encodeCheckpoint, restoreCheckpoint, type CheckpointState, type EncodedCheckpoint } from './checkpoint';
import { balancedClassWeights } from './class-weights';
import { learningRateAt } from './schedules';

export interface TrainInput {
  hyperparameters: Hyperparameters;
  classNames: readonly string[];
  train: LabeledImages;
  validation?: LabeledImages;
  /** A checkpoint from an earlier attempt of this run: training continues after it. */
  resumeFrom?: Uint8Array;
  onProgress?: (p: TrainProgress) => void;
  /** Called after every epoch with its metrics and the checkpoint to persist before going on. */
  onEpochEnd?: (metric: EpochMetricData, checkpoint: EncodedCheckpoint) => Promise<void>;
  /** Polled between batches; returning true stops after the current batch. */
  shouldStop?: () => boolean;
}

export interface TrainResult {
  model: tf.LayersModel;
  history: EpochMetricData[];
  best: CheckpointState['best'];
  stoppedEarly: boolean;
  cancelled: boolean;
}

function makeOptimizer(hp: Hyperparameters): tf.Optimizer {
  return hp.optimizer === 'sgd' ? tf.train.momentum(hp.learningRate, hp.momentum) : tf.train.adam(hp.learningRate);
}

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  // Adam and momentum SGD read this field on every step.
  (opt as unknown as { learningRate: number }).learningRate = lr;
}

export async function trainModel(input: TrainInput): Promise<TrainResult> {
  const hp = input.hyperparameters;
  const { train, validation } = input;
  const size = hp.preprocessing.imageSize;
  if (train.size !== size) throw new Error(`dataset images are ${train.size}px but the run asks for ${size}px`);
  const k = input.classNames.length;
  const model = getArchitecture(hp.architecture).build({ imageSize: size, numClasses: k, seed: hp.seed });
  const optimizer = makeOptimizer(hp);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const classWeights = hp.classWeighting ? balancedClassWeights(train.labels, k) : null;

  let state: CheckpointState = { architecture: hp.architecture, nextEpoch: 0, history: [], best: null, epochsWithoutImprovement: 0 };
  if (input.resumeFrom) state = await restoreCheckpoint(input.resumeFrom, model, optimizer);

  const n = train.labels.length;
  const batches = Math.ceil(n / hp.batchSize);
  let cancelled = false;
  let stoppedEarly = false;
  const report = (phase: TrainProgress['phase'], epoch: number, batch: number) =>
    input.onProgress?.({ phase, epoch, epochs: hp.epochs, batch, batches, fraction: Math.min(1, (epoch + batch / batches) / hp.epochs) });

  for (let epoch = state.nextEpoch; epoch < hp.epochs; epoch++) {
    const started = Date.now();
    const lr = learningRateAt(hp, epoch);
    setLearningRate(optimizer, lr);
    // Seeded per epoch, so a resumed run sees the same order and augmentations as an unbroken one.
    const rng = createRng(`${hp.seed}:epoch:${epoch}`);
    const order = shuffledIndices(n, rng);
    let lossSum = 0, correct = 0;
    for (let b = 0; b < batches; b++) {
      if (input.shouldStop?.()) { cancelled = true; break; }
      const idx = order.subarray(b * hp.batchSize, Math.min(n, (b + 1) * hp.batchSize));
      const pixels = gatherBatch(train.images, size, idx, hp.augmentation, rng);
      const labels = Int32Array.from(idx, (i) => train.labels[i]!);
      const [loss, hits] = tf.tidy(() => {
        const x = toModelInput(pixels, idx.length, hp.preprocessing);
        const yIdx = tf.tensor1d(labels, 'int32');
        const y = tf.oneHot(yIdx, k);
        const w = classWeights ? tf.tensor1d(Array.from(labels, (l) => classWeights[l]!)) : null;
        let hitCount: tf.Scalar = tf.scalar(0);
        const cost = optimizer.minimize(() => {
          const probs = model.apply(x, { training: true }) as tf.Tensor2D;
          hitCount = tf.keep(probs.argMax(1).equal(yIdx).sum());
          const perSample = tf.losses.softmaxCrossEntropy(y, tf.log(probs.clipByValue(1e-7, 1)), undefined, 0, tf.Reduction.NONE);
          const weighted = w ? perSample.mul(w) : perSample;
          const l2 = hp.weightDecay > 0 ? tf.addN(vars.filter((v) => v.shape.length > 1).map((v) => v.square().sum())).mul(hp.weightDecay / 2) : tf.scalar(0);
          return weighted.mean().add(l2) as tf.Scalar;
        }, true, vars)!;
        return [cost, hitCount];
      });
      lossSum += loss.dataSync()[0]! * idx.length;
      correct += hits.dataSync()[0]!;
      tf.dispose([loss, hits]);
      report('training', epoch, b + 1);
      // Let the event loop breathe (IPC, lock renewal) between batches.
      if (b % 8 === 7) await new Promise((r) => setImmediate(r));
    }
    if (cancelled) break;

    let valLoss: number | null = null, valAccuracy: number | null = null;
    if (validation && validation.labels.length) {
      report('evaluating', epoch, batches);
      const probs = predictProbabilities(model, validation, hp.preprocessing);
      const pred = argmaxRows(probs, k);
      valLoss = meanCrossEntropy(probs, validation.labels, k);
      valAccuracy = pred.reduce((a, p, i) => a + (p === validation.labels[i] ? 1 : 0), 0) / validation.labels.length;
    }
    const metric: EpochMetricData = {
      epoch, loss: lossSum / n, accuracy: correct / n, valLoss, valAccuracy, learningRate: lr, durationMs: Date.now() - started,
    };
    state.history = [...state.history.filter((h) => h.epoch < epoch), metric];
    const score = valAccuracy ?? metric.accuracy;
    if (!state.best || score > state.best.valAccuracy) {
      state.best = { epoch, valAccuracy: score, valLoss: valLoss ?? metric.loss };
      state.epochsWithoutImprovement = 0;
    } else {
      state.epochsWithoutImprovement += 1;
    }
    state.nextEpoch = epoch + 1;
    stoppedEarly = hp.earlyStoppingPatience > 0 && state.epochsWithoutImprovement >= hp.earlyStoppingPatience && epoch + 1 < hp.epochs;
    if (input.onEpochEnd) {
      report('saving', epoch + 1, 0);
      await input.onEpochEnd(metric, await encodeCheckpoint(model, optimizer, state));
    }
    if (stoppedEarly) break;
  }
  optimizer.dispose();
  return { model, history: state.history, best: state.best, stoppedEarly, cancelled };
}
