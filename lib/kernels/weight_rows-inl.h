// Per-target loaders of weight rows for the matrix products: a vector of Lanes(df) weights of
// row j from column k, widened or dequantized to f32 as it is loaded, plus the scalar form for
// tails and the address for prefetches. The quantized loaders compute exactly what the scalar
// reference (dequantize.cc, DequantizeBlocks) computes, operation for operation, so a widened
// row is bit-equal to it on every target. Included once per Highway target from matmul.cc
// (foreach_target.h), hence the toggling include guard of Highway's own -inl.h headers.

#if defined(XVAL_KERNELS_WEIGHT_ROWS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef XVAL_KERNELS_WEIGHT_ROWS_INL_H_
#undef XVAL_KERNELS_WEIGHT_ROWS_INL_H_
#else
#define XVAL_KERNELS_WEIGHT_ROWS_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/convert.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
// At most 16 floats, so that a quantized vector never crosses a group of 16 weights (Q6_K's
// scale groups): callers load at multiples of Lanes(df) inside rows of whole blocks. (The same
// as the full vector on every x86 target; capped for the scalable ones.)
using DF = hn::CappedTag<float, 16>;
using VF = hn::Vec<DF>;

struct F32Rows {
  const float* base;
  size_t stride;
  HWY_INLINE VF Load(DF df, size_t j, size_t k) const {
    return hn::LoadU(df, base + j * stride + k);
  }
  HWY_INLINE float At(size_t j, size_t k) const { return base[j * stride + k]; }
  HWY_INLINE const char* Addr(size_t j, size_t k) const {
    return reinterpret_cast<const char*>(base + j * stride + k);
  }
};

struct BF16Rows {
  const uint16_t* base;
  size_t stride;
  HWY_INLINE VF Load(DF df, size_t j, size_t k) const {
    // bf16 is the top half of an f32: widening is a 16-bit shift.
    const hn::Rebind<uint16_t, DF> du16;
    const hn::RebindToUnsigned<DF> du32;
    const auto bits = hn::PromoteTo(du32, hn::LoadU(du16, base + j * stride + k));
    return hn::BitCast(df, hn::ShiftLeft<16>(bits));
  }
  HWY_INLINE float At(size_t j, size_t k) const { return kernels::Bf16ToF32(base[j * stride + k]); }
  HWY_INLINE const char* Addr(size_t j, size_t k) const {
    return reinterpret_cast<const char*>(base + j * stride + k);
  }
};

struct F16Rows {
  const uint16_t* base;
  size_t stride;
  HWY_INLINE VF Load(DF df, size_t j, size_t k) const {
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
    // F16C converts exactly (subnormals, infinities and NaN included).
    const hn::Rebind<hwy::float16_t, DF> df16;
    return hn::PromoteTo(
        df, hn::LoadU(df16, reinterpret_cast<const hwy::float16_t*>(base + j * stride + k)));
#else
    HWY_ALIGN float tmp[hn::MaxLanes(DF())];
    for (size_t l = 0; l < hn::Lanes(df); ++l) tmp[l] = kernels::F16ToF32(base[j * stride + k + l]);
    return hn::Load(df, tmp);
#endif
  }
  HWY_INLINE float At(size_t j, size_t k) const { return kernels::F16ToF32(base[j * stride + k]); }
  HWY_INLINE const char* Addr(size_t j, size_t k) const {
    return reinterpret_cast<const char*>(base + j * stride + k);
  }
};

// ---- Quantized blocks ----

using DI = hn::RebindToSigned<DF>;
using VI = hn::Vec<DI>;

// Lanes(df) bytes from p, each shifted right by `shift` and masked with `mask`, as int32.
HWY_INLINE VI BitsOfBytes(DF df, const uint8_t* p, int shift, int mask) {
  const hn::Rebind<uint8_t, DF> du8;
  const hn::RebindToUnsigned<DF> du32;
  const auto bytes = hn::PromoteTo(du32, hn::LoadU(du8, p));
  return hn::BitCast(
      DI(), hn::And(hn::ShiftRightSame(bytes, shift), hn::Set(du32, static_cast<uint32_t>(mask))));
}

// Each quantized type as groups of weights sharing a scale a and an offset m: weight
// o = a * q(o) - m, q a small integer (m = 0 where the type has none, and the subtraction is
// skipped, which changes nothing). Scale(b, g) gives group g's a and m as the scalar reference
// rounds them, Scales(b, a, m) every group's of a block (the types whose decode has no kernel
// of its own, Q8_0 and Q4_0); Quants(df, b, o) the integers
// o .. o + Lanes(df) - 1 as floats.
template <WeightType kType>
struct Quant;

template <>
struct Quant<WeightType::kQ8_0> {
  static constexpr size_t kGroup = 32;
  static constexpr bool kHasMin = false;
  static HWY_INLINE void Scale(const uint8_t* b, size_t, float* a, float* m) {
    *a = kernels::F16ToF32(LoadU16(b));
    *m = 0.0f;
  }
  static HWY_INLINE void Scales(const uint8_t* b, float* a, float* m) { Scale(b, 0, a, m); }
  static HWY_INLINE VF Quants(DF df, const uint8_t* b, size_t o) {
    const hn::Rebind<int8_t, DF> di8;
    return hn::ConvertTo(
        df, hn::PromoteTo(DI(), hn::LoadU(di8, reinterpret_cast<const int8_t*>(b + 2) + o)));
  }
};

template <>
struct Quant<WeightType::kQ4_0> {
  static constexpr size_t kGroup = 32;
  static constexpr bool kHasMin = false;
  static HWY_INLINE void Scale(const uint8_t* b, size_t, float* a, float* m) {
    *a = kernels::F16ToF32(LoadU16(b));
    *m = 0.0f;
  }
  static HWY_INLINE void Scales(const uint8_t* b, float* a, float* m) { Scale(b, 0, a, m); }
  static HWY_INLINE VF Quants(DF df, const uint8_t* b, size_t o) {
    return hn::ConvertTo(df,
                         hn::Sub(BitsOfBytes(df, b + 2 + o % 16, 4 * static_cast<int>(o / 16), 0xF),
                                 hn::Set(DI(), 8)));
  }
};

// Q4_K, and Q5_K with its fifth bits.
template <bool kFifthBit>
struct QuantK4 {
  static constexpr size_t kGroup = 32;
  static constexpr bool kHasMin = true;
  static HWY_INLINE void Scale(const uint8_t* b, size_t g, float* a, float* m) {
    uint8_t sc, mn;
    ScaleMinK4(g, b + kQ4KScales, &sc, &mn);
    *a = kernels::F16ToF32(LoadU16(b)) * static_cast<float>(sc);
    *m = kernels::F16ToF32(LoadU16(b + 2)) * static_cast<float>(mn);
  }
  static HWY_INLINE VF Quants(DF df, const uint8_t* b, size_t o) {
    const size_t g = o / 32, l = o % 32;
    const uint8_t* qs = b + (kFifthBit ? kQ5KQs : kQ4KQs) + 32 * (g / 2) + l;
    VI q = BitsOfBytes(df, qs, 4 * static_cast<int>(g % 2), 0xF);
    if (kFifthBit) {
      q = hn::Or(q, hn::ShiftLeft<4>(BitsOfBytes(df, b + kQ5KQh + l, static_cast<int>(g), 1)));
    }
    return hn::ConvertTo(df, q);
  }
};
template <>
struct Quant<WeightType::kQ4_K> : QuantK4<false> {};
template <>
struct Quant<WeightType::kQ5_K> : QuantK4<true> {};

template <>
struct Quant<WeightType::kQ6_K> {
  static constexpr size_t kGroup = 16;
  static constexpr bool kHasMin = false;
  static HWY_INLINE void Scale(const uint8_t* b, size_t g, float* a, float* m) {
    *a = kernels::F16ToF32(LoadU16(b + kQ6KD)) *
         static_cast<float>(static_cast<int8_t>(b[kQ6KScales + g]));
    *m = 0.0f;
  }
  static HWY_INLINE VF Quants(DF df, const uint8_t* b, size_t o) {
    const Q6KPlace p = Q6KPlaceOf(o);
    const VI low = BitsOfBytes(df, b + p.ql_index, static_cast<int>(p.ql_shift), 0xF);
    const VI high = BitsOfBytes(df, b + p.qh_index, static_cast<int>(p.qh_shift), 3);
    return hn::ConvertTo(df, hn::Sub(hn::Or(low, hn::ShiftLeft<4>(high)), hn::Set(DI(), 32)));
  }
};

// a * q - m for one vector of a group.
template <WeightType kType>
HWY_INLINE VF GroupWeights(DF df, float a, float m, VF q) {
  const VF w = hn::Mul(hn::Set(df, a), q);
  return Quant<kType>::kHasMin ? hn::Sub(w, hn::Set(df, m)) : w;
}

// The weights o .. o + Lanes(df) - 1 of one block.
template <WeightType kType>
HWY_INLINE VF LoadFromBlock(DF df, const uint8_t* b, size_t o) {
  float a, m;
  Quant<kType>::Scale(b, o / Quant<kType>::kGroup, &a, &m);
  return GroupWeights<kType>(df, a, m, Quant<kType>::Quants(df, b, o));
}

// Rows of whole blocks of kType, row_bytes apart.
template <WeightType kType>
struct BlockRows {
  static constexpr BlockFormat kFormat = BlockFormatOf(kType);
  const uint8_t* base;
  size_t row_bytes;
  HWY_INLINE const uint8_t* Block(size_t j, size_t k) const {
    return base + j * row_bytes + k / kFormat.weights * kFormat.bytes;
  }
  HWY_INLINE VF Load(DF df, size_t j, size_t k) const {
    return LoadFromBlock<kType>(df, Block(j, k), k % kFormat.weights);
  }
  // Tails only (rows are whole blocks, so the products never reach it): the scalar reference.
  float At(size_t j, size_t k) const {
    float block[kFormat.weights];
    DequantizeBlocks(kType, Block(j, k), 1, block);
    return block[k % kFormat.weights];
  }
  HWY_INLINE const char* Addr(size_t j, size_t k) const {
    return reinterpret_cast<const char*>(Block(j, k));
  }
};

// Calls f with the loader for w's type.
template <class F>
void WithRows(const WeightMatrix& w, F&& f) {
  const auto* bytes = static_cast<const uint8_t*>(w.data);
  const size_t row_bytes = QuantRowBytes(w.type, w.cols);
  switch (w.type) {
    case WeightType::kF32:
      return f(F32Rows{static_cast<const float*>(w.data), w.row_stride});
    case WeightType::kBF16:
      return f(BF16Rows{static_cast<const uint16_t*>(w.data), w.row_stride});
    case WeightType::kF16:
      return f(F16Rows{static_cast<const uint16_t*>(w.data), w.row_stride});
    case WeightType::kQ8_0:
      return f(BlockRows<WeightType::kQ8_0>{bytes, row_bytes});
    case WeightType::kQ4_0:
      return f(BlockRows<WeightType::kQ4_0>{bytes, row_bytes});
    case WeightType::kQ4_K:
      return f(BlockRows<WeightType::kQ4_K>{bytes, row_bytes});
    case WeightType::kQ5_K:
      return f(BlockRows<WeightType::kQ5_K>{bytes, row_bytes});
    case WeightType::kQ6_K:
      return f(BlockRows<WeightType::kQ6_K>{bytes, row_bytes});
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#endif  // include guard
