import { errorMessage } from '@moodlab/shared';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { packageDir } from '@moodlab/shared/node';
import { registerBroadcastingBatchNormGradient, registerMeanGradient } from './batchnorm-gradient';
import { loadNativeKernels, measureSgemmGflops, type BlasInfo } from '@moodlab/cnn-native';
import { registerNativeKernels } from './native-kernels';
import { registerBatchNormTrainingGradient } from './batchnorm-training';
import { registerWasmCopyKernels } from './wasm-copy-kernels';
import { registerWasmTrainingKernels } from './wasm-kernels';

/** Fastest first. */
export const BACKEND_ORDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface SelectedBackend {
  name: BackendName;
  /** Why faster backends were skipped, for the log and the Run record. */
  skipped: { name: BackendName; reason: string }[];
  /** What runs the convolutions, where the backend has a choice (WASM: oneDNN, OpenBLAS or XNNPACK). */
  kernels?: string;
  /** The BLAS under the native kernels, where they run. */
  blas?: BlasInfo & { sgemmGflops?: number };
}

/**
 * One line for logs and the Run record, e.g. "wasm (convolutions on oneDNN 2.6.3 (avx512_core),
 * matrix products on OpenBLAS 0.3.21: SkylakeX kernels from CPU flags avx512f ..., SGEMM 104.2
 * GFLOP/s on 1 thread)", or "wasm (convolutions on OpenBLAS 0.3.21: Haswell kernels from CPU flags
 * avx2 fma, SGEMM 61.2 GFLOP/s on 1 thread; not on oneDNN: <why>)".
 */
export function describeBackend(b: SelectedBackend): string {
  if (!b.kernels) return b.name;
  if (!b.blas) return `${b.name} (${b.kernels})`;
  const version = /OpenBLAS\s+([\d.]+)/.exec(b.blas.config)?.[1];
  const rate = b.blas.sgemmGflops === undefined ? '' : `, SGEMM ${b.blas.sgemmGflops.toFixed(1)} GFLOP/s on 1 thread`;
  const openBlas = `OpenBLAS${version ? ` ${version}` : ''}: ${b.blas.core} kernels from ${b.blas.chosenBy}${rate}`;
  const conv = b.blas.convolutions;
  return conv.library === 'oneDNN'
    ? `${b.name} (convolutions on ${conv.detail}, matrix products on ${openBlas})`
    : `${b.name} (convolutions on ${openBlas}; not on oneDNN: ${conv.detail})`;
}

/** This CPU as benchmarks print it: the model the OS reports and the flags that choose kernels. */
export function describeCpu(b: SelectedBackend): string {
  if (!b.blas) return 'CPU flags unknown (native kernels not loaded)';
  return `${b.blas.cpu.model}; flags ${b.blas.cpu.features.join(' ') || 'none reported'}`;
}

/** Where the WASM binaries ship. */
export const WASM_DIST_DIR = path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');

/**
 * The native bindings register a 'tensorflow' backend when imported; they are optional
 * dependencies (their install downloads libtensorflow), so a missing or broken one is skipped.
 */
async function tryNative(pkg: string): Promise<string | null> {
  try {
    await import(pkg);
    return null;
  } catch (err) {
    return errorMessage(err).split('\n')[0] ?? 'failed to load';
  }
}

function hasGpu(): boolean {
  // tfjs-node-gpu loads without a GPU and then silently runs on the CPU; ask TF what it sees.
  const backend = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
  return backend.binding?.isUsingGpuDevice?.() ?? false;
}

/** Sets up the WASM backend; returns what runs its convolutions. */
async function setUpWasm(threads: number, measureGemm: boolean): Promise<Pick<SelectedBackend, 'kernels' | 'blas'>> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = WASM_DIST_DIR;
  // With a second argument setWasmPaths would use fetch(), which Node cannot point at a file.
  wasm.setWasmPaths(`${dist}/`);
  wasm.setThreadsCount(threads);
  registerWasmCopyKernels();
  registerWasmTrainingKernels();
  const native = loadNativeKernels();
  if (!native.kernels) return { kernels: `convolutions on XNNPACK; native kernels ${native.reason}` };
  // Measured before registering: the measurement sets OpenBLAS to one thread, registering to `threads`.
  const sgemmGflops = measureGemm ? measureSgemmGflops(native.kernels) : undefined;
  registerNativeKernels(native.kernels, threads, native.blas.convolutions.library === 'oneDNN');
  return { kernels: `convolutions on ${native.blas.convolutions.library}`, blas: { ...native.blas, sgemmGflops } };
}

/**
 * Emscripten's Node glue, run when the WASM module starts, adds an 'unhandledRejection' listener
 * that rethrows: any stray rejection anywhere in the host process (a worker's database call
 * during an outage) would then kill it. What to do with those is the host's decision, so the
 * listener goes.
 */
async function withoutEmscriptenRethrow<T>(start: () => Promise<T>): Promise<T> {
  const before = new Set(process.listeners('unhandledRejection'));
  try {
    return await start();
  } finally {
    for (const listener of process.listeners('unhandledRejection'))
      if (!before.has(listener)) process.removeListener('unhandledRejection', listener);
  }
}

export interface SelectBackendOptions {
  /** Force one backend (e.g. in tests or benchmarks); otherwise the fastest that works. */
  prefer?: BackendName;
  threads?: number;
  /** Time one-thread SGEMM (about 0.1 s) so that logs and run records say what the BLAS reaches here. */
  measureGemm?: boolean;
}

export async function selectBackend(opts: SelectBackendOptions = {}): Promise<SelectedBackend> {
  registerBroadcastingBatchNormGradient();
  registerMeanGradient();
  registerBatchNormTrainingGradient();
  const order = opts.prefer ? [opts.prefer] : BACKEND_ORDER;
  const skipped: SelectedBackend['skipped'] = [];
  for (const name of order) {
    let reason: string | null = null;
    if (name === 'tensorflow-gpu') {
      reason = await tryNative('@tensorflow/tfjs-node-gpu');
      if (!reason && (await tf.setBackend('tensorflow')) && !hasGpu()) reason = 'no GPU visible';
      if (!reason) return { name, skipped };
    } else if (name === 'tensorflow') {
      reason = await tryNative('@tensorflow/tfjs-node');
      if (!reason && !(await tf.setBackend('tensorflow'))) reason = 'backend failed to initialise';
      if (!reason) return { name, skipped };
    } else if (name === 'wasm') {
      try {
        const kernels = await withoutEmscriptenRethrow(async () => ({
          ...(await setUpWasm(opts.threads ?? 1, opts.measureGemm ?? false)),
          ready: await tf.setBackend('wasm'),
        }));
        if (kernels.ready) return { name, skipped, kernels: kernels.kernels, blas: kernels.blas };
        reason = 'backend failed to initialise';
      } catch (err) {
        reason = errorMessage(err);
      }
    } else {
      await tf.setBackend('cpu');
      return { name, skipped };
    }
    skipped.push({ name, reason: reason ?? 'unavailable' });
  }
  throw new Error(`No TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
