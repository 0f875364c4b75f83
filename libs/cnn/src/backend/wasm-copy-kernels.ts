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
