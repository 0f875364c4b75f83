import { describe, expect, it } from 'vitest';
import { chooseOpenBlasCore, GENERIC_SSE_CORES, loadNativeKernels, OPENBLAS_X86_CORES } from './index';

const SSE = ['sse3', 'ssse3', 'sse4_1', 'sse4_2'];
const AVX2 = [...SSE, 'avx', 'avx2', 'fma'];
const AVX512 = [...AVX2, 'avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

describe('chooseOpenBlasCore', () => {
  it('takes the widest kernels the flags allow, whatever the CPU is called', () => {
    expect(chooseOpenBlasCore('x64', AVX512).core).toBe('SkylakeX');
    expect(chooseOpenBlasCore('x64', AVX2).core).toBe('Haswell');
    expect(chooseOpenBlasCore('x64', [...SSE, 'avx']).core).toBe('Sandybridge');
    expect(chooseOpenBlasCore('x64', SSE).core).toBe('Nehalem');
    expect(chooseOpenBlasCore('x64', ['sse3']).core).toBe('Prescott');
  });

  it('never gives AVX-512 kernels to a CPU with only part of AVX-512', () => {
    // AVX-512F without BW/VL (Knights Landing) cannot run OpenBLAS's SkylakeX kernels.
    expect(chooseOpenBlasCore('x64', [...AVX2, 'avx512f', 'avx512cd']).core).toBe('Haswell');
  });

  it('honours a pinned family only where the CPU has what it needs', () => {
    expect(chooseOpenBlasCore('x64', AVX512, 'haswell')).toEqual({ core: 'Haswell', reason: 'MOODLAB_BLAS_CORE' });
    const refused = chooseOpenBlasCore('x64', AVX2, 'SkylakeX');
    expect(refused.core).toBe('Haswell');
    expect(refused.reason).toMatch(/MOODLAB_BLAS_CORE=SkylakeX ignored: this CPU lacks avx512f/);
    expect(chooseOpenBlasCore('x64', AVX2, 'Pentium').reason).toMatch(/ignored: not one of SkylakeX, Haswell/);
  });

  it("leaves other architectures to OpenBLAS's own detection", () => {
    expect(chooseOpenBlasCore('arm64', []).core).toBeNull();
  });

  it('lists no generic SSE family among those an AVX machine can get', () => {
    const avx = OPENBLAS_X86_CORES.filter((c) => c.needs.some((f) => f.startsWith('avx')));
    expect(avx.map((c) => c.core).filter((c) => GENERIC_SSE_CORES.includes(c))).toEqual([]);
  });
});

const native = loadNativeKernels();
const wide = native.kernels && native.blas.cpu.features.some((f) => f === 'avx2' || f === 'avx512f');

describe.skipIf(!wide)('the OpenBLAS kernels this machine runs', () => {
  it('are not a generic SSE family on a CPU that reports AVX2 or AVX-512', () => {
    if (!native.kernels) return;
    expect(
      GENERIC_SSE_CORES,
      `${native.blas.core} kernels on a CPU with ${native.blas.cpu.features.join(' ')} (${native.blas.chosenBy})`,
    ).not.toContain(native.blas.core);
    expect(native.blas.config).toContain(native.blas.core);
  });
});

const onednn = native.kernels && native.blas.convolutions.library === 'oneDNN' ? native.blas : null;

describe.skipIf(!wide || !onednn)('the oneDNN code path this machine runs', () => {
  it('is an AVX2 or AVX-512 one on a CPU that reports AVX2 or AVX-512', () => {
    if (!onednn) return;
    // oneDNN names its path after the widest instruction set it found (e.g. "avx512_core_vnni").
    const path = /^oneDNN [\d.]+ \((\w+)\)/.exec(onednn.convolutions.detail)?.[1] ?? onednn.convolutions.detail;
    expect(path, `${onednn.convolutions.detail} on a CPU with ${onednn.cpu.features.join(' ')}`).toMatch(
      onednn.cpu.features.includes('avx512f') ? /^avx512/ : /^avx2/,
    );
  });
});
