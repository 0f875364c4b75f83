#include "blas.h"

#include <dlfcn.h>
#include <cstdlib>
#include <mutex>
#include <string>

namespace moodlab {
namespace {

// The CBLAS ABI as Debian's libopenblas0 exports it (32-bit integers; enums passed as int).
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using SetThreadsFn = void (*)(int);
using StringFn = char* (*)();

struct Blas {
  SgemmFn sgemm = nullptr;
  SetThreadsFn set_threads = nullptr;
  StringFn config = nullptr;
  StringFn core_name = nullptr;
  std::string error;
};

Blas& Loaded() {
  static Blas blas;
  return blas;
}

void Load(const char* core) {
  Blas& blas = Loaded();
  if (core && *core) setenv("OPENBLAS_CORETYPE", core, 1);
  void* lib = nullptr;
  for (const char* name : {"libopenblas.so.0", "libopenblas.so"}) {
    if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
  }
  if (!lib) {
    blas.error = "OpenBLAS not found at run time (Debian/Ubuntu: apt-get install libopenblas0)";
    return;
  }
  blas.sgemm = reinterpret_cast<SgemmFn>(dlsym(lib, "cblas_sgemm"));
  blas.set_threads = reinterpret_cast<SetThreadsFn>(dlsym(lib, "openblas_set_num_threads"));
  blas.config = reinterpret_cast<StringFn>(dlsym(lib, "openblas_get_config"));
  blas.core_name = reinterpret_cast<StringFn>(dlsym(lib, "openblas_get_corename"));
  if (!blas.sgemm || !blas.set_threads || !blas.config || !blas.core_name) {
    blas.sgemm = nullptr;
    blas.error = "the loaded libopenblas lacks cblas_sgemm or openblas_get_corename";
  }
}

}  // namespace

const char* LoadBlas(const char* core) {
  static std::once_flag once;
  std::call_once(once, Load, core);
  return Loaded().sgemm ? nullptr : Loaded().error.c_str();
}

void Sgemm(bool transpose_a, bool transpose_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  Loaded().sgemm(kRowMajor, transpose_a ? kTrans : kNoTrans, transpose_b ? kTrans : kNoTrans, m, n, k, 1.f, a, lda, b, ldb, beta, c, ldc);
}

bool BlasLoaded() { return Loaded().sgemm != nullptr; }
void SetBlasThreads(int threads) { Loaded().set_threads(threads); }
const char* BlasConfig() { return Loaded().config(); }
const char* BlasCoreName() { return Loaded().core_name(); }

const char* CpuFeatures() {
  static const std::string features = [] {
    std::string out;
#if defined(__x86_64__) || defined(__i386__)
    // GCC's checks read cpuid and, for AVX and AVX-512, whether the OS saves their registers.
    __builtin_cpu_init();
    const struct { const char* name; bool has; } all[] = {
      {"sse3", __builtin_cpu_supports("sse3")}, {"ssse3", __builtin_cpu_supports("ssse3")},
      {"sse4_1", __builtin_cpu_supports("sse4.1")}, {"sse4_2", __builtin_cpu_supports("sse4.2")},
      {"avx", __builtin_cpu_supports("avx")}, {"avx2", __builtin_cpu_supports("avx2")}, {"fma", __builtin_cpu_supports("fma")},
      {"avx512f", __builtin_cpu_supports("avx512f")}, {"avx512cd", __builtin_cpu_supports("avx512cd")},
      {"avx512bw", __builtin_cpu_supports("avx512bw")}, {"avx512dq", __builtin_cpu_supports("avx512dq")},
      {"avx512vl", __builtin_cpu_supports("avx512vl")},
    };
    for (const auto& f : all) {
      if (!f.has) continue;
      if (!out.empty()) out += ' ';
      out += f.name;
    }
#endif
    return out;
  }();
  return features.c_str();
}

}  // namespace moodlab
