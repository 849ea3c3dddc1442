// One number's FoNE features and one row's FoNE decoding, as the reference code computes them
// (KevinZhoutianyi/FoNE, number_encoders/FNE.py): the scalar definitions that the fused
// embedding (fone.cc, number_encodings.cu) and its reference (reference.cc) share.
#ifndef XVAL_KERNELS_FONE_FEATURES_H_
#define XVAL_KERNELS_FONE_FEATURES_H_

#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace xval::kernels {

// 2 pi as the reference writes it (2 * torch.pi, a Python float).
inline constexpr double kTwoPi = 2 * 3.141592653589793;

// row[2j], row[2j + 1] = cos, sin of x * w_j in float64, rounded to f32 (FNE.py: frequencies =
// 2 * torch.pi / period_tensor; torch.cos(numbers * frequencies)). torch divides a scalar by a
// tensor as the tensor's reciprocal times the scalar, one rounding more than 2 pi / T: w_j is
// computed the same way, so that phases of large numbers are the reference's to the bit.
// x = 0 leaves the row as it is (the reference masks the number 0 to a zero vector).
inline void FoneRow(double x, absl::Span<const double> periods, float* row) {
  if (x == 0) return;
  for (size_t j = 0; j < periods.size(); ++j) {
    const double phase = x * ((1.0 / periods[j]) * kTwoPi);
    row[2 * j] = static_cast<float>(std::cos(phase));
    row[2 * j + 1] = static_cast<float>(std::sin(phase));
  }
}

// The decoder's candidates: for each period base B, the rows cos(w d) and sin(w d) for digits
// d = 0..9 with w = 2 pi / B, as the reference builds them (a Python float times an int64
// arange: float32 arithmetic and float32 cos/sin).
struct FoneDigitMatrix {
  explicit FoneDigitMatrix(absl::Span<const double> bases) : width(2 * bases.size()) {
    m.resize(width * 10);
    for (size_t b = 0; b < bases.size(); ++b) {
      const float w = static_cast<float>(kTwoPi / bases[b]);
      for (int d = 0; d < 10; ++d) {
        const float angle = w * static_cast<float>(d);
        m[(2 * b) * 10 + d] = std::cos(angle);
        m[(2 * b + 1) * 10 + d] = std::sin(angle);
      }
    }
  }
  size_t width;          // 2 * bases: the columns of one digit slot
  std::vector<float> m;  // (width, 10) f32
};

// Digit k = argmax_d of slot k (columns [k * width, (k + 1) * width) of `row`) times the
// candidates; returns sum_k digit_k * 10^(k - fraction_digits), summed as FNE.py does: the
// fraction's places first (10 ** -(F - i), Python's float power), then the integer's.
inline double FoneDecodeRow(const float* row, const FoneDigitMatrix& candidates, int integer_digits,
                            int fraction_digits, int8_t* digits) {
  const int slots = integer_digits + fraction_digits;
  double value = 0;
  for (int k = 0; k < slots; ++k) {
    const float* slot = row + static_cast<size_t>(k) * candidates.width;
    int best = 0;
    float best_logit = 0;
    for (int d = 0; d < 10; ++d) {
      float logit = 0;
      for (size_t i = 0; i < candidates.width; ++i) logit += slot[i] * candidates.m[i * 10 + d];
      if (d == 0 || logit > best_logit) {
        best = d;
        best_logit = logit;
      }
    }
    digits[k] = static_cast<int8_t>(best);
    value += best * std::pow(10.0, k - fraction_digits);  // exact for the integer places
  }
  return value;
}

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_FONE_FEATURES_H_
