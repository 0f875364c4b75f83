// Convolution kernels for TF.js training on the CPU: oneDNN's (dnnl-conv.h) or im2col + BLAS GEMM
// (OpenBLAS), chosen per layer and pass where oneDNN is loaded (RuleTakesDnnl, LibraryChoice);
// 1x1 convolutions are a plain GEMM either way.
//
// TF.js's WASM backend runs convolutions on XNNPACK with 128-bit SIMD and no FMA; a native GEMM
// uses the machine's AVX2/AVX-512 FMA units and is several times faster per core. The kernels
// read and write the WASM heap in place: every tensor arrives as a Float32Array view of the
// backend's memory, so nothing is copied across the boundary.
//
// Layouts are TF's: x and y NHWC, filters [KH, KW, CI, CO]. The im2col row of an output pixel
// is [KH, KW, CI], which makes the filter a row-major [KH*KW*CI, CO] matrix as it is stored.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <vector>

#include "blas.h"
#include "dnnl-conv.h"
#include "kernels.h"

namespace moodlab {
namespace {

// Rows (output pixels) per GEMM: large enough to keep the FMA units busy, small enough that the
// column buffer (512 KB) stays in a core's L2. With two training processes sharing the last-level
// cache and memory bandwidth, a 8 MB buffer cost vgg-lite 13% of its throughput (129 vs 148 img/s;
// 1 << 16, 1 << 19: 142, 144).
constexpr int64_t kTargetColFloats = 1 << 17;

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

// Calls f(n0, nb, col) for each chunk of nb images from n0, with a column buffer sized for a chunk.
template <class F>
void ForEachChunk(const Dims& d, F f) {
  const int per = ImagesPerChunk(d);
  float* col = Scratch(per * static_cast<int64_t>(d.oh) * d.ow * d.kh * d.kw * d.c).data();
  for (int n0 = 0; n0 < d.n; n0 += per) f(n0, std::min(per, d.n - n0), col);
}

// Which of oneDNN and the im2col path computes one pass of one convolution geometry. Neither wins
// everywhere (AVX-512 Xeon, batch 64, ms oneDNN / im2col): vgg-lite's first layer forward 3.7 / 11.7
// and filter gradient 3.3 / 9.4; seed-cnn's 5x5 64->128 input gradient 160.8 / 98.2 and its
// 3x3 128->512 filter gradient 118.0 / 72.9. The default is a fixed rule from those figures, so that
// a seed gives the same numbers in every process; SetFastestConvolutions(true) times both on first
// use and keeps the faster (as cuDNN's autotuner does), which may pick differently from run to run.
enum Pass { kForward, kBackpropInput, kBackpropFilter };

std::atomic<bool> fastest{false};

// The rule: forward on oneDNN; input gradients on im2col; filter gradients on oneDNN below 2^19
// filter values (every vgg-lite layer, seed-cnn's first two), on im2col above.
bool RuleTakesDnnl(Pass pass, const Dims& d) {
  if (pass == kBackpropInput) return false;
  if (pass == kBackpropFilter) return static_cast<int64_t>(d.kh) * d.kw * d.c * d.co < (int64_t{1} << 19);
  return true;
}

class LibraryChoice {
 public:
  // Runs `dnnl` or `im2col` (each computes the whole output); `dnnl` returns false where it cannot.
  template <class Dnnl, class Im2Col>
  void Run(Pass pass, const Dims& d, Dnnl dnnl, Im2Col im2col) {
    if (!DnnlLoaded()) return im2col();
    if (!fastest) {
      if (!RuleTakesDnnl(pass, d) || !dnnl()) im2col();
      return;
    }
    Trial& t = trials_[{KeyOf(d), pass}];
    const int side = t.runs[0] < kTrials ? 0 : t.runs[1] < kTrials ? 1 : t.best[0] <= t.best[1] ? 0 : 1;
    const bool timing = t.runs[side] < kTrials;
    const auto start = std::chrono::steady_clock::now();
    if (side == 0 && !dnnl()) {
      t.runs[0] = kTrials;  // no oneDNN kernel for this geometry: best stays infinite
      return im2col();
    }
    if (side == 1) im2col();
    if (!timing) return;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    t.best[side] = std::min(t.best[side], ms);
    ++t.runs[side];
  }

 private:
  static constexpr int kTrials = 2;
  struct Trial {
    double best[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    int runs[2] = {0, 0};
  };
  std::map<std::pair<DimsKey, Pass>, Trial> trials_;
};

// Per thread: the replicas are threads, each timing on its own core.
LibraryChoice& Choice() {
  static thread_local LibraryChoice choice;
  return choice;
}

}  // namespace

void SetFastestConvolutions(bool on) { fastest = on; }

// activation: 0 linear, 1 relu, 2 relu6, 3 leaky relu with slope alpha.
void Conv2DForward(const float* x, const float* w, const float* bias, int activation, float alpha, const Dims& d, float* y) {
  const int64_t k = static_cast<int64_t>(d.kh) * d.kw * d.c;
  const int64_t pixels = static_cast<int64_t>(d.oh) * d.ow;
  if (IsPointwise(d)) {
    Sgemm(false, false, d.n * pixels, d.co, k, x, k, w, d.co, 0.f, y, d.co);
  } else {
    Choice().Run(
        kForward, d, [&] { return DnnlConv2DForward(x, w, d, y); },
        [&] {
          ForEachChunk(d, [&](int n0, int nb, float* col) {
            Im2Col(x, d, n0, nb, col);
            Sgemm(false, false, nb * pixels, d.co, k, col, k, w, d.co, 0.f, y + n0 * pixels * d.co, d.co);
          });
        });
  }
  if (!bias && activation == 0) return;
  const int64_t rows = d.n * pixels;
  for (int64_t r = 0; r < rows; ++r) {
    float* out = y + r * d.co;
    if (bias) for (int o = 0; o < d.co; ++o) out[o] += bias[o];
    if (activation == 1) for (int o = 0; o < d.co; ++o) out[o] = std::max(out[o], 0.f);
    else if (activation == 2) for (int o = 0; o < d.co; ++o) out[o] = std::min(std::max(out[o], 0.f), 6.f);
    // Branch-free: on signed activations a conditional mispredicts half the time (7x slower measured).
    else if (activation == 3) for (int o = 0; o < d.co; ++o) out[o] = std::max(out[o], 0.f) + alpha * std::min(out[o], 0.f);
  }
}

// dW[K, CO] = col(x)^T [K, rows] x dy [rows, CO], accumulated over chunks of images.
void Conv2DBackpropFilter(const float* x, const float* dy, const Dims& d, float* dw) {
  const int64_t k = static_cast<int64_t>(d.kh) * d.kw * d.c;
  const int64_t pixels = static_cast<int64_t>(d.oh) * d.ow;
  if (IsPointwise(d)) {
    Sgemm(true, false, k, d.co, d.n * pixels, x, k, dy, d.co, 0.f, dw, d.co);
    return;
  }
  Choice().Run(
      kBackpropFilter, d, [&] { return DnnlConv2DBackpropFilter(x, dy, d, dw); },
      [&] {
        ForEachChunk(d, [&](int n0, int nb, float* col) {
          Im2Col(x, d, n0, nb, col);
          Sgemm(true, false, k, d.co, nb * pixels, col, k, dy + n0 * pixels * d.co, d.co, n0 == 0 ? 0.f : 1.f, dw, d.co);
        });
      });
}

// c[i] = op(a[i]) x op(b[i]) for each of `batch` products; a side with batch 1 is shared by all.
void BatchMatMul(const float* a, const float* b, const MatMulDims& d, float* c) {
  const int batch = std::max(d.batch_a, d.batch_b);
  const int64_t size_a = static_cast<int64_t>(d.m) * d.k, size_b = static_cast<int64_t>(d.k) * d.n, size_c = static_cast<int64_t>(d.m) * d.n;
  for (int i = 0; i < batch; ++i) {
    Sgemm(d.transpose_a, d.transpose_b, d.m, d.n, d.k, a + (d.batch_a == 1 ? 0 : i * size_a), d.transpose_a ? d.m : d.k,
          b + (d.batch_b == 1 ? 0 : i * size_b), d.transpose_b ? d.k : d.n, 0.f, c + i * size_c, d.n);
  }
}

// dcol [rows, K] = dy [rows, CO] x W^T, scattered back onto dx.
void Conv2DBackpropInput(const float* dy, const float* w, const Dims& d, float* dx) {
  const int64_t k = static_cast<int64_t>(d.kh) * d.kw * d.c;
  const int64_t pixels = static_cast<int64_t>(d.oh) * d.ow;
  if (IsPointwise(d)) {
    Sgemm(false, true, d.n * pixels, k, d.co, dy, d.co, w, d.co, 0.f, dx, k);
    return;
  }
  Choice().Run(
      kBackpropInput, d, [&] { return DnnlConv2DBackpropInput(dy, w, d, dx); },
      [&] {
        std::memset(dx, 0, sizeof(float) * static_cast<int64_t>(d.n) * d.h * d.w * d.c);
        ForEachChunk(d, [&](int n0, int nb, float* col) {
          Sgemm(false, true, nb * pixels, k, d.co, dy + n0 * pixels * d.co, d.co, w, d.co, 0.f, col, k);
          Col2ImAdd(col, d, n0, nb, dx);
        });
      });
}

}  // namespace moodlab
