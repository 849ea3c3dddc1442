// One number's features (FoNE, BitTokens) and one row's decoding: the scalar definitions that
// the fused embeddings (number_encodings.cc) and their references (reference.cc) share, each
// written as its reference code computes it.
#ifndef XVAL_KERNELS_NUMBER_FEATURES_H_
#define XVAL_KERNELS_NUMBER_FEATURES_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/types/span.h"
#include "kernels/reference.h"
#include "xval/embed.h"

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

inline uint64_t DoubleBits(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits;
}

// row[i] = +scale where bit 63 - i of x is set, else -scale; then the bits of 1 / x after them
// (bittoken_embedding.py: (x.view(int64) >> arange(63, -1, -1)) & 1, mapped to 2 * bit - 1).
inline void BitTokenRow(double x, bool reciprocal, float scale, float* row) {
  const uint64_t bits = DoubleBits(x);
  for (int i = 0; i < 64; ++i) row[i] = ((bits >> (63 - i)) & 1) ? scale : -scale;
  if (!reciprocal) return;
  const uint64_t inverse = DoubleBits(1.0 / x);
  for (int i = 0; i < 64; ++i) row[64 + i] = ((inverse >> (63 - i)) & 1) ? scale : -scale;
}

// The float64 whose bit 63 - i is set where logits[i] > 0.
inline double BitTokenDecodeRow(const float* logits) {
  uint64_t bits = 0;
  for (int i = 0; i < 64; ++i) bits |= static_cast<uint64_t>(logits[i] > 0) << (63 - i);
  double x;
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_NUMBER_FEATURES_H_
