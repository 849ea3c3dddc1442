// Helpers shared by the embedding tests: typed buffers behind views, special values, and
// element comparisons that treat NaN as equal to NaN.
#ifndef XVAL_TESTS_KERNELS_EMBED_TEST_UTIL_H_
#define XVAL_TESTS_KERNELS_EMBED_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/convert.h"
#include "xval/embed.h"

namespace xval::kernels::embed_test {

// A (rows, row_stride) matrix of `dtype` elements in a byte buffer, starting `offset_elements`
// into it so that rows can be misaligned on purpose. Padding and slack hold a sentinel pattern
// that the tests check is never overwritten.
class TestMatrix {
 public:
  static constexpr uint8_t kSentinel = 0xA5;

  TestMatrix(DType dtype, size_t rows, size_t cols, size_t pad = 0, size_t offset_elements = 0)
      : dtype_(dtype), rows_(rows), cols_(cols), stride_(cols + pad), offset_(offset_elements) {
    bytes_.assign((offset_ + rows_ * stride_ + 1) * DTypeSize(dtype_) + 64, kSentinel);
  }

  uint8_t* base() { return bytes_.data() + offset_ * DTypeSize(dtype_); }
  MatrixView view() { return {base(), dtype_, rows_, cols_, stride_}; }
  ConstMatrixView const_view() { return view(); }
  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  DType dtype() const { return dtype_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

  // Raw bits of element (r, c): float bits for f32, 16-bit patterns otherwise.
  uint32_t Bits(size_t r, size_t c) {
    const size_t index = r * stride_ + c;
    if (dtype_ == DType::kF32) {
      uint32_t bits;
      std::memcpy(&bits, base() + index * 4, 4);
      return bits;
    }
    uint16_t bits;
    std::memcpy(&bits, base() + index * 2, 2);
    return bits;
  }
  void SetBits(size_t r, size_t c, uint32_t bits) {
    const size_t index = r * stride_ + c;
    if (dtype_ == DType::kF32) {
      std::memcpy(base() + index * 4, &bits, 4);
    } else {
      const uint16_t half = static_cast<uint16_t>(bits);
      std::memcpy(base() + index * 2, &half, 2);
    }
  }
  float AsF32(size_t r, size_t c) {
    switch (dtype_) {
      case DType::kF32:
        return F32FromBits(Bits(r, c));
      case DType::kBF16:
        return Bf16ToF32(static_cast<uint16_t>(Bits(r, c)));
      case DType::kF16:
        return F16ToF32(static_cast<uint16_t>(Bits(r, c)));
    }
    return 0.0f;
  }
  bool IsNaN(size_t r, size_t c) { return std::isnan(AsF32(r, c)); }

  // Random finite elements, with every `special_every`-th one a special value (NaN, +-inf,
  // +-0, a subnormal) when special_every > 0.
  void FillRandom(std::mt19937& rng, int special_every = 0) {
    std::uniform_real_distribution<float> uniform(-4.0f, 4.0f);
    std::uniform_int_distribution<uint32_t> bits16(0, 0xFFFF);
    size_t n = 0;
    for (size_t r = 0; r < rows_; ++r) {
      for (size_t c = 0; c < cols_; ++c, ++n) {
        if (special_every > 0 && n % special_every == special_every - 1) {
          SetBits(r, c, SpecialBits(n / special_every));
        } else if (dtype_ == DType::kF32) {
          SetBits(r, c, F32Bits(uniform(rng)));
        } else {
          // Any 16-bit pattern with a finite value: covers subnormals and both signs. bf16's
          // exponents stop at 2^20 so that sums of products stay far from f32 overflow
          // (the specials above reach the largest finite value).
          uint32_t b;
          do b = bits16(rng);
          while (dtype_ == DType::kF16 ? ((b >> 10) & 0x1F) == 0x1F : ((b >> 7) & 0xFF) > 0x93);
          SetBits(r, c, b);
        }
      }
    }
  }

 private:
  uint32_t SpecialBits(size_t k) const {
    static constexpr uint32_t kF32[] = {0x7FC00000u, 0x7F800000u, 0xFF800000u, 0x00000000u,
                                        0x80000000u, 0x00000001u, 0x7F7FFFFFu, 0xFFC00001u};
    static constexpr uint32_t kBf16[] = {0x7FC0u, 0x7F80u, 0xFF80u, 0x0000u,
                                         0x8000u, 0x0001u, 0x7F7Fu, 0xFF81u};
    static constexpr uint32_t kF16[] = {0x7E00u, 0x7C00u, 0xFC00u, 0x0000u,
                                        0x8000u, 0x0001u, 0x7BFFu, 0xFC01u};
    const size_t i = k % 8;
    return dtype_ == DType::kF32 ? kF32[i] : dtype_ == DType::kBF16 ? kBf16[i] : kF16[i];
  }

  DType dtype_;
  size_t rows_, cols_, stride_, offset_;
  std::vector<uint8_t> bytes_;
};

// Scales for the tokens: ordinary numbers, then NaN, infinities, zeros, a subnormal and a
// huge value cycling in every `special_every`-th position (0: none).
inline std::vector<float> MakeValues(size_t n, std::mt19937& rng, int special_every = 0) {
  static constexpr float kSpecial[] = {std::numeric_limits<float>::quiet_NaN(),
                                       std::numeric_limits<float>::infinity(),
                                       -std::numeric_limits<float>::infinity(),
                                       0.0f,
                                       -0.0f,
                                       std::numeric_limits<float>::denorm_min(),
                                       3.0e38f};
  std::uniform_real_distribution<float> uniform(-1000.0f, 1000.0f);
  std::vector<float> values(n);  // (n)
  for (size_t t = 0; t < n; ++t) {
    values[t] = special_every > 0 && t % special_every == special_every - 1
                    ? kSpecial[(t / special_every) % 7]
                    : uniform(rng);
  }
  return values;
}

inline std::vector<int32_t> MakeIds(size_t n, size_t vocab, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> id(0, static_cast<int32_t>(vocab) - 1);
  std::vector<int32_t> ids(n);  // (n)
  for (auto& x : ids) x = id(rng);
  return ids;
}

}  // namespace xval::kernels::embed_test

#endif  // XVAL_TESTS_KERNELS_EMBED_TEST_UTIL_H_
