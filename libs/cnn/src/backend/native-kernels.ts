import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, type BatchNormTrainingAttrs } from './batchnorm-training';
import { NATIVE_ACTIVATIONS, type NativeKernels } from '@moodlab/cnn-native';

/**
 * The WASM backend's training hot spots on the native kernels (libs/cnn-native): convolutions
 * (forward and both gradients) and batched matrix products on OpenBLAS, which with FMA is several
 * times faster per core than XNNPACK's 128-bit WASM SIMD; then BatchNorm in training (a kernel
 * pair of our own), per-channel sums and the max-pool gradient, the largest items left
 * (tools/bench/step-profile.ts). Tensors stay in the WASM heap; the addon reads and writes them
 * in place. Cases the addon does not cover (NCHW, PReLU fused activation, reductions over other
 * axes, other batch broadcasts) go to the kernels registered before, and so do shallow forward
 * convolutions (see NATIVE_MIN_DEPTH).
 */
type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: tf.KernelBackend; attrs: Record<string, unknown> };

type ConvAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * Forward convolutions that need im2col, are shallower than this (filter height x width x input
 * channels) and have an activation XNNPACK fuses (linear, ReLU, ReLU6) stay on XNNPACK when the
 * addon has no oneDNN: on few input channels im2col costs more than the GEMM it feeds. Measured on
 * one thread by tools/bench/conv-routing.ts: im2col loses 1.4-1.5x on 3x3 convolutions from 1 and
 * 3 channels with ReLU, and wins 1.5-2.5x on 1x1 convolutions (no im2col), on 3x3 convolutions
 * from 32+ channels, and 2.7-9x wherever the activation is leaky ReLU, which the WASM backend
 * applies in a separate pass. With oneDNN every forward convolution goes to the addon: oneDNN
 * beats XNNPACK 1.9-2.2x on those shallow ones too (AVX-512 Xeon, docs/benchmarks.md).
 */
export const NATIVE_MIN_DEPTH = 128;

/** 'auto' routes as above; tests and benchmarks force every forward convolution to one side. */
export type ConvRouting = 'auto' | 'native' | 'xnnpack';
let routing: ConvRouting = 'auto';
/** Whether the registered addon runs its convolutions on oneDNN. */
let onednnInUse = false;

export function setConvRouting(mode: ConvRouting): void {
  routing = mode;
}

const XNNPACK_FUSED = new Set(['linear', 'relu', 'relu6']);

/** Whether a forward convolution of this filter, stride and fused activation runs on the addon. */
export function routesToNative(
  filterShape: readonly number[],
  strides: readonly [number, number],
  activation = 'linear',
  onednn = onednnInUse,
): boolean {
  if (routing !== 'auto') return routing === 'native';
  const [fh, fw, inChannels] = filterShape as [number, number, number];
  const pointwise = fh === 1 && fw === 1 && strides[0] === 1 && strides[1] === 1;
  return pointwise || onednn || fh * fw * inChannels >= NATIVE_MIN_DEPTH || !XNNPACK_FUSED.has(activation);
}

function dimsOf(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.outHeight,
    info.outWidth,
  ]);
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
}

const float32 = (...ts: (TensorInfo | undefined)[]) => ts.every((t) => !t || t.dtype === 'float32');

export function nativeKernels(native: NativeKernels, previous: (name: string) => tf.KernelConfig | undefined) {
  const fallback = (name: string, args: KernelArgs): TensorInfo => {
    const k = previous(name);
    if (!k) throw new Error(`no ${name} kernel to fall back to`);
    return k.kernelFunc({ ...args, attrs: args.attrs as tf.NamedAttrMap }) as TensorInfo;
  };

  const forward =
    (name: 'Conv2D' | 'FusedConv2D') =>
    (args: KernelArgs): TensorInfo => {
      const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
      const a = args.attrs as ConvAttrs & { activation?: string; leakyreluAlpha?: number };
      const activation = NATIVE_ACTIVATIONS[(a.activation ?? 'linear') as keyof typeof NATIVE_ACTIVATIONS];
      // One bias per output channel; anything else goes to the stock kernel, which says what is wrong.
      const biasOk =
        !bias || (bias.shape.at(-1) === filter?.shape[3] && tf.util.sizeFromShape(bias.shape) === filter?.shape[3]);
      if (
        a.dataFormat === 'NCHW' ||
        activation === undefined ||
        preluActivationWeights ||
        !biasOk ||
        !float32(x, filter, bias)
      )
        return fallback(name, args);
      const info = convInfo(x!.shape, filter!.shape, a);
      if (!routesToNative(filter!.shape, [info.strideHeight, info.strideWidth], a.activation))
        return fallback(name, args);
      const heap = args.backend as unknown as WasmHeapBackend;
      // Views are taken after makeOutput: growing the heap detaches earlier ones.
      const out = heap.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
      native.conv2dForward(
        heap.typedArrayFromHeap(x!),
        heap.typedArrayFromHeap(filter!),
        bias ? heap.typedArrayFromHeap(bias) : null,
        activation,
        dimsOf(info),
        heap.typedArrayFromHeap(out),
        a.leakyreluAlpha ?? 0,
      ); // 0 when unset, as the stock WASM kernel
      return out;
    };

  /** Both convolution gradients: (x, dy) -> dW and (dy, W) -> dX, the output's shape given in attrs. */
  const gradient =
    (name: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput') =>
    (args: KernelArgs): TensorInfo => {
      const { x, dy, filter } = args.inputs as Record<string, TensorInfo>;
      const a = args.attrs as ConvAttrs & {
        filterShape: [number, number, number, number];
        inputShape: [number, number, number, number];
      };
      const ofFilter = name === 'Conv2DBackpropFilter';
      const [first, second] = ofFilter ? [x!, dy!] : [dy!, filter!];
      if (a.dataFormat === 'NCHW' || !float32(first, second)) return fallback(name, args);
      const info = ofFilter ? convInfo(x!.shape, a.filterShape, a) : convInfo(a.inputShape, filter!.shape, a);
      const heap = args.backend as unknown as WasmHeapBackend;
      const out = heap.makeOutput([...(ofFilter ? a.filterShape : a.inputShape)], 'float32');
      const run = ofFilter ? native.conv2dBackpropFilter : native.conv2dBackpropInput;
      run(heap.typedArrayFromHeap(first), heap.typedArrayFromHeap(second), dimsOf(info), heap.typedArrayFromHeap(out));
      return out;
    };

  /** Sum and Mean over leading axes (every BatchNorm statistic and its gradient). */
  const leadingAxes =
    (name: 'Sum' | 'Mean') =>
    (args: KernelArgs): TensorInfo => {
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
      if (x.dtype !== 'float32' || !axes.length || axes.length >= x.shape.length || !axes.every((p, i) => p === i))
        return fallback(name, args);
      const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
      const rest = x.shape.slice(axes.length);
      const heap = args.backend as unknown as WasmHeapBackend;
      const out = heap.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
      native.columnSums(
        heap.typedArrayFromHeap(x),
        rows,
        rest.reduce((p, q) => p * q, 1),
        name === 'Mean' ? 1 / rows : 1,
        heap.typedArrayFromHeap(out),
      );
      return out;
    };

  const maxPoolGrad = (args: KernelArgs): TensorInfo => {
    const { dy, input, output } = args.inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
    const a = args.attrs as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    if (!float32(dy, input, output)) return fallback('MaxPoolGrad', args);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const dims = Int32Array.from([
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
      info.outHeight,
      info.outWidth,
    ]);
    const heap = args.backend as unknown as WasmHeapBackend;
    const out = heap.makeOutput([...input.shape], 'float32');
    native.maxPoolGrad(
      heap.typedArrayFromHeap(input),
      heap.typedArrayFromHeap(output),
      heap.typedArrayFromHeap(dy),
      dims,
      heap.typedArrayFromHeap(out),
    );
    return out;
  };

  /**
   * Batched matrix products on OpenBLAS: the dense layers' gradients (seed-cnn's 4608 x 256 layer
   * above all), where the WASM kernel's transposed products took 12% of a step. Batch dimensions
   * must be equal or one side's must be all 1; other broadcasts go to the WASM kernel.
   */
  const batchMatMul = (args: KernelArgs): TensorInfo => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!float32(a, b) || a.shape.length < 2 || b.shape.length < 2) return fallback('BatchMatMul', args);
    const [outerA, outerB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
    const [batchA, batchB] = [tf.util.sizeFromShape(outerA), tf.util.sizeFromShape(outerB)];
    const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
    const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
    const [m, k, kB, n] = [
      transposeA ? colsA : rowsA,
      transposeA ? rowsA : colsA,
      transposeB ? colsB : rowsB,
      transposeB ? rowsB : colsB,
    ];
    const batchesFit = tf.util.arraysEqual(outerA, outerB) || batchA === 1 || batchB === 1;
    if (k !== kB || !batchesFit) return fallback('BatchMatMul', args);
    const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const heap = args.backend as unknown as WasmHeapBackend;
    const out = heap.makeOutput([...outer, m, n], 'float32');
    const dims = Int32Array.from([batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0]);
    native.batchMatMul(heap.typedArrayFromHeap(a), heap.typedArrayFromHeap(b), dims, heap.typedArrayFromHeap(out));
    return out;
  };

  /**
   * BatchNorm in training over the last axis, and its gradient (backend/batchnorm-training.ts):
   * both write one tensor of x's shape and two per-channel ones.
   */
  const batchNormKernel = (args: KernelArgs, x: TensorInfo) => {
    const channels = x.shape.at(-1) ?? 0;
    if (x.dtype !== 'float32' || x.shape.length < 2 || channels === 0)
      throw new Error(
        `${BATCH_NORM_TRAINING}: x must be float32 with at least 2 dimensions, got ${x.dtype} [${x.shape}]`,
      );
    const heap = args.backend as unknown as WasmHeapBackend;
    const outputs = [
      heap.makeOutput([...x.shape], 'float32'),
      heap.makeOutput([channels], 'float32'),
      heap.makeOutput([channels], 'float32'),
    ] as const;
    return {
      rows: tf.util.sizeFromShape(x.shape) / channels,
      channels,
      outputs,
      epsilon: (args.attrs as unknown as BatchNormTrainingAttrs).varianceEpsilon,
      // Views after makeOutput: growing the heap detaches earlier ones.
      view: (t: TensorInfo) => heap.typedArrayFromHeap(t),
    };
  };
  const batchNormTraining = (args: KernelArgs): TensorInfo[] => {
    const { x, scale, offset } = args.inputs as Record<'x' | 'scale' | 'offset', TensorInfo>;
    const {
      rows,
      channels,
      outputs: [y, mean, variance],
      epsilon,
      view: v,
    } = batchNormKernel(args, x);
    native.batchNormForward(v(x), rows, channels, v(scale), v(offset), epsilon, v(y), v(mean), v(variance));
    return [y, mean, variance];
  };
  const batchNormTrainingGrad = (args: KernelArgs): TensorInfo[] => {
    const { dy, x, mean, variance, scale } = args.inputs as Record<
      'dy' | 'x' | 'mean' | 'variance' | 'scale',
      TensorInfo
    >;
    const {
      rows,
      channels,
      outputs: [dx, dscale, doffset],
      epsilon,
      view: v,
    } = batchNormKernel(args, x);
    native.batchNormBackward(
      v(dy),
      v(x),
      rows,
      channels,
      v(mean),
      v(variance),
      v(scale),
      epsilon,
      v(dx),
      v(dscale),
      v(doffset),
    );
    return [dx, dscale, doffset];
  };

  return {
    [BATCH_NORM_TRAINING]: batchNormTraining,
    [BATCH_NORM_TRAINING_GRAD]: batchNormTrainingGrad,
    Conv2D: forward('Conv2D'),
    FusedConv2D: forward('FusedConv2D'),
    Conv2DBackpropFilter: gradient('Conv2DBackpropFilter'),
    Conv2DBackpropInput: gradient('Conv2DBackpropInput'),
    Sum: leadingAxes('Sum'),
    Mean: leadingAxes('Mean'),
    MaxPoolGrad: maxPoolGrad,
    BatchMatMul: batchMatMul,
  };
}

let registered: NativeKernels | null = null;

/** Whether the native kernels sit in front of the WASM backend's own in this process or thread. */
export function nativeKernelsRegistered(): boolean {
  return registered !== null;
}

/** The addon whose kernels are registered in this process or thread, for work outside kernels (the optimizer). */
export function registeredNativeKernels(): NativeKernels | null {
  return registered;
}

/**
 * Puts the native kernels in front of the WASM backend's own (call after registering those);
 * `onednn`: the addon runs its convolutions on oneDNN, so shallow ones go to it as well.
 */
export function registerNativeKernels(native: NativeKernels, threads = 1, onednn = false): void {
  if (registered) return;
  registered = native;
  onednnInUse = onednn;
  native.setThreads(threads);
  const previous = new Map<string, tf.KernelConfig>();
  const kernels = nativeKernels(native, (name) => previous.get(name));
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (stock) {
      previous.set(kernelName, stock);
      tf.unregisterKernel(kernelName, 'wasm');
    }
    // The stock setup binds the WASM functions that the fallback path calls.
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      setupFunc: stock?.setupFunc,
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    });
  }
}
