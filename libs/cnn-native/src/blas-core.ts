/**
 * Which of OpenBLAS's kernel families to load, decided from the instruction sets the CPU reports
 * (cpuid), never from its model name: cloud VMs mask the name, and OpenBLAS's own detection,
 * which goes by family and model numbers, sends CPUs newer than its build to the SSE3 kernels.
 */

/** OpenBLAS's x86-64 kernel families we choose among, best first, with the instruction sets each needs. */
export const OPENBLAS_X86_CORES = [
  // Cooperlake and SapphireRapids exist too; on SGEMM they measured no faster than SkylakeX (99.0 and 100.7 against 104.8 GFLOP/s).
  { core: 'SkylakeX', needs: ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'] },
  { core: 'Haswell', needs: ['avx2', 'fma'] },
  { core: 'Zen', needs: ['avx2', 'fma'] },
  { core: 'Sandybridge', needs: ['avx'] },
  { core: 'Nehalem', needs: ['sse4_2'] },
  { core: 'Core2', needs: ['ssse3'] },
  { core: 'Prescott', needs: ['sse3'] },
] as const;

/** Families whose kernels use SSE only: an AVX2 or AVX-512 CPU running one of them is on the slow generic path. */
export const GENERIC_SSE_CORES: readonly string[] = [
  'Prescott',
  'Core2',
  'Penryn',
  'Dunnington',
  'Nehalem',
  'Atom',
  'Katmai',
  'Coppermine',
  'Northwood',
  'Banias',
  'Athlon',
  'Opteron',
  'OpteronSSE3',
  'Barcelona',
  'Nano',
];

export interface BlasCoreChoice {
  /** The OPENBLAS_CORETYPE to load with; null leaves the choice to OpenBLAS (non-x86 CPUs). */
  core: string | null;
  /** How it was chosen, for logs and the run record. */
  reason: string;
}

/**
 * The kernel family for a CPU of `arch` with `features` (cpuid names: avx2, fma, avx512f, ...).
 * `pinned` (MOODLAB_BLAS_CORE) wins when the CPU has what that family needs; a family the CPU
 * lacks is never chosen.
 */
export function chooseOpenBlasCore(arch: string, features: readonly string[], pinned?: string): BlasCoreChoice {
  if (arch !== 'x64') {
    return pinned
      ? { core: pinned, reason: 'MOODLAB_BLAS_CORE' }
      : { core: null, reason: `OpenBLAS's own detection (${arch})` };
  }
  const has = new Set(features);
  const fits = (needs: readonly string[]) => needs.every((f) => has.has(f));
  let note = '';
  if (pinned) {
    const entry = OPENBLAS_X86_CORES.find((c) => c.core.toLowerCase() === pinned.toLowerCase());
    if (entry && fits(entry.needs)) return { core: entry.core, reason: 'MOODLAB_BLAS_CORE' };
    note = entry
      ? `; MOODLAB_BLAS_CORE=${pinned} ignored: this CPU lacks ${entry.needs.filter((f) => !has.has(f)).join(' ')}`
      : `; MOODLAB_BLAS_CORE=${pinned} ignored: not one of ${OPENBLAS_X86_CORES.map((c) => c.core).join(', ')}`;
  }
  const best = OPENBLAS_X86_CORES.find((c) => fits(c.needs));
  if (!best) return { core: null, reason: `OpenBLAS's own detection (no SSE3 reported)${note}` };
  return { core: best.core, reason: `CPU flags ${best.needs.join(' ')}${note}` };
}
