// SiluMul and Softmax: exp through Highway's contrib Exp (within 1 ULP of the exact result,
// as torch's vectorized exp is), the rest as the scalar definitions compute it. WeightedRowSum:
// columns in register accumulators, rows streamed once per four vectors of columns. RmsNormRow
// and Rope: the scalar definitions' operations, a vector of elements at a time.
// clang-format off: foreach_target must come first, before the headers it re-includes.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/activations.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "kernels/convert.h"
#include "model/activations.h"

HWY_BEFORE_NAMESPACE();
namespace xval::model {
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

void SoftmaxT(float* HWY_RESTRICT row, size_t len, size_t width, float scale) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  float max_score = -std::numeric_limits<float>::infinity();
  for (size_t j = 0; j < len; ++j) {
    row[j] *= scale;
    max_score = std::max(max_score, row[j]);
  }
  const VF vmax = hn::Set(df, max_score);
  VF vsum = hn::Zero(df);
  size_t j = 0;
  for (; j + lanes <= len; j += lanes) {
    const VF e = hn::CallExp(df, hn::Sub(hn::LoadU(df, row + j), vmax));
    hn::StoreU(e, df, row + j);
    vsum = hn::Add(vsum, e);
  }
  float sum = hn::GetLane(hn::SumOfLanes(df, vsum));
  for (; j < len; ++j) {
    row[j] = std::exp(row[j] - max_score);
    sum += row[j];
  }
  const float inv_sum = 1.0f / sum;
  for (j = 0; j < len; ++j) row[j] *= inv_sum;
  std::fill(row + len, row + width, 0.0f);
}

// Value rows for WeightedRowSum: f32, or binary16 codes widened as they are loaded.
struct F32Values {
  const float* v;
  HWY_INLINE VF Load(DF df, size_t i) const { return hn::LoadU(df, v + i); }
  HWY_INLINE float At(size_t i) const { return v[i]; }
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
};

template <class Values>
void WeightedRowSumImpl(const float* HWY_RESTRICT p, size_t len, const Values& v, size_t v_stride,
                        size_t d, float* HWY_RESTRICT out) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  // Four vectors of columns at a time: per row, one broadcast weight and four FMAs.
  for (; i + 4 * lanes <= d; i += 4 * lanes) {
    VF a0 = hn::Zero(df), a1 = a0, a2 = a0, a3 = a0;
    for (size_t j = 0; j < len; ++j) {
      const size_t row = j * v_stride + i;
      const VF w = hn::Set(df, p[j]);
      a0 = hn::MulAdd(w, v.Load(df, row), a0);
      a1 = hn::MulAdd(w, v.Load(df, row + lanes), a1);
      a2 = hn::MulAdd(w, v.Load(df, row + 2 * lanes), a2);
      a3 = hn::MulAdd(w, v.Load(df, row + 3 * lanes), a3);
    }
    hn::StoreU(a0, df, out + i);
    hn::StoreU(a1, df, out + i + lanes);
    hn::StoreU(a2, df, out + i + 2 * lanes);
    hn::StoreU(a3, df, out + i + 3 * lanes);
  }
  for (; i + lanes <= d; i += lanes) {
    VF a = hn::Zero(df);
    for (size_t j = 0; j < len; ++j)
      a = hn::MulAdd(hn::Set(df, p[j]), v.Load(df, j * v_stride + i), a);
    hn::StoreU(a, df, out + i);
  }
  for (; i < d; ++i) {
    float a = 0.0f;
    for (size_t j = 0; j < len; ++j) a += p[j] * v.At(j * v_stride + i);
    out[i] = a;
  }
}

void WeightedRowSumT(const float* HWY_RESTRICT p, size_t len, const float* HWY_RESTRICT v,
                     size_t v_stride, size_t d, float* HWY_RESTRICT out) {
  WeightedRowSumImpl(p, len, F32Values{v}, v_stride, d, out);
}

void WeightedRowSumF16T(const float* HWY_RESTRICT p, size_t len, const uint16_t* HWY_RESTRICT v,
                        size_t v_stride, size_t d, float* HWY_RESTRICT out) {
  WeightedRowSumImpl(p, len, F16Values{v}, v_stride, d, out);
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
}  // namespace xval::model
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::model {

HWY_EXPORT(SiluMulT);
HWY_EXPORT(SoftmaxT);
HWY_EXPORT(WeightedRowSumT);
HWY_EXPORT(WeightedRowSumF16T);
HWY_EXPORT(F32ToF16RowT);
HWY_EXPORT(RmsNormRowT);
HWY_EXPORT(RopeT);

void SiluMul(float* gate, const float* up, size_t n) {
  HWY_DYNAMIC_DISPATCH(SiluMulT)(gate, up, n);
}

void Softmax(float* row, size_t len, size_t width, float scale) {
  HWY_DYNAMIC_DISPATCH(SoftmaxT)(row, len, width, scale);
}

void WeightedRowSum(const float* p, size_t len, const float* v, size_t v_stride, size_t d,
                    float* out) {
  HWY_DYNAMIC_DISPATCH(WeightedRowSumT)(p, len, v, v_stride, d, out);
}

void WeightedRowSumF16(const float* p, size_t len, const uint16_t* v, size_t v_stride, size_t d,
                       float* out) {
  HWY_DYNAMIC_DISPATCH(WeightedRowSumF16T)(p, len, v, v_stride, d, out);
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

}  // namespace xval::model
#endif  // HWY_ONCE
