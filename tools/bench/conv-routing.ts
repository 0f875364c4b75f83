/**
 * Which forward convolutions the native (OpenBLAS) kernel should take and which XNNPACK should
 * keep: median ms of each path on one thread for the shapes we run, face-api's tiny detector and
 * the classifier at batch 1 (serving), the vgg-lite layers at batch 64 (training), with bias and
 * the layer's activation (leaky ReLU in the detector, ReLU in ours) fused. The ratio justifies NATIVE_MIN_DEPTH (libs/cnn/src/backend/native-kernels.ts).
 * Prints a table; not a test.
 *   npx tsx tools/bench/conv-routing.ts [--runs 30]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { NATIVE_MIN_DEPTH, describeBackend, routesToNative, selectBackend, setConvRouting } from '@moodlab/cnn/backend';
import { printMachine } from './machine';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);
const backend = await selectBackend({ prefer: 'wasm', threads: 1, measureGemm: true });
printMachine(backend);
if (!backend.blas) throw new Error(`the native kernels are not loaded (${describeBackend(backend)})`);

type Case = {
  use: string;
  act?: 'leakyrelu';
  x: [number, number, number, number];
  f: [number, number, number, number];
  pad: 'same' | 'valid';
};
const cases: Case[] = [
  { use: 'detector conv0', act: 'leakyrelu', x: [1, 224, 224, 3], f: [3, 3, 3, 16], pad: 'valid' },
  { use: 'detector 1x1', act: 'leakyrelu', x: [1, 111, 111, 16], f: [1, 1, 16, 32], pad: 'valid' },
  { use: 'detector 1x1', act: 'leakyrelu', x: [1, 56, 56, 32], f: [1, 1, 32, 64], pad: 'valid' },
  { use: 'detector 1x1', act: 'leakyrelu', x: [1, 28, 28, 64], f: [1, 1, 64, 128], pad: 'valid' },
  { use: 'detector 1x1', act: 'leakyrelu', x: [1, 14, 14, 128], f: [1, 1, 128, 256], pad: 'valid' },
  { use: 'detector 1x1', act: 'leakyrelu', x: [1, 7, 7, 256], f: [1, 1, 256, 512], pad: 'valid' },
  { use: 'classify', x: [1, 48, 48, 1], f: [3, 3, 1, 32], pad: 'same' },
  { use: 'classify', x: [1, 24, 24, 32], f: [3, 3, 32, 64], pad: 'same' },
  { use: 'classify', x: [1, 12, 12, 128], f: [3, 3, 128, 128], pad: 'same' },
  { use: 'train', x: [64, 48, 48, 1], f: [3, 3, 1, 32], pad: 'same' },
  { use: 'train', x: [64, 24, 24, 32], f: [3, 3, 32, 64], pad: 'same' },
  { use: 'train', x: [64, 12, 12, 128], f: [3, 3, 128, 128], pad: 'same' },
  { use: 'train', x: [64, 6, 6, 192], f: [3, 3, 192, 192], pad: 'same' },
];

function median(f: () => void): number {
  for (let i = 0; i < 3; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const rows = cases.map((c) => {
  const [x, filter, bias] = [
    tf.randomNormal(c.x) as tf.Tensor4D,
    tf.randomNormal(c.f) as tf.Tensor4D,
    tf.randomNormal([c.f[3]]) as tf.Tensor1D,
  ];
  const conv = () =>
    tf.fused
      .conv2d({ x, filter, bias, strides: 1, pad: c.pad, activation: c.act ?? 'relu', leakyreluAlpha: 0.1 })
      .dispose();
  setConvRouting('native');
  const native = median(conv);
  setConvRouting('xnnpack');
  const xnnpack = median(conv);
  setConvRouting('auto');
  tf.dispose([x, filter, bias]);
  const depth = c.f[0] * c.f[1] * c.f[2];
  return {
    use: c.use,
    input: c.x.join('x'),
    filter: c.f.join('x'),
    depth,
    'native ms': +native.toFixed(3),
    'xnnpack ms': +xnnpack.toFixed(3),
    'native speed-up': +(xnnpack / native).toFixed(2),
    routed: routesToNative(c.f, [1, 1], c.act ?? 'relu') ? 'native' : 'xnnpack',
  };
});
console.log(`${describeBackend(backend)}; one thread; median of ${runs}; NATIVE_MIN_DEPTH ${NATIVE_MIN_DEPTH}`);
console.table(rows);

/**
 * Leaky ReLU after the detector's convolutions, as the four ops face-api runs, fused into the
 * convolution, or as the LeakyRelu kernel; with the native kernels, and on the stock WASM
 * kernels as the browser has them. Decides `leakyInKernel` in libs/faces/src/tiny-detector-fused.ts.
 */
const leakyRows = [];
for (const native of [true, false]) {
  for (const c of cases.filter((k) => k.act === 'leakyrelu').slice(0, 3)) {
    const [x, filter, bias] = [
      tf.randomNormal(c.x) as tf.Tensor4D,
      tf.randomNormal(c.f) as tf.Tensor4D,
      tf.randomNormal([c.f[3]]) as tf.Tensor1D,
    ];
    setConvRouting(native ? 'auto' : 'xnnpack');
    const conv = () => tf.fused.conv2d({ x, filter, bias, strides: 1, pad: c.pad });
    const fourOps = median(() =>
      tf
        .tidy(() => {
          const y = conv();
          const m = tf.mul(y, 0.1);
          return tf.add(tf.relu(tf.sub(y, m)), m);
        })
        .dispose(),
    );
    const inKernel = median(() =>
      tf.fused
        .conv2d({ x, filter, bias, strides: 1, pad: c.pad, activation: 'leakyrelu', leakyreluAlpha: 0.1 })
        .dispose(),
    );
    const leakyOp = median(() => tf.tidy(() => tf.leakyRelu(conv(), 0.1)).dispose());
    leakyRows.push({
      kernels: native ? 'native' : 'stock WASM',
      input: c.x.join('x'),
      filter: c.f.join('x'),
      'four ops ms': +fourOps.toFixed(3),
      'in kernel ms': +inKernel.toFixed(3),
      'LeakyRelu op ms': +leakyOp.toFixed(3),
    });
    tf.dispose([x, filter, bias]);
  }
}
setConvRouting('auto');
console.log('leaky ReLU after a convolution (bias fused in every variant)');
console.table(leakyRows);
