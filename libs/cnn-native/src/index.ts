import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseOpenBlasCore } from './blas-core';
import type { NativeKernels } from './kernels';

export { NATIVE_ACTIVATIONS, type NativeActivation, type NativeKernels } from './kernels';

export { chooseOpenBlasCore, GENERIC_SSE_CORES, OPENBLAS_X86_CORES, type BlasCoreChoice } from './blas-core';

/** What the addon exports before OpenBLAS is loaded. */
interface NativeAddon extends NativeKernels {
  /** Loads OpenBLAS with that kernel family (null: its own detection); null when loaded, else why not. Only a process's first call chooses. */
  loadBlas(core: string | null): string | null;
  /** The instruction sets the CPU supports and the OS enables, space-separated (empty off x86). */
  cpuFeatures(): string;
  /** Loads oneDNN for the convolutions (on `threads` threads); null when loaded, else why not. */
  loadDnnl(threads: number): string | null;
  /** e.g. "oneDNN 2.6.3 (avx512_core)": version and the code path oneDNN chose from the CPU's flags. */
  dnnlDescription(): string;
}

/** What runs the convolutions (other than 1x1, which are a plain GEMM on OpenBLAS either way). */
export type ConvolutionLibrary =
  | { library: 'oneDNN'; detail: string }
  /** im2col + OpenBLAS GEMM; `detail` says why not oneDNN. */
  | { library: 'OpenBLAS'; detail: string };

/** The BLAS behind the native kernels and why it runs the kernels it does. */
export interface BlasInfo {
  /** e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64" */
  config: string;
  /** The kernel family in use, from OpenBLAS itself. */
  core: string;
  /** How the family was chosen, e.g. "CPU flags avx2 fma". */
  chosenBy: string;
  cpu: CpuDescription;
  convolutions: ConvolutionLibrary;
}

export interface CpuDescription {
  /** As the OS reports it; often masked on cloud VMs ("Intel(R) Xeon(R) Processor"), so only ever printed. */
  model: string;
  features: string[];
}

export type NativeLoad =
  { kernels: NativeKernels; blas: BlasInfo; reason?: undefined } | { kernels: null; reason: string };

const addonPath = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'build',
  'Release',
  'moodlab_kernels.node',
);
let cached: NativeLoad | undefined;

/**
 * oneDNN where it loads (PyTorch's own CPU convolutions), else the im2col path. MOODLAB_CONV_LIBRARY:
 * `openblas` keeps the im2col path; `fastest` times the two per layer on first use instead of the
 * fixed rule (faster, but a seed may then give different numbers from one process to the next).
 */
function loadConvolutionLibrary(native: NativeAddon): ConvolutionLibrary {
  const wanted = process.env.MOODLAB_CONV_LIBRARY?.toLowerCase();
  if (wanted === 'openblas') return { library: 'OpenBLAS', detail: 'MOODLAB_CONV_LIBRARY=openblas' };
  const failed = native.loadDnnl(1);
  if (failed) return { library: 'OpenBLAS', detail: failed };
  native.fastestConvolutions(wanted === 'fastest');
  const choice =
    wanted === 'fastest' ? 'the faster of it and im2col per layer, timed' : 'with im2col by a fixed rule per layer';
  return { library: 'oneDNN', detail: `${native.dnnlDescription()}, ${choice}` };
}

/**
 * The addon if it was built (see scripts/build.mjs) and OpenBLAS loads, with OpenBLAS's kernels
 * chosen from the CPU's flags (MOODLAB_BLAS_CORE pins a family); else why not.
 */
export function loadNativeKernels(): NativeLoad {
  if (cached) return cached;
  if (process.env.MOODLAB_NATIVE_KERNELS === '0')
    return (cached = { kernels: null, reason: 'disabled by MOODLAB_NATIVE_KERNELS=0' });
  try {
    // process.dlopen rather than require: bundlers (the dashboard's) leave it alone.
    const addon = { exports: {} as NativeAddon };
    process.dlopen(addon, addonPath);
    const native = addon.exports;
    const cpu: CpuDescription = {
      model: cpus()[0]?.model.trim() ?? 'unknown',
      features: native.cpuFeatures().split(' ').filter(Boolean),
    };
    const choice = chooseOpenBlasCore(process.arch, cpu.features, process.env.MOODLAB_BLAS_CORE || undefined);
    const failed = native.loadBlas(choice.core);
    if (failed) return (cached = { kernels: null, reason: failed });
    return (cached = {
      kernels: native,
      blas: {
        config: native.blasConfig(),
        core: native.blasCore(),
        chosenBy: choice.reason,
        cpu,
        convolutions: loadConvolutionLibrary(native),
      },
    });
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'failed to load';
    return (cached = {
      kernels: null,
      reason: /cannot open shared object|Cannot find module|ENOENT/i.test(message)
        ? 'not built (needs g++ and libopenblas-dev at install time)'
        : message,
    });
  }
}
export { measureSgemmGflops } from './gemm-rate';
