import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '@moodlab/shared';

/**
 * uint8 grayscale pixels (N x size x size) to the model's float input (N x size x size x 1).
 * Training, evaluation, the server API and the browser demo all call this one function.
 */
export function toModelInput(pixels: Uint8Array | Float32Array, count: number, p: Preprocessing): tf.Tensor4D {
  return tf.tidy(() =>
    normalizeImages(
      tf.tensor4d(pixels instanceof Float32Array ? pixels : Float32Array.from(pixels), [
        count,
        p.imageSize,
        p.imageSize,
        1,
      ]),
      p,
    ),
  );
}

/** Grayscale images with values 0..255 (N x size x size x 1) to the model's normalisation. */
export function normalizeImages(x: tf.Tensor4D, p: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const scaled = x.div(255);
    if (p.normalization === 'scale01') return scaled as tf.Tensor4D;
    const { mean, variance } = tf.moments(scaled, [1, 2, 3], true);
    return scaled.sub(mean).div(variance.sqrt().add(1e-6)) as tf.Tensor4D;
  });
}
