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
 * Largest downscale done by averaging. Each output pixel averages up to this many source pixels a
 * side; past it the crop is sampled at this density (8x covers faces up to 384 px for 48 px input).
 */
const MAX_AREA_FACTOR = 8;

const LUMA = [0.299, 0.587, 0.114];

/** ITU-R 601 luma of RGB pixels, as a 1x1 convolution: WASM's broadcasting multiply took 6 ms a face. */
function luma(rgb: tf.Tensor4D): tf.Tensor4D {
  return tf.conv2d(rgb, tf.tensor4d(LUMA, [1, 1, 3, 1]), 1, 'valid');
}

/**
 * The weights [size, n] that sample a line of n pixels bilinearly at size * k evenly spaced points
 * from `from` to `to` (pixel coordinates, as cropAndResize places them) and average each run of k:
 * one axis of an area-averaged crop. A point outside the line weighs nothing (cropAndResize's 0).
 */
function areaWeights(from: number, to: number, n: number, size: number, k: number): tf.Tensor2D {
  const m = size * k;
  const weights = new Float32Array(size * n);
  for (let i = 0; i < m; i++) {
    const p = m > 1 ? from + (i * (to - from)) / (m - 1) : (from + to) / 2;
    if (p < 0 || p > n - 1) continue;
    const p0 = Math.floor(p),
      p1 = Math.min(n - 1, p0 + 1),
      f = p - p0;
    const row = Math.floor(i / k) * n;
    weights[row + p0]! += (1 - f) / k;
    weights[row + p1]! += f / k;
  }
  return tf.tensor2d(weights, [size, n]);
}

/**
 * One face averaged over its area: sampled bilinearly at k times the output size (k = box side /
 * size, rounded, at most 8), then mean-pooled k x k, as OpenCV's INTER_AREA does for whole factors.
 * Sampling and pooling are linear and act on rows and columns separately, so the crop is two small
 * matrix products, rows x luma x columns, over the frame's region around the box: the same numbers
 * as cropAndResize at k x size followed by avgPool, which cost 5-6 ms a 290 px face on one core (a
 * third of a prediction request) against well under 1 ms here.
 */
function areaCrop(image: tf.Tensor4D, b: Box, size: number): tf.Tensor4D {
  const [, h, w, channels] = image.shape;
  const k = Math.min(MAX_AREA_FACTOR, Math.max(1, Math.round(b.width / size)));
  // The frame's pixels the samples can reach: the box and a pixel around it, inside the frame.
  const top = Math.min(h - 1, Math.max(0, Math.floor(b.y) - 1)),
    left = Math.min(w - 1, Math.max(0, Math.floor(b.x) - 1));
  const bottom = Math.max(top + 1, Math.min(h, Math.ceil(b.y + b.height) + 2)),
    right = Math.max(left + 1, Math.min(w, Math.ceil(b.x + b.width) + 2));
  const region = image.slice([0, top, left, 0], [1, bottom - top, right - left, channels]);
  const gray = (channels === 1 ? region : luma(region)).reshape([bottom - top, right - left]) as tf.Tensor2D;
  const rows = areaWeights(b.y - top, b.y + b.height - top, bottom - top, size, k);
  const cols = areaWeights(b.x - left, b.x + b.width - left, right - left, size, k);
  return tf.matMul(tf.matMul(rows, gray), cols, false, true).reshape([1, size, size, 1]);
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
    const gray = crops.map((c) => (c.shape[3] === 1 ? c : luma(c)));
    return gray.length === 1 ? gray[0]! : tf.concat(gray, 0);
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
  /** Also each crop's mirror image, after all the crops (for flip test-time augmentation). */
  withMirrors = false,
): tf.Tensor {
  return tf.tidy(() => {
    const x = normalizeImages(faceCrops(image, boxes, p.imageSize, margin, sampling), p);
    // Width is axis 2 of the NHWC crops.
    return toModelLayout(withMirrors ? tf.concat([x, tf.reverse(x, 2)]) : x, p);
  });
}
