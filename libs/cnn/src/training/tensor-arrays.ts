import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from '../backend/wasm-heap';

/**
 * A float32 tensor's values copied into `out`, which the caller keeps from step to step. On WASM
 * they come straight from the backend's heap: `dataSync` returns a fresh copy each time, and a
 * training step's 3.3 MB of fresh gradient and weight arrays (vgg-lite) made each replica thread
 * collect garbage for about 20 ms a step (node --cpu-prof on tools/bench/replica-step.ts).
 */
export function copyTensorInto(t: tf.Tensor, out: Float32Array): Float32Array {
  if (tf.getBackend() === 'wasm') {
    const heap = tf.backend() as unknown as WasmHeapBackend;
    out.set(heap.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: 'float32' }));
  } else {
    out.set(t.dataSync() as Float32Array);
  }
  return out;
}

/** One Float32Array per tensor size, as views of one buffer (shared between threads when asked). */
export function arraysFor(sizes: number[], shared = false): Float32Array[] {
  const total = sizes.reduce((n, s) => n + s, 0);
  const buffer = shared ? new SharedArrayBuffer(total * 4) : new ArrayBuffer(total * 4);
  let at = 0;
  return sizes.map((s) => {
    const view = new Float32Array(buffer, at * 4, s);
    at += s;
    return view;
  });
}
