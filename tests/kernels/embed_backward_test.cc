// The CPU backward kernels on every Highway target against a float64 reference: d_table within
// the rounding bound of an f32 sum, d_values likewise, repeated ids, accumulation into an
// existing gradient, and bitwise determinism across thread counts.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"
#include "kernels/embed_internal.h"
#include "kernels/embed_test_util.h"
#include "kernels/reference.h"
#include "xval/embed.h"

namespace xval::kernels {
namespace {

using embed_test::MakeIds;
using embed_test::MakeValues;
using embed_test::TestMatrix;

// An f32 sum of k terms is within about k * 2^-24 * sum|terms| of the exact sum (plus one
// rounding of the starting value); 4x margin, and an absolute floor for the all-zero case.
bool WithinSumBound(double got, double want, double abs_sum, size_t terms) {
  const double bound = 4.0 * (terms + 2) * 0x1p-24 * abs_sum + 1e-30;
  return std::fabs(got - want) <= bound;
}

struct Case {
  DType table_dtype;
  DType grad_dtype;
  size_t hidden;
  size_t pad;
  size_t offset;
  bool scale;
  size_t num_tokens;
  size_t vocab;  // small vocabularies force repeated ids
  size_t max_threads;
};

std::string Describe(const Case& c) {
  return absl::StrCat(DTypeName(c.table_dtype), " table, ", DTypeName(c.grad_dtype),
                      " d_out, hidden=", c.hidden, " pad=", c.pad, " offset=", c.offset,
                      " scale=", c.scale, " tokens=", c.num_tokens, " vocab=", c.vocab,
                      " threads=", c.max_threads);
}

// Runs one case; "" when d_table and d_values are within bounds of the float64 reference.
std::string RunCase(const Case& c, uint32_t seed) {
  std::mt19937 rng(seed);
  TestMatrix table(c.table_dtype, c.vocab, c.hidden, c.pad, c.offset);  // (vocab, hidden)
  table.FillRandom(rng);
  TestMatrix d_out(c.grad_dtype, c.num_tokens, c.hidden, c.pad, c.offset);  // (tokens, hidden)
  d_out.FillRandom(rng);
  const std::vector<int32_t> ids = MakeIds(c.num_tokens, c.vocab, rng);  // (tokens)
  std::vector<float> values;                                             // (tokens) or none
  if (c.scale) values = MakeValues(c.num_tokens, rng);
  // d_table starts from an earlier gradient: the call must add to it.
  TestMatrix d_table(DType::kF32, c.vocab, c.hidden, c.pad, c.offset);  // (vocab, hidden)
  d_table.FillRandom(rng);
  std::vector<double> d_table_before(c.vocab * c.hidden);  // (vocab, hidden)
  for (size_t r = 0; r < c.vocab; ++r) {
    for (size_t i = 0; i < c.hidden; ++i) d_table_before[r * c.hidden + i] = d_table.AsF32(r, i);
  }
  std::vector<float> d_values(c.num_tokens, -1.0f);  // (tokens)

  EmbedBackwardOptions options;
  options.max_threads = c.max_threads;
  const absl::Status status = EmbedBackward(table.const_view(), ids, values, d_out.const_view(),
                                            d_table.view(), absl::MakeSpan(d_values), options);
  if (!status.ok()) return status.ToString();
  const EmbedGradsF64 want =
      EmbedBackwardReference(table.const_view(), ids, values, d_out.const_view());

  std::vector<size_t> count(c.vocab, 0);  // (vocab): tokens per row
  for (int32_t id : ids) ++count[id];
  for (size_t r = 0; r < c.vocab; ++r) {
    for (size_t i = 0; i < c.hidden; ++i) {
      const size_t k = r * c.hidden + i;
      const double before = d_table_before[k];
      if (!WithinSumBound(d_table.AsF32(r, i), before + want.d_table[k],
                          std::fabs(before) + want.d_table_abs[k], count[r])) {
        return absl::StrCat("d_table(", r, ", ", i, ") = ", d_table.AsF32(r, i), ", want ",
                            before + want.d_table[k]);
      }
    }
  }
  for (size_t t = 0; t < c.num_tokens; ++t) {
    if (!WithinSumBound(d_values[t], want.d_values[t], want.d_values_abs[t], c.hidden)) {
      return absl::StrCat("d_values[", t, "] = ", d_values[t], ", want ", want.d_values[t]);
    }
  }
  return "";
}

class EmbedBackwardTargetTest : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(EmbedBackwardTargetTest);

TEST_P(EmbedBackwardTargetTest, DispatchesToTheTargetUnderTest) {
  EXPECT_STREQ(EmbedBackwardDispatchedTargetName(), hwy::TargetName(GetParam()));
}

TEST_P(EmbedBackwardTargetTest, MatchesFloat64Reference) {
  std::vector<size_t> hiddens;
  for (size_t h = 0; h <= 2 * 16 + 3; ++h) hiddens.push_back(h);
  for (size_t h : {63, 255, 1027}) hiddens.push_back(h);
  uint32_t seed = 100;
  int failures = 0;
  for (DType table_dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
    for (DType grad_dtype : {DType::kF32, DType::kBF16}) {
      for (size_t hidden : hiddens) {
        for (bool scale : {false, true}) {
          const bool misaligned = (seed % 2) != 0;
          const Case c{table_dtype, grad_dtype, hidden, misaligned ? 3u : 0u,
                       misaligned ? 1u : 0u, scale, /*num_tokens=*/40, /*vocab=*/9,
                       /*max_threads=*/1};
          const std::string mismatch = RunCase(c, seed++);
          EXPECT_EQ(mismatch, "") << Describe(c);
          if (!mismatch.empty() && ++failures > 10) return;
        }
      }
    }
  }
}

// Every token on one id: the whole batch sums into one row.
TEST_P(EmbedBackwardTargetTest, AllTokensShareOneId) {
  const Case c{DType::kBF16, DType::kF32, 67, 1, 1, true, 500, 1, 2};
  EXPECT_EQ(RunCase(c, 5), "") << Describe(c);
}

TEST_P(EmbedBackwardTargetTest, ManyTokensTwoThreads) {
  const Case c{DType::kF32, DType::kBF16, 515, 0, 0, true, 3000, 600, 2};
  EXPECT_EQ(RunCase(c, 6), "") << Describe(c);
}

// The scatter-add is deterministic: bitwise the same result for 1 and 2 threads, and again.
TEST(EmbedBackwardTest, BitwiseSameForEveryThreadCountAndRun) {
  std::mt19937 rng(9);
  constexpr size_t kVocab = 50, kHidden = 300, kTokens = 4000;
  TestMatrix table(DType::kF32, kVocab, kHidden);   // (vocab, hidden)
  TestMatrix d_out(DType::kF32, kTokens, kHidden);  // (tokens, hidden)
  table.FillRandom(rng);
  d_out.FillRandom(rng);
  const std::vector<int32_t> ids = MakeIds(kTokens, kVocab, rng);  // (tokens)
  const std::vector<float> values = MakeValues(kTokens, rng);      // (tokens)
  std::vector<std::vector<uint8_t>> results;
  for (size_t threads : {1, 2, 2, 1}) {
    TestMatrix d_table(DType::kF32, kVocab, kHidden);  // (vocab, hidden)
    for (size_t r = 0; r < kVocab; ++r) {
      for (size_t i = 0; i < kHidden; ++i) d_table.SetBits(r, i, 0);
    }
    EmbedBackwardOptions options;
    options.max_threads = threads;
    ASSERT_TRUE(EmbedBackward(table.const_view(), ids, values, d_out.const_view(),
                              d_table.view(), {}, options)
                    .ok());
    results.push_back(d_table.bytes());
  }
  for (size_t k = 1; k < results.size(); ++k) EXPECT_TRUE(results[k] == results[0]) << k;
}

// Rows whose id does not occur are left alone, and either gradient can be skipped.
TEST(EmbedBackwardTest, UntouchedRowsAndSkippedGradients) {
  const float table_data[] = {1, 2, 3, 4, 5, 6};  // (3, 2)
  const float d_out_data[] = {1, 1, 2, 3};        // (2, 2)
  const std::vector<int32_t> ids = {2, 2};
  const std::vector<float> values = {2.0f, -1.0f};
  float d_table[6] = {10, 10, 10, 10, 10, 10};  // (3, 2)
  const auto table = ConstMatrixView::F32(table_data, 3, 2);
  const auto d_out = ConstMatrixView::F32(d_out_data, 2, 2);
  ASSERT_TRUE(EmbedBackward(table, ids, values, d_out, MatrixView::F32(d_table, 3, 2), {}).ok());
  // Row 2: 10 + 1*2 + 2*(-1) = 10, 10 + 1*2 + 3*(-1) = 9.
  const float want[6] = {10, 10, 10, 10, 10, 9};
  for (int k = 0; k < 6; ++k) EXPECT_EQ(d_table[k], want[k]) << k;

  float d_values[2] = {0, 0};
  ASSERT_TRUE(EmbedBackward(table, ids, values, d_out, MatrixView{}, absl::MakeSpan(d_values))
                  .ok());
  EXPECT_EQ(d_values[0], 1 * 5 + 1 * 6);
  EXPECT_EQ(d_values[1], 2 * 5 + 3 * 6);
}

}  // namespace
}  // namespace xval::kernels
