// SiluMul, Softmax and AttendOneQuery: exp through Highway's contrib Exp (within 1 ULP of the
// exact result, as torch's vectorized exp is), the rest as the scalar definitions compute it.
// RmsNormRow and Rope: the scalar definitions' operations, a vector of elements at a time.
// clang-format off: foreach_target must come first, before the headers it re-includes.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/activations.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "kernels/activations.h"
#include "kernels/convert.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

// silu(g) * u for one vector. Exp is only valid up to about 88.7 (past it, it returns
// garbage rather than inf), so -g is clamped to 88 and finite g below -88 give 0, as the f32
// formula does there (exp(-g) is inf); g = -inf stays -inf / inf = NaN, as in torch.
HWY_INLINE VF SiluMulVec(DF df, VF g, VF u) {
  const VF limit = hn::Set(df, -88.0f);
  const VF e = hn::CallExp(df, hn::Min(hn::Neg(g), hn::Neg(limit)));
  const VF silu = hn::Div(g, hn::Add(hn::Set(df, 1.0f), e));
  const VF minus_inf = hn::Set(df, -HUGE_VALF);
  const VF finite = hn::IfThenZeroElse(hn::Lt(g, limit), silu);
  return hn::Mul(hn::IfThenElse(hn::Eq(g, minus_inf), hn::Set(df, NAN), finite), u);
}

void SiluMulT(float* HWY_RESTRICT gate, const float* HWY_RESTRICT up, size_t n) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(SiluMulVec(df, hn::LoadU(df, gate + i), hn::LoadU(df, up + i)), df, gate + i);
  }
  if (i < n) {  // the tail through a zero-padded vector
    const size_t rest = n - i;
    HWY_ALIGN float g[hn::MaxLanes(DF())] = {}, u[hn::MaxLanes(DF())] = {};
    std::copy(gate + i, gate + n, g);
    std::copy(up + i, up + n, u);
    hn::Store(SiluMulVec(df, hn::Load(df, g), hn::Load(df, u)), df, g);
    std::copy(g, g + rest, gate + i);
  }
}

// row[j] = exp(row[j] - max(row[0, len))) for j < len, len >= 1; returns their sum. The
// maximum is subtracted first, as torch.softmax does, so that exp cannot overflow; it is taken
// a vector at a time (a scalar maximum is a dependency chain).
HWY_INLINE float ExpMinusMax(float* HWY_RESTRICT row, size_t len) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  VF vmax = hn::Set(df, row[0]);
  size_t j = 0;
  for (; j + lanes <= len; j += lanes) vmax = hn::Max(vmax, hn::LoadU(df, row + j));
  float max_score = hn::GetLane(hn::MaxOfLanes(df, vmax));
  for (; j < len; ++j) max_score = std::max(max_score, row[j]);
  vmax = hn::Set(df, max_score);
  VF vsum = hn::Zero(df);
  for (j = 0; j + lanes <= len; j += lanes) {
    const VF e = hn::CallExp(df, hn::Sub(hn::LoadU(df, row + j), vmax));
    hn::StoreU(e, df, row + j);
    vsum = hn::Add(vsum, e);
  }
  float sum = hn::GetLane(hn::SumOfLanes(df, vsum));
  for (; j < len; ++j) {
    row[j] = std::exp(row[j] - max_score);
    sum += row[j];
  }
  return sum;
}

void SoftmaxT(float* HWY_RESTRICT row, size_t len, size_t width, float scale) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const VF vscale = hn::Set(df, scale);
  size_t j = 0;
  for (; j + lanes <= len; j += lanes) {
    hn::StoreU(hn::Mul(hn::LoadU(df, row + j), vscale), df, row + j);
  }
  for (; j < len; ++j) row[j] *= scale;
  const float inv_sum = 1.0f / ExpMinusMax(row, len);
  const VF vinv = hn::Set(df, inv_sum);
  for (j = 0; j + lanes <= len; j += lanes) {
    hn::StoreU(hn::Mul(hn::LoadU(df, row + j), vinv), df, row + j);
  }
  for (; j < len; ++j) row[j] *= inv_sum;
  std::fill(row + len, row + width, 0.0f);
}

// Key or value rows for AttendOneQuery: f32, or binary16 codes widened as they are loaded.
struct F32Values {
  const float* v;
  HWY_INLINE VF Load(DF df, size_t i) const { return hn::LoadU(df, v + i); }
  HWY_INLINE float At(size_t i) const { return v[i]; }
  HWY_INLINE const void* Addr(size_t i) const { return v + i; }
};

struct F16Values {
  const uint16_t* v;
  HWY_INLINE VF Load(DF df, size_t i) const {
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
    // F16C widens exactly.
    const hn::Rebind<hwy::float16_t, DF> df16;
    return hn::PromoteTo(df, hn::LoadU(df16, reinterpret_cast<const hwy::float16_t*>(v + i)));
#else
    HWY_ALIGN float tmp[hn::MaxLanes(DF())];
    for (size_t l = 0; l < hn::Lanes(df); ++l) tmp[l] = kernels::F16ToF32(v[i + l]);
    return hn::Load(df, tmp);
#endif
  }
  HWY_INLINE float At(size_t i) const { return kernels::F16ToF32(v[i]); }
  HWY_INLINE const void* Addr(size_t i) const { return v + i; }
};

// p[j + r] = (q . k[j + r]) * scale for r < R: R keys at once, so that R accumulator chains run
// side by side (one key's chain alone waits on the FMA latency at every vector).
template <size_t R, class Values>
HWY_INLINE void ScoreKeys(const float* HWY_RESTRICT q, size_t d, const Values& k, size_t stride,
                          size_t j, float scale, float* HWY_RESTRICT p) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  VF a[R];
  for (size_t r = 0; r < R; ++r) a[r] = hn::Zero(df);
  size_t i = 0;
  for (; i + lanes <= d; i += lanes) {
    const VF qv = hn::LoadU(df, q + i);
    for (size_t r = 0; r < R; ++r) a[r] = hn::MulAdd(qv, k.Load(df, (j + r) * stride + i), a[r]);
  }
  for (size_t r = 0; r < R; ++r) p[j + r] = hn::GetLane(hn::SumOfLanes(df, a[r]));
  for (size_t r = 0; r < R && i < d; ++r) {
    for (size_t ii = i; ii < d; ++ii) p[j + r] += q[ii] * k.At((j + r) * stride + ii);
  }
  for (size_t r = 0; r < R; ++r) p[j + r] *= scale;
}

// out[c0, c0 + B vectors) = inv_sum * sum_j p[j] v[j, c0 ...]: B vectors of columns held in
// registers while the rows stream past once.
template <size_t B, class Values>
HWY_INLINE void SumValueColumns(const float* HWY_RESTRICT p, size_t len, const Values& v,
                                size_t stride, size_t c0, float inv_sum, float* HWY_RESTRICT out) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  VF a[B];
  for (size_t b = 0; b < B; ++b) a[b] = hn::Zero(df);
  for (size_t j = 0; j < len; ++j) {
    const VF w = hn::Set(df, p[j]);
    for (size_t b = 0; b < B; ++b)
      a[b] = hn::MulAdd(w, v.Load(df, j * stride + c0 + b * lanes), a[b]);
  }
  const VF scale = hn::Set(df, inv_sum);
  for (size_t b = 0; b < B; ++b) hn::StoreU(hn::Mul(a[b], scale), df, out + c0 + b * lanes);
}

// softmax(q k^T * scale) v for one query against len key and value rows, in three passes:
// scores eight keys at a time, exp and sum, then the value rows once per eight vectors of
// columns held in registers (all of a 64-wide head on AVX2), normalized at the end. Fused, it
// replaced a matrix-vector product, a softmax and a weighted sum, and decode attention got
// faster, the more so the longer the context (docs/design-measurements.md, "Decode attention:
// the fused AttendOneQuery").
template <class Values>
void AttendOneQueryImpl(const float* HWY_RESTRICT q, size_t d, const Values& k, const Values& v,
                        size_t stride, size_t len, float scale, float* HWY_RESTRICT p,
                        float* HWY_RESTRICT out) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t j = 0;
  // The value rows are fetched while the keys are scored: two streams from memory at once
  // instead of one after the other (the cache of one layer is long evicted by its weights).
  const size_t row_bytes = static_cast<size_t>(static_cast<const char*>(v.Addr(stride)) -
                                               static_cast<const char*>(v.Addr(0)));
  const char* v_bytes = static_cast<const char*>(v.Addr(0));
  for (; j + 8 <= len; j += 8) {
    for (size_t b = j * row_bytes; b < (j + 8) * row_bytes; b += 64) {
      __builtin_prefetch(v_bytes + b, /*rw=*/0, /*locality=*/3);
    }
    ScoreKeys<8>(q, d, k, stride, j, scale, p);
  }
  for (; j < len; ++j) ScoreKeys<1>(q, d, k, stride, j, scale, p);
  // Softmax as torch computes it: the maximum subtracted, exp, then the sum's reciprocal.
  const float inv_sum = 1.0f / ExpMinusMax(p, len);
  size_t c = 0;
  for (; c + 8 * lanes <= d; c += 8 * lanes) SumValueColumns<8>(p, len, v, stride, c, inv_sum, out);
  for (; c + 2 * lanes <= d; c += 2 * lanes) SumValueColumns<2>(p, len, v, stride, c, inv_sum, out);
  for (; c + lanes <= d; c += lanes) SumValueColumns<1>(p, len, v, stride, c, inv_sum, out);
  for (; c < d; ++c) {
    float a = 0.0f;
    for (j = 0; j < len; ++j) a += p[j] * v.At(j * stride + c);
    out[c] = a * inv_sum;
  }
}

void AttendOneQueryT(const float* HWY_RESTRICT q, size_t d, const float* HWY_RESTRICT keys,
                     const float* HWY_RESTRICT values, size_t stride, size_t len, float scale,
                     float* HWY_RESTRICT scratch, float* HWY_RESTRICT out) {
  AttendOneQueryImpl(q, d, F32Values{keys}, F32Values{values}, stride, len, scale, scratch, out);
}

void AttendOneQueryF16T(const float* HWY_RESTRICT q, size_t d, const uint16_t* HWY_RESTRICT keys,
                        const uint16_t* HWY_RESTRICT values, size_t stride, size_t len, float scale,
                        float* HWY_RESTRICT scratch, float* HWY_RESTRICT out) {
  AttendOneQueryImpl(q, d, F16Values{keys}, F16Values{values}, stride, len, scale, scratch, out);
}

void F32ToF16RowT(const float* HWY_RESTRICT src, size_t n, uint16_t* HWY_RESTRICT dst) {
  size_t i = 0;
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
  // F16C rounds to nearest even, as F32ToF16 does.
  const DF df;
  const hn::Rebind<hwy::float16_t, DF> df16;
  for (; i + hn::Lanes(df) <= n; i += hn::Lanes(df)) {
    hn::StoreU(hn::DemoteTo(df16, hn::LoadU(df, src + i)), df16,
               reinterpret_cast<hwy::float16_t*>(dst + i));
  }
#endif
  for (; i < n; ++i) dst[i] = kernels::F32ToF16(src[i]);
}

void RmsNormRowT(const float* x, const float* HWY_RESTRICT weight, float eps, size_t dim,
                 float* out) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> dfh;  // as many floats as dd has doubles
  const size_t dlanes = hn::Lanes(dd);
  auto ss = hn::Zero(dd);
  size_t i = 0;
  for (; i + dlanes <= dim; i += dlanes) {
    const auto v = hn::PromoteTo(dd, hn::LoadU(dfh, x + i));
    ss = hn::MulAdd(v, v, ss);  // f32 squares are exact in double
  }
  double sum = hn::GetLane(hn::SumOfLanes(dd, ss));
  for (; i < dim; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float variance = static_cast<float>(sum / static_cast<double>(dim));
  const float inv = 1.0f / std::sqrt(variance + eps);
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const VF vinv = hn::Set(df, inv);
  for (i = 0; i + lanes <= dim; i += lanes) {
    hn::StoreU(hn::Mul(hn::LoadU(df, weight + i), hn::Mul(hn::LoadU(df, x + i), vinv)), df,
               out + i);
  }
  for (; i < dim; ++i) out[i] = weight[i] * (x[i] * inv);
}

void RopeT(float* HWY_RESTRICT row, size_t num_heads, size_t d, const float* HWY_RESTRICT cs,
           const float* HWY_RESTRICT sn, bool adjacent_pairs) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t half = d / 2;
  for (size_t h = 0; h < num_heads; ++h) {
    float* v = row + h * d;  // (head_dim)
    size_t i = 0;
    if (adjacent_pairs) {
#if HWY_TARGET != HWY_SCALAR
      // Lanes come in pairs, so a vector holds whole pairs: the partners are its lanes swapped.
      for (; i + lanes <= d; i += lanes) {
        const VF a = hn::LoadU(df, v + i);
        hn::StoreU(hn::Add(hn::Mul(a, hn::LoadU(df, cs + i)),
                           hn::Mul(hn::Shuffle2301(a), hn::LoadU(df, sn + i))),
                   df, v + i);
      }
#endif
      for (; i < d; i += 2) {
        const float a = v[i], b = v[i + 1];
        v[i] = a * cs[i] + b * sn[i];
        v[i + 1] = b * cs[i + 1] + a * sn[i + 1];
      }
      continue;
    }
    for (; i + lanes <= half; i += lanes) {
      const VF a = hn::LoadU(df, v + i), b = hn::LoadU(df, v + half + i);
      hn::StoreU(hn::Add(hn::Mul(a, hn::LoadU(df, cs + i)), hn::Mul(b, hn::LoadU(df, sn + i))), df,
                 v + i);
      hn::StoreU(hn::Add(hn::Mul(b, hn::LoadU(df, cs + half + i)),
                         hn::Mul(a, hn::LoadU(df, sn + half + i))),
                 df, v + half + i);
    }
    for (; i < half; ++i) {
      const float a = v[i], b = v[half + i];
      v[i] = a * cs[i] + b * sn[i];
      v[half + i] = b * cs[half + i] + a * sn[half + i];
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::kernels {

HWY_EXPORT(SiluMulT);
HWY_EXPORT(SoftmaxT);
HWY_EXPORT(AttendOneQueryT);
HWY_EXPORT(AttendOneQueryF16T);
HWY_EXPORT(F32ToF16RowT);
HWY_EXPORT(RmsNormRowT);
HWY_EXPORT(RopeT);

void SiluMul(float* gate, const float* up, size_t n) {
  HWY_DYNAMIC_DISPATCH(SiluMulT)(gate, up, n);
}

void Softmax(float* row, size_t len, size_t width, float scale) {
  HWY_DYNAMIC_DISPATCH(SoftmaxT)(row, len, width, scale);
}

void AttendOneQuery(const float* q, size_t d, const float* keys, const float* values, size_t stride,
                    size_t len, float scale, float* scratch, float* out) {
  HWY_DYNAMIC_DISPATCH(AttendOneQueryT)(q, d, keys, values, stride, len, scale, scratch, out);
}

void AttendOneQueryF16(const float* q, size_t d, const uint16_t* keys, const uint16_t* values,
                       size_t stride, size_t len, float scale, float* scratch, float* out) {
  HWY_DYNAMIC_DISPATCH(AttendOneQueryF16T)(q, d, keys, values, stride, len, scale, scratch, out);
}

void F32ToF16Row(const float* src, size_t n, uint16_t* dst) {
  HWY_DYNAMIC_DISPATCH(F32ToF16RowT)(src, n, dst);
}

void RmsNormRow(const float* x, const float* weight, float eps, size_t dim, float* out) {
  HWY_DYNAMIC_DISPATCH(RmsNormRowT)(x, weight, eps, dim, out);
}

void Rope(float* row, size_t num_heads, size_t head_dim, const float* cos_row, const float* sin_row,
          bool adjacent_pairs) {
  HWY_DYNAMIC_DISPATCH(RopeT)(row, num_heads, head_dim, cos_row, sin_row, adjacent_pairs);
}

}  // namespace xval::kernels
#endif  // HWY_ONCE
