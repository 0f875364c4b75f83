// The non-convolution kernels that dominate a training step once convolutions are native
// (tools/bench/step-profile.ts): BatchNorm's per-channel sums over N, H, W, and the max-pool
// gradient. Both are single passes that the compiler vectorises over channels.
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels.h"

namespace moodlab {

void ColumnSums(const float* src, int64_t rows, int64_t cols, double scale, float* out) {
  std::vector<double> acc(cols, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = src + r * cols;
    for (int64_t c = 0; c < cols; ++c) acc[c] += row[c];
  }
  for (int64_t c = 0; c < cols; ++c) out[c] = static_cast<float>(acc[c] * scale);
}

void MaxPoolGrad(const float* x, const float* y, const float* dy, const PoolDims& d, float* dx) {
  std::memset(dx, 0, sizeof(float) * static_cast<int64_t>(d.n) * d.h * d.w * d.c);
  std::vector<unsigned char> found(d.c);
  for (int b = 0; b < d.n; ++b) {
    for (int oy = 0; oy < d.oh; ++oy) {
      const int y0 = oy * d.sh - d.pt;
      for (int ox = 0; ox < d.ow; ++ox) {
        const int x0 = ox * d.sw - d.pl;
        const int64_t o = ((static_cast<int64_t>(b) * d.oh + oy) * d.ow + ox) * d.c;
        std::fill(found.begin(), found.end(), 0);
        for (int iy = std::max(0, y0); iy < std::min(d.h, y0 + d.fh); ++iy) {
          for (int ix = std::max(0, x0); ix < std::min(d.w, x0 + d.fw); ++ix) {
            const int64_t i = ((static_cast<int64_t>(b) * d.h + iy) * d.w + ix) * d.c;
            for (int ch = 0; ch < d.c; ++ch) {
              if (!found[ch] && x[i + ch] == y[o + ch]) {
                found[ch] = 1;
                dx[i + ch] += dy[o + ch];  // += because overlapping windows can pick the same position
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace moodlab
