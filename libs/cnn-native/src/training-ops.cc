// The non-convolution kernels that dominate a training step once convolutions are native
// (tools/bench/step-profile.ts): BatchNorm (its statistics, normalisation and gradient), the
// per-channel sums over N, H, W, and the max-pool gradient. All are passes over NHWC rows that
// the compiler vectorises over channels; sums accumulate in double.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"

namespace moodlab {

void AdamUpdate(const float* w, const float* g, float* m, float* v, int64_t n, const AdamStep& a, float* out) {
  const float b1 = a.beta1, b2 = a.beta2, lr = a.learning_rate, eps = a.epsilon;
  const float inv_c1 = 1.0f / a.correction1, inv_c2 = 1.0f / a.correction2;
  for (int64_t j = 0; j < n; ++j) {
    const float gj = g[j];
    const float mj = b1 * m[j] + (1.0f - b1) * gj;
    const float vj = b2 * v[j] + (1.0f - b2) * gj * gj;
    m[j] = mj;
    v[j] = vj;
    out[j] = w[j] - lr * (mj * inv_c1) / (std::sqrt(vj * inv_c2) + eps);
  }
}

void ScaleAdd(float* dst, const float* src, int64_t n, float a, float b) {
  for (int64_t i = 0; i < n; ++i) dst[i] = a * dst[i] + b * src[i];
}

void ColumnSums(const float* src, int64_t rows, int64_t cols, double scale, float* out) {
  std::vector<double> acc(cols, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = src + r * cols;
    for (int64_t c = 0; c < cols; ++c) acc[c] += row[c];
  }
  for (int64_t c = 0; c < cols; ++c) out[c] = static_cast<float>(acc[c] * scale);
}

void BatchNormForward(const float* x, int64_t rows, int64_t channels, const float* scale, const float* offset, float epsilon,
                      float* y, float* mean, float* variance) {
  // Sums of x minus the first row keep the one-pass variance exact when |mean| >> std.
  std::vector<double> shift(channels, 0.0), s(channels, 0.0), ss(channels, 0.0);
  if (rows > 0) for (int64_t c = 0; c < channels; ++c) shift[c] = x[c];
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * channels;
    for (int64_t c = 0; c < channels; ++c) {
      const double d = row[c] - shift[c];
      s[c] += d;
      ss[c] += d * d;
    }
  }
  std::vector<float> a(channels);
  const double n = static_cast<double>(std::max<int64_t>(rows, 1));
  for (int64_t c = 0; c < channels; ++c) {
    const double dm = s[c] / n;
    const double var = std::max(0.0, ss[c] / n - dm * dm);
    mean[c] = static_cast<float>(shift[c] + dm);
    variance[c] = static_cast<float>(var);
    a[c] = static_cast<float>(scale[c] / std::sqrt(var + epsilon));
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * channels;
    float* out = y + r * channels;
    for (int64_t c = 0; c < channels; ++c) out[c] = (row[c] - mean[c]) * a[c] + offset[c];
  }
}

void BatchNormBackward(const float* dy, const float* x, int64_t rows, int64_t channels, const float* mean, const float* variance,
                       const float* scale, float epsilon, float* dx, float* dscale, float* doffset) {
  std::vector<double> sdy(channels, 0.0), sdyx(channels, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* g = dy + r * channels;
    const float* row = x + r * channels;
    for (int64_t c = 0; c < channels; ++c) {
      sdy[c] += g[c];
      sdyx[c] += static_cast<double>(g[c]) * (row[c] - mean[c]);
    }
  }
  // dx = scale * inv * (dy - sum(dy) / n - (x - mean) * inv^2 * sum(dy * (x - mean)) / n)
  std::vector<float> a(channels), b(channels), d(channels);
  const double n = static_cast<double>(std::max<int64_t>(rows, 1));
  for (int64_t c = 0; c < channels; ++c) {
    const double inv = 1.0 / std::sqrt(static_cast<double>(variance[c]) + epsilon);
    dscale[c] = static_cast<float>(sdyx[c] * inv);
    doffset[c] = static_cast<float>(sdy[c]);
    a[c] = static_cast<float>(scale[c] * inv);
    b[c] = static_cast<float>(-scale[c] * inv * inv * inv * sdyx[c] / n);
    d[c] = static_cast<float>(-scale[c] * inv * sdy[c] / n);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* g = dy + r * channels;
    const float* row = x + r * channels;
    float* out = dx + r * channels;
    for (int64_t c = 0; c < channels; ++c) out[c] = a[c] * g[c] + b[c] * (row[c] - mean[c]) + d[c];
  }
}

namespace {

// One window position of one output pixel: the gradient goes to each channel whose input equals
// the window's max, unless an earlier position took it (taken is 0 or 1). Arithmetic rather than
// branches or selects, which GCC does not vectorise here: 2-3x faster on vgg-lite's pools.
void ToFirstMax(const float* __restrict in, const float* __restrict out, const float* __restrict g, float* __restrict grad,
                float* __restrict taken, int channels) {
  for (int ch = 0; ch < channels; ++ch) {
    const float hit = (in[ch] == out[ch] ? 1.f : 0.f) * (1.f - taken[ch]);
    grad[ch] += hit * g[ch];
    taken[ch] += hit;
  }
}

}  // namespace

void MaxPoolGrad(const float* x, const float* y, const float* dy, const PoolDims& d, float* dx) {
  std::memset(dx, 0, sizeof(float) * static_cast<int64_t>(d.n) * d.h * d.w * d.c);
  // taken[ch] is 1 once a window position of channel ch has received the gradient.
  std::vector<float> taken(d.c);
  for (int b = 0; b < d.n; ++b) {
    for (int oy = 0; oy < d.oh; ++oy) {
      const int y0 = oy * d.sh - d.pt;
      for (int ox = 0; ox < d.ow; ++ox) {
        const int x0 = ox * d.sw - d.pl;
        const int64_t o = ((static_cast<int64_t>(b) * d.oh + oy) * d.ow + ox) * d.c;
        const float* out = y + o;
        const float* g = dy + o;
        std::fill(taken.begin(), taken.end(), 0.f);
        float* t = taken.data();
        for (int iy = std::max(0, y0); iy < std::min(d.h, y0 + d.fh); ++iy) {
          for (int ix = std::max(0, x0); ix < std::min(d.w, x0 + d.fw); ++ix) {
            const int64_t i = ((static_cast<int64_t>(b) * d.h + iy) * d.w + ix) * d.c;
            // += (in ToFirstMax) because overlapping windows can pick the same position.
            ToFirstMax(x + i, out, g, dx + i, t, d.c);
          }
        }
      }
    }
  }
}

}  // namespace moodlab
