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

/** How a crop is scaled down: averaged over its area (what the pipeline does), or bilinear samples only (for comparison). */
export type CropSampling = 'area' | 'bilinear';

/**
 * One face averaged over its area: the square cut out of the image (zeros where it leaves the
 * image, as cropAndResize extrapolates), mean-pooled by the whole factor k = side / size, then
 * bilinear over the remaining factor (between 1 and 1 + 1/k). Cutting and pooling cost a few reads
 * a source pixel; a bilinear crop sampled at k times the output size, the earlier way to average,
 * cost 5-6 ms a 290 px face on one core (a third of a prediction request).
 */
function areaCrop(batch: tf.Tensor4D, b: Box, size: number): tf.Tensor4D {
  const [, h, w] = batch.shape;
  const whole = Math.max(1, Math.round(b.width));
  const k = Math.max(1, Math.floor(whole / size));
  // The largest multiple of k inside the box, centred on it, so that pooling drops no edge.
  const side = k * Math.max(1, Math.floor(whole / k));
  const x0 = Math.round(b.x + (b.width - side) / 2),
    y0 = Math.round(b.y + (b.height - side) / 2);
  const top = Math.min(h, Math.max(0, y0)),
    left = Math.min(w, Math.max(0, x0));
  const bottom = Math.max(top, Math.min(h, y0 + side)),
    right = Math.max(left, Math.min(w, x0 + side));
  const inside =
    bottom > top && right > left
      ? batch.slice([0, top, left, 0], [1, bottom - top, right - left, -1])
      : tf.zeros([1, 0, 0, batch.shape[3]]);
  const square = tf.pad(inside, [
    [0, 0],
    [top - y0, y0 + side - bottom],
    [left - x0, x0 + side - right],
    [0, 0],
  ]) as tf.Tensor4D;
  const pooled = k > 1 ? tf.avgPool(square, k, k, 'valid') : square;
  return tf.image.resizeBilinear(pooled, [size, size], false, true);
}

/**
 * Each face as the model sees it before its normalisation: a square crop resized to `size`, ITU-R
 * 601 luma, values 0..255. A face larger than `size` is averaged over its area (areaCrop, as
 * OpenCV's INTER_AREA does): bilinear sampling alone reads 4 source pixels an output pixel and
 * skips the rest, so a webcam's sensor noise and fine texture alias into the crop at full
 * strength, where the training faces are smooth 48 px images. The demo shows these;
 * facesToModelInput normalises them.
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
        if (sampling === 'area') return areaCrop(batch, b, size);
        const norm = [b.y / (h - 1), b.x / (w - 1), (b.y + b.height) / (h - 1), (b.x + b.width) / (w - 1)];
        return tf.image.cropAndResize(batch, [norm], [0], [size, size], 'bilinear');
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
