import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';

/**
 * Shared by the kernel tests: the WASM kernels and the native ones are checked against TF.js's
 * plain CPU backend on the same cases.
 */

/** Relative L2 error between two arrays. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

export async function onBackend<T>(name: 'cpu' | 'wasm', f: () => Promise<T>): Promise<T> {
  await tf.setBackend(name);
  return f();
}

export const poolCases = [
  { x: [2, 8, 8, 3], pool: 2, stride: 2, pad: 'valid' },
  { x: [2, 9, 7, 4], pool: 2, stride: 2, pad: 'valid' },
  { x: [1, 12, 12, 2], pool: 3, stride: 3, pad: 'valid' },
  { x: [2, 9, 9, 3], pool: 2, stride: 2, pad: 'same' },
  { x: [1, 7, 7, 2], pool: 3, stride: 2, pad: 'same' },
  // After ReLU many windows hold several equal maxima (all zeros): only the first may get the gradient.
  { x: [2, 8, 8, 16], pool: 2, stride: 2, pad: 'valid', ties: true },
  { x: [1, 7, 7, 4], pool: 3, stride: 2, pad: 'same', ties: true },
] as const;

/** The max-pool input gradient on the current backend. */
export async function maxPoolGradient(m: (typeof poolCases)[number]): Promise<Float32Array> {
  const normal = tf.randomNormal([...m.x], 0, 1, 'float32', 21);
  const x = 'ties' in m ? tf.tidy(() => normal.sub(0.5).relu().round()) : normal;
  const up = tf.randomNormal(tf.maxPool(x as tf.Tensor4D, m.pool, m.stride, m.pad).shape, 0, 1, 'float32', 22);
  const dx = tf.grad((a: tf.Tensor) =>
    tf
      .maxPool(a as tf.Tensor4D, m.pool, m.stride, m.pad)
      .mul(up)
      .sum(),
  )(x);
  const out = (await dx.data()) as Float32Array;
  tf.dispose([normal, x, up, dx]);
  return out;
}

export const reductionCases = [
  { shape: [4, 6, 6, 5], axis: [0, 1, 2], keepDims: false },
  { shape: [4, 6, 6, 5], axis: [0, 1, 2], keepDims: true },
  { shape: [7, 3], axis: 0, keepDims: false },
  { shape: [4, 6, 5], axis: [1, 2], keepDims: false },
  { shape: [4, 6, 5], axis: -1, keepDims: true },
];

/** Sum and mean on the current backend: their shapes and values. */
export async function sumAndMean(r: (typeof reductionCases)[number]) {
  const x = tf.randomNormal(r.shape, 0, 1, 'float32', 31);
  const s = x.sum(r.axis, r.keepDims),
    m = x.mean(r.axis, r.keepDims);
  const out = { shape: [s.shape, m.shape], data: [await s.data(), await m.data()] };
  tf.dispose([x, s, m]);
  return out;
}

export const concatCases = [
  {
    shapes: [
      [1, 5, 6, 1],
      [1, 5, 6, 1],
      [1, 5, 6, 1],
    ],
    axis: 3,
    dtype: 'float32',
  },
  {
    shapes: [
      [1, 5, 6, 3],
      [1, 5, 6, 70],
    ],
    axis: -1,
    dtype: 'float32',
  },
  {
    shapes: [
      [4, 3],
      [2, 3],
    ],
    axis: 0,
    dtype: 'int32',
  },
  {
    shapes: [
      [2, 3, 4],
      [2, 0, 4],
      [2, 5, 4],
    ],
    axis: 1,
    dtype: 'int32',
  },
  {
    shapes: [
      [2, 2],
      [2, 1],
    ],
    axis: 1,
    dtype: 'bool',
  },
] as const;

/** tf.concat of random tensors on the current backend: its shape and values. */
export async function concatenated(c: (typeof concatCases)[number]) {
  // (bool via a comparison: the WASM backend's float-to-bool Cast keeps the values.)
  const parts = c.shapes.map((s, i) =>
    tf.tidy(() => {
      const r = tf.randomUniform([...s], 0, 10, 'float32', 40 + i);
      return c.dtype === 'bool' ? r.greater(5) : r.cast(c.dtype);
    }),
  );
  const out = tf.concat(parts, c.axis);
  const result = { shape: out.shape, data: Array.from(await out.data()) };
  tf.dispose([...parts, out]);
  return result;
}

/** Slices of every rank the pipeline and training take: short and long runs, whole trailing axes, empty. */
export const sliceCases = [
  { shape: [1, 48, 64, 3], begin: [0, 5, 7, 0], size: [1, 20, 30, 3], dtype: 'float32' },
  { shape: [1, 48, 64, 3], begin: [0, 5, 7, 1], size: [1, 20, 30, 1], dtype: 'float32' },
  { shape: [2, 10, 100], begin: [1, 2, 0], size: [1, 8, 100], dtype: 'float32' },
  { shape: [2, 10, 100], begin: [0, 0, 10], size: [2, -1, 80], dtype: 'int32' },
  { shape: [30, 40], begin: [3, 4], size: [10, 20], dtype: 'bool' },
  { shape: [7], begin: [2], size: [4], dtype: 'int32' },
  { shape: [4, 5], begin: [1, 1], size: [0, 3], dtype: 'float32' },
] as const;

export async function sliced(c: (typeof sliceCases)[number]) {
  const x = tf.tidy(() => {
    const r = tf.randomUniform([...c.shape], 0, 10, 'float32', 50);
    return c.dtype === 'bool' ? r.greater(5) : r.cast(c.dtype);
  });
  const out = tf.slice(x, [...c.begin], [...c.size]);
  const result = { shape: out.shape, data: Array.from(await out.data()) };
  tf.dispose([x, out]);
  return result;
}

/** The max-pool-gradient and Sum/Mean cases, on the WASM backend against the CPU backend, as tests. */
export function testPoolGradientAndReductions(): void {
  for (const m of poolCases) {
    it(`max-pool gradient matches the reference for x=${m.x} pool=${m.pool} stride=${m.stride} ${m.pad}${'ties' in m ? ' with tied maxima' : ''}`, async () => {
      expect(
        relError(await onBackend('wasm', () => maxPoolGradient(m)), await onBackend('cpu', () => maxPoolGradient(m))),
      ).toBeLessThan(1e-4);
    });
  }

  for (const r of reductionCases) {
    it(`sum and mean match the reference for shape ${r.shape} axis ${r.axis} keepDims ${r.keepDims}`, async () => {
      const reference = await onBackend('cpu', () => sumAndMean(r));
      const ours = await onBackend('wasm', () => sumAndMean(r));
      expect(ours.shape).toEqual(reference.shape);
      ours.data.forEach((d, i) => expect(relError(d, reference.data[i]!)).toBeLessThan(1e-4));
    });
  }
}
