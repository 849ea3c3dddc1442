// The vectorized SiLU gate, softmax, one-query attention, RMSNorm and rotary embedding
// (lib/kernels/activations.cc) against their scalar references in double
// (activations_reference.cc), on every compiled Highway target, over every tail length, extreme
// inputs and the causal mask's zeros.
#include "kernels/activations.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "hwy/tests/hwy_gtest.h"
#include "kernels/convert.h"

// Outside namespace xval: Highway's instantiation macro names ::testing unqualified.
namespace {

using namespace xval::kernels;  // NOLINT
namespace kernels = xval::kernels;

class ActivationsTest : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(ActivationsTest);

TEST_P(ActivationsTest, SiluMulMatchesDefinition) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> wide(-30.0f, 30.0f);
  for (size_t n = 0; n <= 40; ++n) {
    std::vector<float> gate(n), up(n);
    for (size_t i = 0; i < n; ++i) gate[i] = wide(rng), up[i] = wide(rng);
    std::vector<float> out = gate;
    SiluMul(out.data(), up.data(), n);
    std::vector<double> reference(n);
    SiluMulReference(gate.data(), up.data(), n, reference.data());
    for (size_t i = 0; i < n; ++i) {
      const double want = reference[i];
      EXPECT_NEAR(out[i], want, 4e-7 * std::abs(want) + 1e-30) << "n " << n << " i " << i;
    }
  }
}

TEST_P(ActivationsTest, SiluMulExtremes) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> gate = {0.0f,  -0.0f,  88.0f, 89.0f, -88.0f, -89.0f, -104.0f, -200.0f,
                                   1e30f, -1e30f, inf,   -inf,  3.0f,   -3.0f,  20.0f,   -20.0f};
  const std::vector<float> up(gate.size(), 2.0f);
  std::vector<float> out = gate;
  SiluMul(out.data(), up.data(), gate.size());
  for (size_t i = 0; i < gate.size(); ++i) {
    const double g = gate[i];
    // The limits: silu(g) -> g for large g and -> -0 for very negative g; silu(-inf) is
    // -inf / inf, NaN in the scalar formula too, and silu(inf) = inf.
    const double want = std::isinf(g) && g < 0 ? NAN : g / (1.0 + std::exp(-g)) * 2.0;
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(out[i])) << "gate " << g;
    } else if (std::isinf(want)) {
      EXPECT_EQ(out[i], want) << "gate " << g;
    } else {
      // Below g = -88 the float result is 0 or a value under 1e-36, as f32 arithmetic gives.
      EXPECT_NEAR(out[i], want, 4e-7 * std::abs(want) + 1e-35) << "gate " << g;
    }
  }
  std::vector<float> nan_gate = {std::nanf("")};
  const float one = 1.0f;
  SiluMul(nan_gate.data(), &one, 1);
  EXPECT_TRUE(std::isnan(nan_gate[0]));
}

TEST_P(ActivationsTest, SoftmaxMatchesDefinitionAndMasks) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 4.0f);
  for (size_t len = 1; len <= 70; ++len) {
    const size_t width = len + len % 5;
    std::vector<float> row(width);
    for (float& v : row) v = normal(rng);
    const std::vector<float> in = row;
    const float scale = 0.125f;
    Softmax(row.data(), len, width, scale);
    std::vector<double> reference(width);
    SoftmaxReference(in.data(), len, width, scale, reference.data());
    for (size_t j = 0; j < len; ++j) {
      const double want = reference[j];
      EXPECT_NEAR(row[j], want, 1e-6 * want + 1e-12) << "len " << len << " j " << j;
    }
    for (size_t j = len; j < width; ++j) EXPECT_EQ(row[j], 0.0f) << "len " << len << " j " << j;
  }
}

TEST_P(ActivationsTest, SoftmaxOfLargeScoresStaysFinite) {
  std::vector<float> row = {1e30f, 1e30f, -1e30f, 0.0f, 5.0f, 1e30f, -3e38f, 2e30f, 1.0f};
  Softmax(row.data(), row.size(), row.size(), 1.0f);
  for (float v : row) EXPECT_TRUE(std::isfinite(v));
  EXPECT_FLOAT_EQ(row[7], 1.0f);  // the one maximum takes all the weight
}

// AttendOneQueryReference on vectors.
std::vector<double> AttendReference(const std::vector<float>& q, const std::vector<float>& k,
                                    const std::vector<float>& v, size_t stride, size_t len,
                                    double scale) {
  std::vector<double> out(q.size());
  AttendOneQueryReference(q.data(), q.size(), k.data(), v.data(), stride, len, scale, out.data());
  return out;
}

// Head sizes with and without vector tails, lengths below, at and past the eight keys scored
// together; f32 rows, and binary16 rows (an f16 cache) against the same codes widened.
TEST_P(ActivationsTest, AttendOneQueryMatchesDefinition) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (size_t d : {1, 5, 8, 12, 31, 64, 80, 100, 128}) {
    for (size_t len : {1, 2, 7, 8, 9, 17, 300}) {
      const size_t stride = d + 3;
      const float scale = 1.0f / std::sqrt(static_cast<float>(d));
      std::vector<float> q(d), k(len * stride), v(len * stride);  // k, v: (len, stride)
      for (float& x : q) x = 3.0f * uniform(rng);  // scores of a few units: a peaked softmax
      for (float& x : k) x = uniform(rng);
      for (float& x : v) x = uniform(rng);
      std::vector<uint16_t> k16(k.size()), v16(v.size());
      for (size_t i = 0; i < k.size(); ++i) {
        k16[i] = kernels::F32ToF16(k[i]);
        v16[i] = kernels::F32ToF16(v[i]);
      }
      std::vector<float> k_wide(k.size()), v_wide(v.size());  // the codes' exact values
      for (size_t i = 0; i < k.size(); ++i) {
        k_wide[i] = kernels::F16ToF32(k16[i]);
        v_wide[i] = kernels::F16ToF32(v16[i]);
      }
      std::vector<float> scratch(len), out(d), out16(d);
      AttendOneQuery(q.data(), d, k.data(), v.data(), stride, len, scale, scratch.data(),
                     out.data());
      AttendOneQueryF16(q.data(), d, k16.data(), v16.data(), stride, len, scale, scratch.data(),
                        out16.data());
      const std::vector<double> want = AttendReference(q, k, v, stride, len, scale);
      const std::vector<double> want16 = AttendReference(q, k_wide, v_wide, stride, len, scale);
      // The output is a convex combination of values in [-1, 1]: errors are absolute, a few
      // f32 roundings of each score (a sum over d) and of the weighted sum.
      const double tolerance = 2e-7 * (d + len + 8);
      for (size_t i = 0; i < d; ++i) {
        EXPECT_NEAR(out[i], want[i], tolerance) << "d " << d << " len " << len << " i " << i;
        EXPECT_NEAR(out16[i], want16[i], tolerance) << "d " << d << " len " << len << " i " << i;
      }
    }
  }
}

// One score far above the rest takes all the weight, with no overflow; equal scores average.
TEST_P(ActivationsTest, AttendOneQueryExtremeScores) {
  const size_t d = 16, len = 11;
  std::vector<float> q(d, 0.0f), k(len * d, 0.0f), v(len * d), scratch(len), out(d);
  for (size_t j = 0; j < len; ++j) {
    for (size_t i = 0; i < d; ++i) v[j * d + i] = static_cast<float>(j);
  }
  AttendOneQuery(q.data(), d, k.data(), v.data(), d, len, 1.0f, scratch.data(), out.data());
  for (float x : out) EXPECT_NEAR(x, 5.0f, 1e-5f);  // all scores 0: the mean of 0 .. 10
  q[0] = 1e4f;
  k[9 * d] = 1.0f;  // key 9 scores 1e4, every other key 0
  AttendOneQuery(q.data(), d, k.data(), v.data(), d, len, 1.0f, scratch.data(), out.data());
  for (float x : out) EXPECT_FLOAT_EQ(x, 9.0f);
}

// The vector rounding (F16C where there is one) gives the scalar F32ToF16's codes, tails too.
TEST_P(ActivationsTest, F32ToF16RowMatchesScalarRounding) {
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> exponent(-28.0f, 17.0f), mantissa(-1.0f, 1.0f);
  for (size_t n = 0; n <= 40; ++n) {
    std::vector<float> src(n);
    for (float& x : src) x = mantissa(rng) * std::exp2(exponent(rng));
    if (n > 3) src[3] = 65520.0f, src[1] = std::ldexp(1.0f, -25), src[2] = -0.0f;
    std::vector<uint16_t> dst(n);
    F32ToF16Row(src.data(), n, dst.data());
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(dst[i], kernels::F32ToF16(src[i])) << "n " << n << " value " << src[i];
    }
  }
}

TEST_P(ActivationsTest, RmsNormRowMatchesDefinition) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uniform(-4.0f, 4.0f);
  for (size_t dim : {1, 3, 4, 7, 8, 9, 31, 64, 100, 1024}) {
    std::vector<float> x(dim), weight(dim), out(dim);
    for (float& v : x) v = uniform(rng);
    for (float& v : weight) v = uniform(rng);
    const float eps = 1e-5f;
    RmsNormRow(x.data(), weight.data(), eps, dim, out.data());
    std::vector<double> reference(dim);
    RmsNormRowReference(x.data(), weight.data(), eps, dim, reference.data());
    for (size_t i = 0; i < dim; ++i) {
      const double want = reference[i];
      EXPECT_NEAR(out[i], want, 4e-7 * std::abs(want) + 1e-30) << "dim " << dim << " i " << i;
    }
    std::vector<float> in_place = x;  // out may be x
    RmsNormRow(in_place.data(), weight.data(), eps, dim, in_place.data());
    EXPECT_EQ(in_place, out) << "dim " << dim;
  }
}

// Both pair layouts, head sizes with and without a vector tail: each pair (first, second)
// turned by its own angle, (a, b) -> (a cos - b sin, b cos + a sin), as apply_rotary_pos_emb.
TEST_P(ActivationsTest, RopeRotatesEachPairByItsAngle) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  for (bool adjacent : {false, true}) {
    for (size_t d : {2, 6, 8, 12, 16, 18, 64, 70, 128}) {
      const size_t heads = 3, half = d / 2;
      std::vector<float> angle(half), cs(d), sn(d);
      for (size_t i = 0; i < half; ++i) {
        angle[i] = 37.0f * static_cast<float>(i + 1) / static_cast<float>(d);
        const size_t first = adjacent ? 2 * i : i, second = adjacent ? 2 * i + 1 : i + half;
        cs[first] = cs[second] = std::cos(angle[i]);
        sn[first] = -std::sin(angle[i]);
        sn[second] = std::sin(angle[i]);
      }
      std::vector<float> row(heads * d);
      for (float& v : row) v = uniform(rng);
      const std::vector<float> before = row;
      Rope(row.data(), heads, d, cs.data(), sn.data(), adjacent);
      std::vector<double> want(heads * d);
      RopeReference(before.data(), heads, d, angle.data(), adjacent, want.data());
      for (size_t h = 0; h < heads; ++h) {
        for (size_t i = 0; i < half; ++i) {
          const size_t first = h * d + (adjacent ? 2 * i : i);
          const size_t second = h * d + (adjacent ? 2 * i + 1 : i + half);
          const double tol = 1e-6 * (std::abs(before[first]) + std::abs(before[second]));
          EXPECT_NEAR(row[first], want[first], tol) << "d " << d << " head " << h << " i " << i;
          EXPECT_NEAR(row[second], want[second], tol) << "d " << d << " head " << h << " i " << i;
        }
      }
    }
  }
}

}  // namespace
