// Scalar conversions between f32 and the 16-bit float formats, bit-exact and shared by the
// scalar reference, the tails of the SIMD kernels and the tests, so that every path rounds the
// same way. (Highway 1.0.3's own BF16FromF32 and DemoteTo(bf16) truncate instead of rounding.)
// The CUDA kernels include it too, hence the __host__ __device__ qualifiers under nvcc.
#ifndef XVAL_KERNELS_CONVERT_H_
#define XVAL_KERNELS_CONVERT_H_

#include <cstdint>
#include <cstring>

#ifdef __CUDACC__
#define XVAL_HOST_DEVICE __host__ __device__
#else
#define XVAL_HOST_DEVICE
#endif

namespace xval::kernels {

XVAL_HOST_DEVICE inline uint32_t F32Bits(float f) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(f);
#else
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
#endif
}

XVAL_HOST_DEVICE inline float F32FromBits(uint32_t bits) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(bits);
#else
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
#endif
}

// bf16 is the upper half of a binary32: widening is exact.
XVAL_HOST_DEVICE inline float Bf16ToF32(uint16_t bits) {
  return F32FromBits(static_cast<uint32_t>(bits) << 16);
}

// Round to nearest, ties to even, as PyTorch's c10::BFloat16 and CUDA's __float2bfloat16 do.
// NaN stays NaN (quieted: a payload only in the low half would otherwise round to infinity).
XVAL_HOST_DEVICE inline uint16_t F32ToBf16(float f) {
  const uint32_t bits = F32Bits(f);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  const uint32_t rounding = 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

// IEEE binary16 to binary32, exact for every input (subnormals, infinities, NaN payloads).
XVAL_HOST_DEVICE inline float F16ToF32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  const uint32_t mantissa = h & 0x3FFu;
  if (exponent == 0x1F) return F32FromBits(sign | 0x7F800000u | (mantissa << 13));
  if (exponent != 0) return F32FromBits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  // Zero or subnormal: mantissa * 2^-24, exact in binary32.
  const float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
  return sign != 0 ? -magnitude : magnitude;
}

// Round to nearest, ties to even, as PyTorch's .half() and F16C's vcvtps2ph do: magnitudes from
// 65520 up become infinity, those under 2^-14 round to subnormals, NaN stays NaN (quieted).
inline uint16_t F32ToF16(float f) {
  const uint32_t bits = F32Bits(f);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t a = bits & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return sign | 0x7E00u | static_cast<uint16_t>((a >> 13) & 0x3FFu);
  if (a >= 0x477FF000u) return sign | 0x7C00u;  // 65520 and up (infinity included)
  if (a >= 0x38800000u) {                       // normal in binary16: rebias 127 -> 15
    const uint32_t rounded = a + 0xFFFu + ((a >> 13) & 1u);
    return sign | static_cast<uint16_t>((rounded - 0x38000000u) >> 13);
  }
  // Subnormal or zero: the nearest multiple of 2^-24 (scaling by 2^24 is exact; adding and
  // subtracting 2^23 rounds to an integer, ties to even). 1024 is the smallest normal's code.
  const float scaled = F32FromBits(a) * 16777216.0f;
  const volatile float shifted = scaled + 8388608.0f;
  return sign | static_cast<uint16_t>(shifted - 8388608.0f);
}

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_CONVERT_H_
