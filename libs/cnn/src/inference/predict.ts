import * as tf from '@tensorflow/tfjs';
import type { ModelPreprocessing } from '@moodlab/shared';
import type { LabeledImages } from '../datasets/labeled-images';
import { toModelImages, toModelLayout } from './preprocess';

/** Class probabilities for every image of a split, in batches, as one N x K array. */
export function predictProbabilities(
  model: tf.LayersModel,
  split: LabeledImages,
  p: ModelPreprocessing,
  batchSize = 256,
  flipTta = false,
): Float32Array {
  const n = split.labels.length;
  const px = split.size * split.size;
  const k = (model.outputs[0]!.shape[1] as number) ?? 0;
  const out = new Float32Array(n * k);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const probs = tf.tidy(() => {
      const x = toModelImages(split.images.subarray(start * px, (start + count) * px), count, p, split.size);
      const y = model.predict(toModelLayout(x, p)) as tf.Tensor2D;
      if (!flipTta) return y;
      const yFlip = model.predict(toModelLayout(tf.reverse(x, 2), p)) as tf.Tensor2D;
      return y.add(yFlip).div(2);
    });
    out.set(probs.dataSync() as Float32Array, start * k);
    probs.dispose();
  }
  return out;
}

export function argmaxRows(probs: Float32Array, k: number): Uint8Array {
  const n = probs.length / k;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j]! > probs[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** Mean cross-entropy of the probabilities against the labels. */
export function meanCrossEntropy(probs: Float32Array, labels: Uint8Array, k: number): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum -= Math.log(Math.max(probs[i * k + labels[i]!]!, 1e-7));
  return labels.length ? sum / labels.length : 0;
}
