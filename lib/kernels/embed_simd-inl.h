// Per-target SIMD building blocks of the embedding kernels: widen a row segment to f32 vectors,
// narrow f32 vectors back with round-to-nearest-even, and the scalar forms of both for tails.
// Included once per Highway target from embed.cc and embed_backward.cc (foreach_target.h), hence
// the toggling include guard that Highway's own -inl.h headers use.

#if defined(XVAL_KERNELS_EMBED_SIMD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef XVAL_KERNELS_EMBED_SIMD_INL_H_
#undef XVAL_KERNELS_EMBED_SIMD_INL_H_
#else
#define XVAL_KERNELS_EMBED_SIMD_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"
#include "kernels/convert.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// ---- Scalar forms, bit-identical to the vector forms below (and to reference.cc).
HWY_INLINE float ScalarToF32(float x) { return x; }
HWY_INLINE float ScalarToF32(hwy::bfloat16_t x) { return Bf16ToF32(x.bits); }
HWY_INLINE float ScalarToF32(hwy::float16_t x) { return F16ToF32(x.bits); }
HWY_INLINE void ScalarFromF32(float x, float* p) { *p = x; }
HWY_INLINE void ScalarFromF32(float x, hwy::bfloat16_t* p) { p->bits = F32ToBf16(x); }

// ---- Loads: Lanes(df) elements from p (any alignment), widened exactly to f32.
template <class DF>
HWY_INLINE hn::Vec<DF> LoadF32(DF df, const float* HWY_RESTRICT p) {
  return hn::LoadU(df, p);
}
template <class DF>
HWY_INLINE hn::Vec<DF> LoadF32(DF df, const hwy::bfloat16_t* HWY_RESTRICT p) {
  const hn::Rebind<hwy::bfloat16_t, DF> dbf;
  return hn::PromoteTo(df, hn::LoadU(dbf, p));
}
// f16 is widened with integer operations on every target: Highway 1.0.3's emulated
// PromoteTo(f16) (targets without F16C: SSE4, SSSE3, SCALAR) turns infinities and NaNs into
// finite numbers, which embed_test caught. The memory traffic hides the extra instructions.
// h: binary16 patterns in the low 16 bits of u32 lanes (upper bits zero).
template <class DF>
HWY_INLINE hn::Vec<DF> F16BitsToF32(DF df, hn::Vec<hn::RebindToUnsigned<DF>> h) {
  const hn::RebindToUnsigned<DF> du32;
  const hn::RebindToSigned<DF> di32;
  const auto sign = hn::ShiftLeft<16>(hn::And(h, hn::Set(du32, 0x8000u)));
  const auto exponent = hn::And(hn::ShiftRight<10>(h), hn::Set(du32, 0x1Fu));
  const auto mantissa = hn::And(h, hn::Set(du32, 0x3FFu));
  const auto mantissa_bits = hn::ShiftLeft<13>(mantissa);
  // Normal: rebias the exponent by 127 - 15 = 112.
  const auto normal =
      hn::Or(hn::ShiftLeft<23>(hn::Add(exponent, hn::Set(du32, 112u))), mantissa_bits);
  // Infinity and NaN keep their payload.
  const auto special = hn::Or(hn::Set(du32, 0x7F800000u), mantissa_bits);
  // Zero and subnormal: mantissa * 2^-24, exact in f32.
  const auto small = hn::BitCast(
      du32, hn::Mul(hn::ConvertTo(df, hn::BitCast(di32, mantissa)), hn::Set(df, 0x1p-24f)));
  auto magnitude = hn::IfThenElse(hn::Eq(exponent, hn::Set(du32, 0x1Fu)), special, normal);
  magnitude = hn::IfThenElse(hn::Eq(exponent, hn::Zero(du32)), small, magnitude);
  return hn::BitCast(df, hn::Or(sign, magnitude));
}

template <class DF>
HWY_INLINE hn::Vec<DF> LoadF32(DF df, const hwy::float16_t* HWY_RESTRICT p) {
  const hn::RebindToUnsigned<DF> du32;
  const hn::Rebind<uint16_t, DF> du16;
  return F16BitsToF32(
      df, hn::PromoteTo(du32, hn::LoadU(du16, reinterpret_cast<const uint16_t*>(p))));
}

#if HWY_TARGET != HWY_SCALAR
// The bf16 bit patterns of v, rounded to nearest even, in the upper half of each u32 lane.
// Highway 1.0.3's DemoteTo(bf16) truncates, which would not match PyTorch or the CUDA path.
template <class DF>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<DF>> RoundToBf16Bits(DF df, hn::Vec<DF> v) {
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const auto bits = hn::BitCast(du, v);
  const auto lsb = hn::And(hn::ShiftRight<16>(bits), hn::Set(du, 1u));
  const auto rounded = hn::Add(bits, hn::Add(hn::Set(du, 0x7FFFu), lsb));
  // |v| above infinity's pattern is NaN: keep it NaN (quieted) instead of rounding it up.
  const auto magnitude = hn::BitCast(di, hn::And(bits, hn::Set(du, 0x7FFFFFFFu)));
  const auto is_nan = hn::RebindMask(du, hn::Gt(magnitude, hn::Set(di, 0x7F800000)));
  return hn::IfThenElse(is_nan, hn::Or(bits, hn::Set(du, 0x00400000u)), rounded);
}

// 2 * Lanes(df) bf16 from two f32 vectors, in order, as one full u16 vector.
template <class DF>
HWY_INLINE auto PackBf16(DF df, hn::Vec<DF> v0, hn::Vec<DF> v1) {
  const hn::Repartition<uint16_t, DF> du16;
  // Little-endian: the upper half of u32 lane k is u16 lane 2k + 1.
  return hn::ConcatOdd(du16, hn::BitCast(du16, RoundToBf16Bits(df, v1)),
                       hn::BitCast(du16, RoundToBf16Bits(df, v0)));
}
#endif  // HWY_TARGET != HWY_SCALAR

#if HWY_TARGET != HWY_SCALAR
// ---- The even/odd layout for 16-bit in, 16-bit out. A vector of 2 * Lanes(df) 16-bit elements
// is viewed as Lanes(df) u32 lanes, each holding elements 2k (low half) and 2k + 1 (high half);
// widening and narrowing are then shifts and masks within a lane, with no cross-lane shuffles
// (Highway's PromoteTo and ConcatOdd need those on AVX2, and with them bf16 -> bf16 fell well
// short of memcpy: docs/design-measurements.md, "Embedding: the even/odd layout"). Element
// order is restored exactly by StoreBf16EvenOdd.
template <class DF>
HWY_INLINE void LoadF32EvenOdd(DF df, const hwy::bfloat16_t* HWY_RESTRICT p, hn::Vec<DF>& even,
                               hn::Vec<DF>& odd) {
  const hn::RebindToUnsigned<DF> du32;
  const hn::Repartition<uint16_t, DF> du16;
  const auto u = hn::BitCast(du32, hn::LoadU(du16, reinterpret_cast<const uint16_t*>(p)));
  even = hn::BitCast(df, hn::ShiftLeft<16>(u));
  odd = hn::BitCast(df, hn::And(u, hn::Set(du32, 0xFFFF0000u)));
}
template <class DF>
HWY_INLINE void LoadF32EvenOdd(DF df, const hwy::float16_t* HWY_RESTRICT p, hn::Vec<DF>& even,
                               hn::Vec<DF>& odd) {
  const hn::RebindToUnsigned<DF> du32;
  const hn::Repartition<uint16_t, DF> du16;
  const auto u = hn::BitCast(du32, hn::LoadU(du16, reinterpret_cast<const uint16_t*>(p)));
  even = F16BitsToF32(df, hn::And(u, hn::Set(du32, 0xFFFFu)));
  odd = F16BitsToF32(df, hn::ShiftRight<16>(u));
}

// Rounds and stores 2 * Lanes(df) bf16 from the even/odd layout, in element order.
template <bool kStream, class DF>
HWY_INLINE void StoreBf16EvenOdd(DF df, hn::Vec<DF> even, hn::Vec<DF> odd,
                                 hwy::bfloat16_t* HWY_RESTRICT p) {
  const hn::Repartition<uint16_t, DF> du16;
  const auto even_low = hn::ShiftRight<16>(RoundToBf16Bits(df, even));
  const auto odd_high = RoundToBf16Bits(df, odd);  // its low half is discarded by OddEven
  const auto packed = hn::OddEven(hn::BitCast(du16, odd_high), hn::BitCast(du16, even_low));
  uint16_t* HWY_RESTRICT bits = reinterpret_cast<uint16_t*>(p);
  if (kStream) {
    hn::Stream(packed, du16, bits);
  } else {
    hn::StoreU(packed, du16, bits);
  }
}
#endif  // HWY_TARGET != HWY_SCALAR

// ---- Stores of 2 * Lanes(df) results at p. kStream: p is aligned to the vector size and the
// stores are non-temporal (the caller ends with hwy::FlushStream()).
template <bool kStream, class DF>
HWY_INLINE void Store2(DF df, hn::Vec<DF> v0, hn::Vec<DF> v1, float* HWY_RESTRICT p) {
  const size_t n = hn::Lanes(df);
  if (kStream) {
    hn::Stream(v0, df, p);
    hn::Stream(v1, df, p + n);
  } else {
    hn::StoreU(v0, df, p);
    hn::StoreU(v1, df, p + n);
  }
}
template <bool kStream, class DF>
HWY_INLINE void Store2(DF df, hn::Vec<DF> v0, hn::Vec<DF> v1, hwy::bfloat16_t* HWY_RESTRICT p) {
#if HWY_TARGET == HWY_SCALAR
  ScalarFromF32(hn::GetLane(v0), p);
  ScalarFromF32(hn::GetLane(v1), p + 1);
#else
  const hn::Repartition<uint16_t, DF> du16;
  uint16_t* HWY_RESTRICT bits = reinterpret_cast<uint16_t*>(p);
  if (kStream) {
    hn::Stream(PackBf16(df, v0, v1), du16, bits);
  } else {
    hn::StoreU(PackBf16(df, v0, v1), du16, bits);
  }
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#endif  // include guard
