import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * Kernels the stock WASM backend implements with needless copies, replaced in the browser and in
 * Node. Identity, and Cast to the same dtype, copy the whole tensor; here they share its buffer as
 * Reshape does (tensors are immutable), which a training step calls about 250 times (gradient
 * plumbing, ReLU masks). The stock Cast to bool also copied the values instead of testing them.
 *
 * Concat: the stock kernel copies one `subarray` per input per outer index; concatenating along
 * the last axis of thin tensors (face-api builds its per-channel mean image from three
 * [1, H, W, 1] fills this way) makes that one call per pixel: 21 ms at the tiny detector's 224 px
 * input and 60 ms at 416 here, more than the detector network. Short inner runs are copied element
 * by element instead; strings and empty tensors go to the stock kernel.
 *
 * Slice: the stock kernel reads its input with readSync, which copies the whole tensor out of the
 * heap first (a 640x480 RGB frame: 3.7 MB for a face crop of 1 MB), then copies one subarray per
 * innermost run (a pixel's 3 values). Here it reads the heap in place, run by run.
 */
/** Below this many elements per copy, a loop beats creating a subarray. */
const SHORT_RUN = 64;

type AnyHeap = WasmHeapBackend<Float32Array | Int32Array | Uint8Array>;

function share(backend: AnyHeap, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function replace(
  kernelName: string,
  kernelFunc: (args: Parameters<tf.KernelFunc>[0], stock: tf.KernelConfig) => tf.TensorInfo | tf.TensorInfo[],
): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (!stock) return;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: (args) => kernelFunc(args, stock),
  });
}

let registered = false;

export function registerWasmCopyKernels(): void {
  if (registered || !tf.getKernel('Concat', 'wasm')) return; // not yet, or no WASM backend in this bundle
  registered = true;
  replace('Identity', (args, stock) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    return x.dtype === 'string' ? stock.kernelFunc(args) : share(args.backend as unknown as AnyHeap, x);
  });
  replace('Cast', (args, stock) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
    if (x.dtype === dtype && dtype !== 'string') return share(args.backend as unknown as AnyHeap, x);
    if (dtype !== 'bool' || x.dtype === 'string' || x.dtype === 'complex64') return stock.kernelFunc(args);
    const heap = args.backend as unknown as AnyHeap;
    const out = heap.makeOutput(x.shape, 'bool');
    const src = heap.typedArrayFromHeap(x),
      dst = heap.typedArrayFromHeap(out);
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
    return out;
  });
  replace('Slice', (args, stock) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string' || x.dtype === 'complex64') return stock.kernelFunc(args);
    const { begin, size } = args.attrs as { begin: number | number[]; size?: number | number[] };
    const parsed = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
    const start = parsed[0]!,
      extent = parsed[1]!;
    const heap = args.backend as unknown as AnyHeap;
    const out = heap.makeOutput(extent, x.dtype);
    if (tf.util.sizeFromShape(extent) === 0) return out;
    // Trailing axes taken whole join the innermost run: a run is the longest stretch copied in one piece.
    let axis = x.shape.length - 1;
    while (axis > 0 && extent[axis] === x.shape[axis]) axis--;
    const run = tf.util.sizeFromShape(extent.slice(axis));
    const strides = tf.util.computeStrides(x.shape);
    const outer = extent.slice(0, axis);
    const src = heap.typedArrayFromHeap(x),
      dst = heap.typedArrayFromHeap(out);
    const index = outer.map(() => 0);
    for (let o = 0, count = tf.util.sizeFromShape(outer); o < count; o++) {
      let from = (start[axis] ?? 0) * (strides[axis] ?? 1);
      for (let a = 0; a < axis; a++) from += (start[a]! + index[a]!) * strides[a]!;
      const to = o * run;
      if (run >= SHORT_RUN) dst.set(src.subarray(from, from + run), to);
      else for (let k = 0; k < run; k++) dst[to + k] = src[from + k]!;
      for (let a = axis - 1; a >= 0 && ++index[a]! === outer[a]; a--) index[a] = 0;
    }
    return out;
  });
  replace('Concat', (args, stock) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const dtype = inputs[0]?.dtype;
    const live = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (dtype === 'string' || dtype === 'complex64' || live.length < 2) return stock.kernelFunc(args);
    const axis = tf.util.parseAxisParam(args.attrs?.axis as number, inputs[0]!.shape)[0]!;
    const outShape = tf.backend_util.computeOutShape(
      inputs.map((t) => t.shape),
      axis,
    );
    const heap = args.backend as unknown as AnyHeap;
    const out = heap.makeOutput(outShape, dtype!);
    const outer = tf.util.sizeFromShape(live[0]!.shape.slice(0, axis));
    const inner = live.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
    const total = inner.reduce((a, b) => a + b, 0);
    // Views after makeOutput: growing the heap detaches earlier ones.
    const src = live.map((t) => heap.typedArrayFromHeap(t));
    const dst = heap.typedArrayFromHeap(out);
    let o0 = 0;
    live.forEach((_, i) => {
      const s = src[i]!,
        n = inner[i]!;
      if (n >= SHORT_RUN) {
        for (let b = 0; b < outer; b++) dst.set(s.subarray(b * n, (b + 1) * n), b * total + o0);
      } else {
        for (let b = 0; b < outer; b++) {
          const from = b * n,
            to = b * total + o0;
          for (let k = 0; k < n; k++) dst[to + k] = s[from + k]!;
        }
      }
      o0 += n;
    });
    return out;
  });
}
