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
 * Largest downscale done by averaging. Each output pixel averages up to this many source pixels a
 * side; past it the crop is sampled at this density (8x covers faces up to 384 px for 48 px input).
 */
const MAX_AREA_FACTOR = 8;

/** How a crop is scaled down: averaged over its area (what the pipeline does), or bilinear samples only (for comparison). */
export type CropSampling = 'area' | 'bilinear';

/**
 * Each face as the model sees it before its normalisation: a square crop resized to `size`, ITU-R
 * 601 luma, values 0..255. A face larger than `size` is averaged over its area (sampled at k times
 * the output size, then k x k mean-pooled, as OpenCV's INTER_AREA does for whole factors): bilinear
 * sampling alone reads 4 source pixels an output pixel and skips the rest, so a webcam's sensor
 * noise and fine texture alias into the crop at full strength, where the training faces are smooth
 * 48 px images. The demo shows these; facesToModelInput normalises them.
 */
export function faceCrops(
  image: tf.Tensor3D,
  boxes: Box[],
  size: number,
  margin = 1.0,
  sampling: CropSampling = 'area',
): tf.Tensor4D {
  return tf.tidy(() => {
    if (!boxes.length) return tf.zeros([0, size, size, 1]);
    const [h, w] = image.shape;
    const batch = image.toFloat().expandDims(0) as tf.Tensor4D;
    const crops = boxes
      .map((b) => squareBox(b, margin))
      .map((b) => {
        const k = sampling === 'area' ? Math.min(MAX_AREA_FACTOR, Math.max(1, Math.round(b.width / size))) : 1;
        const norm = [b.y / (h - 1), b.x / (w - 1), (b.y + b.height) / (h - 1), (b.x + b.width) / (w - 1)];
        const sampled = tf.image.cropAndResize(batch, [norm], [0], [size * k, size * k], 'bilinear');
        return k > 1 ? tf.avgPool(sampled, k, k, 'valid') : sampled;
      });
    const rgb = crops.length === 1 ? crops[0]! : tf.concat(crops, 0);
    return rgb.shape[3] === 1 ? rgb : (rgb.mul(tf.tensor1d([0.299, 0.587, 0.114])).sum(3, true) as tf.Tensor4D);
  });
}

/**
 * Crops faces from an RGB (or gray) image with values 0..255 into the model's input: the crops
 * above, then the model's normalisation. The browser demo and the server API both call this, so
 * they feed the model the same numbers.
 */
export function facesToModelInput(
  image: tf.Tensor3D,
  boxes: Box[],
  p: ModelPreprocessing,
  margin = 1.0,
  sampling: CropSampling = 'area',
): tf.Tensor {
  return tf.tidy(() => toModelLayout(normalizeImages(faceCrops(image, boxes, p.imageSize, margin, sampling), p), p));
}
