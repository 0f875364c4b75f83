import * as tf from '@tensorflow/tfjs';
import {
  canStartFrom,
  isArchitectureName,
  isImportedArchitecture,
  type BatchNormRecalibration,
  type EpochMetricData,
  type Hyperparameters,
  type ModelPreprocessing,
  type TrainProgress,
  type WeightAverageOutcome,
} from '@moodlab/shared';
import { gatherBatch } from '../datasets/augment';
import type { LabeledImages } from '../datasets/labeled-images';
import { createRng, shuffledIndices } from '../datasets/random';
import { accuracy } from '../inference/metrics';
import { argmaxRows, meanCrossEntropy, predictProbabilities } from '../inference/predict';
import { loadModelFromArtifact } from '../inference/model-artifact';
import { getArchitecture } from './models/registry';
import { widenInto } from './models/widen';
import {
  encodeCheckpoint,
  restoreCheckpoint,
  type CheckpointState,
  type EncodedCheckpoint,
  type WeightAverage,
} from './checkpoint';
import { balancedClassWeights } from './class-weights';
import { ReplicaPool } from './replica-pool';
import { ArrayAdam } from './array-adam';
import { arraysFor } from './tensor-arrays';
import { seedMathRandom } from './seeded-random';
import { applyGradients, averageGradients, computeGradients, type StepGradients, type StepLoss } from './step';
import { hasBatchNorm, recalibrateBatchNorm } from './recalibrate-batchnorm';
import { learningRateAt, PLATEAU_PATIENCE } from './schedules';
import { gatherTargets, teacherTargets, type Teacher } from './teacher-targets';

export interface TrainInput {
  hyperparameters: Hyperparameters;
  classNames: readonly string[];
  train: LabeledImages;
  validation?: LabeledImages;
  /** A checkpoint from an earlier attempt of this run: training continues after it. */
  resumeFrom?: Uint8Array;
  /**
   * The run was stopped at the checkpoint's epoch (a sweep's verdict taken after the checkpoint was
   * saved, by a worker that died before acting on it): finish from the checkpoint, train nothing.
   */
  stoppedAtCheckpoint?: boolean;
  /** A trained model artifact to start from (hyperparameters.initFrom); a checkpoint wins over it. */
  initialModel?: { meta: unknown; data: Uint8Array };
  /** The model artifacts of hyperparameters.distillFrom, in its order. */
  teachers?: { meta: unknown; data: Uint8Array }[];
  onProgress?: (p: TrainProgress) => void;
  /** Called after every epoch with its metrics and the checkpoint to persist before going on. */
  onEpochEnd?: (metric: EpochMetricData, checkpoint: EncodedCheckpoint) => Promise<'continue' | 'stop' | void>;
  /**
   * Processes training in parallel (synchronous data parallelism: each computes part of every
   * batch, gradients are averaged). Used on the WASM backend only, whose Node build runs one
   * thread; results depend on this number, so a run keeps it. Default 1.
   */
  replicas?: number;
  /** Smaller training sets stay in one process: starting replicas costs seconds. Default 2000. */
  minImagesForReplicas?: number;
  /** Each replica's live tensor count after each step (to catch leaks in tests). */
  onReplicaTensors?: (counts: number[]) => void;
}

export interface TrainResult {
  model: tf.LayersModel;
  history: EpochMetricData[];
  best: CheckpointState['best'];
  stoppedEarly: boolean;
  /** Set when the run averaged its last epochs: over how many, how the average validated, and whether it became the model. */
  averaged: WeightAverageOutcome | null;
  /** Set when the run recomputed its BatchNorm statistics at the end (recalibrateBatchNorm). */
  recalibrated: BatchNormRecalibration | null;
  /** The model's input contract: the run's, with the input layout of an imported model. */
  preprocessing: ModelPreprocessing;
}

/** The running mean after one more epoch's weights. */
function addToAverage(average: WeightAverage | null, weights: tf.Tensor[]): WeightAverage {
  if (!average) return { epochs: 1, weights: weights.map((w) => w.clone()) };
  const n = average.epochs + 1;
  const next = average.weights.map((mean, i) => tf.tidy(() => mean.add(weights[i]!.sub(mean).div(n))));
  tf.dispose(average.weights);
  return { epochs: n, weights: next };
}

interface Candidate {
  source: 'last epoch' | 'average';
  recalibrated: boolean;
  accuracy: number | null;
  weights: tf.Tensor[];
}

/**
 * The end of a run: the last epoch's weights, their average over the last epochs, and each of
 * those with exact BatchNorm statistics; the one that validates best becomes the model. Ties (and
 * runs without a validation split) go to the later candidate: averaging and recalibration are what
 * was asked for. An average is judged only after recalibration when that is on, as its averaged
 * moving statistics belong to no weights (SWA recomputes them too).
 */
async function finishWeights(
  model: tf.LayersModel,
  average: WeightAverage | null,
  input: TrainInput,
  lastAccuracy: number | null,
  report: EpochContext['report'],
  predictSplit: (split: LabeledImages) => Promise<Float32Array>,
): Promise<Pick<TrainResult, 'averaged' | 'recalibrated'>> {
  const { validation, classNames, hyperparameters: hp } = input;
  // One epoch's "average" is that epoch's weights: nothing to choose.
  const averaging = average !== null && average.epochs > 1;
  const recalibrating = hp.recalibrateBatchNorm > 0 && hasBatchNorm(model);
  if (!averaging && !recalibrating) return { averaged: null, recalibrated: null };
  const validate = async () =>
    validation?.labels.length
      ? accuracy(validation.labels, argmaxRows(await predictSplit(validation), classNames.length))
      : null;
  const snapshot = () => model.getWeights().map((w) => w.clone());
  const candidates: Candidate[] = [
    { source: 'last epoch', recalibrated: false, accuracy: lastAccuracy, weights: snapshot() },
  ];
  if (averaging) {
    model.setWeights(average.weights);
    candidates.push({ source: 'average', recalibrated: false, accuracy: await validate(), weights: snapshot() });
  }
  let images = 0;
  if (recalibrating) {
    for (const c of [...candidates]) {
      model.setWeights(c.weights);
      images = recalibrateBatchNorm(model, input.train, hp.preprocessing, {
        images: hp.recalibrateBatchNorm,
        seed: hp.seed,
        onLayer: (done, total) => report('calibrating', hp.epochs, done, total),
      });
      candidates.push({ source: c.source, recalibrated: true, accuracy: await validate(), weights: snapshot() });
    }
  }
  const best = candidates.reduce((b, c) =>
    c.accuracy === null || b.accuracy === null || c.accuracy >= b.accuracy ? c : b,
  );
  model.setWeights(best.weights);
  for (const c of candidates) tf.dispose(c.weights);
  const find = (source: Candidate['source'], recalibrated: boolean) =>
    candidates.find((c) => c.source === source && c.recalibrated === recalibrated)!;
  return {
    averaged: averaging
      ? {
          epochs: average.epochs,
          valAccuracy: find('average', recalibrating).accuracy,
          used: best.source === 'average',
        }
      : null,
    recalibrated: recalibrating
      ? {
          images,
          valAccuracyBefore: find(best.source, false).accuracy,
          valAccuracy: find(best.source, true).accuracy,
          used: best.recalibrated,
        }
      : null,
  };
}

function makeOptimizer(hp: Hyperparameters): tf.Optimizer {
  return hp.optimizer === 'sgd' ? tf.train.momentum(hp.learningRate, hp.momentum) : new ArrayAdam(hp.learningRate);
}

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  // Adam and momentum SGD read this field on every step.
  (opt as unknown as { learningRate: number }).learningRate = lr;
}

interface EpochContext {
  input: TrainInput;
  model: tf.LayersModel;
  vars: tf.Variable[];
  optimizer: tf.Optimizer;
  classWeights: Float32Array | null;
  pool: ReplicaPool | null;
  /** Our gradients, one array per variable, reused every step. */
  grads: Float32Array[];
  /** The teachers' soft labels for every training image (N x K), when distilling. */
  targets: Float32Array | null;
  report: (phase: TrainProgress['phase'], epoch: number, batch: number, of?: number) => void;
}

/** One pass over the shuffled, augmented training split; stops early when asked to. */
async function trainOneEpoch(ctx: EpochContext, epoch: number): Promise<{ lossSum: number; correct: number }> {
  const { input, model, vars, optimizer, classWeights, pool } = ctx;
  const hp = input.hyperparameters;
  const { train } = input;
  const size = train.size,
    px = size * size,
    n = train.labels.length,
    k = input.classNames.length;
  const batches = Math.ceil(n / hp.batchSize);
  // Seeded per epoch, so a resumed run sees the same order and augmentations as an unbroken one.
  const rng = createRng(`${hp.seed}:epoch:${epoch}`);
  const order = shuffledIndices(n, rng);
  const loss: StepLoss = { hp, numClasses: k, classWeights };
  let lossSum = 0,
    correct = 0;
  for (let b = 0; b < batches; b++) {
    const idx = order.subarray(b * hp.batchSize, Math.min(n, (b + 1) * hp.batchSize));
    const pixels = gatherBatch(train.images, size, idx, hp.augmentation, rng);
    const labels = Int32Array.from(idx, (i) => train.labels[i]!);
    const teacher = ctx.targets ? gatherTargets(ctx.targets, k, idx) : null;
    let parts: StepGradients[];
    if (pool && idx.length > pool.size) {
      // Slice 0 is ours; the replicas take the rest with the current weights.
      const per = Math.ceil(idx.length / (pool.size + 1));
      const slice = (r: number) => {
        const end = Math.min(idx.length, (r + 1) * per);
        return {
          pixels: pixels.subarray(r * per * px, end * px),
          labels: labels.subarray(r * per, end),
          teacher: teacher ? teacher.subarray(r * per * k, end * k) : null,
        };
      };
      const remote = pool.step(
        epoch,
        vars,
        Array.from({ length: pool.size }, (_, r) => slice(r + 1)),
      );
      const own = slice(0);
      // Our slice first, then wait: awaiting the replicas before computing ours would run them in turn.
      const ours = computeGradients(model, vars, { ...own, size }, loss, ctx.grads);
      const theirs = await remote;
      input.onReplicaTensors?.(theirs.map((r) => r.tensors));
      parts = [ours, ...theirs];
    } else {
      parts = [computeGradients(model, vars, { pixels, labels, size, teacher }, loss, ctx.grads)];
    }
    applyGradients(optimizer, vars, parts.length > 1 ? averageGradients(parts) : parts[0]!.grads);
    for (const p of parts) {
      lossSum += p.lossSum;
      correct += p.hits;
    }
    ctx.report('training', epoch, b + 1);
    // Let the event loop breathe (IPC, lock renewal) between batches.
    if (b % 8 === 7) await new Promise((r) => setImmediate(r));
  }
  return { lossSum, correct };
}

/** Weights of a trained model into a freshly built one of the same architecture. */
async function copyWeightsFrom(
  artifact: { meta: unknown; data: Uint8Array },
  model: tf.LayersModel,
  hp: Hyperparameters,
): Promise<void> {
  const { model: source, metadata } = await loadModelFromArtifact(artifact.meta, artifact.data);
  try {
    if (metadata.architecture !== hp.architecture && canStartFrom(hp.architecture, metadata.architecture)) {
      widenInto(source, model, hp.seed);
      return;
    }
    const from = source.getWeights(),
      to = model.getWeights();
    const mismatch = from.length !== to.length || from.some((w, i) => !tf.util.arraysEqual(w.shape, to[i]!.shape));
    if (mismatch)
      throw new Error(`the initial model (${metadata.architecture}) does not match this architecture's weights`);
    model.setWeights(from);
  } finally {
    source.dispose();
  }
}

/**
 * The model to train: built from its architecture, or, for a model imported from Keras, its own
 * topology and weights (which then also set the input layout; images are resized to its size).
 */
async function initialModelFor(
  input: TrainInput,
): Promise<{ model: tf.LayersModel; preprocessing: ModelPreprocessing }> {
  const hp = input.hyperparameters;
  if (!isImportedArchitecture(hp.architecture)) {
    const size = hp.preprocessing.imageSize;
    if (input.train.size !== size)
      throw new Error(`dataset images are ${input.train.size}px but the run asks for ${size}px`);
    const model = getArchitecture(hp.architecture).build({
      imageSize: size,
      numClasses: input.classNames.length,
      seed: hp.seed,
    });
    if (input.initialModel && !input.resumeFrom) await copyWeightsFrom(input.initialModel, model, hp);
    return { model, preprocessing: hp.preprocessing };
  }
  if (!input.initialModel)
    throw new Error(`${hp.architecture} is an imported model: it trains from its version (initFrom)`);
  const { model, metadata } = await loadModelFromArtifact(input.initialModel.meta, input.initialModel.data);
  return { model, preprocessing: { ...metadata.preprocessing, normalization: hp.preprocessing.normalization } };
}

/**
 * The teachers' soft labels for the training split (hyperparameters.distillFrom), or null when the
 * run does not distil. Checkpoints carry them, so a resume labels again only from an older checkpoint.
 * On the single-threaded WASM backend each teacher labels on every core, with replicas of its own
 * architecture (an imported teacher, which has no architecture to build, labels on one).
 */
async function distillationTargets(
  input: TrainInput,
  report: EpochContext['report'],
  threads: number,
): Promise<Float32Array | null> {
  const hp = input.hyperparameters;
  if (!hp.distillFrom.length) return null;
  const artifacts = input.teachers ?? [];
  if (artifacts.length !== hp.distillFrom.length)
    throw new Error(`the run distils from ${hp.distillFrom.length} teacher(s) but ${artifacts.length} were given`);
  const loaded = await Promise.all(artifacts.map((a) => loadModelFromArtifact(a.meta, a.data)));
  try {
    for (const [i, t] of loaded.entries())
      if (t.metadata.classNames.length !== input.classNames.length)
        throw new Error(
          `teacher v${hp.distillFrom[i]} predicts ${t.metadata.classNames.length} classes, not ${input.classNames.length}`,
        );
    const teachers: Teacher[] = loaded.map((t) => ({
      model: t.model,
      preprocessing: t.metadata.preprocessing,
      architecture: t.metadata.architecture,
    }));
    const predictOnAllCores = async ({ model, preprocessing, architecture }: Teacher, split: LabeledImages) => {
      if (threads < 2 || !isArchitectureName(architecture))
        return predictProbabilities(model, split, preprocessing, 256, true);
      const pool = await ReplicaPool.start(threads - 1, {
        hyperparameters: {
          ...hp,
          architecture,
          preprocessing: { imageSize: preprocessing.imageSize, normalization: preprocessing.normalization },
        },
        numClasses: input.classNames.length,
        classWeights: null,
        backend: 'wasm',
      });
      try {
        return await pool.predict(model, split, true);
      } finally {
        pool.close();
      }
    };
    report('teaching', 0, 0, teachers.length);
    return await teacherTargets(
      teachers,
      input.train,
      hp.distillTemperature,
      (done, total) => report('teaching', 0, done, total),
      predictOnAllCores,
    );
  } finally {
    for (const t of loaded) t.model.dispose();
  }
}

export async function trainModel(runInput: TrainInput): Promise<TrainResult> {
  const { model, preprocessing } = await initialModelFor(runInput);
  const input: TrainInput = { ...runInput, hyperparameters: { ...runInput.hyperparameters, preprocessing } };
  const hp = input.hyperparameters;
  const { train, validation } = input;
  const k = input.classNames.length;
  const n = train.labels.length;
  const optimizer = makeOptimizer(hp);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const classWeights = hp.classWeighting ? balancedClassWeights(train.labels, k, hp.classWeightPower) : null;

  let state: CheckpointState = {
    architecture: hp.architecture,
    nextEpoch: 0,
    history: [],
    best: null,
    epochsWithoutImprovement: 0,
    plateau: { reductions: 0, wait: 0, bestLoss: Number.MAX_VALUE },
  };
  let average: WeightAverage | null = null;
  let savedTargets: Float32Array | null = null;
  if (input.resumeFrom)
    ({ average, targets: savedTargets, ...state } = await restoreCheckpoint(input.resumeFrom, model, optimizer));

  const batches = Math.ceil(n / hp.batchSize);
  const report = (phase: TrainProgress['phase'], epoch: number, batch: number, of = batches) =>
    input.onProgress?.({
      phase,
      epoch,
      epochs: hp.epochs,
      batch,
      batches: of,
      fraction: Math.min(1, (epoch + batch / of) / hp.epochs),
    });
  // Extra processes pay only on the single-threaded WASM backend, and only for real datasets.
  const extra =
    // Replicas build their model from its architecture's name, which an imported model does not have.
    tf.getBackend() === 'wasm' && n >= (input.minImagesForReplicas ?? 2000) && !isImportedArchitecture(hp.architecture)
      ? Math.max(0, (input.replicas ?? 1) - 1)
      : 0;
  // Before the replicas start, so that a teacher that fails to load leaves no thread behind.
  const targets =
    hp.distillFrom.length && savedTargets?.length === n * k
      ? savedTargets
      : await distillationTargets(input, report, tf.getBackend() === 'wasm' ? extra + 1 : 1);
  const pool = extra
    ? await ReplicaPool.start(extra, { hyperparameters: hp, numClasses: k, classWeights, backend: 'wasm' })
    : null;
  const grads = arraysFor(vars.map((v) => v.size));
  const ctx: EpochContext = { input, model, vars, optimizer, classWeights, pool, grads, targets, report };
  /** A split's class probabilities, on every core when there are replicas. */
  const predictSplit = (split: LabeledImages) =>
    pool ? pool.predict(model, split) : Promise.resolve(predictProbabilities(model, split, hp.preprocessing));
  let stoppedEarly = input.resumeFrom !== undefined && input.stoppedAtCheckpoint === true;
  let restoreRandom = () => {};
  try {
    try {
      for (let epoch = state.nextEpoch; epoch < hp.epochs && !stoppedEarly; epoch++) {
        const started = Date.now();
        const lr = learningRateAt(hp, epoch, state.plateau.reductions);
        setLearningRate(optimizer, lr);
        restoreRandom();
        restoreRandom = seedMathRandom(`${hp.seed}:epoch:${epoch}:replica:0`);
        const pass = await trainOneEpoch(ctx, epoch);

        let valLoss: number | null = null,
          valAccuracy: number | null = null;
        if (validation && validation.labels.length) {
          report('evaluating', epoch, batches);
          const probs = await predictSplit(validation);
          const pred = argmaxRows(probs, k);
          valLoss = meanCrossEntropy(probs, validation.labels, k);
          valAccuracy = accuracy(validation.labels, pred);
        }
        const metric: EpochMetricData = {
          epoch,
          loss: pass.lossSum / n,
          accuracy: pass.correct / n,
          valLoss,
          valAccuracy,
          learningRate: lr,
          durationMs: Date.now() - started,
        };
        state.history = [...state.history.filter((h) => h.epoch < epoch), metric];
        if (hp.averageLastEpochs > 0 && epoch >= hp.epochs - hp.averageLastEpochs)
          average = addToAverage(average, model.getWeights());
        const score = valAccuracy ?? metric.accuracy;
        if (!state.best || score > state.best.valAccuracy) {
          state.best = { epoch, valAccuracy: score, valLoss: valLoss ?? metric.loss };
          state.epochsWithoutImprovement = 0;
        } else {
          state.epochsWithoutImprovement += 1;
        }
        const monitored = valLoss ?? metric.loss;
        if (monitored < state.plateau.bestLoss) state.plateau = { ...state.plateau, bestLoss: monitored, wait: 0 };
        else if (++state.plateau.wait >= PLATEAU_PATIENCE)
          state.plateau = { ...state.plateau, reductions: state.plateau.reductions + 1, wait: 0 };
        state.nextEpoch = epoch + 1;
        stoppedEarly =
          hp.earlyStoppingPatience > 0 &&
          state.epochsWithoutImprovement >= hp.earlyStoppingPatience &&
          epoch + 1 < hp.epochs;
        if (input.onEpochEnd) {
          report('saving', epoch + 1, 0);
          // 'stop' (a sweep's early termination) ends the run here, as early stopping would.
          const answer = await input.onEpochEnd(
            metric,
            await encodeCheckpoint(model, optimizer, state, average, targets),
          );
          if (answer === 'stop') stoppedEarly = true;
        }
      }
    } finally {
      restoreRandom();
    }
    optimizer.dispose();
    const lastAccuracy = state.history.at(-1)?.valAccuracy ?? null;
    const finished = await finishWeights(model, average, input, lastAccuracy, report, predictSplit);
    if (average) tf.dispose(average.weights);
    return { model, history: state.history, best: state.best, stoppedEarly, ...finished, preprocessing };
  } finally {
    pool?.close();
  }
}
