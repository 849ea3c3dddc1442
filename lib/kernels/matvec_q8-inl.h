// The matrix-vector product (one token) of Q4_K and Q6_K weights with Q8_K activations
// (q8_activations.h), llama.cpp's arithmetic: the weights' integers, pre-multiplied by their
// group scales in 16 bits, times the activations' integers, summed in 32-bit lanes
// (ReorderWidenMulAccumulate, pmaddwd on x86) and scaled once per block. Exact integer sums per
// block; only the per-block scaling and the sum over blocks round.
// Included once per Highway target by matmul.cc (foreach_target.h), hence the toggling include
// guard of Highway's own -inl.h headers.

#if defined(XVAL_KERNELS_MATVEC_Q8_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef XVAL_KERNELS_MATVEC_Q8_INL_H_
#undef XVAL_KERNELS_MATVEC_Q8_INL_H_
#else
#define XVAL_KERNELS_MATVEC_Q8_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/convert.h"
#include "kernels/matvec-inl.h"
#include "kernels/q8_activations.h"
#include "kernels/quant_blocks.h"
#include "kernels/weight_rows-inl.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {

using DI16 = hn::CappedTag<int16_t, 32>;  // the lanes of DF, twice: at most 32
using DI32 = hn::RepartitionToWide<DI16>;
using VI16 = hn::Vec<DI16>;
using VI32 = hn::Vec<DI32>;

// Lanes(DI16) bytes from p as int16 lanes (unsigned or signed bytes).
HWY_INLINE VI16 UnsignedBytes(const uint8_t* p) {
  const hn::Rebind<uint8_t, DI16> du8;
  return hn::BitCast(DI16(), hn::PromoteTo(hn::RebindToUnsigned<DI16>(), hn::LoadU(du8, p)));
}
HWY_INLINE VI16 SignedBytes(const int8_t* p) {
  const hn::Rebind<int8_t, DI16> di8;
  return hn::PromoteTo(DI16(), hn::LoadU(di8, p));
}

// group_sums[g] = the sum of block b's q8 over its group g of 32 (from the runs of 16).
HWY_INLINE void GroupSums32(const Q8Activations& x, size_t b, int32_t* group_sums) {
  for (size_t g = 0; g < 8; ++g) {
    group_sums[g] = x.bsums[16 * b + 2 * g] + x.bsums[16 * b + 2 * g + 1];
  }
}

#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
// The sum of the 8 lanes.
HWY_INLINE float SumOfLanes256(__m256 v) {
  HWY_ALIGN float lanes[8];
  _mm256_store_ps(lanes, v);
  float total = 0.0f;
  for (float l : lanes) total += l;
  return total;
}

// Q4_K on AVX2 and AVX-512 machines: pmaddubsw multiplies the nibbles (unsigned bytes) by q8
// (signed bytes) and adds pairs into 16 bits, 32 products an instruction without widening
// either (at most 2 * 15 * 127, no saturation), and pmaddwd by the group's scale adds those
// pairs into 32 bits; as llama.cpp's AVX2 kernel. The integer sums are the generic form's.
template <size_t S>
HWY_INLINE void GemvQ8RowsInStepQ4K(const Q8Activations& x, size_t cols,
                                    const BlockRows<WeightType::kQ4_K>& w, const size_t (&rows)[S],
                                    float* HWY_RESTRICT out) {
  const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
  __m256 acc[S];
  float offsets[S] = {};
  for (size_t s = 0; s < S; ++s) acc[s] = _mm256_setzero_ps();
  for (size_t k0 = 0, b = 0; k0 < cols; k0 += 256, ++b) {
    const int8_t* q8 = x.qs.data() + k0;
    int32_t group_sums[8];  // sum of q8 over each group of 32
    GroupSums32(x, b, group_sums);
    const uint8_t* blk[S];
    uint8_t sc[S][8], mn[S][8];
    __m256i sum[S];
    for (size_t s = 0; s < S; ++s) {
      blk[s] = w.Block(rows[s], k0);
      ScalesMinsK4(blk[s] + kQ4KScales, sc[s], mn[s]);
      sum[s] = _mm256_setzero_si256();
    }
    for (size_t c = 0; c < 4; ++c) {  // groups 2c (low nibbles) and 2c + 1 (high nibbles)
      const __m256i x_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 64 * c));
      const __m256i x_hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 64 * c + 32));
      for (size_t s = 0; s < S; ++s) {
        const __m256i q4 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[s] + kQ4KQs + 32 * c));
        const __m256i lo = _mm256_and_si256(q4, low_nibbles);
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), low_nibbles);
        const __m256i p_lo =
            _mm256_madd_epi16(_mm256_maddubs_epi16(lo, x_lo), _mm256_set1_epi16(sc[s][2 * c]));
        const __m256i p_hi =
            _mm256_madd_epi16(_mm256_maddubs_epi16(hi, x_hi), _mm256_set1_epi16(sc[s][2 * c + 1]));
        sum[s] = _mm256_add_epi32(sum[s], _mm256_add_epi32(p_lo, p_hi));
      }
    }
    for (size_t s = 0; s < S; ++s) {
      const float d = kernels::F16ToF32(LoadU16(blk[s])) * x.d[b];
      const float dmin = kernels::F16ToF32(LoadU16(blk[s] + 2)) * x.d[b];
      acc[s] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum[s]), acc[s]);
      int32_t summs = 0;
      for (size_t g = 0; g < 8; ++g) summs += mn[s][g] * group_sums[g];
      offsets[s] += dmin * static_cast<float>(summs);
    }
  }
  for (size_t s = 0; s < S; ++s) out[rows[s]] = SumOfLanes256(acc[s]) - offsets[s];
}
#endif

// Q4_K: per block, sum_g sc_g * sum(q4 q8) scaled by d_w d_x, minus dmin_w d_x times
// sum_g m_g * (the group's sum of q8, from bsums). The form for every target.
template <size_t S>
HWY_INLINE void GemvQ8RowsInStepPortable(const Q8Activations& x, size_t cols,
                                         const BlockRows<WeightType::kQ4_K>& w,
                                         const size_t (&rows)[S], float* HWY_RESTRICT out) {
  const DI16 d16;
  const DI32 d32;
  const DF df;
  const size_t n16 = hn::Lanes(d16);
  VF acc[S];
  float offsets[S] = {};
  for (size_t s = 0; s < S; ++s) acc[s] = hn::Zero(df);
  for (size_t k0 = 0, b = 0; k0 < cols; k0 += 256, ++b) {
    const int8_t* q8 = x.qs.data() + k0;
    int32_t group_sums[8];  // sum of q8 over each group of 32
    GroupSums32(x, b, group_sums);
    const uint8_t* blk[S];
    uint8_t sc[S][8], mn[S][8];
    for (size_t s = 0; s < S; ++s) {
      blk[s] = w.Block(rows[s], k0);
      ScalesMinsK4(blk[s] + kQ4KScales, sc[s], mn[s]);
    }
    VI32 sum0[S], sum1[S];
    for (size_t s = 0; s < S; ++s) sum0[s] = sum1[s] = hn::Zero(d32);
    for (size_t c = 0; c < 4; ++c) {  // groups 2c (low nibbles) and 2c + 1 (high nibbles)
      for (size_t l = 0; l < 32; l += n16) {
        const VI16 x_lo = SignedBytes(q8 + 64 * c + l);
        const VI16 x_hi = SignedBytes(q8 + 64 * c + 32 + l);
        for (size_t s = 0; s < S; ++s) {
          const VI16 bytes = UnsignedBytes(blk[s] + kQ4KQs + 32 * c + l);
          const VI16 lo = hn::Mul(hn::And(bytes, hn::Set(d16, 0xF)), hn::Set(d16, sc[s][2 * c]));
          const VI16 hi = hn::Mul(hn::ShiftRight<4>(bytes), hn::Set(d16, sc[s][2 * c + 1]));
          sum0[s] = hn::ReorderWidenMulAccumulate(d32, lo, x_lo, sum0[s], sum1[s]);
          sum0[s] = hn::ReorderWidenMulAccumulate(d32, hi, x_hi, sum0[s], sum1[s]);
        }
      }
    }
    for (size_t s = 0; s < S; ++s) {
      const float d = kernels::F16ToF32(LoadU16(blk[s])) * x.d[b];
      const float dmin = kernels::F16ToF32(LoadU16(blk[s] + 2)) * x.d[b];
      acc[s] = hn::MulAdd(hn::Set(df, d), hn::ConvertTo(df, hn::Add(sum0[s], sum1[s])), acc[s]);
      int32_t summs = 0;
      for (size_t g = 0; g < 8; ++g) summs += mn[s][g] * group_sums[g];
      offsets[s] += dmin * static_cast<float>(summs);
    }
  }
  for (size_t s = 0; s < S; ++s)
    out[rows[s]] = hn::GetLane(hn::SumOfLanes(df, acc[s])) - offsets[s];
}

template <size_t S>
HWY_INLINE void GemvQ8RowsInStep(const Q8Activations& x, size_t cols,
                                 const BlockRows<WeightType::kQ4_K>& w, const size_t (&rows)[S],
                                 float* HWY_RESTRICT out) {
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
  GemvQ8RowsInStepQ4K(x, cols, w, rows, out);
#else
  GemvQ8RowsInStepPortable(x, cols, w, rows, out);
#endif
}

#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
// Q6_K on AVX2 and AVX-512 machines, as Q4_K's: the 6-bit values (0 .. 63, built in bytes)
// through pmaddubsw (at most 2 * 63 * 127), then pmaddwd by the scales of the two groups of 16
// that 32 bytes span (one per 128-bit half).
template <size_t S>
HWY_INLINE void GemvQ8RowsInStepQ6K(const Q8Activations& x, size_t cols,
                                    const BlockRows<WeightType::kQ6_K>& w, const size_t (&rows)[S],
                                    float* HWY_RESTRICT out) {
  const __m256i four_bits = _mm256_set1_epi8(0x0F), two_bits = _mm256_set1_epi8(0x03);
  __m256 acc[S];
  float offsets[S] = {};
  for (size_t s = 0; s < S; ++s) acc[s] = _mm256_setzero_ps();
  const auto load = [](const void* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  };
  for (size_t k0 = 0, b = 0; k0 < cols; k0 += 256, ++b) {
    const int8_t* q8 = x.qs.data() + k0;
    for (size_t s = 0; s < S; ++s) {
      const uint8_t* blk = w.Block(rows[s], k0);
      const int8_t* scales = reinterpret_cast<const int8_t*>(blk + kQ6KScales);
      __m256i sum = _mm256_setzero_si256();
      for (size_t half = 0; half < 2; ++half) {
        const __m256i lo = load(blk + 64 * half), hi = load(blk + 64 * half + 32);
        const __m256i h = load(blk + kQ6KQh + 32 * half);
        const __m256i q[4] = {
            _mm256_or_si256(_mm256_and_si256(lo, four_bits),
                            _mm256_slli_epi16(_mm256_and_si256(h, two_bits), 4)),
            _mm256_or_si256(
                _mm256_and_si256(hi, four_bits),
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), two_bits), 4)),
            _mm256_or_si256(
                _mm256_and_si256(_mm256_srli_epi16(lo, 4), four_bits),
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), two_bits), 4)),
            _mm256_or_si256(
                _mm256_and_si256(_mm256_srli_epi16(hi, 4), four_bits),
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), two_bits), 4))};
        for (size_t r = 0; r < 4; ++r) {
          const size_t g = 8 * half + 2 * r;  // the run's two groups: g and g + 1
          const __m256i scale =
              _mm256_set_m128i(_mm_set1_epi16(scales[g + 1]), _mm_set1_epi16(scales[g]));
          const __m256i products = _mm256_maddubs_epi16(q[r], load(q8 + 128 * half + 32 * r));
          sum = _mm256_add_epi32(sum, _mm256_madd_epi16(products, scale));
        }
      }
      const float d = kernels::F16ToF32(LoadU16(blk + kQ6KD)) * x.d[b];
      acc[s] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc[s]);
      int32_t shift = 0;  // 32 * sum_g sc_g * (the group's sum of q8)
      for (size_t g = 0; g < 16; ++g) shift += scales[g] * x.bsums[16 * b + g];
      offsets[s] += d * static_cast<float>(32 * shift);
    }
  }
  for (size_t s = 0; s < S; ++s) out[rows[s]] = SumOfLanes256(acc[s]) - offsets[s];
}
#endif

// Q6_K: the 6-bit values unsigned (0 .. 63) times their group scale, times q8; the -32 of every
// weight comes off through the groups' sums of q8. The form for every target.
template <size_t S>
HWY_INLINE void GemvQ8RowsInStepPortable(const Q8Activations& x, size_t cols,
                                         const BlockRows<WeightType::kQ6_K>& w,
                                         const size_t (&rows)[S], float* HWY_RESTRICT out) {
  const DI16 d16;
  const DI32 d32;
  const DF df;
  const size_t n16 = hn::Lanes(d16);
  // A vector of 32 int16 lanes spans two groups of 16: the first half takes the first's scale.
  const auto first16 = hn::FirstN(d16, 16);
  const VI16 four_bits = hn::Set(d16, 0xF), two_bits = hn::Set(d16, 3);
  VF acc[S];
  float offsets[S] = {};
  for (size_t s = 0; s < S; ++s) acc[s] = hn::Zero(df);
  for (size_t k0 = 0, b = 0; k0 < cols; k0 += 256, ++b) {
    const int8_t* q8 = x.qs.data() + k0;
    const uint8_t* blk[S];
    for (size_t s = 0; s < S; ++s) blk[s] = w.Block(rows[s], k0);
    VI32 sum0[S], sum1[S];
    for (size_t s = 0; s < S; ++s) sum0[s] = sum1[s] = hn::Zero(d32);
    for (size_t half = 0; half < 2; ++half) {
      for (size_t l = 0; l < 32; l += n16) {
        const int8_t* xh = q8 + 128 * half + l;
        const VI16 xr[4] = {SignedBytes(xh), SignedBytes(xh + 32), SignedBytes(xh + 64),
                            SignedBytes(xh + 96)};
        const size_t g = 8 * half + l / 16;  // run 0's group at lane 0; runs 1-3 at +2, +4, +6
        for (size_t s = 0; s < S; ++s) {
          const VI16 lo = UnsignedBytes(blk[s] + 64 * half + l);
          const VI16 hi = UnsignedBytes(blk[s] + 64 * half + 32 + l);
          const VI16 h = UnsignedBytes(blk[s] + kQ6KQh + 32 * half + l);
          const VI16 q[4] = {hn::Or(hn::And(lo, four_bits), hn::ShiftLeft<4>(hn::And(h, two_bits))),
                             hn::Or(hn::And(hi, four_bits),
                                    hn::ShiftLeft<4>(hn::And(hn::ShiftRight<2>(h), two_bits))),
                             hn::Or(hn::ShiftRight<4>(lo),
                                    hn::ShiftLeft<4>(hn::And(hn::ShiftRight<4>(h), two_bits))),
                             hn::Or(hn::ShiftRight<4>(hi), hn::ShiftLeft<4>(hn::ShiftRight<6>(h)))};
          const int8_t* scales = reinterpret_cast<const int8_t*>(blk[s] + kQ6KScales);
          for (size_t r = 0; r < 4; ++r) {
            const VI16 scale = hn::IfThenElse(first16, hn::Set(d16, scales[g + 2 * r]),
                                              hn::Set(d16, scales[g + 2 * r + (n16 > 16)]));
            sum0[s] =
                hn::ReorderWidenMulAccumulate(d32, hn::Mul(q[r], scale), xr[r], sum0[s], sum1[s]);
          }
        }
      }
    }
    for (size_t s = 0; s < S; ++s) {
      const float d = kernels::F16ToF32(LoadU16(blk[s] + kQ6KD)) * x.d[b];
      acc[s] = hn::MulAdd(hn::Set(df, d), hn::ConvertTo(df, hn::Add(sum0[s], sum1[s])), acc[s]);
      int32_t shift = 0;  // 32 * sum_g sc_g * (the group's sum of q8)
      for (size_t g = 0; g < 16; ++g) {
        shift += static_cast<int8_t>(blk[s][kQ6KScales + g]) * x.bsums[16 * b + g];
      }
      offsets[s] += d * static_cast<float>(32 * shift);
    }
  }
  for (size_t s = 0; s < S; ++s)
    out[rows[s]] = hn::GetLane(hn::SumOfLanes(df, acc[s])) - offsets[s];
}

template <size_t S>
HWY_INLINE void GemvQ8RowsInStep(const Q8Activations& x, size_t cols,
                                 const BlockRows<WeightType::kQ6_K>& w, const size_t (&rows)[S],
                                 float* HWY_RESTRICT out) {
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
  GemvQ8RowsInStepQ6K(x, cols, w, rows, out);
#else
  GemvQ8RowsInStepPortable(x, cols, w, rows, out);
#endif
}

// Rows [j_begin, j_end) of w against Q8_K activations, kGemvStreams rows in step; false (and
// nothing done) for a weight type without this product.
template <class Rows>
HWY_INLINE bool GemvQ8Rows(const Q8Activations&, size_t, const Rows&, size_t, size_t, float*) {
  return false;
}
template <WeightType kType>
HWY_INLINE bool GemvQ8Rows(const Q8Activations& x, size_t cols, const BlockRows<kType>& w,
                           size_t j_begin, size_t j_end, float* HWY_RESTRICT out) {
  if constexpr (kType != WeightType::kQ4_K && kType != WeightType::kQ6_K) {
    return false;
  } else {
    ForRowsInStep(j_begin, j_end,
                  [&](const auto& rows) { GemvQ8RowsInStep(x, cols, w, rows, out); });
    return true;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#endif  // include guard
