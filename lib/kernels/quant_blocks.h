// The storage of each WeightType: plain floats, or llama.cpp's (ggml's) quantized blocks, and
// the scalar dequantization that is the reference for the vectorized loaders
// (weight_rows-inl.h). Block layouts are ggml-common.h's; the arithmetic is ggml-quants.c's
// dequantize_row_*, which the `gguf` PyPI package's numpy code repeats operation for operation
// in f32, so the two agree bit for bit (tests/kernels/dequantize_test.cc checks it).
//
//   Q8_0  32 weights, 34 bytes:  f16 d, int8 q[32]                  w = d * q
//   Q4_0  32 weights, 18 bytes:  f16 d, u8 qs[16]                   w = d * (nibble - 8)
//         nibble l < 16: qs[l] & 15, l >= 16: qs[l - 16] >> 4
//   Q4_K 256 weights, 144 bytes: f16 d, f16 dmin, u8 scales[12], u8 qs[128]
//         8 groups of 32 with 6-bit scale sc and min m (ScaleMinK4), w = (d * sc) * q - dmin * m
//         group g: qs[32 * (g / 2) + l] >> (4 * (g % 2)) & 15
//   Q5_K 256 weights, 176 bytes: f16 d, f16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]
//         as Q4_K with a fifth bit: (qh[l] >> g) & 1 above the nibble
//   Q6_K 256 weights, 210 bytes: u8 ql[128], u8 qh[64], int8 scales[16], f16 d
//         16 groups of 16 with scale sc, w = (d * sc) * (q - 32), q 6 bits (see Q6KQuant)
#ifndef XVAL_KERNELS_QUANT_BLOCKS_H_
#define XVAL_KERNELS_QUANT_BLOCKS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "xval/model.h"

namespace xval::kernels {

// The weight types are the model API's (xval/model.h).
using model::WeightType;
using model::WeightTypeName;

// Weights per block and bytes per block (1 and the element size for the float types).
struct BlockFormat {
  size_t weights;
  size_t bytes;
};

constexpr BlockFormat BlockFormatOf(WeightType type) {
  switch (type) {
    case WeightType::kF32:
      return {1, 4};
    case WeightType::kF16:
    case WeightType::kBF16:
      return {1, 2};
    case WeightType::kQ8_0:
      return {32, 34};
    case WeightType::kQ4_0:
      return {32, 18};
    case WeightType::kQ4_K:
      return {256, 144};
    case WeightType::kQ5_K:
      return {256, 176};
    case WeightType::kQ6_K:
      return {256, 210};
  }
  return {1, 4};
}

constexpr bool IsBlockQuantized(WeightType type) { return BlockFormatOf(type).weights > 1; }

// Bytes of one row of `cols` weights (cols a multiple of the block's weights).
constexpr size_t QuantRowBytes(WeightType type, size_t cols) {
  return cols / BlockFormatOf(type).weights * BlockFormatOf(type).bytes;
}

inline uint16_t LoadU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

// Byte offsets inside the k-quant blocks.
inline constexpr size_t kQ4KScales = 4, kQ4KQs = 16;  // after d, dmin; scales[12]
inline constexpr size_t kQ5KQh = 16, kQ5KQs = 48;     // qh[32], qs[128]
inline constexpr size_t kQ6KQh = 128, kQ6KScales = 192, kQ6KD = 208;

// Q4_K and Q5_K: the 6-bit scale and min of group g < 8 (ggml's get_scale_min_k4).
inline void ScaleMinK4(size_t g, const uint8_t* scales, uint8_t* sc, uint8_t* m) {
  if (g < 4) {
    *sc = scales[g] & 63;
    *m = scales[g + 4] & 63;
  } else {
    *sc = (scales[g + 4] & 0xF) | ((scales[g - 4] >> 6) << 4);
    *m = (scales[g + 4] >> 4) | ((scales[g] >> 6) << 4);
  }
}

// All 8 scales and mins of a Q4_K / Q5_K block at once, in 32-bit words (ggml's utmp form of
// ScaleMinK4, the same values): sc[g], m[g] for g < 8.
inline void ScalesMinsK4(const uint8_t* scales, uint8_t* sc, uint8_t* m) {
  constexpr uint32_t kLow6 = 0x3f3f3f3f, kLow4 = 0x0f0f0f0f, kLow2 = 0x03030303;
  uint32_t w[3];
  std::memcpy(w, scales, 12);
  const uint32_t sc_lo = w[0] & kLow6, m_lo = w[1] & kLow6;
  const uint32_t sc_hi = (w[2] & kLow4) | (((w[0] >> 6) & kLow2) << 4);
  const uint32_t m_hi = ((w[2] >> 4) & kLow4) | (((w[1] >> 6) & kLow2) << 4);
  std::memcpy(sc, &sc_lo, 4);
  std::memcpy(sc + 4, &sc_hi, 4);
  std::memcpy(m, &m_lo, 4);
  std::memcpy(m + 4, &m_hi, 4);
}

// Q6_K: where weight o < 256 of a block keeps its bits. Its low nibble is
// ql[ql_index] >> ql_shift & 15, its top two bits qh[qh_index] >> qh_shift & 3, its scale
// scales[o / 16].
struct Q6KPlace {
  size_t ql_index, ql_shift, qh_index, qh_shift;
};
constexpr Q6KPlace Q6KPlaceOf(size_t o) {
  // Two halves of 128; in each, four runs of 32 share ql (runs 0, 2 and 1, 3) and qh.
  const size_t half = o / 128, run = o % 128 / 32, l = o % 32;
  return {half * 64 + (run % 2) * 32 + l, 4 * (run / 2), kQ6KQh + half * 32 + l, 2 * run};
}

// dst[0 .. blocks * weights) = the weights of `blocks` consecutive blocks of `type` at src, in
// ggml's arithmetic (a plain copy or widening for the float types). The scalar reference.
void DequantizeBlocks(WeightType type, const uint8_t* src, size_t blocks, float* dst);

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_QUANT_BLOCKS_H_
