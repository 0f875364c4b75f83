import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Convolution kernels on OpenBLAS, for TF.js's WASM backend in Node. Every array is a view of
 * the backend's heap; outputs are written in place. Dims are, in order: N, H, W, C (input),
 * KH, KW, CO (filter), stride H, W, dilation H, W, pad top, left, out H, W.
 */
export interface NativeConv {
  conv2dForward(x: Float32Array, filter: Float32Array, bias: Float32Array | null, activation: NativeActivation, dims: Int32Array, y: Float32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dims: Int32Array, dw: Float32Array): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dims: Int32Array, dx: Float32Array): void;
  setThreads(threads: number): void;
  blasConfig(): string;
}

/** The activations fused into the forward kernel. */
export const NATIVE_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2 } as const;
export type NativeActivation = (typeof NATIVE_ACTIVATIONS)[keyof typeof NATIVE_ACTIVATIONS];

export type NativeLoad = { conv: NativeConv; reason?: undefined } | { conv: null; reason: string };

const addonPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'moodlab_conv.node');
let cached: NativeLoad | undefined;

/** The addon if it was built (see scripts/build.mjs), else why not. */
export function loadNativeConv(): NativeLoad {
  if (cached) return cached;
  if (process.env.MOODLAB_NATIVE_KERNELS === '0') return (cached = { conv: null, reason: 'disabled by MOODLAB_NATIVE_KERNELS=0' });
  try {
    const conv = createRequire(import.meta.url)(addonPath) as NativeConv;
    return (cached = { conv });
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? 'failed to load';
    return (cached = { conv: null, reason: message.includes('Cannot find module') ? 'not built (needs g++ and libopenblas-dev at install time)' : message });
  }
}
