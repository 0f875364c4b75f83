// The native kernels, independent of Node: plain arrays in TF's NHWC layout.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>

namespace moodlab {

// Convolution geometry, in the order the JS side packs it into an Int32Array.
struct Dims {
  int n, h, w, c, kh, kw, co, sh, sw, dh, dw, pt, pl, oh, ow;
};

// A geometry as an ordered key, for the caches of per-geometry choices and primitives.
using DimsKey = std::array<int, sizeof(Dims) / sizeof(int)>;
inline DimsKey KeyOf(const Dims& d) {
  DimsKey key;
  std::memcpy(key.data(), &d, sizeof(Dims));
  return key;
}

// activation: 0 linear, 1 relu, 2 relu6, 3 leaky relu with slope alpha.
void Conv2DForward(const float* x, const float* w, const float* bias, int activation, float alpha, const Dims& d, float* y);
void Conv2DBackpropFilter(const float* x, const float* dy, const Dims& d, float* dw);
void Conv2DBackpropInput(const float* dy, const float* w, const Dims& d, float* dx);

// Where oneDNN is loaded: off (the default), each layer's pass runs on the library a fixed rule
// gives it, the same in every process; on, on whichever was faster on its first calls here.
void SetFastestConvolutions(bool on);

// Batched matrix product geometry: batch sizes of a and b (equal, or 1 for a shared operand),
// the product's M, K, N, and whether a ([M, K] as stored [K, M]) or b is transposed.
struct MatMulDims {
  int batch_a, batch_b, m, k, n, transpose_a, transpose_b;
};

void BatchMatMul(const float* a, const float* b, const MatMulDims& d, float* c);

// Max-pool geometry: input N, H, W, C; window, stride, top/left padding; output H, W.
struct PoolDims {
  int n, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow;
};

// Each output's gradient goes to the first position of its window holding the window's max
// (TF's rule, so ties match); dx is overwritten.
void MaxPoolGrad(const float* x, const float* y, const float* dy, const PoolDims& d, float* dx);

// out[c] = scale * sum over rows of src[r * cols + c], accumulated in double.
void ColumnSums(const float* src, int64_t rows, int64_t cols, double scale, float* out);

// dst = a * dst + b * src, elementwise.
void ScaleAdd(float* dst, const float* src, int64_t n, float a, float b);

// One Adam step's constants; correction1 and 2 are 1 - beta1^t and 1 - beta2^t.
struct AdamStep {
  float learning_rate, beta1, beta2, epsilon, correction1, correction2;
};
// Adam's update of one variable w with gradient g: updates the moments m and v in place, writes
// the new weights to out (which may be w).
void AdamUpdate(const float* w, const float* g, float* m, float* v, int64_t n, const AdamStep& step, float* out);

// BatchNorm in training over x [rows, channels]: per-channel mean and biased variance of x, and
// y = (x - mean) / sqrt(variance + epsilon) * scale + offset.
void BatchNormForward(const float* x, int64_t rows, int64_t channels, const float* scale, const float* offset, float epsilon,
                      float* y, float* mean, float* variance);

// Its gradient with the batch statistics' own dependence on x included (the closed form), given
// the forward's mean and variance: dx, dscale = sum(dy * xhat), doffset = sum(dy).
void BatchNormBackward(const float* dy, const float* x, int64_t rows, int64_t channels, const float* mean, const float* variance,
                       const float* scale, float epsilon, float* dx, float* dscale, float* doffset);

}  // namespace moodlab
