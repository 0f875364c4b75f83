import * as tf from '@tensorflow/tfjs';
import type { ModelPreprocessing } from '@moodlab/shared';
import { normalizeImages, toModelLayout } from '@moodlab/cnn/inference';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * FER2013 faces are tight square crops from brows to chin; detectors return rectangles of other
 * proportions. Each box becomes a square around its centre, scaled by `margin`.
 */
export function squareBox(b: Box, margin: number): Box {
  const side = Math.max(b.width, b.height) * margin;
  return { x: b.x + b.width / 2 - side / 2, y: b.y + b.height / 2 - side / 2, width: side, height: side };
}

/**
 * Each face as the model sees it before its normalisation: a square crop bilinearly resized to
 * `size`, ITU-R 601 luma, values 0..255. The demo shows these; facesToModelInput normalises them.
 */
export function faceCrops(image: tf.Tensor3D, boxes: Box[], size: number, margin = 1.0): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w] = image.shape;
    const norm = boxes
      .map((b) => squareBox(b, margin))
      .map((b) => [b.y / (h - 1), b.x / (w - 1), (b.y + b.height) / (h - 1), (b.x + b.width) / (w - 1)]);
    const batch = image.toFloat().expandDims(0) as tf.Tensor4D;
    const crops = tf.image.cropAndResize(
      batch,
      norm,
      boxes.map(() => 0),
      [size, size],
      'bilinear',
    );
    return crops.shape[3] === 1 ? crops : (crops.mul(tf.tensor1d([0.299, 0.587, 0.114])).sum(3, true) as tf.Tensor4D);
  });
}

/**
 * Crops faces from an RGB (or gray) image with values 0..255 into the model's input: the crops
 * above, then the model's normalisation. The browser demo and the server API both call this, so
 * they feed the model the same numbers.
 */
export function facesToModelInput(image: tf.Tensor3D, boxes: Box[], p: ModelPreprocessing, margin = 1.0): tf.Tensor {
  return tf.tidy(() => toModelLayout(normalizeImages(faceCrops(image, boxes, p.imageSize, margin), p), p));
}
