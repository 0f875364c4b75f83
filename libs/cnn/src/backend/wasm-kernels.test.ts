import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  concatCases,
  concatenated,
  onBackend,
  relError,
  sliceCases,
  sliced,
  testPoolGradientAndReductions,
} from './kernel-test-cases';
import { selectBackend } from './select-backend';

// These are the kernels used where the native ones are not built; keep them under test here too.
const nativeSetting = process.env.MOODLAB_NATIVE_KERNELS;
process.env.MOODLAB_NATIVE_KERNELS = '0';
afterAll(() => {
  if (nativeSetting === undefined) delete process.env.MOODLAB_NATIVE_KERNELS;
  else process.env.MOODLAB_NATIVE_KERNELS = nativeSetting;
});

const convCases = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 12, 12, 5], f: [5, 5, 5, 6], stride: 1, pad: 'same' },
  { x: [2, 10, 10, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { x: [1, 8, 7, 2], f: [2, 3, 2, 5], stride: 3, pad: 'valid' },
  { x: [3, 11, 11, 2], f: [4, 4, 2, 5], stride: 2, pad: 'same' },
  { x: [4, 16, 16, 1], f: [1, 1, 1, 8], stride: 1, pad: 'valid' },
] as const;

describe('WASM training kernels', () => {
  beforeAll(async () => {
    expect((await selectBackend({ prefer: 'wasm' })).kernels).toMatch(/^convolutions on XNNPACK/);
  });

  for (const c of convCases) {
    it(`conv2d gradients match the reference for x=${c.x} filter=${c.f} stride=${c.stride} ${c.pad}`, async () => {
      const grads = async () => {
        const x = tf.randomNormal([...c.x], 0, 1, 'float32', 11);
        const w = tf.randomNormal([...c.f], 0, 1, 'float32', 12);
        const up = tf.randomNormal(
          tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad).shape,
          0,
          1,
          'float32',
          13,
        );
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad)
            .mul(up)
            .sum(),
        );
        const [dx, dw] = g([x, w]);
        const out = [await dx!.data(), await dw!.data()];
        tf.dispose([x, w, up, dx!, dw!]);
        return out;
      };
      const reference = await onBackend('cpu', grads);
      const ours = await onBackend('wasm', grads);
      expect(relError(ours[0]!, reference[0]!)).toBeLessThan(1e-4);
      expect(relError(ours[1]!, reference[1]!)).toBeLessThan(1e-4);
    });
  }

  testPoolGradientAndReductions();

  const depthwiseCases = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 1], stride: 1, pad: 'same' },
    { x: [2, 10, 10, 4], f: [3, 3, 4, 2], stride: 2, pad: 'same' },
    { x: [1, 8, 7, 2], f: [2, 3, 2, 3], stride: 2, pad: 'valid' },
  ] as const;
  for (const c of depthwiseCases) {
    it(`depthwise conv gradients (which the stock backend lacks) match the reference for x=${c.x} filter=${c.f} stride=${c.stride} ${c.pad}`, async () => {
      const grads = async () => {
        const x = tf.randomNormal([...c.x], 0, 1, 'float32', 21);
        const w = tf.randomNormal([...c.f], 0, 1, 'float32', 22);
        const conv = (a: tf.Tensor, b: tf.Tensor) =>
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
        const up = tf.randomNormal(conv(x, w).shape, 0, 1, 'float32', 23);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a, b).mul(up).sum())([x, w]);
        const out = [await dx!.data(), await dw!.data()];
        tf.dispose([x, w, up, dx!, dw!]);
        return out;
      };
      const reference = await onBackend('cpu', grads);
      const ours = await onBackend('wasm', grads);
      expect(relError(ours[0]!, reference[0]!)).toBeLessThan(1e-4);
      expect(relError(ours[1]!, reference[1]!)).toBeLessThan(1e-4);
    });
  }

  for (const c of concatCases) {
    it(`concat matches the reference for ${c.dtype} ${JSON.stringify(c.shapes)} on axis ${c.axis}`, async () => {
      expect(await onBackend('wasm', () => concatenated(c))).toEqual(await onBackend('cpu', () => concatenated(c)));
    });
  }

  for (const c of sliceCases) {
    it(`slice matches the reference for ${c.dtype} ${JSON.stringify(c.shape)} from ${JSON.stringify(c.begin)} size ${JSON.stringify(c.size)}`, async () => {
      expect(await onBackend('wasm', () => sliced(c))).toEqual(await onBackend('cpu', () => sliced(c)));
    });
  }

  it('identity and same-dtype cast share the buffer safely; cast to bool tests the values', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([0, 1.5, -2, 0]);
    const copy = x.clone(),
      same = x.cast('float32');
    x.dispose();
    expect(Array.from(await copy.data())).toEqual([0, 1.5, -2, 0]);
    expect(Array.from(await same.data())).toEqual([0, 1.5, -2, 0]);
    const asBool = copy.cast('bool'),
      asInt = copy.cast('int32');
    expect(Array.from(await asBool.data())).toEqual([0, 1, 1, 0]);
    expect(Array.from(await asInt.data())).toEqual([0, 1, -2, 0]);
    tf.dispose([copy, same, asBool, asInt]);
  });

  it('mean gradient spreads the upstream gradient evenly over the reduced axes', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 9);
    const w = tf.tensor1d([1, -2, 3, 0.5]);
    const dx = tf.grad((a: tf.Tensor) => a.mean([0, 1, 2]).mul(w).sum())(x);
    const expected = tf.tidy(() =>
      w
        .div(18)
        .reshape([1, 1, 1, 4])
        .mul(tf.ones([2, 3, 3, 4])),
    );
    expect(relError(await dx.data(), await expected.data())).toBeLessThan(1e-6);
    const keep = tf.grad((a: tf.Tensor) => a.mean(-1, true).sum())(x);
    expect(Array.from(await keep.data()).every((v) => Math.abs(v - 0.25) < 1e-7)).toBe(true);
    tf.dispose([x, w, dx, expected, keep]);
  });

  it('batch-norm gradient (broadcasting) matches batch norm written with elementwise ops', async () => {
    const x = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 5);
    const scale = tf.randomNormal([3], 1, 0.2, 'float32', 6);
    const offset = tf.randomNormal([3], 0, 1, 'float32', 7);
    const weights = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 8);
    const loss =
      (normalize: (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.Tensor) =>
      (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return normalize(a, mean, variance, s, o).mul(weights).sum();
      };
    // The reference never touches the FusedBatchNorm kernel whose gradient we replaced.
    const reference = tf.grads(
      loss((a, m, v, s, o) =>
        a
          .sub(m)
          .mul(tf.rsqrt(v.add(1e-3)))
          .mul(s)
          .add(o),
      ),
    )([x, scale, offset]);
    const ours = tf.grads(loss((a, m, v, s, o) => tf.batchNorm(a, m, v, o, s, 1e-3)))([x, scale, offset]);
    for (let i = 0; i < 3; i++) expect(relError(await ours[i]!.data(), await reference[i]!.data())).toBeLessThan(1e-4);
    tf.dispose([x, scale, offset, weights, ...reference, ...ours]);
  });

  it('leaves no tensors behind', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([2, 8, 8, 3]);
    const w = tf.randomNormal([3, 3, 3, 4]);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').sum(),
    )([x, w]);
    tf.dispose([x, w, dx!, dw!]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
