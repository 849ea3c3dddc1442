// The matrix-vector product for ggml's quantized blocks (decode), a group of weights at a time:
// the generic form for every block type, and Q4_K/Q5_K and Q6_K written for their layouts.
// Included once per Highway target by matmul.cc (foreach_target.h), hence the toggling include
// guard of Highway's own -inl.h headers.

#if defined(XVAL_KERNELS_MATVEC_QUANT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef XVAL_KERNELS_MATVEC_QUANT_INL_H_
#undef XVAL_KERNELS_MATVEC_QUANT_INL_H_
#else
#define XVAL_KERNELS_MATVEC_QUANT_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hwy/highway.h"
#include "kernels/convert.h"
#include "kernels/matvec-inl.h"
#include "kernels/quant_blocks.h"
#include "kernels/weight_rows-inl.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {

// The same for quantized rows, a group at a time. A group's weights are a * q - m (Quant), so
// its share of the dot product is a * sum(x q) - m * sum(x): the sums of x over each group
// (x_sums, computed once per call) take the offsets out of the inner loop, and the scales a
// multiply a group's vector of x q once. The result differs from the dequantize-then-multiply
// products by rounding only.
template <size_t S, WeightType kType>
HWY_INLINE void GemvRowsInStep(const float* HWY_RESTRICT x, size_t cols, const BlockRows<kType>& w,
                               const size_t (&rows)[S], float* HWY_RESTRICT out,
                               const float* HWY_RESTRICT x_sums) {
  using Q = Quant<kType>;
  const DF df;
  const size_t lanes = hn::Lanes(df);
  constexpr size_t kBlock = BlockFormatOf(kType).weights;
  constexpr size_t kGroups = kBlock / Q::kGroup;
  VF acc[S];
  float offsets[S] = {};  // sum of m * sum(x) over the groups
  for (size_t s = 0; s < S; ++s) acc[s] = hn::Zero(df);
  for (size_t k0 = 0; k0 < cols; k0 += kBlock) {
    const uint8_t* b[S];
    float a[S][kGroups], m[S][kGroups];
    for (size_t s = 0; s < S; ++s) {
      b[s] = w.Block(rows[s], k0);
      Q::Scales(b[s], a[s], m[s]);
    }
    for (size_t g = 0; g < kGroups; ++g) {
      VF t[S];  // sum of x q over the group's vectors
      for (size_t o = g * Q::kGroup; o < (g + 1) * Q::kGroup; o += lanes) {
        const VF xv = hn::LoadU(df, x + k0 + o);
        for (size_t s = 0; s < S; ++s) {
          const VF q = Q::Quants(df, b[s], o);
          t[s] = o == g * Q::kGroup ? hn::Mul(xv, q) : hn::MulAdd(xv, q, t[s]);
        }
      }
      for (size_t s = 0; s < S; ++s) acc[s] = hn::MulAdd(hn::Set(df, a[s][g]), t[s], acc[s]);
      if (Q::kHasMin) {
        const float xs = x_sums[(k0 + g * Q::kGroup) / Q::kGroup];
        for (size_t s = 0; s < S; ++s) offsets[s] += m[s][g] * xs;
      }
    }
  }
  for (size_t s = 0; s < S; ++s)
    out[rows[s]] = hn::GetLane(hn::SumOfLanes(df, acc[s])) - offsets[s];
}

// Q4_K and Q5_K in step: the same sums with the two groups that share a run of 32 bytes (low
// and high nibbles) decoded from one load, and the 8 scales and mins of a block decoded as
// vectors (ScaleMinK4 lane-wise; the same f32 products as the scalar reference).
template <size_t S, bool kFifthBit>
HWY_INLINE void GemvK4RowsInStep(
    const float* HWY_RESTRICT x, size_t cols,
    const BlockRows<kFifthBit ? WeightType::kQ5_K : WeightType::kQ4_K>& w, const size_t (&rows)[S],
    float* HWY_RESTRICT out, const float* HWY_RESTRICT x_sums) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const hn::CappedTag<uint32_t, 4> d4;  // four groups' scale bytes
  const hn::Rebind<uint8_t, decltype(d4)> d4u8;
  const hn::Rebind<float, decltype(d4)> d4f;
  const hn::Rebind<uint8_t, DF> du8;
  const hn::RebindToUnsigned<DF> du32;
  const auto low_bits = hn::Set(du32, 0xF);
  VF acc[S];
  float offsets[S] = {};
  for (size_t s = 0; s < S; ++s) acc[s] = hn::Zero(df);
  for (size_t k0 = 0; k0 < cols; k0 += 256) {
    const uint8_t* b[S];
    HWY_ALIGN float a[S][8];
    HWY_ALIGN float m[S][8];
    for (size_t s = 0; s < S; ++s) {
      b[s] = w.Block(rows[s], k0);
      const uint8_t* scales = b[s] + kQ4KScales;
      const auto d = hn::Set(d4f, kernels::F16ToF32(LoadU16(b[s])));
      const auto dmin = hn::Set(d4f, kernels::F16ToF32(LoadU16(b[s] + 2)));
      for (size_t i = 0; i < 4; i += hn::Lanes(d4)) {
        const auto b03 = hn::PromoteTo(d4, hn::LoadU(d4u8, scales + i));
        const auto b47 = hn::PromoteTo(d4, hn::LoadU(d4u8, scales + 4 + i));
        const auto b811 = hn::PromoteTo(d4, hn::LoadU(d4u8, scales + 8 + i));
        const auto sc_lo = hn::And(b03, hn::Set(d4, 63));
        const auto mn_lo = hn::And(b47, hn::Set(d4, 63));
        const auto sc_hi =
            hn::Or(hn::And(b811, hn::Set(d4, 0xF)), hn::ShiftLeft<4>(hn::ShiftRight<6>(b03)));
        const auto mn_hi =
            hn::Or(hn::ShiftRight<4>(b811), hn::ShiftLeft<4>(hn::ShiftRight<6>(b47)));
        const hn::RebindToSigned<decltype(d4)> d4i;
        hn::StoreU(hn::Mul(d, hn::ConvertTo(d4f, hn::BitCast(d4i, sc_lo))), d4f, a[s] + i);
        hn::StoreU(hn::Mul(d, hn::ConvertTo(d4f, hn::BitCast(d4i, sc_hi))), d4f, a[s] + 4 + i);
        hn::StoreU(hn::Mul(dmin, hn::ConvertTo(d4f, hn::BitCast(d4i, mn_lo))), d4f, m[s] + i);
        hn::StoreU(hn::Mul(dmin, hn::ConvertTo(d4f, hn::BitCast(d4i, mn_hi))), d4f, m[s] + 4 + i);
      }
    }
    for (size_t c = 0; c < 4; ++c) {  // groups 2c (low nibbles) and 2c + 1 (high nibbles)
      VF lo[S], hi[S];
      for (size_t l = 0; l < 32; l += lanes) {
        const VF x_lo = hn::LoadU(df, x + k0 + 64 * c + l);
        const VF x_hi = hn::LoadU(df, x + k0 + 64 * c + 32 + l);
        for (size_t s = 0; s < S; ++s) {
          auto bytes = hn::PromoteTo(
              du32, hn::LoadU(du8, b[s] + (kFifthBit ? kQ5KQs : kQ4KQs) + 32 * c + l));
          auto q_lo = hn::And(bytes, low_bits);
          auto q_hi = hn::ShiftRight<4>(bytes);
          if (kFifthBit) {
            const auto h = hn::PromoteTo(du32, hn::LoadU(du8, b[s] + kQ5KQh + l));
            q_lo = hn::Or(q_lo,
                          hn::ShiftLeft<4>(hn::And(hn::ShiftRightSame(h, static_cast<int>(2 * c)),
                                                   hn::Set(du32, 1))));
            q_hi = hn::Or(
                q_hi, hn::ShiftLeft<4>(hn::And(hn::ShiftRightSame(h, static_cast<int>(2 * c + 1)),
                                               hn::Set(du32, 1))));
          }
          const VF f_lo = hn::ConvertTo(df, hn::BitCast(DI(), q_lo));
          const VF f_hi = hn::ConvertTo(df, hn::BitCast(DI(), q_hi));
          lo[s] = l == 0 ? hn::Mul(x_lo, f_lo) : hn::MulAdd(x_lo, f_lo, lo[s]);
          hi[s] = l == 0 ? hn::Mul(x_hi, f_hi) : hn::MulAdd(x_hi, f_hi, hi[s]);
        }
      }
      for (size_t s = 0; s < S; ++s) {
        acc[s] = hn::MulAdd(hn::Set(df, a[s][2 * c]), lo[s], acc[s]);
        acc[s] = hn::MulAdd(hn::Set(df, a[s][2 * c + 1]), hi[s], acc[s]);
      }
    }
    for (size_t s = 0; s < S; ++s) {
      for (size_t g = 0; g < 8; ++g) offsets[s] += m[s][g] * x_sums[k0 / 32 + g];
    }
  }
  for (size_t s = 0; s < S; ++s)
    out[rows[s]] = hn::GetLane(hn::SumOfLanes(df, acc[s])) - offsets[s];
}
template <size_t S>
HWY_INLINE void GemvRowsInStep(const float* HWY_RESTRICT x, size_t cols,
                               const BlockRows<WeightType::kQ4_K>& w, const size_t (&rows)[S],
                               float* HWY_RESTRICT out, const float* HWY_RESTRICT x_sums) {
  GemvK4RowsInStep<S, false>(x, cols, w, rows, out, x_sums);
}
template <size_t S>
HWY_INLINE void GemvRowsInStep(const float* HWY_RESTRICT x, size_t cols,
                               const BlockRows<WeightType::kQ5_K>& w, const size_t (&rows)[S],
                               float* HWY_RESTRICT out, const float* HWY_RESTRICT x_sums) {
  GemvK4RowsInStep<S, true>(x, cols, w, rows, out, x_sums);
}

// Q6_K in step: per half block, one load of each of ql's two runs of 32 bytes and of qh's 32
// bytes gives four vectors' 6-bit values (Q6KPlaceOf's layout); the 16 scales of a block are
// widened as one vector of int8, and the -32 of every weight goes to the offsets (32 * a per
// group, times the group's sum of x).
template <size_t S>
HWY_INLINE void GemvRowsInStep(const float* HWY_RESTRICT x, size_t cols,
                               const BlockRows<WeightType::kQ6_K>& w, const size_t (&rows)[S],
                               float* HWY_RESTRICT out, const float* HWY_RESTRICT x_sums) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const hn::Rebind<uint8_t, DF> du8;
  const hn::Rebind<int8_t, DF> di8;
  const hn::RebindToUnsigned<DF> du32;
  const auto four_bits = hn::Set(du32, 0xF), two_bits = hn::Set(du32, 3);
  VF acc[S];
  float offsets[S] = {};
  for (size_t s = 0; s < S; ++s) acc[s] = hn::Zero(df);
  for (size_t k0 = 0; k0 < cols; k0 += 256) {
    const uint8_t* b[S];
    HWY_ALIGN float a[S][16];
    for (size_t s = 0; s < S; ++s) {
      b[s] = w.Block(rows[s], k0);
      const VF d = hn::Set(df, kernels::F16ToF32(LoadU16(b[s] + kQ6KD)));
      for (size_t g = 0; g < 16; g += lanes) {
        const auto sc = hn::PromoteTo(
            DI(), hn::LoadU(di8, reinterpret_cast<const int8_t*>(b[s] + kQ6KScales + g)));
        hn::Store(hn::Mul(d, hn::ConvertTo(df, sc)), df, a[s] + g);
      }
    }
    for (size_t half = 0; half < 2; ++half) {
      for (size_t l = 0; l < 32; l += lanes) {
        const float* xh = x + k0 + 128 * half + l;
        const VF x0 = hn::LoadU(df, xh), x1 = hn::LoadU(df, xh + 32);
        const VF x2 = hn::LoadU(df, xh + 64), x3 = hn::LoadU(df, xh + 96);
        const size_t g = 8 * half + l / 16;  // the scale group of run 0; runs 1-3 at +2, +4, +6
        for (size_t s = 0; s < S; ++s) {
          const uint8_t* ql = b[s] + 64 * half + l;
          const auto lo = hn::PromoteTo(du32, hn::LoadU(du8, ql));
          const auto hi = hn::PromoteTo(du32, hn::LoadU(du8, ql + 32));
          const auto h = hn::PromoteTo(du32, hn::LoadU(du8, b[s] + kQ6KQh + 32 * half + l));
          const auto q0 = hn::Or(hn::And(lo, four_bits), hn::ShiftLeft<4>(hn::And(h, two_bits)));
          const auto q1 = hn::Or(hn::And(hi, four_bits),
                                 hn::ShiftLeft<4>(hn::And(hn::ShiftRight<2>(h), two_bits)));
          const auto q2 = hn::Or(hn::ShiftRight<4>(lo),
                                 hn::ShiftLeft<4>(hn::And(hn::ShiftRight<4>(h), two_bits)));
          const auto q3 = hn::Or(hn::ShiftRight<4>(hi), hn::ShiftLeft<4>(hn::ShiftRight<6>(h)));
          const auto f = [&](decltype(q0) q) { return hn::ConvertTo(df, hn::BitCast(DI(), q)); };
          acc[s] = hn::MulAdd(hn::Set(df, a[s][g]), hn::Mul(x0, f(q0)), acc[s]);
          acc[s] = hn::MulAdd(hn::Set(df, a[s][g + 2]), hn::Mul(x1, f(q1)), acc[s]);
          acc[s] = hn::MulAdd(hn::Set(df, a[s][g + 4]), hn::Mul(x2, f(q2)), acc[s]);
          acc[s] = hn::MulAdd(hn::Set(df, a[s][g + 6]), hn::Mul(x3, f(q3)), acc[s]);
        }
      }
    }
    for (size_t s = 0; s < S; ++s) {
      for (size_t g = 0; g < 16; ++g) offsets[s] += 32.0f * a[s][g] * x_sums[k0 / 16 + g];
    }
  }
  for (size_t s = 0; s < S; ++s)
    out[rows[s]] = hn::GetLane(hn::SumOfLanes(df, acc[s])) - offsets[s];
}

// Rows [j_begin, j_end) of quantized w against one token, kGemvStreams rows in step as above.
template <WeightType kType>
void GemvRows(const float* HWY_RESTRICT x, size_t cols, const BlockRows<kType>& w, size_t j_begin,
              size_t j_end, float* HWY_RESTRICT out) {
  constexpr size_t kGroup = Quant<kType>::kGroup;
  thread_local std::vector<float> x_sums;  // (cols / kGroup) sum of x over each group
  x_sums.assign(cols / kGroup, 0.0f);
  if (Quant<kType>::kHasMin || kType == WeightType::kQ6_K) {
    for (size_t k = 0; k < cols; ++k) x_sums[k / kGroup] += x[k];
  }
  ForRowsInStep(j_begin, j_end,
                [&](const auto& rows) { GemvRowsInStep(x, cols, w, rows, out, x_sums.data()); });
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#endif  // include guard
