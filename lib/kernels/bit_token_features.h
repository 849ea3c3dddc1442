// One number's BitTokens features and one row's decoding, as the reference code computes them
// (KreitnerL/BitTokens, bittoken_embedding.py): the scalar definitions that the fused embedding
// (bit_tokens.cc) and its reference (reference.cc) share.
#ifndef XVAL_KERNELS_BIT_TOKEN_FEATURES_H_
#define XVAL_KERNELS_BIT_TOKEN_FEATURES_H_

#include <cstdint>
#include <cstring>

namespace xval::kernels {

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

#endif  // XVAL_KERNELS_BIT_TOKEN_FEATURES_H_
