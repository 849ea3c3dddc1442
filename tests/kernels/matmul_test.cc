// MatMul and MatMulFused against a scalar double-precision reference, for every weight type and
// every compiled Highway target, on shapes that reach each path of the kernel: the dot-product
// tiles (fewer than 32 tokens, with 1-3 tokens and 1-2 rows left over), the packed batch kernel (32
// or more, with partial token blocks, partial 6-row panels, k blocks and groups of 128 tokens, a
// last group of one block), strided inputs and outputs, and 1 or 2 threads. And the vectorized
// loaders of the quantized types against the scalar dequantization (bit-equal).
#include "kernels/matmul.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "hwy/tests/hwy_gtest.h"
#include "kernels/convert.h"
#include "kernels/q8_activations.h"
#include "kernels/quant_blocks.h"

// Outside namespace xval: Highway's instantiation macro names ::testing unqualified.
namespace {

using namespace xval::kernels;  // NOLINT
namespace kernels = xval::kernels;

constexpr WeightType kAllTypes[] = {WeightType::kF32,  WeightType::kF16,  WeightType::kBF16,
                                    WeightType::kQ8_0, WeightType::kQ4_0, WeightType::kQ4_K,
                                    WeightType::kQ5_K, WeightType::kQ6_K};

// Where a block keeps its f16 scales.
std::vector<size_t> ScaleOffsets(WeightType type) {
  switch (type) {
    case WeightType::kQ4_K:
    case WeightType::kQ5_K:
      return {0, 2};
    case WeightType::kQ6_K:
      return {kQ6KD};
    default:
      return {0};
  }
}

// A random weight matrix of the given type with its storage.
struct TestWeights {
  WeightMatrix w;
  std::vector<uint8_t> bytes;
};

TestWeights MakeWeights(WeightType type, size_t rows, size_t cols, size_t row_stride,
                        std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  TestWeights t;
  t.w = WeightMatrix{type, nullptr, rows, cols, row_stride};
  switch (type) {
    case WeightType::kF32: {
      t.bytes.resize(rows * row_stride * sizeof(float));
      std::vector<float> v(rows * row_stride);
      for (float& f : v) f = uniform(rng);
      std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
      break;
    }
    case WeightType::kBF16:
    case WeightType::kF16: {
      t.bytes.resize(rows * row_stride * sizeof(uint16_t));
      std::vector<uint16_t> v(rows * row_stride);
      for (uint16_t& h : v) {
        const float f = uniform(rng);
        if (type == WeightType::kBF16) {
          h = kernels::F32ToBf16(f);
        } else {
          // Sign, an exponent in [-6, 1] and any mantissa: finite normal f16 values.
          h = static_cast<uint16_t>((f < 0 ? 0x8000u : 0u) | ((9u + rng() % 8) << 10) |
                                    (rng() & 0x3ffu));
        }
      }
      std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
      break;
    }
    case WeightType::kQ8_0:
    case WeightType::kQ4_0:
    case WeightType::kQ4_K:
    case WeightType::kQ5_K:
    case WeightType::kQ6_K: {
      // Random bits, with the f16 scales (d, and dmin for Q4_K/Q5_K) finite and small.
      const BlockFormat f = BlockFormatOf(type);
      const size_t blocks = rows * cols / f.weights;
      t.bytes.resize(blocks * f.bytes);
      for (uint8_t& byte : t.bytes) byte = static_cast<uint8_t>(rng());
      for (size_t b = 0; b < blocks; ++b) {
        uint8_t* block = t.bytes.data() + b * f.bytes;
        for (size_t at : ScaleOffsets(type)) {
          const uint16_t scale = static_cast<uint16_t>((5u + rng() % 4) << 10 | (rng() & 0x3ffu));
          std::memcpy(block + at, &scale, 2);
        }
      }
      break;
    }
  }
  t.w.data = t.bytes.data();
  return t;
}

// Checks out (n, w.rows; out_stride) against the scalar reference (MatMulReference), to the
// worst-case bound on f32 rounding of a sum of cols products (about cols * eps * sum |terms|);
// columns past w.rows must keep their sentinel.
void ExpectProduct(const float* x, size_t x_stride, size_t n, const WeightMatrix& w,
                   const float* out, size_t out_stride, float sentinel) {
  std::vector<double> want(n * w.rows), scale(n * w.rows);  // (n, rows)
  MatMulReference(x, x_stride, n, w, want.data(), scale.data());
  for (size_t j = 0; j < w.rows; ++j) {
    for (size_t i = 0; i < n; ++i) {
      ASSERT_NEAR(out[i * out_stride + j], want[i * w.rows + j],
                  1.2e-7 * (w.cols + 2) * scale[i * w.rows + j])
          << "i " << i << " j " << j << " n " << n << " rows " << w.rows << " cols " << w.cols;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = w.rows; j < out_stride; ++j) {
      ASSERT_EQ(out[i * out_stride + j], sentinel) << "wrote past row " << w.rows;
    }
  }
}

// Column counts that reach k blocks and tails: whole blocks for the quantized types.
std::vector<size_t> ColumnCounts(WeightType type) {
  switch (BlockFormatOf(type).weights) {
    case 1:
      return {1, 7, 64, 100, 515, 1056};
    case 32:
      return {32, 96, 544, 1056};
    default:
      return {256, 512, 1280};
  }
}

void ExpectMatchesScalarReference(WeightType type);
void ExpectFusedEqualsSeparate(WeightType type);

class MatMulTest : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(MatMulTest);

TEST_P(MatMulTest, MatchesScalarReference) {
  for (const WeightType type : kAllTypes) {
    SCOPED_TRACE(WeightTypeName(type));
    ExpectMatchesScalarReference(type);
    if (HasFatalFailure()) return;
  }
}

TEST_P(MatMulTest, FusedEqualsSeparateProducts) {
  for (const WeightType type : kAllTypes) {
    SCOPED_TRACE(WeightTypeName(type));
    ExpectFusedEqualsSeparate(type);
  }
}

// The loaders the products use dequantize exactly as the scalar reference does.
TEST_P(MatMulTest, WidenedRowsAreTheScalarDequantization) {
  std::mt19937 rng(7);
  for (const WeightType type : kAllTypes) {
    for (size_t cols : ColumnCounts(type)) {
      const TestWeights t = MakeWeights(type, 3, cols, cols + 5, rng);
      std::vector<float> scalar(cols), vector(cols);
      for (size_t r = 0; r < 3; ++r) {
        DequantizeRow(t.w, r, scalar.data());
        WidenRow(t.w, r, vector.data());
        ASSERT_EQ(std::memcmp(scalar.data(), vector.data(), cols * sizeof(float)), 0)
            << WeightTypeName(type) << " cols " << cols << " row " << r;
      }
    }
  }
}

// Activations::kQ8: one token against Q4_K / Q6_K rows is llama.cpp's arithmetic
// (DotQ8Reference, exact integer sums per block), up to the f32 rounding of the per-block
// scaling; every other case is the kF32 product itself.
TEST_P(MatMulTest, Q8ActivationsAreLlamaCppArithmetic) {
  std::mt19937 rng(21);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (const WeightType type : kAllTypes) {
    const size_t cols = BlockFormatOf(type).weights == 1 ? 512 : 1024, rows = 37;
    const TestWeights t = MakeWeights(type, rows, cols, cols, rng);
    std::vector<float> x(3 * cols);
    for (float& v : x) v = normal(rng);
    x[7] = 25.0f;  // one large value: the block's scale follows it
    std::fill(x.begin() + 256, x.begin() + 512, 0.0f);  // an all-zero block
    std::vector<float> q8_out(3 * rows), f32_out(3 * rows);
    for (size_t n : {1, 3}) {
      MatMul(x.data(), cols, n, t.w, q8_out.data(), rows, 2, Activations::kQ8);
      MatMul(x.data(), cols, n, t.w, f32_out.data(), rows, 2, Activations::kF32);
      const bool q8 = n == 1 && (type == WeightType::kQ4_K || type == WeightType::kQ6_K);
      if (!q8) {
        EXPECT_EQ(q8_out, f32_out) << WeightTypeName(type) << " n " << n;
        continue;
      }
      Q8Activations xq;
      QuantizeQ8K(x.data(), cols, &xq);
      std::vector<double> exact(rows), scale(rows);
      MatMulReference(x.data(), cols, 1, t.w, exact.data(), scale.data());
      const size_t row_bytes = QuantRowBytes(type, cols);
      for (size_t j = 0; j < rows; ++j) {
        const double want =
            DotQ8Reference(type, static_cast<const uint8_t*>(t.w.data) + j * row_bytes, xq, cols);
        EXPECT_NEAR(q8_out[j], want, 1e-6 * scale[j]) << WeightTypeName(type) << " row " << j;
        // and the 8-bit activations are a different, nearby product
        EXPECT_NEAR(q8_out[j], exact[j], 0.05 * scale[j]) << WeightTypeName(type) << " row " << j;
      }
      EXPECT_NE(q8_out, f32_out) << WeightTypeName(type);
      // A NaN or infinity has no 8-bit form: the products say NaN, as the f32 ones do.
      std::vector<float> bad = x;
      bad[300] = std::numeric_limits<float>::quiet_NaN();
      bad[700] = std::numeric_limits<float>::infinity();
      MatMul(bad.data(), cols, 1, t.w, q8_out.data(), rows, 2, Activations::kQ8);
      for (size_t j = 0; j < rows; ++j) EXPECT_TRUE(std::isnan(q8_out[j])) << j;
    }
  }
}

void ExpectMatchesScalarReference(WeightType type) {
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (size_t cols : ColumnCounts(type)) {
    for (size_t n : {1, 2, 3, 5, 6, 15, 16, 17, 31, 32, 33, 130}) {
      for (size_t rows : {1, 5, 6, 7, 13, 37}) {
        for (size_t threads : {1, 2}) {
          const size_t x_stride = cols + 3, out_stride = rows + 2, row_stride = cols + 5;
          std::vector<float> x(n * x_stride);
          for (float& v : x) v = uniform(rng);
          const TestWeights t = MakeWeights(type, rows, cols, row_stride, rng);
          const float sentinel = -12345.0f;
          std::vector<float> out(n * out_stride, sentinel);
          MatMul(x.data(), x_stride, n, t.w, out.data(), out_stride, threads);
          ExpectProduct(x.data(), x_stride, n, t.w, out.data(), out_stride, sentinel);
          if (::testing::Test::HasFatalFailure()) return;
        }
      }
    }
  }
}

void ExpectFusedEqualsSeparate(WeightType type) {
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  const size_t cols = BlockFormatOf(type).weights == 256 ? 256 : 160;
  for (size_t n : {1, 4, 16, 40}) {
    std::vector<float> x(n * cols);
    for (float& v : x) v = uniform(rng);
    // Different row counts and types in one call, as q/k/v or gate/up.
    const TestWeights a = MakeWeights(type, 37, cols, cols, rng);
    const TestWeights b = MakeWeights(WeightType::kF32, 6, cols, cols, rng);
    const TestWeights c = MakeWeights(type, 11, cols, cols, rng);
    std::vector<float> fused_a(n * 37), fused_b(n * 6), fused_c(n * 11);
    const MatMulTarget targets[] = {
        {a.w, fused_a.data(), 37}, {b.w, fused_b.data(), 6}, {c.w, fused_c.data(), 11}};
    MatMulFused(x.data(), cols, n, cols, targets, 2);
    std::vector<float> sep_a(n * 37), sep_b(n * 6), sep_c(n * 11);
    MatMul(x.data(), cols, n, a.w, sep_a.data(), 37, 1);
    MatMul(x.data(), cols, n, b.w, sep_b.data(), 6, 1);
    MatMul(x.data(), cols, n, c.w, sep_c.data(), 11, 1);
    // The same kernel sums in the same order whatever the threading: bit-identical.
    EXPECT_EQ(fused_a, sep_a) << "n " << n;
    EXPECT_EQ(fused_b, sep_b) << "n " << n;
    EXPECT_EQ(fused_c, sep_c) << "n " << n;
  }
}

}  // namespace
