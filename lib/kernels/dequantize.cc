// The scalar dequantization of every weight type: the reference that the vectorized loaders
// and the gguf package's numpy code are checked against. Each product is a separate f32
// operation in ggml's order (the library builds with ISO C++, where GCC does not contract a
// multiply and a subtract into one fused operation).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/convert.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"

namespace xval::kernels {
namespace {

void DequantizeQ8_0(const uint8_t* b, float* y) {
  const float d = kernels::F16ToF32(LoadU16(b));
  for (size_t l = 0; l < 32; ++l) y[l] = d * static_cast<float>(static_cast<int8_t>(b[2 + l]));
}

void DequantizeQ4_0(const uint8_t* b, float* y) {
  const float d = kernels::F16ToF32(LoadU16(b));
  for (size_t l = 0; l < 16; ++l) {
    y[l] = d * static_cast<float>((b[2 + l] & 0xF) - 8);
    y[l + 16] = d * static_cast<float>((b[2 + l] >> 4) - 8);
  }
}

// Q4_K, and Q5_K when qh is not null.
void DequantizeQ4K5K(const uint8_t* b, const uint8_t* qh, const uint8_t* qs, float* y) {
  const float d = kernels::F16ToF32(LoadU16(b));
  const float dmin = kernels::F16ToF32(LoadU16(b + 2));
  for (size_t g = 0; g < 8; ++g) {
    uint8_t sc, m;
    ScaleMinK4(g, b + kQ4KScales, &sc, &m);
    const float dg = d * static_cast<float>(sc);
    const float mg = dmin * static_cast<float>(m);
    const uint8_t* q = qs + 32 * (g / 2);
    for (size_t l = 0; l < 32; ++l) {
      int v = (q[l] >> (4 * (g % 2))) & 0xF;
      if (qh != nullptr) v |= ((qh[l] >> g) & 1) << 4;
      y[32 * g + l] = dg * static_cast<float>(v) - mg;
    }
  }
}

void DequantizeQ6K(const uint8_t* b, float* y) {
  const float d = kernels::F16ToF32(LoadU16(b + kQ6KD));
  for (size_t o = 0; o < 256; ++o) {
    const Q6KPlace p = Q6KPlaceOf(o);
    const int q =
        ((b[p.ql_index] >> p.ql_shift) & 0xF) | (((b[p.qh_index] >> p.qh_shift) & 3) << 4);
    const float dg = d * static_cast<float>(static_cast<int8_t>(b[kQ6KScales + o / 16]));
    y[o] = dg * static_cast<float>(q - 32);
  }
}

}  // namespace

void DequantizeBlocks(WeightType type, const uint8_t* src, size_t blocks, float* dst) {
  const BlockFormat f = BlockFormatOf(type);
  for (size_t i = 0; i < blocks; ++i, src += f.bytes, dst += f.weights) {
    switch (type) {
      case WeightType::kF32:
        std::memcpy(dst, src, 4);
        break;
      case WeightType::kF16:
        *dst = kernels::F16ToF32(LoadU16(src));
        break;
      case WeightType::kBF16:
        *dst = kernels::Bf16ToF32(LoadU16(src));
        break;
      case WeightType::kQ8_0:
        DequantizeQ8_0(src, dst);
        break;
      case WeightType::kQ4_0:
        DequantizeQ4_0(src, dst);
        break;
      case WeightType::kQ4_K:
        DequantizeQ4K5K(src, nullptr, src + kQ4KQs, dst);
        break;
      case WeightType::kQ5_K:
        DequantizeQ4K5K(src, src + kQ5KQh, src + kQ5KQs, dst);
        break;
      case WeightType::kQ6_K:
        DequantizeQ6K(src, dst);
        break;
    }
  }
}

void DequantizeRow(const WeightMatrix& w, size_t row, float* dst) {
  const auto* base = static_cast<const uint8_t*>(w.data);
  const BlockFormat f = BlockFormatOf(w.type);
  const size_t row_bytes =
      IsBlockQuantized(w.type) ? QuantRowBytes(w.type, w.cols) : w.row_stride * f.bytes;
  DequantizeBlocks(w.type, base + row * row_bytes, w.cols / f.weights, dst);
}

}  // namespace xval::kernels
