import type { NativeKernels } from './kernels';

/**
 * One thread's SGEMM rate in GFLOP/s on square `size` matrices (best of `repeats`), as the native
 * kernels call it: the figure that says whether OpenBLAS runs the CPU's wide kernels. 512 costs
 * about 3 ms a product on AVX-512 and 20 ms on SSE3 kernels, so processes measure it at start.
 */
export function measureSgemmGflops(kernels: NativeKernels, size = 512, repeats = 5): number {
  const a = new Float32Array(size * size).map((_, i) => ((i * 7) % 13) / 13);
  const b = new Float32Array(size * size).map((_, i) => ((i * 5) % 11) / 11);
  const c = new Float32Array(size * size);
  const dims = Int32Array.of(1, 1, size, size, size, 0, 0);
  kernels.setThreads(1);
  kernels.batchMatMul(a, b, dims, c);
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    kernels.batchMatMul(a, b, dims, c);
    best = Math.min(best, performance.now() - t);
  }
  return (2 * size ** 3) / (best / 1000) / 1e9;
}
