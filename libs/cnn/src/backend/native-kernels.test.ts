import * as tf from '@tensorflow/tfjs';
import { loadNativeKernels } from '@moodlab/cnn-native';
import { beforeAll, describe, expect, it } from 'vitest';
import { onBackend, relError, testPoolGradientAndReductions } from './kernel-test-cases';
import { selectBackend } from './select-backend';
import { registeredNativeKernels, routesToNative, setConvRouting } from './native-kernels';
import { ArrayAdam } from '../training/array-adam';
import { hasBatchNormTrainingKernel } from './batchnorm-training';
import { EMOTIONS, hyperparametersSchema } from '@moodlab/shared';
import { BatchNormalization, batchNormalization } from '../training/models/batchnorm-layer';
import { getArchitecture } from '../training/models/registry';
import { loadModelFromArtifact, modelToArtifact } from '../inference/model-artifact';

const native = loadNativeKernels();
if (!native.kernels) console.warn(`skipping the native kernel tests: the addon is ${native.reason}`);

/** Shapes, strides, paddings and dilations; the last one spans several im2col chunks. */
const cases = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same', dilation: 1 },
  { x: [2, 12, 12, 5], f: [5, 5, 5, 6], stride: 1, pad: 'same', dilation: 1 },
  { x: [2, 10, 10, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same', dilation: 1 },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 2, pad: 'valid', dilation: 1 },
  { x: [1, 8, 7, 2], f: [2, 3, 2, 5], stride: 3, pad: 'valid', dilation: 1 },
  { x: [3, 11, 11, 2], f: [4, 4, 2, 5], stride: 2, pad: 'same', dilation: 1 },
  { x: [4, 16, 16, 1], f: [1, 1, 1, 8], stride: 1, pad: 'valid', dilation: 1 },
  { x: [2, 13, 13, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same', dilation: 2 },
  { x: [5, 48, 48, 32], f: [3, 3, 32, 8], stride: 1, pad: 'same', dilation: 1 },
] as const;

/**
 * oneDNN takes every case but 1x1 filters (a plain GEMM) and 'valid' windows that leave the last
 * input columns or rows unread (oneDNN would need a negative padding there).
 */
function dnnlTakes(c: (typeof cases)[number]): boolean {
  if (c.f[0] * c.f[1] === 1) return false;
  if (c.pad === 'same') return true;
  return ([1, 2] as const).every((axis) => {
    const span = (c.f[axis - 1]! - 1) * c.dilation + 1;
    const out = Math.ceil((c.x[axis]! - span + 1) / c.stride);
    return (out - 1) * c.stride + span === c.x[axis];
  });
}

describe.skipIf(!native.kernels)(
  'native training kernels (convolutions on oneDNN and OpenBLAS, max-pool gradient, column sums)',
  () => {
    beforeAll(async () => {
      expect((await selectBackend({ prefer: 'wasm' })).kernels).toMatch(/^convolutions on (oneDNN|OpenBLAS)$/);
      // Shallow forward convolutions normally stay on XNNPACK; here every case runs on the addon.
      setConvRouting('native');
      return () => setConvRouting('auto');
    });

    // Each case on both convolution libraries: oneDNN (where it loaded) and the im2col + OpenBLAS path.
    const libraries = native.kernels?.useDnnl(true) ? (['oneDNN', 'OpenBLAS'] as const) : (['OpenBLAS'] as const);
    for (const c of cases)
      for (const library of libraries)
        it(`conv2d, fused conv2d and both gradients on ${library} match the reference for x=${c.x} filter=${c.f} stride=${c.stride} ${c.pad} dilation=${c.dilation}`, async () => {
          expect(native.kernels!.useDnnl(library === 'oneDNN')).toBe(library === 'oneDNN');
          const run = async () => {
            const x = tf.randomNormal([...c.x], 0, 1, 'float32', 11) as tf.Tensor4D;
            const w = tf.randomNormal([...c.f], 0, 1, 'float32', 12) as tf.Tensor4D;
            const bias = tf.randomNormal([c.f[3]], 0, 1, 'float32', 14) as tf.Tensor1D;
            const y = tf.conv2d(x, w, c.stride, c.pad, 'NHWC', c.dilation);
            const fused = tf.fused.conv2d({
              x,
              filter: w,
              strides: c.stride,
              pad: c.pad,
              dilations: c.dilation,
              bias,
              activation: 'relu',
            });
            const out = [await y.data(), await fused.data()];
            if (c.dilation === 1) {
              // TF.js has no gradient for dilated convolutions.
              const up = tf.randomNormal(y.shape, 0, 1, 'float32', 13);
              const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
                tf
                  .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad)
                  .mul(up)
                  .sum(),
              )([x, w]);
              out.push(await dx!.data(), await dw!.data());
              tf.dispose([up, dx!, dw!]);
            }
            tf.dispose([x, w, bias, y, fused]);
            return out;
          };
          const reference = await onBackend('cpu', run);
          const before = native.kernels!.dnnlConvolutions();
          const ours = await onBackend('wasm', run);
          const onDnnl = native.kernels!.dnnlConvolutions() - before;
          native.kernels!.useDnnl(true);
          expect(onDnnl > 0).toBe(library === 'oneDNN' && dnnlTakes(c));
          expect(ours).toHaveLength(reference.length);
          ours.forEach((o, i) => expect(relError(o, reference[i]!)).toBeLessThan(1e-4));
        });

    testPoolGradientAndReductions();

    it("fuses leaky ReLU with its slope, as face-api's detector runs it", async () => {
      const run = async () => {
        const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
        const bias = tf.randomNormal([3], 0, 1, 'float32', 3) as tf.Tensor1D;
        const y = tf.fused.conv2d({
          x,
          filter: w,
          bias,
          strides: 1,
          pad: 'same',
          activation: 'leakyrelu',
          leakyreluAlpha: 0.1,
        });
        const data = await y.data();
        tf.dispose([x, w, bias, y]);
        return data;
      };
      const reference = await onBackend('cpu', run);
      expect(reference.some((v) => v < 0)).toBe(true);
      expect(relError(await onBackend('wasm', run), reference)).toBeLessThan(1e-4);
    });

    it('leaves cases it does not cover (PReLU fused activation) to the WASM kernel', async () => {
      const run = async () => {
        const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
        const slopes = tf.tensor1d([0.1, 0.2, 0.3]);
        const y = tf.fused.conv2d({
          x,
          filter: w,
          strides: 1,
          pad: 'same',
          activation: 'prelu',
          preluActivationWeights: slopes,
        });
        const data = await y.data();
        tf.dispose([x, w, slopes, y]);
        return data;
      };
      expect(relError(await onBackend('wasm', run), await onBackend('cpu', run))).toBeLessThan(1e-4);
    });

    it('keeps computing right past the per-thread cache of oneDNN geometries (a batch size per face count)', () => {
      const k = native.kernels!;
      const onDnnl = k.useDnnl(true);
      const before = k.dnnlConvolutions();
      const w = Float32Array.from({ length: 3 * 3 * 4 * 8 }, (_, i) => ((i * 7) % 11) / 11 - 0.5);
      for (let n = 1; n <= 60; n++) {
        const dims = Int32Array.from([n, 6, 6, 4, 3, 3, 8, 1, 1, 1, 1, 1, 1, 6, 6]);
        const x = Float32Array.from({ length: n * 6 * 6 * 4 }, (_, i) => ((i * 5) % 13) / 13);
        const ours = new Float32Array(n * 6 * 6 * 8),
          reference = new Float32Array(n * 6 * 6 * 8);
        k.conv2dForward(x, w, null, 0, dims, ours);
        k.useDnnl(false);
        k.conv2dForward(x, w, null, 0, dims, reference);
        k.useDnnl(true);
        expect(relError(ours, reference), `batch ${n}`).toBeLessThan(1e-5);
      }
      // 60 geometries, more than the cache keeps: each still ran on oneDNN where it loaded.
      expect(k.dnnlConvolutions() - before).toBe(onDnnl ? 60 : 0);
    });

    it('refuses arrays smaller than the dims say, instead of reading past them', () => {
      const dims = Int32Array.from([1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 4, 4]);
      expect(() =>
        native.kernels!.conv2dForward(new Float32Array(8), new Float32Array(9), null, 0, dims, new Float32Array(16)),
      ).toThrow(/x too small/);
      const c = new Float32Array(3);
      expect(() =>
        native.kernels!.batchNormForward(new Float32Array(11), 4, 3, c, c, 1e-3, new Float32Array(12), c, c),
      ).toThrow(/x too small/);
      expect(() =>
        native.kernels!.batchNormBackward(
          new Float32Array(12),
          new Float32Array(12),
          4,
          3,
          c,
          c,
          new Float32Array(2),
          1e-3,
          new Float32Array(12),
          c,
          c,
        ),
      ).toThrow(/scale too small/);
    });

    it('runs Adam on the addon as tf.train.adam does, and refuses short moment arrays', () => {
      const k = native.kernels!;
      const v = tf.variable(tf.randomNormal([4097], 0, 1, 'float32', 5), true, 'native-adam/w');
      const reference = tf.variable(v.clone(), true, 'native-adam/reference');
      const adam = new ArrayAdam(0.01);
      const tfAdam = tf.train.adam(0.01);
      for (let s = 0; s < 5; s++) {
        const g = Float32Array.from({ length: v.size }, (_, j) => Math.cos(s + j * 0.01));
        adam.applyArrays([v], [g]);
        tfAdam.applyGradients([{ name: reference.name, tensor: tf.tensor(g) }]);
      }
      // The addon took the step: ArrayAdam runs it wherever the kernels are registered.
      expect(registeredNativeKernels()).toBe(k);
      expect(relError(v.dataSync(), reference.dataSync())).toBeLessThan(1e-5);
      const four = new Float32Array(4);
      expect(() => k.adamUpdate(four, four, new Float32Array(3), four, four, new Float32Array(6))).toThrow(
        /m too small/,
      );
    });

    it('sums scaled arrays (gradient averaging) as a * dst + b * src', () => {
      const dst = Float32Array.of(1, 2, 3),
        src = Float32Array.of(10, 20, 30);
      native.kernels!.scaleAdd(dst, src, 0.5, 0.25);
      expect(Array.from(dst)).toEqual([3, 6, 9]);
      expect(() => native.kernels!.scaleAdd(new Float32Array(4), src, 1, 1)).toThrow(/src too small/);
    });

    // Every transpose combination (a dense layer's forward and both gradients), batched, a shared
    // operand each way, and a broadcast the addon leaves to the WASM kernel.
    const matMulCases = [
      { a: [64, 4608], b: [4608, 256], ta: false, tb: false },
      { a: [64, 256], b: [4608, 256], ta: false, tb: true },
      { a: [64, 4608], b: [64, 256], ta: true, tb: false },
      { a: [5, 7], b: [3, 5], ta: true, tb: true },
      { a: [3, 4, 5], b: [3, 5, 6], ta: false, tb: false },
      { a: [1, 4, 5], b: [3, 5, 6], ta: false, tb: false },
      { a: [2, 3, 4, 5], b: [5, 6], ta: false, tb: false },
      { a: [2, 1, 4, 5], b: [3, 5, 6], ta: false, tb: false },
    ] as const;
    for (const c of matMulCases) {
      it(`batched matrix product matches the reference for a=${c.a} b=${c.b} transposeA=${c.ta} transposeB=${c.tb}`, async () => {
        const run = async () => {
          const a = tf.randomNormal([...c.a], 0, 1, 'float32', 51);
          const b = tf.randomNormal([...c.b], 0, 1, 'float32', 52);
          const y = tf.matMul(a, b, c.ta, c.tb);
          const out = { shape: y.shape, data: await y.data() };
          tf.dispose([a, b, y]);
          return out;
        };
        const reference = await onBackend('cpu', run);
        const ours = await onBackend('wasm', run);
        expect(ours.shape).toEqual(reference.shape);
        expect(relError(ours.data, reference.data)).toBeLessThan(1e-4);
      });
    }

    it('models loaded from a stored artifact (checkpoints, --init-from) get the BatchNorm layer with the fused training path', async () => {
      const model = getArchitecture('vgg-lite').build({ imageSize: 48, numClasses: 7, seed: 1 });
      const artifact = await modelToArtifact(model, {
        classNames: [...EMOTIONS],
        preprocessing: hyperparametersSchema.parse({}).preprocessing,
        architecture: 'vgg-lite',
      });
      const { model: loaded } = await loadModelFromArtifact(artifact.meta, artifact.data);
      const layers = loaded.layers.filter((l) => l.getClassName() === 'BatchNormalization');
      expect(layers).toHaveLength(7);
      expect(layers.every((l) => l instanceof BatchNormalization)).toBe(true);
      tf.dispose([model, loaded].flatMap((m) => m.weights.map((w) => w.read())));
    });

    // Rank 4 after a convolution, rank 2 after a dense layer (seed-cnn), a mean far from zero
    // (the one-pass variance), and a vgg-lite-sized activation.
    const batchNormCases = [
      { shape: [4, 6, 6, 5], mean: 0, std: 1 },
      { shape: [9, 7], mean: 0, std: 1 },
      { shape: [3, 5, 5, 4], mean: 40, std: 0.5 },
      { shape: [16, 24, 24, 64], mean: 0.5, std: 2 },
    ];
    for (const c of batchNormCases) {
      it(`BatchNorm in training (the fused kernel pair) matches TF.js's composite for x=${c.shape} ~ N(${c.mean}, ${c.std}): output, gradients, moving statistics`, async () => {
        const run = async () => {
          const channels = c.shape.at(-1)!;
          const layer = batchNormalization({ momentum: 0.9 });
          layer.build(c.shape);
          tf.tidy(() =>
            layer.setWeights([
              tf.randomNormal([channels], 1, 0.3, 'float32', 41),
              tf.randomNormal([channels], 0, 0.3, 'float32', 42),
              tf.zeros([channels]),
              tf.ones([channels]),
            ]),
          );
          const x = tf.randomNormal(c.shape, c.mean, c.std, 'float32', 43);
          const up = tf.randomNormal(c.shape, 0, 1, 'float32', 44);
          const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
          const loss = () => (layer.apply(x, { training: true }) as tf.Tensor).mul(up).sum() as tf.Scalar;
          const y = tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
          const dx = tf.grad((a: tf.Tensor) => (layer.apply(a, { training: true }) as tf.Tensor).mul(up).sum())(x);
          const { value, grads } = tf.variableGrads(loss, [gamma!, beta!]);
          const out = [
            await y.data(),
            await dx.data(),
            await grads[gamma!.name]!.data(),
            await grads[beta!.name]!.data(),
            ...(await Promise.all(
              layer
                .getWeights()
                .slice(2)
                .map((w) => w.data()),
            )),
          ];
          tf.dispose([x, up, y, dx, value, ...Object.values(grads)]);
          layer.weights.forEach((w) => w.dispose());
          return out;
        };
        const reference = await onBackend('cpu', run);
        await tf.setBackend('wasm');
        expect(hasBatchNormTrainingKernel()).toBe(true);
        const before = tf.memory().numTensors;
        const ours = await run();
        expect(tf.memory().numTensors).toBe(before);
        ours.forEach((o, i) => expect(relError(o, reference[i]!), `output ${i}`).toBeLessThan(1e-4));
      });
    }
  },
);

describe('forward convolution routing between the addon and XNNPACK', () => {
  it('without oneDNN, keeps shallow im2col convolutions with XNNPACK-fused activations on XNNPACK, sends the rest to the addon', () => {
    expect(routesToNative([3, 3, 3, 16], [1, 1], 'relu', false)).toBe(false);
    expect(routesToNative([3, 3, 1, 32], [1, 1], 'linear', false)).toBe(false);
    expect(routesToNative([3, 3, 3, 16], [1, 1], 'leakyrelu', false)).toBe(true);
    expect(routesToNative([1, 1, 16, 32], [1, 1], 'relu', false)).toBe(true);
    expect(routesToNative([1, 1, 16, 32], [2, 2], 'relu', false)).toBe(false);
    expect(routesToNative([3, 3, 32, 64], [1, 1], 'relu', false)).toBe(true);
  });

  it('with oneDNN, sends every forward convolution to the addon', () => {
    expect(routesToNative([3, 3, 3, 16], [1, 1], 'relu', true)).toBe(true);
    expect(routesToNative([3, 3, 1, 32], [1, 1], 'linear', true)).toBe(true);
    expect(routesToNative([1, 1, 16, 32], [2, 2], 'relu', true)).toBe(true);
  });
});
