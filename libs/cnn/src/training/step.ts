import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from '@moodlab/shared';
import { toModelInput } from '../inference/preprocess';
import { ArrayAdam } from './array-adam';
import { copyTensorInto } from './tensor-arrays';
import { registeredNativeKernels } from '../backend/native-kernels';

export interface StepGradients {
  /** Sum (not mean) of per-sample losses and the number of correct predictions. */
  lossSum: number;
  hits: number;
  count: number;
  /** Gradient of the mean loss, one array per trainable variable, in their order. */
  grads: Float32Array[];
}

/** One (part of a) batch, as a step reads it. */
export interface StepBatch {
  pixels: Float32Array;
  labels: Int32Array;
  /** The images' own size, when the model takes another (an imported 64 px model on 48 px faces). */
  size?: number;
  /** The teachers' softened probabilities for these images (batch x K), when distilling. */
  teacher?: Float32Array | null;
}

/** What the loss is made of: fixed for a run, shared by the coordinator and its replicas. */
export interface StepLoss {
  hp: Pick<
    Hyperparameters,
    'preprocessing' | 'weightDecay' | 'labelSmoothing' | 'distillWeight' | 'distillTemperature'
  >;
  numClasses: number;
  classWeights: Float32Array | null;
}

/**
 * Forward and backward pass of one (part of a) batch: weighted cross-entropy (blended with the
 * teachers' soft labels when distilling, scaled by T^2 so that their gradients keep the size of the
 * labels' at any temperature, after Hinton et al. 2015) plus L2 weight decay. Gradients come back
 * as plain arrays so that replicas can exchange and average them; `into` receives them instead of
 * fresh arrays (one per variable, kept between steps).
 */
export function computeGradients(
  model: tf.LayersModel,
  vars: tf.Variable[],
  { pixels, labels, size, teacher = null }: StepBatch,
  { hp, numClasses, classWeights }: StepLoss,
  into?: Float32Array[],
): StepGradients {
  const sourceSize = size ?? hp.preprocessing.imageSize;
  const count = labels.length;
  const out = tf.tidy(() => {
    const x = toModelInput(pixels, count, hp.preprocessing, sourceSize);
    const yIdx = tf.tensor1d(labels, 'int32');
    const y = tf.oneHot(yIdx, numClasses);
    const soft = teacher ? tf.tensor2d(teacher, [count, numClasses]) : null;
    const w = classWeights ? tf.tensor1d(Array.from(labels, (l) => classWeights[l]!)) : null;
    let hits: tf.Scalar = tf.scalar(0);
    let lossSum: tf.Scalar = tf.scalar(0);
    const { grads } = tf.variableGrads(() => {
      const probs = model.apply(x, { training: true }) as tf.Tensor2D;
      hits = tf.keep(probs.argMax(1).equal(yIdx).sum());
      const logProbs = tf.log(probs.clipByValue(1e-7, 1));
      const hard = tf.losses.softmaxCrossEntropy(y, logProbs, undefined, hp.labelSmoothing, tf.Reduction.NONE);
      const T = hp.distillTemperature;
      const perSample = soft
        ? hard
            .mul(1 - hp.distillWeight)
            .add(
              tf.losses
                .softmaxCrossEntropy(soft, logProbs.div(T), undefined, 0, tf.Reduction.NONE)
                .mul(hp.distillWeight * T * T),
            )
        : hard;
      const weighted = w ? perSample.mul(w) : perSample;
      lossSum = tf.keep(weighted.sum());
      const l2 =
        hp.weightDecay > 0
          ? tf.addN(vars.filter((v) => v.shape.length > 1).map((v) => v.square().sum())).mul(hp.weightDecay / 2)
          : tf.scalar(0);
      return weighted.mean().add(l2) as tf.Scalar;
    }, vars);
    return { hits, lossSum, grads: vars.map((v) => grads[v.name]!) };
  });
  const result: StepGradients = {
    lossSum: out.lossSum.dataSync()[0]!,
    hits: out.hits.dataSync()[0]!,
    count,
    grads: out.grads.map((g, i) => (into ? copyTensorInto(g, into[i]!) : (g.dataSync() as Float32Array))),
  };
  tf.dispose([out.hits, out.lossSum, ...out.grads]);
  return result;
}

/**
 * Count-weighted mean of gradients from several replicas, summed in replica order, so every
 * replica gets identical bits. Written over the first part's arrays: a fresh 3 MB of output per
 * step cost more in page faults than the arithmetic (4 against 13 ms for vgg-lite). On the native
 * kernels where they are loaded: the JavaScript loop took 4.5 ms of a 200 ms two-replica step,
 * serial while the replica waits (tools/bench/replica-step.ts).
 */
export function averageGradients(parts: StepGradients[]): Float32Array[] {
  const total = parts.reduce((n, p) => n + p.count, 0);
  const [first, ...rest] = parts as [StepGradients, ...StepGradients[]];
  const scaleAdd = registeredNativeKernels()?.scaleAdd.bind(null) ?? scaleAddJs;
  for (let v = 0; v < first.grads.length; v++) {
    const avg = first.grads[v]!;
    // The first part's weight goes in with the second part (a * dst + b * src), not in a pass of its own.
    rest.forEach((p, r) => scaleAdd(avg, p.grads[v]!, r === 0 ? first.count / total : 1, p.count / total));
    if (rest.length === 0) scaleAdd(avg, avg, first.count / total, 0);
  }
  return first.grads;
}

/** dst = a * dst + b * src, where the native kernels are not loaded. */
function scaleAddJs(dst: Float32Array, src: Float32Array, a: number, b: number): void {
  for (let i = 0; i < dst.length; i++) dst[i] = a * dst[i]! + b * src[i]!;
}

export function applyGradients(optimizer: tf.Optimizer, vars: tf.Variable[], grads: Float32Array[]): void {
  if (ArrayAdam.is(optimizer)) return optimizer.applyArrays(vars, grads);
  tf.tidy(() => {
    optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[i]!, v.shape) })));
  });
}
