// SiluMul and Softmax: exp through Highway's contrib Exp (within 1 ULP of the exact result,
// as torch's vectorized exp is), the rest as the scalar definitions compute it. WeightedRowSum:
// columns in register accumulators, rows streamed once per four vectors of columns.
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

void WeightedRowSumT(const float* HWY_RESTRICT p, size_t len, const float* HWY_RESTRICT v,
                     size_t v_stride, size_t d, float* HWY_RESTRICT out) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  // Four vectors of columns at a time: per row, one broadcast weight and four FMAs.
  for (; i + 4 * lanes <= d; i += 4 * lanes) {
    VF a0 = hn::Zero(df), a1 = a0, a2 = a0, a3 = a0;
    for (size_t j = 0; j < len; ++j) {
      const float* row = v + j * v_stride + i;
      const VF w = hn::Set(df, p[j]);
      a0 = hn::MulAdd(w, hn::LoadU(df, row), a0);
      a1 = hn::MulAdd(w, hn::LoadU(df, row + lanes), a1);
      a2 = hn::MulAdd(w, hn::LoadU(df, row + 2 * lanes), a2);
      a3 = hn::MulAdd(w, hn::LoadU(df, row + 3 * lanes), a3);
    }
    hn::StoreU(a0, df, out + i);
    hn::StoreU(a1, df, out + i + lanes);
    hn::StoreU(a2, df, out + i + 2 * lanes);
    hn::StoreU(a3, df, out + i + 3 * lanes);
  }
  for (; i + lanes <= d; i += lanes) {
    VF a = hn::Zero(df);
    for (size_t j = 0; j < len; ++j) {
      a = hn::MulAdd(hn::Set(df, p[j]), hn::LoadU(df, v + j * v_stride + i), a);
    }
    hn::StoreU(a, df, out + i);
  }
  for (; i < d; ++i) {
    float a = 0.0f;
    for (size_t j = 0; j < len; ++j) a += p[j] * v[j * v_stride + i];
    out[i] = a;
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

}  // namespace xval::model
#endif  // HWY_ONCE
