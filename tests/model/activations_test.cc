// The vectorized SiLU gate, softmax and weighted row sum (lib/model/activations.cc) against
// their definitions computed in double, over every tail length, extreme inputs and the causal
// mask's zeros.
#include "model/activations.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace xval::model {
namespace {

TEST(ActivationsTest, SiluMulMatchesDefinition) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> wide(-30.0f, 30.0f);
  for (size_t n = 0; n <= 40; ++n) {
    std::vector<float> gate(n), up(n);
    for (size_t i = 0; i < n; ++i) gate[i] = wide(rng), up[i] = wide(rng);
    std::vector<float> out = gate;
    SiluMul(out.data(), up.data(), n);
    for (size_t i = 0; i < n; ++i) {
      const double g = gate[i];
      const double want = g / (1.0 + std::exp(-g)) * up[i];
      EXPECT_NEAR(out[i], want, 4e-7 * std::abs(want) + 1e-30) << "n " << n << " i " << i;
    }
  }
}

TEST(ActivationsTest, SiluMulExtremes) {
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

TEST(ActivationsTest, SoftmaxMatchesDefinitionAndMasks) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 4.0f);
  for (size_t len = 1; len <= 70; ++len) {
    const size_t width = len + len % 5;
    std::vector<float> row(width);
    for (float& v : row) v = normal(rng);
    const std::vector<float> in = row;
    const float scale = 0.125f;
    Softmax(row.data(), len, width, scale);
    double max_score = -INFINITY, sum = 0.0;
    for (size_t j = 0; j < len; ++j) max_score = std::max(max_score, double{in[j] * scale});
    for (size_t j = 0; j < len; ++j) sum += std::exp(in[j] * scale - max_score);
    for (size_t j = 0; j < len; ++j) {
      const double want = std::exp(in[j] * scale - max_score) / sum;
      EXPECT_NEAR(row[j], want, 1e-6 * want + 1e-12) << "len " << len << " j " << j;
    }
    for (size_t j = len; j < width; ++j) EXPECT_EQ(row[j], 0.0f) << "len " << len << " j " << j;
  }
}

TEST(ActivationsTest, SoftmaxOfLargeScoresStaysFinite) {
  std::vector<float> row = {1e30f, 1e30f, -1e30f, 0.0f, 5.0f, 1e30f, -3e38f, 2e30f, 1.0f};
  Softmax(row.data(), row.size(), row.size(), 1.0f);
  for (float v : row) EXPECT_TRUE(std::isfinite(v));
  EXPECT_FLOAT_EQ(row[7], 1.0f);  // the one maximum takes all the weight
}

TEST(ActivationsTest, WeightedRowSumMatchesDefinition) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (size_t d : {1, 5, 8, 12, 31, 64, 100, 128}) {
    for (size_t len : {1, 2, 17, 300}) {
      const size_t stride = d + 3;
      std::vector<float> p(len), v(len * stride), out(d);  // v: (len, stride)
      for (float& x : p) x = uniform(rng);
      for (float& x : v) x = uniform(rng);
      WeightedRowSum(p.data(), len, v.data(), stride, d, out.data());
      for (size_t i = 0; i < d; ++i) {
        double want = 0.0, magnitude = 0.0;
        for (size_t j = 0; j < len; ++j) {
          want += double{p[j]} * v[j * stride + i];
          magnitude += std::abs(double{p[j]} * v[j * stride + i]);
        }
        EXPECT_NEAR(out[i], want, 1.2e-7 * (len + 2) * magnitude) << "d " << d << " len " << len;
      }
    }
  }
}

}  // namespace
}  // namespace xval::model
