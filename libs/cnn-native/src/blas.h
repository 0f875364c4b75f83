// OpenBLAS, loaded at run time so that its kernel family can be chosen before it initialises.
//
// Debian's OpenBLAS (DYNAMIC_ARCH) picks its kernels from the CPU's family and model numbers when
// the library loads; a CPU newer than the build (several Xeons with AVX-512) falls back to the
// SSE3 "Prescott" kernels, 6x slower. OPENBLAS_CORETYPE overrides that, but only if it is set
// before the library's constructor runs, which linking against it at build time rules out.
#pragma once

namespace moodlab {

// Row-major SGEMM: c = op(a) x op(b) + beta * c.
void Sgemm(bool transpose_a, bool transpose_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);

// Sets OPENBLAS_CORETYPE to `core` (unless null or empty) and loads OpenBLAS, once per process;
// later calls return the first result. Returns null when loaded, else why not.
const char* LoadBlas(const char* core);

// Whether LoadBlas succeeded; each function below is safe only then.
bool BlasLoaded();

void SetBlasThreads(int threads);
const char* BlasConfig();
const char* BlasCoreName();

// The instruction sets this CPU supports and its OS has enabled (cpuid and xgetbv), as
// space-separated /proc/cpuinfo-style names; empty on non-x86 machines.
const char* CpuFeatures();

}  // namespace moodlab
