// MatMul: register-tiled dot products, weights widened to f32 as they are loaded.
//
// Both operands are row-major with the reduction dimension contiguous (x @ w.T), so a tile of
// kI rows of x by kJ rows of w keeps kI * kJ vector accumulators and, per step along k, loads
// kJ weight vectors once and kI activation vectors once: 3 x 4 gives 12 FMAs for 7 loads, which
// keeps the FMA units busy on AVX2 (16 registers). The k dimension is cut into blocks whose
// activation panel fits in L2, so the panel is read from cache, not memory, for every group of
// weight rows. Decode (n = 1) is a matrix-vector product bound by reading the weights once;
// the tiles of 4 weight rows keep four independent streams in flight.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/matmul.cc"
#include "model/matmul.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "hwy/cache_control.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/convert.h"
#include "model/weight_rows-inl.h"
#include "util/thread_pool.h"

HWY_BEFORE_NAMESPACE();
namespace xval::model {
namespace HWY_NAMESPACE {
// out[i, j0 + j] (+)= sum_{k0 <= k < k1} x[i, k] * w[j0 + j, k] for i < kI, j < kJ.
template <size_t kI, size_t kJ, class Rows>
HWY_NOINLINE void Tile(const float* HWY_RESTRICT x, size_t x_stride, const Rows& w, size_t j0,
                       size_t k0, size_t k1, float* HWY_RESTRICT out, size_t out_stride,
                       bool accumulate) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  VF acc[kI][kJ];  // kI x kJ partial sums, one per lane
  for (size_t i = 0; i < kI; ++i) {
    for (size_t j = 0; j < kJ; ++j) acc[i][j] = hn::Zero(df);
  }
  size_t k = k0;
  for (; k + lanes <= k1; k += lanes) {
    VF wv[kJ];
    for (size_t j = 0; j < kJ; ++j) wv[j] = w.Load(df, j0 + j, k);
    for (size_t i = 0; i < kI; ++i) {
      const VF xv = hn::LoadU(df, x + i * x_stride + k);
      for (size_t j = 0; j < kJ; ++j) acc[i][j] = hn::MulAdd(xv, wv[j], acc[i][j]);
    }
  }
  for (size_t i = 0; i < kI; ++i) {
    for (size_t j = 0; j < kJ; ++j) {
      float sum = hn::GetLane(hn::SumOfLanes(df, acc[i][j]));
      for (size_t kt = k; kt < k1; ++kt) sum += x[i * x_stride + kt] * w.At(j0 + j, kt);
      float& o = out[i * out_stride + j0 + j];
      o = accumulate ? o + sum : sum;
    }
  }
}

template <size_t kI, class Rows>
HWY_INLINE void TileJ(size_t nj, const float* x, size_t x_stride, const Rows& w, size_t j0,
                      size_t k0, size_t k1, float* out, size_t out_stride, bool accumulate) {
  switch (nj) {
    case 3: return Tile<kI, 3>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
    case 2: return Tile<kI, 2>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
    default: return Tile<kI, 1>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
  }
}

// 4 tokens x 3 weight rows: 12 accumulators, and per vector of k 3 widened weight vectors for
// 12 FMAs. The f16 widening is not free on the Zen 3 measured, so the shape that widens least
// per FMA wins: against 3 tokens x 4 rows, 4-16 tokens of the 7B shape's gate (f16, from
// memory, alternating) ran 61-68 -> 76-111 GFLOP/s (median); 8 x 1 and 6 x 2 (fewer widenings,
// but one or two weight rows streamed at a time) were slower than 4 x 3.
constexpr size_t kTileI = 4;
constexpr size_t kTileJ = 3;

// Rows [j_begin, j_end) of w against all n rows of x.
template <class Rows>
void MatMulRows(const float* x, size_t x_stride, size_t n, size_t cols, const Rows& w,
                size_t j_begin, size_t j_end, float* out, size_t out_stride) {
  // An activation panel of n x kc floats in about 192 KiB of L2; kc a multiple of 32 so that
  // Q8_0 blocks and every vector length divide it.
  size_t kc = (192 * 1024 / sizeof(float)) / std::max<size_t>(n, 1);
  kc = std::max<size_t>(256, kc / 32 * 32);
  for (size_t k0 = 0; k0 < cols; k0 += kc) {
    const size_t k1 = std::min(cols, k0 + kc);
    for (size_t j = j_begin; j < j_end; j += kTileJ) {
      const size_t nj = std::min(kTileJ, j_end - j);
      size_t i = 0;
      for (; i + kTileI <= n; i += kTileI) {
        TileJ<kTileI>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride,
                      out_stride, k0 > 0);
      }
      if (n - i == 3) {
        TileJ<3>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride, out_stride,
                 k0 > 0);
      } else if (n - i == 2) {
        TileJ<2>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride, out_stride,
                 k0 > 0);
      } else if (n - i == 1) {
        TileJ<1>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride, out_stride,
                 k0 > 0);
      }
    }
  }
}

// ---- One token (decode): a matrix-vector product bound by reading the weights ----
//
// Each thread reads its rows as four sequential streams at once: the quarters of its rows, one
// row of each in step, x's vectors loaded once for the four. One stream a core reads slower
// than the memory can deliver: the hardware prefetcher runs a bounded distance ahead of each
// stream, and one stream's lines in flight do not cover the memory's latency. On the Zen 3
// measured (a sweep over 512 MiB of f16 rows on huge pages, variants alternating in one
// process): one stream with software prefetch read 80-88 % as fast as the fastest read loop
// (ReadBandwidth's four streams of f32), two streams 85-100 %, four streams without software
// prefetch 94-104 %; software prefetch on four streams was slower. In the benchmark model's
// decode (tokens alternating between variants in one process) four streams were 6 % faster
// than two and about 30 % faster than one. x stays in L1; the horizontal sums per row are
// negligible against a row of loads.
constexpr size_t kGemvStreams = 4;
constexpr size_t kGemvUnit = 4;  // rows a work unit of the product for one token

// out[rows[s]] = x . w[rows[s]] for the S rows, read in step.
template <size_t S, class Rows>
HWY_INLINE void GemvRowsInStep(const float* HWY_RESTRICT x, size_t cols, const Rows& w,
                               const size_t (&rows)[S], float* HWY_RESTRICT out) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  VF a[S], b[S];  // two accumulators a row: k and k + 2 * lanes feed a, the odd vectors b
  for (size_t s = 0; s < S; ++s) a[s] = b[s] = hn::Zero(df);
  size_t k = 0;
  for (; k + 4 * lanes <= cols; k += 4 * lanes) {
    const VF x0 = hn::LoadU(df, x + k), x1 = hn::LoadU(df, x + k + lanes);
    const VF x2 = hn::LoadU(df, x + k + 2 * lanes), x3 = hn::LoadU(df, x + k + 3 * lanes);
    for (size_t s = 0; s < S; ++s) {
      a[s] = hn::MulAdd(x0, w.Load(df, rows[s], k), a[s]);
      b[s] = hn::MulAdd(x1, w.Load(df, rows[s], k + lanes), b[s]);
      a[s] = hn::MulAdd(x2, w.Load(df, rows[s], k + 2 * lanes), a[s]);
      b[s] = hn::MulAdd(x3, w.Load(df, rows[s], k + 3 * lanes), b[s]);
    }
  }
  for (; k + lanes <= cols; k += lanes) {
    const VF xv = hn::LoadU(df, x + k);
    for (size_t s = 0; s < S; ++s) a[s] = hn::MulAdd(xv, w.Load(df, rows[s], k), a[s]);
  }
  for (size_t s = 0; s < S; ++s) {
    float sum = hn::GetLane(hn::SumOfLanes(df, hn::Add(a[s], b[s])));
    for (size_t kk = k; kk < cols; ++kk) sum += x[kk] * w.At(rows[s], kk);
    out[rows[s]] = sum;
  }
}

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
  const size_t quarter = (j_end - j_begin) / kGemvStreams;
  for (size_t i = 0; i < quarter; ++i) {
    const size_t rows[kGemvStreams] = {j_begin + i, j_begin + quarter + i,
                                       j_begin + 2 * quarter + i, j_begin + 3 * quarter + i};
    GemvRowsInStep(x, cols, w, rows, out, x_sums.data());
  }
  for (size_t j = j_begin + kGemvStreams * quarter; j < j_end; ++j) {
    const size_t row[1] = {j};
    GemvRowsInStep(x, cols, w, row, out, x_sums.data());
  }
}

template <class Rows>
void GemvRows(const float* HWY_RESTRICT x, size_t cols, const Rows& w, size_t j_begin,
              size_t j_end, float* HWY_RESTRICT out) {
  const size_t quarter = (j_end - j_begin) / kGemvStreams;
  for (size_t i = 0; i < quarter; ++i) {
    const size_t rows[kGemvStreams] = {j_begin + i, j_begin + quarter + i,
                                       j_begin + 2 * quarter + i, j_begin + 3 * quarter + i};
    GemvRowsInStep(x, cols, w, rows, out);
  }
  for (size_t j = j_begin + kGemvStreams * quarter; j < j_end; ++j) {
    const size_t row[1] = {j};
    GemvRowsInStep(x, cols, w, row, out);
  }
}

// ---- Batched products (n >= kGemmMinTokens): packed activations, widened weight panels ----
//
// The dot-product tiles above end every tile with horizontal sums and widen each weight vector
// for only 4 tokens. For a batch the kernel below instead vectorizes over tokens: x is packed
// once per call as x^T in blocks of two vectors of tokens, a panel of kPanelJ weight rows is
// widened to f32 once per k block (contiguous, no transpose), and the micro-kernel keeps
// kPanelJ x 2 vector accumulators: per k, 2 loads of packed x and kPanelJ broadcast weights
// feed 2 * kPanelJ FMAs (6 x 2 = 12 accumulators + 3 operands fit AVX2's 16 registers). Each
// widened panel is reused by every token block of a group, so widening costs a few percent.
// The accumulators hold out^T; they go to a transposed buffer with vector stores, and out is
// written from it once per call (scalar stores to out once per k block cost 10 % at kc 256).
// Below 32 tokens the tiles win: a 16-token block widens a panel for itself alone, and a second,
// partial block wastes most of its micro-tiles (7B shape's gate, f16 from memory, medians:
// tiles 123 / 130 / 122 GFLOP/s at 16 / 20 / 24 tokens against 104 / 79 / 86; even at 32, the
// batched kernel ahead from 48).
constexpr size_t kGemmMinTokens = 32;
constexpr size_t kPanelJ = 6;         // weight rows per micro-tile
constexpr size_t kBlockK = 256;       // k block: a widened panel is 6 KiB, a token block 16 KiB
constexpr size_t kGroupTokens = 128;  // tokens whose packed k block (128 KiB) stays in L2

// Tokens per packed block: two vectors.
HWY_INLINE size_t TokenBlock() { return 2 * hn::Lanes(DF()); }

#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
// dst[c * dst_stride + r] = src[r * src_stride + c] for r, c < 8, through registers as _mm256
// code transposes: interleave 32-bit lanes, then 64-bit lanes (within 128-bit halves), then
// swap halves.
HWY_INLINE void Transpose8x8(const float* HWY_RESTRICT src, size_t src_stride,
                             float* HWY_RESTRICT dst, size_t dst_stride) {
  const hn::FixedTag<float, 8> d8;
  const hn::Repartition<double, decltype(d8)> d64;
  hn::Vec<decltype(d8)> r[8], t[8], u[8];
  for (size_t c = 0; c < 8; ++c) r[c] = hn::LoadU(d8, src + c * src_stride);
  for (size_t c = 0; c < 8; c += 2) {
    t[c] = hn::InterleaveLower(d8, r[c], r[c + 1]);      // r0[0] r1[0] r0[1] r1[1] | [4], [5]
    t[c + 1] = hn::InterleaveUpper(d8, r[c], r[c + 1]);  // [2], [3] | [6], [7]
  }
  for (size_t c = 0; c < 8; c += 4) {
    for (size_t half = 0; half < 2; ++half) {
      const auto a = hn::BitCast(d64, t[c + half]), b = hn::BitCast(d64, t[c + half + 2]);
      u[c + 2 * half] = hn::BitCast(d8, hn::InterleaveLower(d64, a, b));
      u[c + 2 * half + 1] = hn::BitCast(d8, hn::InterleaveUpper(d64, a, b));
    }
  }
  // u[c] for c < 4 holds columns (c, c + 4) of rows 0-3; u[c + 4] the same of rows 4-7.
  for (size_t c = 0; c < 4; ++c) {
    hn::StoreU(hn::ConcatLowerLower(d8, u[c + 4], u[c]), d8, dst + c * dst_stride);
    hn::StoreU(hn::ConcatUpperUpper(d8, u[c + 4], u[c]), d8, dst + (c + 4) * dst_stride);
  }
}
#endif

// xt[(b * cols + k) * nt + l] = x[b * nt + l, k], zero for tokens past n.
void PackTransposed(const float* x, size_t x_stride, size_t n, size_t cols, float* xt) {
  const size_t nt = TokenBlock();
  const size_t blocks = (n + nt - 1) / nt;
  for (size_t b = 0; b < blocks; ++b) {
    float* dst = xt + b * cols * nt;  // (cols, nt)
    size_t l = 0;
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
    // Whole groups of 8 tokens, 8 columns at a time.
    for (; l + 8 <= nt && b * nt + l + 8 <= n; l += 8) {
      const float* src = x + (b * nt + l) * x_stride;  // (8 tokens, cols)
      size_t k = 0;
      for (; k + 8 <= cols; k += 8) Transpose8x8(src + k, x_stride, dst + k * nt + l, nt);
      for (; k < cols; ++k) {
        for (size_t i = 0; i < 8; ++i) dst[k * nt + l + i] = src[i * x_stride + k];
      }
    }
#endif
    for (; l < nt; ++l) {
      const size_t i = b * nt + l;
      if (i < n) {
        const float* src = x + i * x_stride;  // (cols)
        for (size_t k = 0; k < cols; ++k) dst[k * nt + l] = src[k];
      } else {
        for (size_t k = 0; k < cols; ++k) dst[k * nt + l] = 0.0f;
      }
    }
  }
}

// dst[k - k0] = w[j, k] for k0 <= k < k1.
template <class Rows>
HWY_INLINE void WidenSpan(const Rows& w, size_t j, size_t k0, size_t k1, float* HWY_RESTRICT dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t k = k0;
  for (; k + lanes <= k1; k += lanes) hn::Store(w.Load(df, j, k), df, dst + (k - k0));
  for (; k < k1; ++k) dst[k - k0] = w.At(j, k);
}

// The same for quantized rows (k0 and k1 at group boundaries), each group's scale decoded once.
template <WeightType kType>
HWY_INLINE void WidenSpan(const BlockRows<kType>& w, size_t j, size_t k0, size_t k1,
                          float* HWY_RESTRICT dst) {
  using Q = Quant<kType>;
  const DF df;
  const size_t lanes = hn::Lanes(df);
  constexpr size_t kBlock = BlockFormatOf(kType).weights;
  for (size_t k = k0; k < k1; k += Q::kGroup) {
    const uint8_t* b = w.Block(j, k);
    float a, m;
    Q::Scale(b, k % kBlock / Q::kGroup, &a, &m);
    for (size_t o = 0; o < Q::kGroup; o += lanes) {
      hn::Store(GroupWeights<kType>(df, a, m, Q::Quants(df, b, k % kBlock + o)), df,
                dst + (k - k0) + o);
    }
  }
}

// wp[j * kBlockK + k - k0] = w[j0 + j, k] for k0 <= k < k1, zero rows past nj.
template <class Rows>
void WidenPanel(const Rows& w, size_t j0, size_t nj, size_t k0, size_t k1, float* HWY_RESTRICT wp) {
  for (size_t j = 0; j < kPanelJ; ++j) {
    float* dst = wp + j * kBlockK;
    if (j >= nj) {
      std::fill(dst, dst + (k1 - k0), 0.0f);
      continue;
    }
    WidenSpan(w, j0 + j, k0, k1, dst);
  }
}

// One step along k of MicroTile: 2 vectors of packed tokens against 6 broadcast weights.
HWY_INLINE void MicroStep(DF df, const float* HWY_RESTRICT xk, const float* HWY_RESTRICT wk,
                          VF& a0, VF& a1, VF& a2, VF& a3, VF& a4, VF& a5, VF& b0, VF& b1,
                          VF& b2, VF& b3, VF& b4, VF& b5) {
  const size_t lanes = hn::Lanes(df);
  const VF x0 = hn::Load(df, xk);
  const VF x1 = hn::Load(df, xk + lanes);
  VF w = hn::Set(df, wk[0]);
  a0 = hn::MulAdd(w, x0, a0);
  b0 = hn::MulAdd(w, x1, b0);
  w = hn::Set(df, wk[kBlockK]);
  a1 = hn::MulAdd(w, x0, a1);
  b1 = hn::MulAdd(w, x1, b1);
  w = hn::Set(df, wk[2 * kBlockK]);
  a2 = hn::MulAdd(w, x0, a2);
  b2 = hn::MulAdd(w, x1, b2);
  w = hn::Set(df, wk[3 * kBlockK]);
  a3 = hn::MulAdd(w, x0, a3);
  b3 = hn::MulAdd(w, x1, b3);
  w = hn::Set(df, wk[4 * kBlockK]);
  a4 = hn::MulAdd(w, x0, a4);
  b4 = hn::MulAdd(w, x1, b4);
  w = hn::Set(df, wk[5 * kBlockK]);
  a5 = hn::MulAdd(w, x0, a5);
  b5 = hn::MulAdd(w, x1, b5);
}

// outt[j, i] (+)= sum_{k < kc} xt[k, i] * wp[j, k] for i < 2 vectors, j < kPanelJ: the
// accumulators hold out^T, so they go to a transposed tile with row stride ld (vector stores;
// GemmPanels transposes once per call, not once per k block).
HWY_NOINLINE void MicroTile(const float* HWY_RESTRICT xt, const float* HWY_RESTRICT wp,
                            size_t kc, float* HWY_RESTRICT outt, size_t ld, bool accumulate) {
  static_assert(kPanelJ == 6, "the accumulators below are written out for 6 rows");
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t nt = 2 * lanes;
  VF a0 = hn::Zero(df), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;  // tokens [0, lanes)
  VF b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;            // tokens [lanes, nt)
  // Unrolled by 4: the loop's own instructions are a quarter as many (on the AVX2 cores measured
  // every instruction beside the FMAs costs FMA throughput: docs/benchmarks-model.md).
  size_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    MicroStep(df, xt + k * nt, wp + k, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
    MicroStep(df, xt + (k + 1) * nt, wp + k + 1, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
    MicroStep(df, xt + (k + 2) * nt, wp + k + 2, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
    MicroStep(df, xt + (k + 3) * nt, wp + k + 3, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
  }
  for (; k < kc; ++k) {
    MicroStep(df, xt + k * nt, wp + k, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
  }
  if (accumulate) {
    a0 = hn::Add(a0, hn::Load(df, outt)), b0 = hn::Add(b0, hn::Load(df, outt + lanes));
    a1 = hn::Add(a1, hn::Load(df, outt + ld)), b1 = hn::Add(b1, hn::Load(df, outt + ld + lanes));
    a2 = hn::Add(a2, hn::Load(df, outt + 2 * ld));
    b2 = hn::Add(b2, hn::Load(df, outt + 2 * ld + lanes));
    a3 = hn::Add(a3, hn::Load(df, outt + 3 * ld));
    b3 = hn::Add(b3, hn::Load(df, outt + 3 * ld + lanes));
    a4 = hn::Add(a4, hn::Load(df, outt + 4 * ld));
    b4 = hn::Add(b4, hn::Load(df, outt + 4 * ld + lanes));
    a5 = hn::Add(a5, hn::Load(df, outt + 5 * ld));
    b5 = hn::Add(b5, hn::Load(df, outt + 5 * ld + lanes));
  }
  hn::Store(a0, df, outt), hn::Store(b0, df, outt + lanes);
  hn::Store(a1, df, outt + ld), hn::Store(b1, df, outt + ld + lanes);
  hn::Store(a2, df, outt + 2 * ld), hn::Store(b2, df, outt + 2 * ld + lanes);
  hn::Store(a3, df, outt + 3 * ld), hn::Store(b3, df, outt + 3 * ld + lanes);
  hn::Store(a4, df, outt + 4 * ld), hn::Store(b4, df, outt + 4 * ld + lanes);
  hn::Store(a5, df, outt + 5 * ld), hn::Store(b5, df, outt + 5 * ld + lanes);
}

// Panels [p_begin, p_end) of kPanelJ rows of w against all n packed tokens. kSubPanels
// panels are widened together (48 KiB, in L2) and each token block's packed x (16 KiB) then
// meets all of them while it sits in L1: the micro-tile reads 2 vectors of x per step but only
// 6 broadcast weights, so x is the operand to keep closest.
constexpr size_t kSubPanels = 8;

// Spreads software prefetches of the weights that the next widening will read over the
// micro-tiles of the current one. The weights come from memory (each is used by one batch
// only), in short pieces (kPanelJ rows of kBlockK elements, 1-2 KiB each) that the hardware
// prefetcher does not pick up in time: without this the widening stalls on memory latency
// (perf: most of GemmPanels' own samples sat on the load of the weights). They go to L2, not
// L1: the next group's weights (up to 24 KiB) would push the token block and the widened
// panels that the micro-tiles are reading out of L1 (BM_MatMulFromMemory, alternating runs:
// one thread 55-79 -> 73-94 % of peak, two threads 55-71 -> 65-80 %).
template <class Rows>
class PanelPrefetcher {
 public:
  PanelPrefetcher(const Rows& w, size_t rows) : w_(w), rows_(rows) {}

  // The weights of panels [ps, pe), columns [k0, k1), over `calls` calls of Step().
  void Plan(size_t ps, size_t pe, size_t k0, size_t k1, size_t calls) {
    j_begin_ = ps * kPanelJ;
    j_end_ = std::min(rows_, pe * kPanelJ);
    k0_ = k0;
    row_bytes_ = static_cast<size_t>(w_.Addr(0, k1) - w_.Addr(0, k0));
    lines_per_row_ = (row_bytes_ + 63) / 64;
    total_ = j_end_ > j_begin_ ? (j_end_ - j_begin_) * lines_per_row_ : 0;
    per_call_ = calls == 0 ? total_ : (total_ + calls - 1) / calls;
    done_ = 0;
  }

  void Step() {
    for (size_t end = std::min(total_, done_ + per_call_); done_ < end; ++done_) {
      const size_t j = j_begin_ + done_ / lines_per_row_;
      __builtin_prefetch(w_.Addr(j, k0_) + (done_ % lines_per_row_) * 64, /*rw=*/0,
                         /*locality=*/2);  // prefetcht1: into L2
    }
  }

 private:
  const Rows& w_;
  size_t rows_;
  size_t j_begin_ = 0, j_end_ = 0, k0_ = 0, row_bytes_ = 0, lines_per_row_ = 1;
  size_t total_ = 0, per_call_ = 0, done_ = 0;
};

// out[i, j] = outt[(j - j_begin) * ld + i] for i < n, j_begin <= j < j_end: the batched
// product's result, from the transposed layout its micro-tiles write.
void WriteTransposed(const float* HWY_RESTRICT outt, size_t ld, size_t n, size_t j_begin,
                     size_t j_end, float* HWY_RESTRICT out, size_t out_stride) {
  size_t i0 = 0;
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
  for (; i0 + 8 <= n; i0 += 8) {
    size_t j = j_begin;
    for (; j + 8 <= j_end; j += 8) {
      // (8 rows of w, stride ld) x 8 tokens -> (8 tokens, stride out_stride) x 8 rows of w
      Transpose8x8(outt + (j - j_begin) * ld + i0, ld, out + i0 * out_stride + j, out_stride);
    }
    for (; j < j_end; ++j) {
      for (size_t i = i0; i < i0 + 8; ++i) out[i * out_stride + j] = outt[(j - j_begin) * ld + i];
    }
  }
#endif
  for (; i0 < n; ++i0) {
    for (size_t j = j_begin; j < j_end; ++j) {
      out[i0 * out_stride + j] = outt[(j - j_begin) * ld + i0];
    }
  }
}

// The calling thread's transposed output tile, kept between calls like PackBuffer's.
float* OutTBuffer(size_t floats) {
  thread_local hwy::AlignedFreeUniquePtr<float[]> buffer;
  thread_local size_t capacity = 0;
  if (floats > capacity) {
    buffer = hwy::AllocateAligned<float>(floats);
    capacity = floats;
  }
  return buffer.get();
}

template <class Rows>
void GemmPanels(const float* xt, size_t n, size_t cols, const Rows& w, size_t rows,
                size_t p_begin, size_t p_end, float* out, size_t out_stride) {
  const size_t nt = TokenBlock();
  thread_local hwy::AlignedFreeUniquePtr<float[]> wbuf;
  if (!wbuf) wbuf = hwy::AllocateAligned<float>(kSubPanels * kPanelJ * kBlockK);
  float* wp = wbuf.get();  // (kSubPanels, kPanelJ, kBlockK)
  const size_t ld = (n + nt - 1) / nt * nt;  // tokens, padded to whole blocks
  float* outt = OutTBuffer((p_end - p_begin) * kPanelJ * ld);  // ((p_end - p_begin) * kPanelJ, ld)
  PanelPrefetcher<Rows> prefetch(w, rows);
  // One widening: panels [ps, pe) at columns [k0, k0 + kBlockK), then the token blocks of
  // [i0, i1) against them, while the weights of the next widening (panels [nps, npe) at nk0;
  // none when nps == npe) are prefetched.
  const auto widen_and_multiply = [&](size_t i0, size_t i1, size_t ps, size_t pe, size_t k0,
                                      size_t nps, size_t npe, size_t nk0) {
    const size_t k1 = std::min(cols, k0 + kBlockK);
    for (size_t p = ps; p < pe; ++p) {
      const size_t j0 = p * kPanelJ;
      WidenPanel(w, j0, std::min(kPanelJ, rows - j0), k0, k1, wp + (p - ps) * kPanelJ * kBlockK);
    }
    const size_t blocks = (i1 - i0 + nt - 1) / nt;
    prefetch.Plan(nps, npe, nk0, std::min(cols, nk0 + kBlockK), blocks * (pe - ps));
    for (size_t i = i0; i < i1; i += nt) {
      const float* xb = xt + ((i / nt) * cols + k0) * nt;  // (k1 - k0, nt)
      for (size_t p = ps; p < pe; ++p) {
        const size_t j0 = p * kPanelJ;
        prefetch.Step();
        MicroTile(xb, wp + (p - ps) * kPanelJ * kBlockK, k1 - k0,
                  outt + (j0 - p_begin * kPanelJ) * ld + i, ld, k0 > 0);
      }
    }
  };
  for (size_t i0 = 0; i0 < n; i0 += kGroupTokens) {
    const size_t i1 = std::min(n, i0 + kGroupTokens);
    if (i1 - i0 <= nt) {
      // One token block (the last group of a batch past 128 tokens, such as 130): a widened
      // panel serves it alone, so each group of panels walks all of k before the next group,
      // and its rows are read front to back. The k-outer order reads each row in 512-byte
      // pieces far apart in time, and the widening stalls on them: a 16-token product of the 7B
      // shape (4096 x 11008, f16, from memory, when 16 tokens still took this kernel) ran at
      // 74-81 GFLOP/s that way and 85-95 this way (medians, alternating runs).
      for (size_t ps = p_begin; ps < p_end; ps += kSubPanels) {
        const size_t pe = std::min(p_end, ps + kSubPanels);
        for (size_t k0 = 0; k0 < cols; k0 += kBlockK) {
          if (k0 + kBlockK < cols) {
            widen_and_multiply(i0, i1, ps, pe, k0, ps, pe, k0 + kBlockK);
          } else {
            widen_and_multiply(i0, i1, ps, pe, k0, pe, std::min(p_end, pe + kSubPanels), 0);
          }
        }
      }
      continue;
    }
    // Several token blocks: every widened panel is reused by each of them, k outermost.
    for (size_t k0 = 0; k0 < cols; k0 += kBlockK) {
      for (size_t ps = p_begin; ps < p_end; ps += kSubPanels) {
        const size_t pe = std::min(p_end, ps + kSubPanels);
        if (pe < p_end) {  // next: the next panels at this k, or the first ones at the next k
          widen_and_multiply(i0, i1, ps, pe, k0, pe, std::min(p_end, pe + kSubPanels), k0);
        } else if (k0 + kBlockK < cols) {
          widen_and_multiply(i0, i1, ps, pe, k0, p_begin, std::min(p_end, p_begin + kSubPanels),
                             k0 + kBlockK);
        } else {
          widen_and_multiply(i0, i1, ps, pe, k0, 0, 0, 0);
        }
      }
    }
  }
  WriteTransposed(outt, ld, n, p_begin * kPanelJ, std::min(rows, p_end * kPanelJ), out,
                  out_stride);
}

constexpr size_t kMaxFused = 8;  // targets per dispatched call

// The packed x of the calling thread, kept between calls so that a prefill does not map and
// fault in fresh pages for every product.
float* PackBuffer(size_t floats) {
  thread_local hwy::AlignedFreeUniquePtr<float[]> buffer;
  thread_local size_t capacity = 0;
  if (floats > capacity) {
    buffer = hwy::AllocateAligned<float>(floats);
    capacity = floats;
  }
  return buffer.get();
}

void MatMulFusedT(const float* x, size_t x_stride, size_t n, size_t cols,
                  const MatMulTarget* targets, size_t count, size_t max_threads) {
  if (count > kMaxFused) {
    for (size_t t = 0; t < count; t += kMaxFused) {
      MatMulFusedT(x, x_stride, n, cols, targets + t, std::min(kMaxFused, count - t),
                   max_threads);
    }
    return;
  }
  const bool gemm = n >= kGemmMinTokens;
  // Work units: panels of kPanelJ rows (batch), tiles of kTileJ rows (a few tokens) or kGemvUnit
  // rows (one token), numbered across the targets so that one parallel region covers them all.
  const size_t unit = gemm ? kPanelJ : n == 1 ? kGemvUnit : kTileJ;
  size_t first_unit[kMaxFused + 1];
  first_unit[0] = 0;
  for (size_t t = 0; t < count; ++t) {
    first_unit[t + 1] = first_unit[t] + (targets[t].w.rows + unit - 1) / unit;
  }
  const size_t units = first_unit[count];
  if (units == 0) return;
  const float* xt = nullptr;
  if (gemm) {
    const size_t nt = TokenBlock();
    float* buf = PackBuffer((n + nt - 1) / nt * nt * cols);
    PackTransposed(x, x_stride, n, cols, buf);
    xt = buf;
  }
  const size_t threads = max_threads == 0 ? util::DefaultThreadCount() : max_threads;
  // Several chunks per thread so that uneven progress balances; for the short decode products
  // 16, so that the thread done first waits at most a sixteenth of its share for the other.
  const size_t grain = std::max<size_t>(gemm ? 1 : 4, units / (threads * (gemm ? 4 : 16)));
  util::ParallelFor(
      units, grain,
      [&](size_t begin, size_t end) {
        for (size_t t = 0; t < count; ++t) {
          const size_t b = std::max(begin, first_unit[t]), e = std::min(end, first_unit[t + 1]);
          if (b >= e) continue;
          const MatMulTarget& tg = targets[t];
          const size_t ub = b - first_unit[t], ue = e - first_unit[t];
          WithRows(tg.w, [&](const auto& rows) {
            if (gemm) {
              GemmPanels(xt, n, cols, rows, tg.w.rows, ub, ue, tg.out, tg.out_stride);
            } else if (n == 1) {
              GemvRows(x, cols, rows, ub * unit, std::min(tg.w.rows, ue * unit), tg.out);
            } else {
              MatMulRows(x, x_stride, n, cols, rows, ub * unit, std::min(tg.w.rows, ue * unit),
                         tg.out, tg.out_stride);
            }
          });
        }
      },
      max_threads);
}

// dst = row `row` of w through the loaders the products use.
void WidenRowT(const WeightMatrix& w, size_t row, float* dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  WithRows(w, [&](const auto& rows) {
    size_t k = 0;
    for (; k + lanes <= w.cols; k += lanes) hn::StoreU(rows.Load(df, row, k), df, dst + k);
    for (; k < w.cols; ++k) dst[k] = rows.At(row, k);
  });
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::model
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::model {

HWY_EXPORT(MatMulFusedT);
HWY_EXPORT(WidenRowT);

void WidenRow(const WeightMatrix& w, size_t row, float* dst) {
  HWY_DYNAMIC_DISPATCH(WidenRowT)(w, row, dst);
}

void MatMul(const float* x, size_t x_stride, size_t n, const WeightMatrix& w, float* out,
            size_t out_stride, size_t max_threads) {
  if (n == 0 || w.rows == 0) return;
  const MatMulTarget target{w, out, out_stride};
  HWY_DYNAMIC_DISPATCH(MatMulFusedT)(x, x_stride, n, w.cols, &target, 1, max_threads);
}

void MatMulFused(const float* x, size_t x_stride, size_t n, size_t cols,
                 absl::Span<const MatMulTarget> targets, size_t max_threads) {
  if (n == 0 || targets.empty()) return;
  HWY_DYNAMIC_DISPATCH(MatMulFusedT)(x, x_stride, n, cols, targets.data(), targets.size(),
                                     max_threads);
}

}  // namespace xval::model
#endif  // HWY_ONCE
