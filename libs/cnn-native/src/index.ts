import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseOpenBlasCore } from './blas-core';

export { chooseOpenBlasCore, GENERIC_SSE_CORES, OPENBLAS_X86_CORES, type BlasCoreChoice } from './blas-core';

/**
 * Training kernels for TF.js's WASM backend in Node: convolutions and batched matrix products on
 * OpenBLAS, BatchNorm in training and its gradient, max-pool gradient and column sums. Every array is a view of the
 * backend's heap; outputs are written in place. Convolution dims are, in order: N, H, W, C
 * (input), KH, KW, CO (filter), stride H, W, dilation H, W, pad top, left, out H, W. Pool dims:
 * N, H, W, C, window H, W, stride H, W, pad top, left, out H, W.
 */
export interface NativeKernels {
  /** `alpha` is the leaky ReLU's slope (activation 3). */
  conv2dForward(x: Float32Array, filter: Float32Array, bias: Float32Array | null, activation: NativeActivation, dims: Int32Array, y: Float32Array, alpha?: number): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dims: Int32Array, dw: Float32Array): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dims: Int32Array, dx: Float32Array): void;
  maxPoolGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dims: Int32Array, dx: Float32Array): void;
  /** c = op(a) x op(b) per batch entry; dims: batch A, batch B (equal, or 1 for a shared side), M, K, N, transpose A, transpose B (0/1). */
  batchMatMul(a: Float32Array, b: Float32Array, dims: Int32Array, c: Float32Array): void;
  /** out[c] = scale * sum over rows of src[r * cols + c]. */
  columnSums(src: Float32Array, rows: number, cols: number, scale: number, out: Float32Array): void;
  /** BatchNorm in training over x [rows, channels]: writes y, the batch mean and the biased variance. */
  batchNormForward(x: Float32Array, rows: number, channels: number, scale: Float32Array, offset: Float32Array, epsilon: number, y: Float32Array, mean: Float32Array, variance: Float32Array): void;
  /** Its gradient, the statistics' dependence on x included: writes dx, dscale and doffset. */
  batchNormBackward(dy: Float32Array, x: Float32Array, rows: number, channels: number, mean: Float32Array, variance: Float32Array, scale: Float32Array, epsilon: number, dx: Float32Array, dscale: Float32Array, doffset: Float32Array): void;
  setThreads(threads: number): void;
  /** openblas_get_config(): version, build options and kernel family. */
  blasConfig(): string;
  /** openblas_get_corename(): the kernel family in use, e.g. "SkylakeX", "Haswell", "Prescott". */
  blasCore(): string;
}

/** What the addon exports before OpenBLAS is loaded. */
interface NativeAddon extends NativeKernels {
  /** Loads OpenBLAS with that kernel family (null: its own detection); null when loaded, else why not. Only a process's first call chooses. */
  loadBlas(core: string | null): string | null;
  /** The instruction sets the CPU supports and the OS enables, space-separated (empty off x86). */
  cpuFeatures(): string;
}

/** The BLAS behind the native kernels and why it runs the kernels it does. */
export interface BlasInfo {
  /** e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64" */
  config: string;
  /** The kernel family in use, from OpenBLAS itself. */
  core: string;
  /** How the family was chosen, e.g. "CPU flags avx2 fma". */
  chosenBy: string;
  cpu: CpuDescription;
}

export interface CpuDescription {
  /** As the OS reports it; often masked on cloud VMs ("Intel(R) Xeon(R) Processor"), so only ever printed. */
  model: string;
  features: string[];
}

/** The activations fused into the forward kernel. */
export const NATIVE_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3 } as const;
export type NativeActivation = (typeof NATIVE_ACTIVATIONS)[keyof typeof NATIVE_ACTIVATIONS];

export type NativeLoad = { kernels: NativeKernels; blas: BlasInfo; reason?: undefined } | { kernels: null; reason: string };

const addonPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'moodlab_kernels.node');
let cached: NativeLoad | undefined;

/**
 * The addon if it was built (see scripts/build.mjs) and OpenBLAS loads, with OpenBLAS's kernels
 * chosen from the CPU's flags (MOODLAB_BLAS_CORE pins a family); else why not.
 */
export function loadNativeKernels(): NativeLoad {
  if (cached) return cached;
  if (process.env.MOODLAB_NATIVE_KERNELS === '0') return (cached = { kernels: null, reason: 'disabled by MOODLAB_NATIVE_KERNELS=0' });
  try {
    // process.dlopen rather than require: bundlers (the dashboard's) leave it alone.
    const addon = { exports: {} as NativeAddon };
    process.dlopen(addon, addonPath);
    const native = addon.exports;
    const cpu: CpuDescription = { model: cpus()[0]?.model.trim() ?? 'unknown', features: native.cpuFeatures().split(' ').filter(Boolean) };
    const choice = chooseOpenBlasCore(process.arch, cpu.features, process.env.MOODLAB_BLAS_CORE || undefined);
    const failed = native.loadBlas(choice.core);
    if (failed) return (cached = { kernels: null, reason: failed });
    return (cached = { kernels: native, blas: { config: native.blasConfig(), core: native.blasCore(), chosenBy: choice.reason, cpu } });
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? 'failed to load';
    return (cached = { kernels: null, reason: /cannot open shared object|Cannot find module|ENOENT/i.test(message) ? 'not built (needs g++ and libopenblas-dev at install time)' : message });
  }
}
export { measureSgemmGflops } from './gemm-rate';
