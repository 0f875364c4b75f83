import * as tf from '@tensorflow/tfjs';
import type { ModelPreprocessing, Preprocessing } from '@moodlab/shared';

/**
 * uint8 grayscale pixels (N x sourceSize x sourceSize) to the model's input: resized to its image
 * size when the two differ (a 64 px Keras model evaluated on 48 px FER2013), normalised, then laid
 * out as the model takes it (see toModelLayout). Training, evaluation, the server API and the
 * browser demo all call this one function.
 */
export function toModelInput(
  pixels: Uint8Array | Float32Array,
  count: number,
  p: ModelPreprocessing,
  sourceSize = p.imageSize,
): tf.Tensor {
  return tf.tidy(() => toModelLayout(toModelImages(pixels, count, p, sourceSize), p));
}

/** Like toModelInput, but stops before the layout: N x size x size x 1, for flips and crops. */
export function toModelImages(
  pixels: Uint8Array | Float32Array,
  count: number,
  p: Preprocessing,
  sourceSize = p.imageSize,
): tf.Tensor4D {
  return tf.tidy(() => {
    let x = tf.tensor4d(pixels instanceof Float32Array ? pixels : Float32Array.from(pixels), [
      count,
      sourceSize,
      sourceSize,
      1,
    ]);
    // Bilinear with half-pixel centres, as Keras' and OpenCV's resize, so imported models see what they were trained on.
    if (sourceSize !== p.imageSize) x = tf.image.resizeBilinear(x, [p.imageSize, p.imageSize], false, true);
    return normalizeImages(x, p);
  });
}

/** Grayscale images with values 0..255 (N x size x size x 1) to the model's normalisation. */
export function normalizeImages(x: tf.Tensor4D, p: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const scaled = x.div(255);
    if (p.normalization === 'scale01') return scaled as tf.Tensor4D;
    if (p.normalization === 'scale11') return scaled.mul(2).sub(1) as tf.Tensor4D;
    const { mean, variance } = tf.moments(scaled, [1, 2, 3], true);
    return scaled.sub(mean).div(variance.sqrt().add(1e-6)) as tf.Tensor4D;
  });
}

/** Normalised N x size x size x 1 images to the tensor the model takes: 3 channels or a flat vector if it says so. */
export function toModelLayout(x: tf.Tensor4D, p: ModelPreprocessing): tf.Tensor {
  if ((p.channels ?? 1) === 1 && !p.flatten) return x;
  return tf.tidy(() => {
    const shaped = p.channels === 3 ? tf.tile(x, [1, 1, 1, 3]) : x;
    return p.flatten ? shaped.reshape([x.shape[0], -1]) : shaped;
  });
}
