// N-API glue: argument checks, then the kernels in kernels.h.
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>

#include "blas.h"
#include "dnnl-conv.h"
#include "kernels.h"

namespace {

using moodlab::Dims;
using moodlab::PoolDims;

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

bool GetInts(napi_env env, napi_value value, size_t count, int* out) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  napi_typedarray_type kind = napi_float32_array;
  size_t length = 0;
  void* raw = nullptr;
  if (is_typed) napi_get_typedarray_info(env, value, &kind, &length, &raw, nullptr, nullptr);
  if (!is_typed || kind != napi_int32_array || length != count) return Fail(env, "dims must be an Int32Array of the documented length");
  std::memcpy(out, raw, sizeof(int) * count);
  for (size_t i = 0; i < count; ++i) if (out[i] < 0) return Fail(env, "dims out of range");
  return true;
}

// Convolution dims: 15 values, the first 11 (shapes, strides, dilations) positive.
bool GetDims(napi_env env, napi_value value, Dims* d) {
  int* v = reinterpret_cast<int*>(d);
  if (!GetInts(env, value, 15, v)) return false;
  for (size_t i = 0; i < 11; ++i) if (v[i] == 0) return Fail(env, "dims out of range");
  return true;
}

int64_t Size(const Dims& d, char which) {
  switch (which) {
    case 'x': return static_cast<int64_t>(d.n) * d.h * d.w * d.c;
    case 'w': return static_cast<int64_t>(d.kh) * d.kw * d.c * d.co;
    default: return static_cast<int64_t>(d.n) * d.oh * d.ow * d.co;
  }
}

// The GEMM kernels need OpenBLAS, which loadBlas() loads.
bool BlasReady(napi_env env) {
  return moodlab::BlasLoaded() || Fail(env, "OpenBLAS is not loaded: call loadBlas() first");
}

bool Check(napi_env env, size_t got, int64_t want, const char* what) {
  if (static_cast<int64_t>(got) >= want) return true;
  napi_throw_range_error(env, "MOODLAB_NATIVE", what);
  return false;
}

// conv2dForward(x, w, bias | null, activation, dims, y, alpha?)
napi_value ForwardJs(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *w, *bias, *y;
  size_t nx, nw, nb, ny;
  int32_t activation = 0;
  Dims d;
  if (!BlasReady(env) || argc < 6 || !GetFloats(env, argv[0], &x, &nx) || !GetFloats(env, argv[1], &w, &nw) ||
      !GetFloats(env, argv[2], &bias, &nb, true) || !GetDims(env, argv[4], &d) || !GetFloats(env, argv[5], &y, &ny)) return nullptr;
  napi_get_value_int32(env, argv[3], &activation);
  double alpha = 0;
  if (argc > 6) napi_get_value_double(env, argv[6], &alpha);
  if (!Check(env, nx, Size(d, 'x'), "x too small") || !Check(env, nw, Size(d, 'w'), "filter too small") ||
      !Check(env, ny, Size(d, 'y'), "y too small") || (bias && !Check(env, nb, d.co, "bias too small"))) return nullptr;
  moodlab::Conv2DForward(x, w, bias, activation, static_cast<float>(alpha), d, y);
  return nullptr;
}

// Both convolution gradients take (a, b, dims, out); each array is checked against the size its
// role ('x' input, 'w' filter, 'y' output) needs under dims.
using ConvGradient = void (*)(const float*, const float*, const Dims&, float*);

napi_value ConvGradientJs(napi_env env, napi_callback_info info, const char* const names[3], const char roles[3], ConvGradient kernel) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float* arrays[3];
  size_t lengths[3];
  Dims d;
  if (!BlasReady(env) || argc < 4 || !GetFloats(env, argv[0], &arrays[0], &lengths[0]) || !GetFloats(env, argv[1], &arrays[1], &lengths[1]) ||
      !GetDims(env, argv[2], &d) || !GetFloats(env, argv[3], &arrays[2], &lengths[2])) return nullptr;
  for (int i = 0; i < 3; ++i) {
    char message[32];
    std::snprintf(message, sizeof(message), "%s too small", names[i]);
    if (!Check(env, lengths[i], Size(d, roles[i]), message)) return nullptr;
  }
  kernel(arrays[0], arrays[1], d, arrays[2]);
  return nullptr;
}

// conv2dBackpropFilter(x, dy, dims, dw)
napi_value BackpropFilterJs(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"x", "dy", "dw"};
  return ConvGradientJs(env, info, names, "xyw", moodlab::Conv2DBackpropFilter);
}

// conv2dBackpropInput(dy, w, dims, dx)
napi_value BackpropInputJs(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"dy", "filter", "dx"};
  return ConvGradientJs(env, info, names, "ywx", moodlab::Conv2DBackpropInput);
}

// maxPoolGrad(x, y, dy, dims[12], dx)
napi_value MaxPoolGradJs(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *y, *dy, *dx;
  size_t nx, ny, ndy, ndx;
  PoolDims d;
  if (argc < 5 || !GetFloats(env, argv[0], &x, &nx) || !GetFloats(env, argv[1], &y, &ny) || !GetFloats(env, argv[2], &dy, &ndy) ||
      !GetInts(env, argv[3], 12, reinterpret_cast<int*>(&d)) || !GetFloats(env, argv[4], &dx, &ndx)) return nullptr;
  const int64_t in = static_cast<int64_t>(d.n) * d.h * d.w * d.c, out = static_cast<int64_t>(d.n) * d.oh * d.ow * d.c;
  if (!Check(env, nx, in, "x too small") || !Check(env, ndx, in, "dx too small") || !Check(env, ny, out, "y too small") ||
      !Check(env, ndy, out, "dy too small")) return nullptr;
  moodlab::MaxPoolGrad(x, y, dy, d, dx);
  return nullptr;
}

// columnSums(src, rows, cols, scale, out)
napi_value ColumnSumsJs(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *src, *out;
  size_t nsrc, nout;
  int64_t rows = 0, cols = 0;
  double scale = 1;
  if (argc < 5 || !GetFloats(env, argv[0], &src, &nsrc) || !GetFloats(env, argv[4], &out, &nout)) return nullptr;
  napi_get_value_int64(env, argv[1], &rows);
  napi_get_value_int64(env, argv[2], &cols);
  napi_get_value_double(env, argv[3], &scale);
  if (rows < 0 || cols < 0) { Fail(env, "rows and cols must be >= 0"); return nullptr; }
  if (!Check(env, nsrc, rows * cols, "src too small") || !Check(env, nout, cols, "out too small")) return nullptr;
  moodlab::ColumnSums(src, rows, cols, scale, out);
  return nullptr;
}

// Reads argv[i] for each i in `which` as a Float32Array of at least `want[k]` floats.
bool GetSized(napi_env env, const napi_value* argv, std::initializer_list<int> which, std::initializer_list<int64_t> want,
              std::initializer_list<const char*> names, float** out) {
  auto w = want.begin();
  auto name = names.begin();
  int k = 0;
  for (int i : which) {
    size_t length = 0;
    if (!GetFloats(env, argv[i], &out[k], &length)) return false;
    char message[48];
    std::snprintf(message, sizeof(message), "%s too small", *name);
    if (!Check(env, length, *w, message)) return false;
    ++w, ++name, ++k;
  }
  return true;
}

// scaleAdd(dst, src, a, b)
napi_value ScaleAddJs(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *dst, *src;
  size_t ndst;
  double a = 1, b = 1;
  if (argc < 4 || !GetFloats(env, argv[0], &dst, &ndst)) return nullptr;
  const int64_t n = static_cast<int64_t>(ndst);
  if (!GetSized(env, argv, {1}, {n}, {"src"}, &src)) return nullptr;
  napi_get_value_double(env, argv[2], &a);
  napi_get_value_double(env, argv[3], &b);
  moodlab::ScaleAdd(dst, src, n, static_cast<float>(a), static_cast<float>(b));
  return nullptr;
}

// adamUpdate(w, g, m, v, out, [learningRate, beta1, beta2, epsilon, correction1, correction2])
napi_value AdamUpdateJs(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float* w;
  size_t nw;
  if (argc < 6 || !GetFloats(env, argv[0], &w, &nw)) return nullptr;
  const int64_t n = static_cast<int64_t>(nw);
  float* a[5];  // g, m, v, out, constants
  if (!GetSized(env, argv, {1, 2, 3, 4, 5}, {n, n, n, n, 6}, {"g", "m", "v", "out", "constants"}, a)) return nullptr;
  const float* k = a[4];
  moodlab::AdamUpdate(w, a[0], a[1], a[2], n, {k[0], k[1], k[2], k[3], k[4], k[5]}, a[3]);
  return nullptr;
}

// The BatchNorm kernels' arguments: exactly `count` of them into argv, rows and channels at
// rows_at and rows_at + 1, epsilon at epsilon_at.
bool GetBatchNormArgs(napi_env env, napi_callback_info info, size_t count, napi_value* argv, int rows_at, int epsilon_at,
                      int64_t* rows, int64_t* channels, double* epsilon) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < count) return Fail(env, "too few arguments");
  napi_get_value_int64(env, argv[rows_at], rows);
  napi_get_value_int64(env, argv[rows_at + 1], channels);
  napi_get_value_double(env, argv[epsilon_at], epsilon);
  if (*rows < 0 || *channels <= 0) return Fail(env, "rows must be >= 0 and channels > 0");
  return true;
}

// batchNormForward(x, rows, channels, scale, offset, epsilon, y, mean, variance)
napi_value BatchNormForwardJs(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int64_t rows = 0, channels = 0;
  double epsilon = 0;
  if (!GetBatchNormArgs(env, info, 9, argv, 1, 5, &rows, &channels, &epsilon)) return nullptr;
  float* a[6];  // x, scale, offset, y, mean, variance
  if (!GetSized(env, argv, {0, 3, 4, 6, 7, 8}, {rows * channels, channels, channels, rows * channels, channels, channels},
                {"x", "scale", "offset", "y", "mean", "variance"}, a)) return nullptr;
  moodlab::BatchNormForward(a[0], rows, channels, a[1], a[2], static_cast<float>(epsilon), a[3], a[4], a[5]);
  return nullptr;
}

// batchNormBackward(dy, x, rows, channels, mean, variance, scale, epsilon, dx, dscale, doffset)
napi_value BatchNormBackwardJs(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  int64_t rows = 0, channels = 0;
  double epsilon = 0;
  if (!GetBatchNormArgs(env, info, 11, argv, 2, 7, &rows, &channels, &epsilon)) return nullptr;
  float* a[8];  // dy, x, mean, variance, scale, dx, dscale, doffset
  if (!GetSized(env, argv, {0, 1, 4, 5, 6, 8, 9, 10},
                {rows * channels, rows * channels, channels, channels, channels, rows * channels, channels, channels},
                {"dy", "x", "mean", "variance", "scale", "dx", "dscale", "doffset"}, a)) return nullptr;
  moodlab::BatchNormBackward(a[0], a[1], rows, channels, a[2], a[3], a[4], static_cast<float>(epsilon), a[5], a[6], a[7]);
  return nullptr;
}

// batchMatMul(a, b, dims[7], c): dims are batch A, batch B, M, K, N, transpose A, transpose B.
napi_value BatchMatMulJs(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  moodlab::MatMulDims d;
  if (!BlasReady(env) || argc < 4 || !GetInts(env, argv[2], 7, reinterpret_cast<int*>(&d))) return nullptr;
  if (d.batch_a == 0 || d.batch_b == 0 || (d.batch_a != d.batch_b && d.batch_a != 1 && d.batch_b != 1)) {
    Fail(env, "batch sizes must be equal or 1");
    return nullptr;
  }
  const int64_t batch = std::max(d.batch_a, d.batch_b);
  float* arrays[3];
  if (!GetSized(env, argv, {0, 1, 3},
                {static_cast<int64_t>(d.batch_a) * d.m * d.k, static_cast<int64_t>(d.batch_b) * d.k * d.n, batch * d.m * d.n},
                {"a", "b", "c"}, arrays)) return nullptr;
  moodlab::BatchMatMul(arrays[0], arrays[1], d, arrays[2]);
  return nullptr;
}

napi_value String(napi_env env, const char* text) {
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

// A loader's answer to JS: null when loaded, else why not.
napi_value LoadResult(napi_env env, const char* error) {
  if (error) return String(env, error);
  napi_value null;
  napi_get_null(env, &null);
  return null;
}

// The first argument read by `get` (napi_get_value_int32, _bool, ...), `fallback` when it is missing.
template <class T>
T FirstArg(napi_env env, napi_callback_info info, T fallback, napi_status (*get)(napi_env, napi_value, T*)) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc > 0) get(env, argv[0], &fallback);
  return fallback;
}

int32_t FirstInt(napi_env env, napi_callback_info info, int32_t fallback) {
  return FirstArg(env, info, fallback, napi_get_value_int32);
}

bool FirstBool(napi_env env, napi_callback_info info, bool fallback) {
  return FirstArg(env, info, fallback, napi_get_value_bool);
}

// loadBlas(core | null): OpenBLAS with that kernel family (null: its own detection). Returns null
// when loaded, else why not; only the first call in a process chooses.
napi_value LoadBlasJs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char core[64] = "";
  napi_valuetype type = napi_undefined;
  if (argc > 0) napi_typeof(env, argv[0], &type);
  if (type == napi_string) napi_get_value_string_utf8(env, argv[0], core, sizeof(core), nullptr);
  return LoadResult(env, moodlab::LoadBlas(core));
}

napi_value SetThreadsJs(napi_env env, napi_callback_info info) {
  const int32_t threads = std::max(1, FirstInt(env, info, 1));
  if (BlasReady(env)) moodlab::SetBlasThreads(threads);
  moodlab::SetDnnlThreads(threads);
  return nullptr;
}

napi_value BlasConfigJs(napi_env env, napi_callback_info) {
  return BlasReady(env) ? String(env, moodlab::BlasConfig()) : nullptr;
}

napi_value BlasCoreJs(napi_env env, napi_callback_info) {
  return BlasReady(env) ? String(env, moodlab::BlasCoreName()) : nullptr;
}

// loadDnnl(threads): oneDNN for the convolutions from now on. Returns null when loaded, else why
// not (the convolutions then stay on im2col + OpenBLAS); only the first call in a process loads.
napi_value LoadDnnlJs(napi_env env, napi_callback_info info) {
  return LoadResult(env, moodlab::LoadDnnl(std::max(1, FirstInt(env, info, 1))));
}

// useDnnl(on): oneDNN for the convolutions (when loaded) or the im2col path; returns which is in use.
napi_value UseDnnlJs(napi_env env, napi_callback_info info) {
  moodlab::UseDnnl(FirstBool(env, info, true));
  napi_value out;
  napi_get_boolean(env, moodlab::DnnlLoaded(), &out);
  return out;
}

// fastestConvolutions(on): time oneDNN against im2col per layer instead of the fixed rule.
napi_value FastestConvolutionsJs(napi_env env, napi_callback_info info) {
  moodlab::SetFastestConvolutions(FirstBool(env, info, false));
  return nullptr;
}

napi_value DnnlConvolutionsJs(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int64(env, moodlab::DnnlConvolutions(), &out);
  return out;
}

napi_value DnnlDescriptionJs(napi_env env, napi_callback_info) { return String(env, moodlab::DnnlDescription()); }

napi_value CpuFeaturesJs(napi_env env, napi_callback_info) { return String(env, moodlab::CpuFeatures()); }

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
    {"conv2dForward", nullptr, ForwardJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"conv2dBackpropFilter", nullptr, BackpropFilterJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"conv2dBackpropInput", nullptr, BackpropInputJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"maxPoolGrad", nullptr, MaxPoolGradJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"scaleAdd", nullptr, ScaleAddJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"adamUpdate", nullptr, AdamUpdateJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"columnSums", nullptr, ColumnSumsJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"batchMatMul", nullptr, BatchMatMulJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"batchNormForward", nullptr, BatchNormForwardJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"batchNormBackward", nullptr, BatchNormBackwardJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"setThreads", nullptr, SetThreadsJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"blasConfig", nullptr, BlasConfigJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"blasCore", nullptr, BlasCoreJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"loadBlas", nullptr, LoadBlasJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"loadDnnl", nullptr, LoadDnnlJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"useDnnl", nullptr, UseDnnlJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"fastestConvolutions", nullptr, FastestConvolutionsJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"dnnlConvolutions", nullptr, DnnlConvolutionsJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"dnnlDescription", nullptr, DnnlDescriptionJs, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"cpuFeatures", nullptr, CpuFeaturesJs, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
