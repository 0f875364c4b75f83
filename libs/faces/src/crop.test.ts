import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { faceCrops } from './crop';

/** A 480x640 gray frame (3 channels) filled by f(x, y). */
function frame(f: (x: number, y: number) => number): tf.Tensor3D {
  const data = new Float32Array(480 * 640 * 3);
  for (let y = 0; y < 480; y++)
    for (let x = 0; x < 640; x++) data.fill(f(x, y), (y * 640 + x) * 3, (y * 640 + x) * 3 + 3);
  return tf.tensor3d(data, [480, 640, 3]);
}

const box = { x: 200, y: 100, width: 192, height: 192 };

describe('faceCrops', () => {
  it('averages a large face over its area: per-pixel noise is smoothed, not sampled', () => {
    // Uniform noise of standard deviation 73.6 around 127.5 (seeded): a webcam's grain, exaggerated.
    const noise = tf.randomUniform([480, 640], 0, 255, 'float32', 7).dataSync();
    const image = frame((x, y) => noise[y * 640 + x]!);
    const crop = faceCrops(image, [box], 48);
    const { mean, variance } = tf.moments(crop);
    // Averaging 4x4 pixels divides the deviation by 4 (18.4); bilinear sampling keeps about 40 of it.
    expect(Math.sqrt(variance.dataSync()[0]!)).toBeLessThan(25);
    expect(mean.dataSync()[0]!).toBeCloseTo(127.5, -1);
    tf.dispose([image, crop, mean, variance]);
  });

  it('keeps a smooth face where it is: a gradient crops to the same gradient', () => {
    const image = frame((x) => x / 2);
    const crop = faceCrops(image, [box], 48);
    const row = Array.from(crop.slice([0, 24, 0, 0], [1, 1, 48, 1]).dataSync());
    // Each output pixel averages 4 columns: its value is half the mean of their x.
    row.forEach((v, j) => expect(Math.abs(v - (200 + 4 * j + 1.5) / 2)).toBeLessThan(1));
    tf.dispose([image, crop]);
  });

  it('crops several faces of different sizes in the given order, and none from an empty list', () => {
    const image = frame((x) => (x < 320 ? 50 : 200));
    const crops = faceCrops(
      image,
      [
        { x: 400, y: 100, width: 150, height: 150 },
        { x: 100, y: 100, width: 48, height: 48 },
      ],
      48,
    );
    expect(crops.shape).toEqual([2, 48, 48, 1]);
    const [right, left] = tf.unstack(crops).map((c) => tf.mean(c).dataSync()[0]!);
    expect(right).toBeCloseTo(200, 3);
    expect(left).toBeCloseTo(50, 3);
    expect(faceCrops(image, [], 48).shape).toEqual([0, 48, 48, 1]);
    tf.dispose([image, crops]);
  });

  it('fills the part of a box outside the frame with zeros, and scales up a face smaller than the input', () => {
    const image = frame(() => 200);
    // 96 px square, its left half beyond the frame's left edge: each crop column covers 2 source columns.
    const edge = faceCrops(image, [{ x: -48, y: 100, width: 96, height: 96 }], 48);
    const row = Array.from(edge.slice([0, 24, 0, 0], [1, 1, 48, 1]).dataSync());
    row.slice(0, 23).forEach((v) => expect(v).toBeCloseTo(0, 3));
    row.slice(25).forEach((v) => expect(v).toBeCloseTo(200, 3));
    const small = faceCrops(image, [{ x: 300, y: 200, width: 24, height: 24 }], 48);
    expect(small.shape).toEqual([1, 48, 48, 1]);
    expect(tf.mean(small).dataSync()[0]!).toBeCloseTo(200, 3);
    tf.dispose([image, edge, small]);
  });
});
