// The dequantization of ggml's quantized blocks, bit for bit against the `gguf` PyPI package's
// numpy code (the reference implementation's own port of ggml-quants.c) on random blocks
// (tests/golden/quant, from tests/tools/make_quant_golden.py): the scalar reference and the
// vectorized loaders of the matrix products, on every compiled Highway target.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "hwy/tests/hwy_gtest.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"
#include "support/corpus.h"

// Outside namespace xval: Highway's instantiation macro names ::testing unqualified, which
// xval::testing (support/corpus.h) would hide.
namespace {

using namespace xval::kernels;  // NOLINT
using xval::testing::SourceDir;

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

struct Golden {
  WeightType type;
  const char* name;
};
constexpr Golden kGolden[] = {{WeightType::kQ8_0, "q8_0"},
                              {WeightType::kQ4_0, "q4_0"},
                              {WeightType::kQ4_K, "q4_k"},
                              {WeightType::kQ5_K, "q5_k"},
                              {WeightType::kQ6_K, "q6_k"}};

class DequantizeTest : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(DequantizeTest);

TEST_P(DequantizeTest, BitEqualToTheGgufPackage) {
  for (const Golden& g : kGolden) {
    SCOPED_TRACE(g.name);
    const std::string base = SourceDir() + "/tests/golden/quant/" + g.name;
    const std::vector<uint8_t> blocks = ReadBytes(base + ".blocks");
    const std::vector<uint8_t> want_bytes = ReadBytes(base + ".f32");
    const BlockFormat f = BlockFormatOf(g.type);
    ASSERT_FALSE(blocks.empty()) << base;
    ASSERT_EQ(blocks.size() % f.bytes, 0u);
    const size_t n = blocks.size() / f.bytes;
    ASSERT_EQ(want_bytes.size(), n * f.weights * sizeof(float));
    std::vector<float> want(n * f.weights);
    std::memcpy(want.data(), want_bytes.data(), want_bytes.size());

    std::vector<float> scalar(want.size());
    DequantizeBlocks(g.type, blocks.data(), n, scalar.data());
    // Every block a row of its own, and all of them one row: both reach each block offset.
    std::vector<float> widened(want.size()), one_row(want.size());
    const WeightMatrix rows{g.type, blocks.data(), n, f.weights, f.weights};
    for (size_t r = 0; r < n; ++r) WidenRow(rows, r, widened.data() + r * f.weights);
    WidenRow(WeightMatrix{g.type, blocks.data(), 1, n * f.weights, n * f.weights}, 0,
             one_row.data());
    for (size_t i = 0; i < want.size(); ++i) {
      uint32_t w, s, v, o;
      std::memcpy(&w, &want[i], 4);
      std::memcpy(&s, &scalar[i], 4);
      std::memcpy(&v, &widened[i], 4);
      std::memcpy(&o, &one_row[i], 4);
      ASSERT_EQ(s, w) << "scalar, weight " << i << ": " << scalar[i] << " vs " << want[i];
      ASSERT_EQ(v, w) << "vector, weight " << i << ": " << widened[i] << " vs " << want[i];
      ASSERT_EQ(o, w) << "one row, weight " << i;
    }
  }
}

// The word-wise decoding of a k-quant block's 8 scales and mins gives ScaleMinK4's values.
TEST(DequantizeScalesTest, ScalesMinsK4IsScaleMinK4) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 1000; ++trial) {
    uint8_t scales[12];
    for (uint8_t& v : scales) v = static_cast<uint8_t>(rng());
    uint8_t sc[8], m[8];
    ScalesMinsK4(scales, sc, m);
    for (size_t g = 0; g < 8; ++g) {
      uint8_t want_sc, want_m;
      ScaleMinK4(g, scales, &want_sc, &want_m);
      ASSERT_EQ(sc[g], want_sc) << g;
      ASSERT_EQ(m[g], want_m) << g;
    }
  }
}

}  // namespace
