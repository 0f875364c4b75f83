import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './wasm-depthwise-kernels';

/**
 * Training kernels for the WASM backend. It has no Conv2DBackpropFilter, and its
 * Conv2DBackpropInput is a slow scalar loop; both gradients are rewritten here as forward
 * convolutions, which the backend runs on XNNPACK. They compose the backend's own kernels
 * (Transpose, PadV2, Reverse, Slice, Conv2D) at the kernel level, so no tensors are tracked
 * and every intermediate buffer is released here.
 */
type TensorInfo = tf.TensorInfo;
type Backend = tf.KernelBackend;
type Attrs = Record<string, unknown>;
type KernelAttrs = tf.NamedAttrMap;
type Conv2DAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function run(backend: Backend, name: string, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as KernelAttrs }) as TensorInfo;
}

/** Runs steps, disposing every intermediate except the result. */
class Scratch {
  private readonly temps: TensorInfo[] = [];
  constructor(private readonly backend: Backend) {}
  op(name: string, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
    const out = run(this.backend, name, inputs, attrs);
    this.temps.push(out);
    return out;
  }
  keep(result: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }
}

function convInfo(xShape: number[], filterShape: number[], attrs: Conv2DAttrs) {
  if (attrs.dataFormat === 'NCHW') throw new Error('wasm training kernels support NHWC only');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** dW = conv(x^T, dy^T): the batch becomes the channel axis, the output gradient the filter. */
/** dW = conv(x^T, dy^T): the batch becomes the channel axis, the output gradient the filter. */
export function conv2DBackpropFilterWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: Record<string, TensorInfo>;
  backend: Backend;
  attrs: Attrs;
}): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DAttrs & { filterShape: [number, number, number, number] };
  const info = convInfo(x.shape, a.filterShape, a);
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const s = new Scratch(backend);
  const xT = s.op('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = s.op('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  // Window positions of the transposed conv cover exactly the kh x kw filter offsets.
  const padBottom = Math.max(0, kh + info.strideHeight * (info.outHeight - 1) - info.inHeight - info.padInfo.top);
  const padRight = Math.max(0, kw + info.strideWidth * (info.outWidth - 1) - info.inWidth - info.padInfo.left);
  const conv = s.op(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [info.strideHeight, info.strideWidth],
      pad: [
        [0, 0],
        [info.padInfo.top, padBottom],
        [info.padInfo.left, padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
  const cropped =
    conv.shape[1] === kh && conv.shape[2] === kw
      ? conv
      : s.op('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [conv.shape[0], kh, kw, conv.shape[3]] });
  return s.keep(s.op('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] }));
}

/** dX = conv(dilate(dy), flip(W)^T): a full correlation with the rotated, channel-swapped filter. */
export function conv2DBackpropInputWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: Record<string, TensorInfo>;
  backend: Backend;
  attrs: Attrs;
}): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Conv2DAttrs & { inputShape: [number, number, number, number] };
  const info = convInfo(a.inputShape, filter.shape, a);
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [n, oh, ow, cOut] = dy.shape as [number, number, number, number];
  const s = new Scratch(backend);
  let g = dy;
  if (sh > 1 || sw > 1) {
    // Insert stride-1 zeros after every output position (trailing ones are cropped by padding).
    const r = s.op('Reshape', { x: dy }, { shape: [n, oh, 1, ow, 1, cOut] });
    const p = s.op(
      'PadV2',
      { x: r },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    g = s.op('Reshape', { x: p }, { shape: [n, oh * sh, ow * sw, cOut] });
  }
  const padTop = kh - 1 - info.padInfo.top;
  const padLeft = kw - 1 - info.padInfo.left;
  if (padTop < 0 || padLeft < 0)
    throw new Error('wasm Conv2DBackpropInput: padding larger than the filter is not supported');
  const padBottom = Math.max(0, info.inHeight + kh - 1 - g.shape[1]! - padTop);
  const padRight = Math.max(0, info.inWidth + kw - 1 - g.shape[2]! - padLeft);
  const flipped = s.op('Reverse', { x: filter }, { dims: [0, 1] });
  const wT = s.op('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
  const conv = s.op(
    'Conv2D',
    { x: g, filter: wT },
    {
      strides: [1, 1],
      dilations: [1, 1],
      dataFormat: 'NHWC',
      pad: [
        [0, 0],
        [padTop, padBottom],
        [padLeft, padRight],
        [0, 0],
      ],
    },
  );
  if (conv.shape[1] === info.inHeight && conv.shape[2] === info.inWidth) return s.keep(conv);
  return s.keep(
    s.op('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [n, info.inHeight, info.inWidth, info.inChannels] }),
  );
}

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Attrs };

/**
 * Max-pool gradient as one pass over the backend's heap: each output's gradient goes to the
 * first position of its (padding-clipped) window that holds the window's max, TF's own rule, so
 * ties behave the same. The stock kernel spent ~70 ms of a 240 ms small-cnn step here.
 */
export function maxPoolGradWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, input, output } = inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  const a = attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const heap = backend as unknown as WasmHeapBackend;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const out = heap.makeOutput([n, h, w, c], 'float32');
  const dx = heap.typedArrayFromHeap(out);
  dx.fill(0);
  const x = heap.typedArrayFromHeap(input);
  const y = heap.typedArrayFromHeap(output);
  const g = heap.typedArrayFromHeap(dy);
  const found = new Uint8Array(c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - info.padInfo.top;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - info.padInfo.left;
        const o = ((b * oh + oy) * ow + ox) * c;
        found.fill(0);
        for (let iy = Math.max(0, y0); iy < Math.min(h, y0 + fh); iy++) {
          for (let ix = Math.max(0, x0); ix < Math.min(w, x0 + fw); ix++) {
            const i = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              if (found[ch] === 0 && x[i + ch] === y[o + ch]) {
                found[ch] = 1;
                // += because overlapping windows (stride < pool) can pick the same position.
                dx[i + ch] = dx[i + ch]! + g[o + ch]!;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * Sum and Mean over the leading axes (e.g. N, H, W of an NHWC activation: every BatchNorm
 * statistic and its gradient). The stock kernels transpose the whole tensor to put those axes
 * last; a pass over rows with per-column accumulators needs no copy. Other reductions go to
 * the stock kernel.
 */
const stockReductions = new Map<string, tf.KernelConfig>();

function leadingAxesReduction(kernelName: 'Sum' | 'Mean') {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const prefix = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!prefix || x.dtype !== 'float32') {
      return stockReductions
        .get(kernelName)!
        .kernelFunc({ inputs, backend, attrs: attrs as KernelAttrs }) as TensorInfo;
    }
    const heap = backend as unknown as WasmHeapBackend;
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(axes.length);
    const cols = rest.reduce((a, b) => a * b, 1);
    const src = heap.typedArrayFromHeap(x);
    const acc = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) acc[c]! += src[o + c]!;
    }
    const out = heap.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    const dst = heap.typedArrayFromHeap(out);
    const scale = kernelName === 'Mean' ? 1 / rows : 1;
    for (let c = 0; c < cols; c++) dst[c] = acc[c]! * scale;
    return out;
  };
}

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: [string, (args: KernelArgs) => TensorInfo][] = [
    ['Conv2DBackpropFilter', conv2DBackpropFilterWasm],
    ['Conv2DBackpropInput', conv2DBackpropInputWasm],
    ['MaxPoolGrad', maxPoolGradWasm],
    ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInputWasm],
    ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilterWasm],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  for (const kernelName of ['Sum', 'Mean'] as const) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (!stock) continue;
    stockReductions.set(kernelName, stock);
    tf.unregisterKernel(kernelName, 'wasm');
    // The stock setup binds the WASM function that the fallback path calls.
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      setupFunc: stock.setupFunc,
      kernelFunc: leadingAxesReduction(kernelName) as unknown as tf.KernelFunc,
    });
  }
}
