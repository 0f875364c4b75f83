import * as tf from '@tensorflow/tfjs';
import type { ModelPreprocessing } from '@moodlab/shared';
import type { LabeledImages } from '../datasets/labeled-images';
import { createRng, shuffledIndices } from '../datasets/random';
import { toModelInput } from '../inference/preprocess';

/**
 * "Precise BatchNorm": replaces every BatchNormalization layer's moving mean and variance with
 * the exact statistics of its input over training images, as the trained network sees them at
 * inference (no augmentation, dropout off, earlier layers already recalibrated).
 *
 * Why: the moving averages are an exponential average over the last few hundred augmented
 * images, taken while the weights still moved; after weight averaging they belong to no weights
 * at all. On the shipped FER2013 model this alone took validation accuracy from 65.7% to 66.6%.
 */
export interface RecalibrateOptions {
  /** A seeded random subset of this many images (all of them when the split is smaller). */
  images: number;
  seed: number;
  batchSize?: number;
  /** After each BatchNorm layer: how many are done of how many. */
  onLayer?: (done: number, total: number) => void;
}

export function isBatchNorm(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'BatchNormalization';
}

export function hasBatchNorm(model: tf.LayersModel): boolean {
  return model.layers.some(isBatchNorm);
}

function subsetOf(split: LabeledImages, count: number, seed: number): Uint8Array {
  const n = split.labels.length,
    px = split.size * split.size;
  if (count >= n) return split.images;
  // A random subset: stored splits are ordered by class, so their first images are one class.
  const order = shuffledIndices(n, createRng(`${seed}:batchnorm`));
  const out = new Uint8Array(count * px);
  for (let i = 0; i < count; i++) out.set(split.images.subarray(order[i]! * px, (order[i]! + 1) * px), i * px);
  return out;
}

/** Per-channel mean and (biased) variance of a layer's input, merged batch by batch in float64. */
function inputMoments(
  upTo: tf.LayersModel,
  pixels: Uint8Array,
  count: number,
  p: ModelPreprocessing,
  size: number,
  batchSize: number,
): { mean: Float64Array; variance: Float64Array } {
  const px = size * size;
  let mean: Float64Array | null = null,
    m2: Float64Array | null = null,
    seen = 0;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const [bMean, bVar, rows] = tf.tidy(() => {
      const y = upTo.predict(toModelInput(pixels.subarray(start * px, (start + n) * px), n, p, size)) as tf.Tensor;
      const flat = y.reshape([-1, y.shape.at(-1)!]);
      const m = tf.moments(flat, 0);
      return [m.mean.dataSync(), m.variance.dataSync(), flat.shape[0]] as const;
    });
    if (!mean || !m2) {
      mean = Float64Array.from(bMean);
      m2 = Float64Array.from(bVar, (v) => v * rows);
    } else {
      // Chan et al.'s pairwise update: exact, and stable where sums of squares are not.
      const total = seen + rows;
      for (let c = 0; c < mean.length; c++) {
        const delta = bMean[c]! - mean[c]!;
        mean[c]! += (delta * rows) / total;
        m2[c]! += bVar[c]! * rows + (delta * delta * seen * rows) / total;
      }
    }
    seen += rows;
  }
  if (!mean || !m2) throw new Error('no images to recalibrate BatchNorm with');
  return { mean, variance: m2.map((v) => v / seen) };
}

function movingStatistic(layer: tf.layers.Layer, suffix: string): tf.LayerVariable {
  const v = layer.weights.find((w) => w.originalName.endsWith(suffix));
  if (!v) throw new Error(`${layer.name} has no ${suffix}`);
  return v;
}

/** Recalibrates the model in place; returns how many images were used. */
export function recalibrateBatchNorm(
  model: tf.LayersModel,
  split: LabeledImages,
  p: ModelPreprocessing,
  opts: RecalibrateOptions,
): number {
  const count = Math.min(opts.images, split.labels.length);
  const pixels = subsetOf(split, count, opts.seed);
  // In topological order, so that each layer sees inputs normalised by the new statistics above it.
  const layers = model.layers.filter(isBatchNorm);
  layers.forEach((layer, i) => {
    const upTo = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    const { mean, variance } = inputMoments(upTo, pixels, count, p, split.size, opts.batchSize ?? 256);
    for (const [suffix, values] of [
      ['moving_mean', mean],
      ['moving_variance', variance],
    ] as const) {
      const t = tf.tensor1d(Float32Array.from(values));
      movingStatistic(layer, suffix).write(t); // copies
      t.dispose();
    }
    opts.onLayer?.(i + 1, layers.length);
  });
  return count;
}
