#include "kernels/q8_activations.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/convert.h"
#include "kernels/quant_blocks.h"

namespace xval::kernels {

void QuantizeQ8K(const float* x, size_t cols, Q8Activations* out) {
  const size_t blocks = cols / 256;
  out->d.resize(blocks);
  out->qs.resize(cols);
  out->bsums.resize(cols / 16);
  for (size_t b = 0; b < blocks; ++b) {
    const float* xb = x + 256 * b;  // (256)
    int8_t* q = out->qs.data() + 256 * b;
    float max = 0.0f, amax = 0.0f;  // the value of largest magnitude, and that magnitude
    bool finite = true;
    for (size_t j = 0; j < 256; ++j) {
      const float ax = std::fabs(xb[j]);
      finite &= std::isfinite(xb[j]);
      if (ax > amax) amax = ax, max = xb[j];
    }
    const float iscale = -127.0f / max;
    if (!finite || !std::isfinite(iscale)) {
      // An all-zero block (max 0), or one so small that 127 / max overflows, is 0 with d = 0,
      // as ggml's. A NaN or infinity has no 8-bit form: d = NaN, so that the products say so
      // instead of dropping it.
      out->d[b] = finite ? 0.0f : std::numeric_limits<float>::quiet_NaN();
      std::fill(q, q + 256, 0);
      std::fill(out->bsums.begin() + 16 * b, out->bsums.begin() + 16 * (b + 1), 0);
      continue;
    }
    for (size_t j = 0; j < 256; ++j) {
      // ggml's nearest_int: round half to even, as nearbyint in the default rounding mode; the
      // product is within [-127, 127] (max's own is -127 exactly), kept there before the cast.
      const float v = std::nearbyint(iscale * xb[j]);
      q[j] = static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
    }
    for (size_t r = 0; r < 16; ++r) {
      int sum = 0;
      for (size_t l = 0; l < 16; ++l) sum += q[16 * r + l];
      out->bsums[16 * b + r] = static_cast<int16_t>(sum);
    }
    out->d[b] = 1.0f / iscale;
  }
}

double DotQ8Reference(WeightType type, const uint8_t* row, const Q8Activations& x, size_t cols) {
  if (type != WeightType::kQ4_K && type != WeightType::kQ6_K) {
    return std::numeric_limits<double>::quiet_NaN();  // no 8-bit product for this type
  }
  const size_t bytes = BlockFormatOf(type).bytes;
  double sum = 0.0;
  for (size_t b = 0; b < cols / 256; ++b, row += bytes) {
    const int8_t* q8 = x.qs.data() + 256 * b;
    if (type == WeightType::kQ4_K) {
      int32_t sumi = 0, summs = 0;
      for (size_t g = 0; g < 8; ++g) {
        uint8_t sc, m;
        ScaleMinK4(g, row + kQ4KScales, &sc, &m);
        int32_t dot = 0;
        for (size_t l = 0; l < 32; ++l) {
          dot += ((row[kQ4KQs + 32 * (g / 2) + l] >> (4 * (g % 2))) & 0xF) * q8[32 * g + l];
        }
        sumi += sc * dot;
        summs += m * (x.bsums[16 * b + 2 * g] + x.bsums[16 * b + 2 * g + 1]);
      }
      const float d = F16ToF32(LoadU16(row)) * x.d[b];
      const float dmin = F16ToF32(LoadU16(row + 2)) * x.d[b];
      sum += static_cast<double>(d * static_cast<float>(sumi)) -
             static_cast<double>(dmin * static_cast<float>(summs));
    } else {  // kQ6_K
      int32_t sumi = 0;
      for (size_t g = 0; g < 16; ++g) {
        int32_t dot = 0;
        for (size_t l = 0; l < 16; ++l) {
          const Q6KPlace p = Q6KPlaceOf(16 * g + l);
          const int q = ((row[p.ql_index] >> p.ql_shift) & 0xF) |
                        (((row[p.qh_index] >> p.qh_shift) & 3) << 4);
          dot += (q - 32) * q8[16 * g + l];
        }
        sumi += static_cast<int8_t>(row[kQ6KScales + g]) * dot;
      }
      const float d = F16ToF32(LoadU16(row + kQ6KD)) * x.d[b];
      sum += static_cast<double>(d * static_cast<float>(sumi));
    }
  }
  return sum;
}

}  // namespace xval::kernels
