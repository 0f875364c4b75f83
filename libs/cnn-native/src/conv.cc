// Convolution kernels for TF.js training on the CPU: im2col + BLAS GEMM (OpenBLAS).
//
// TF.js's WASM backend runs convolutions on XNNPACK with 128-bit SIMD and no FMA; a native GEMM
// uses the machine's AVX2/AVX-512 FMA units and is several times faster per core. The kernels
// read and write the WASM heap in place: every tensor arrives as a Float32Array view of the
// backend's memory, so nothing is copied across the boundary.
//
// Layouts are TF's: x and y NHWC, filters [KH, KW, CI, CO]. The im2col row of an output pixel
// is [KH, KW, CI], which makes the filter a row-major [KH*KW*CI, CO] matrix as it is stored.
#include <node_api.h>
#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" void openblas_set_num_threads(int);
extern "C" char* openblas_get_config(void);

namespace {

struct Dims {
  int n, h, w, c, kh, kw, co, sh, sw, dh, dw, pt, pl, oh, ow;
};

// Rows (output pixels) per GEMM: large enough to keep the FMA units busy, small enough that the
// column buffer stays in the last-level cache's neighbourhood rather than in main memory.
constexpr int64_t kTargetColFloats = 1 << 21;

bool IsPointwise(const Dims& d) {
  return d.kh == 1 && d.kw == 1 && d.sh == 1 && d.sw == 1 && d.pt == 0 && d.pl == 0 && d.oh == d.h && d.ow == d.w;
}

int ImagesPerChunk(const Dims& d) {
  const int64_t per_image = static_cast<int64_t>(d.oh) * d.ow * d.kh * d.kw * d.c;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(d.n, kTargetColFloats / std::max<int64_t>(1, per_image))));
}

// col[(n*OH + oh)*OW + ow][(i*KW + j)*C + c] = x[n][oh*sh - pt + i*dh][ow*sw - pl + j*dw][c], 0 outside.
void Im2Col(const float* x, const Dims& d, int n0, int nb, float* col) {
  const int64_t k = static_cast<int64_t>(d.kh) * d.kw * d.c;
  const size_t span = sizeof(float) * d.c;
  float* row = col;
  for (int n = n0; n < n0 + nb; ++n) {
    const float* img = x + static_cast<int64_t>(n) * d.h * d.w * d.c;
    for (int oh = 0; oh < d.oh; ++oh) {
      for (int ow = 0; ow < d.ow; ++ow, row += k) {
        float* dst = row;
        for (int i = 0; i < d.kh; ++i) {
          const int ih = oh * d.sh - d.pt + i * d.dh;
          for (int j = 0; j < d.kw; ++j, dst += d.c) {
            const int iw = ow * d.sw - d.pl + j * d.dw;
            if (ih < 0 || ih >= d.h || iw < 0 || iw >= d.w) std::memset(dst, 0, span);
            else std::memcpy(dst, img + (static_cast<int64_t>(ih) * d.w + iw) * d.c, span);
          }
        }
      }
    }
  }
}

// The adjoint of Im2Col: every column entry is added back onto the input pixel it was read from.
void Col2ImAdd(const float* col, const Dims& d, int n0, int nb, float* dx) {
  const int64_t k = static_cast<int64_t>(d.kh) * d.kw * d.c;
  const float* row = col;
  for (int n = n0; n < n0 + nb; ++n) {
    float* img = dx + static_cast<int64_t>(n) * d.h * d.w * d.c;
    for (int oh = 0; oh < d.oh; ++oh) {
      for (int ow = 0; ow < d.ow; ++ow, row += k) {
        const float* src = row;
        for (int i = 0; i < d.kh; ++i) {
          const int ih = oh * d.sh - d.pt + i * d.dh;
          for (int j = 0; j < d.kw; ++j, src += d.c) {
            const int iw = ow * d.sw - d.pl + j * d.dw;
            if (ih < 0 || ih >= d.h || iw < 0 || iw >= d.w) continue;
            float* dst = img + (static_cast<int64_t>(ih) * d.w + iw) * d.c;
            for (int c = 0; c < d.c; ++c) dst[c] += src[c];
          }
        }
      }
    }
  }
}

std::vector<float>& Scratch(int64_t floats) {
  static thread_local std::vector<float> buffer;
  if (static_cast<int64_t>(buffer.size()) < floats) buffer.resize(floats);
  return buffer;
}

// activation: 0 linear, 1 relu, 2 relu6.
void Conv2DForward(const float* x, const float* w, const float* bias, int activation, const Dims& d, float* y) {
  const int64_t k = static_cast<int64_t>(d.kh) * d.kw * d.c;
  const int64_t pixels = static_cast<int64_t>(d.oh) * d.ow;
  if (IsPointwise(d)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d.n * pixels, d.co, k, 1.f, x, k, w, d.co, 0.f, y, d.co);
  } else {
    const int per = ImagesPerChunk(d);
    float* col = Scratch(per * pixels * k).data();
    for (int n0 = 0; n0 < d.n; n0 += per) {
      const int nb = std::min(per, d.n - n0);
      Im2Col(x, d, n0, nb, col);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb * pixels, d.co, k, 1.f, col, k, w, d.co, 0.f,
                  y + n0 * pixels * d.co, d.co);
    }
  }
  if (!bias && activation == 0) return;
  const int64_t rows = d.n * pixels;
  for (int64_t r = 0; r < rows; ++r) {
    float* out = y + r * d.co;
    if (bias) for (int o = 0; o < d.co; ++o) out[o] += bias[o];
    if (activation == 1) for (int o = 0; o < d.co; ++o) out[o] = std::max(out[o], 0.f);
    else if (activation == 2) for (int o = 0; o < d.co; ++o) out[o] = std::min(std::max(out[o], 0.f), 6.f);
  }
}

// dW[K, CO] = col(x)^T [K, rows] x dy [rows, CO], accumulated over chunks of images.
void Conv2DBackpropFilter(const float* x, const float* dy, const Dims& d, float* dw) {
  const int64_t k = static_cast<int64_t>(d.kh) * d.kw * d.c;
  const int64_t pixels = static_cast<int64_t>(d.oh) * d.ow;
  if (IsPointwise(d)) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, d.co, d.n * pixels, 1.f, x, k, dy, d.co, 0.f, dw, d.co);
    return;
  }
  const int per = ImagesPerChunk(d);
  float* col = Scratch(per * pixels * k).data();
  for (int n0 = 0; n0 < d.n; n0 += per) {
    const int nb = std::min(per, d.n - n0);
    Im2Col(x, d, n0, nb, col);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, d.co, nb * pixels, 1.f, col, k, dy + n0 * pixels * d.co,
                d.co, n0 == 0 ? 0.f : 1.f, dw, d.co);
  }
}

// dcol [rows, K] = dy [rows, CO] x W^T, scattered back onto dx.
void Conv2DBackpropInput(const float* dy, const float* w, const Dims& d, float* dx) {
  const int64_t k = static_cast<int64_t>(d.kh) * d.kw * d.c;
  const int64_t pixels = static_cast<int64_t>(d.oh) * d.ow;
  if (IsPointwise(d)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, d.n * pixels, k, d.co, 1.f, dy, d.co, w, d.co, 0.f, dx, k);
    return;
  }
  std::memset(dx, 0, sizeof(float) * static_cast<int64_t>(d.n) * d.h * d.w * d.c);
  const int per = ImagesPerChunk(d);
  float* col = Scratch(per * pixels * k).data();
  for (int n0 = 0; n0 < d.n; n0 += per) {
    const int nb = std::min(per, d.n - n0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb * pixels, k, d.co, 1.f, dy + n0 * pixels * d.co, d.co, w,
                d.co, 0.f, col, k);
    Col2ImAdd(col, d, n0, nb, dx);
  }
}

// ---- N-API glue ----

bool Fail(napi_env env, const char* message) {
  napi_throw_error(env, "MOODLAB_NATIVE", message);
  return false;
}

bool GetFloats(napi_env env, napi_value value, float** data, size_t* length, bool optional = false) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  if (optional && (type == napi_null || type == napi_undefined)) { *data = nullptr; *length = 0; return true; }
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return Fail(env, "expected a Float32Array");
  napi_typedarray_type kind;
  void* raw = nullptr;
  napi_get_typedarray_info(env, value, &kind, length, &raw, nullptr, nullptr);
  if (kind != napi_float32_array) return Fail(env, "expected a Float32Array");
  *data = static_cast<float*>(raw);
  return true;
}

bool GetDims(napi_env env, napi_value value, Dims* d) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return Fail(env, "dims must be an Int32Array of 15 values");
  napi_typedarray_type kind;
  size_t length = 0;
  void* raw = nullptr;
  napi_get_typedarray_info(env, value, &kind, &length, &raw, nullptr, nullptr);
  if (kind != napi_int32_array || length != 15) return Fail(env, "dims must be an Int32Array of 15 values");
  std::memcpy(d, raw, sizeof(Dims));
  const int* v = static_cast<const int*>(raw);
  for (size_t i = 0; i < 15; ++i) if (v[i] < 0 || (i < 11 && v[i] == 0)) return Fail(env, "dims out of range");
  return true;
}

int64_t Size(const Dims& d, char which) {
  switch (which) {
    case 'x': return static_cast<int64_t>(d.n) * d.h * d.w * d.c;
    case 'w': return static_cast<int64_t>(d.kh) * d.kw * d.c * d.co;
    default: return static_cast<int64_t>(d.n) * d.oh * d.ow * d.co;
  }
}

bool Check(napi_env env, size_t got, int64_t want, const char* what) {
  if (static_cast<int64_t>(got) >= want) return true;
  napi_throw_range_error(env, "MOODLAB_NATIVE", what);
  return false;
}

// conv2dForward(x, w, bias | null, activation, dims, y)
napi_value ForwardJs(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *w, *bias, *y;
  size_t nx, nw, nb, ny;
  int32_t activation = 0;
  Dims d;
  if (argc < 6 || !GetFloats(env, argv[0], &x, &nx) || !GetFloats(env, argv[1], &w, &nw) ||
      !GetFloats(env, argv[2], &bias, &nb, true) || !GetDims(env, argv[4], &d) || !GetFloats(env, argv[5], &y, &ny)) return nullptr;
  napi_get_value_int32(env, argv[3], &activation);
  if (!Check(env, nx, Size(d, 'x'), "x too small") || !Check(env, nw, Size(d, 'w'), "filter too small") ||
      !Check(env, ny, Size(d, 'y'), "y too small") || (bias && !Check(env, nb, d.co, "bias too small"))) return nullptr;
  Conv2DForward(x, w, bias, activation, d, y);
  return nullptr;
}

// conv2dBackpropFilter(x, dy, dims, dw)
napi_value BackpropFilterJs(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *dy, *dw;
  size_t nx, ndy, ndw;
  Dims d;
  if (argc < 4 || !GetFloats(env, argv[0], &x, &nx) || !GetFloats(env, argv[1], &dy, &ndy) || !GetDims(env, argv[2], &d) ||
      !GetFloats(env, argv[3], &dw, &ndw)) return nullptr;
  if (!Check(env, nx, Size(d, 'x'), "x too small") || !Check(env, ndy, Size(d, 'y'), "dy too small") ||
      !Check(env, ndw, Size(d, 'w'), "dw too small")) return nullptr;
  Conv2DBackpropFilter(x, dy, d, dw);
  return nullptr;
}

// conv2dBackpropInput(dy, w, dims, dx)
napi_value BackpropInputJs(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *dy, *w, *dx;
  size_t ndy, nw, ndx;
  Dims d;
  if (argc < 4 || !GetFloats(env, argv[0], &dy, &ndy) || !GetFloats(env, argv[1], &w, &nw) || !GetDims(env, argv[2], &d) ||
      !GetFloats(env, argv[3], &dx, &ndx)) return nullptr;
  if (!Check(env, ndy, Size(d, 'y'), "dy too small") || !Check(env, nw, Size(d, 'w'), "filter too small") ||
      !Check(env, ndx, Size(d, 'x'), "dx too small")) return nullptr;
  Conv2DBackpropInput(dy, w, d, dx);
  return nullptr;
}

napi_value SetThreadsJs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t threads = 1;
  if (argc > 0) napi_get_value_int32(env, argv[0], &threads);
  openblas_set_num_threads(std::max(1, threads));
  return nullptr;
}

napi_value BlasConfigJs(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
    {"conv2dForward", nullptr, ForwardJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"conv2dBackpropFilter", nullptr, BackpropFilterJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"conv2dBackpropInput", nullptr, BackpropInputJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"setThreads", nullptr, SetThreadsJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"blasConfig", nullptr, BlasConfigJs, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
