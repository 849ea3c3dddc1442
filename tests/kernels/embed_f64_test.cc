// The float64 kernels (EmbedF64, EmbedBackwardF64) on every Highway target: the forward pass
// bitwise equal to one double multiply per element, the gradients against long-double sums
// within the rounding bound of a double sum, bitwise determinism across thread counts, and
// every argument error leaving the outputs untouched.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"
#include "xval/embed.h"

namespace xval::kernels {
namespace {

struct Problem {
  size_t hidden, vocab;
  std::vector<double> table;   // (vocab, hidden)
  std::vector<int32_t> ids;    // (tokens)
  std::vector<double> values;  // (tokens)
  std::vector<double> d_out;   // (tokens, hidden)
};

Problem MakeProblem(size_t tokens, size_t hidden, size_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int32_t> id(0, static_cast<int32_t>(vocab) - 1);
  Problem p{hidden, vocab, {}, {}, {}, {}};
  for (size_t i = 0; i < vocab * hidden; ++i) p.table.push_back(normal(rng));
  for (size_t t = 0; t < tokens; ++t) {
    p.ids.push_back(id(rng));
    p.values.push_back(normal(rng) * 100.0);
  }
  for (size_t i = 0; i < tokens * hidden; ++i) p.d_out.push_back(normal(rng));
  return p;
}

// A double sum of k terms is within about k * 2^-53 * sum|terms| of the exact one; 4x margin.
bool WithinSumBound(double got, long double want, long double abs_sum, size_t terms) {
  return std::fabs(static_cast<long double>(got) - want) <=
         4.0L * (terms + 2) * 0x1p-53L * abs_sum + 1e-300L;
}

class EmbedF64TargetTest : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(EmbedF64TargetTest);

TEST_P(EmbedF64TargetTest, ForwardIsOneMultiplyPerElement) {
  for (size_t hidden : {1, 3, 4, 7, 8, 17, 64, 67}) {
    for (bool scale : {false, true}) {
      const Problem p = MakeProblem(50, hidden, 7, static_cast<uint32_t>(hidden));
      std::vector<double> out(p.ids.size() * hidden, -1.0);  // (tokens, hidden)
      const std::vector<double> none;
      ASSERT_TRUE(
          EmbedF64(p.table, hidden, p.ids, scale ? p.values : none, absl::MakeSpan(out)).ok());
      for (size_t t = 0; t < p.ids.size(); ++t) {
        for (size_t c = 0; c < hidden; ++c) {
          const double want = p.table[p.ids[t] * hidden + c] * (scale ? p.values[t] : 1.0);
          ASSERT_EQ(out[t * hidden + c], want) << "hidden " << hidden << " token " << t;
        }
      }
    }
  }
}

TEST_P(EmbedF64TargetTest, GradientsMatchLongDoubleSums) {
  for (size_t hidden : {1, 5, 16, 33, 130}) {
    const Problem p = MakeProblem(300, hidden, 11, 40 + static_cast<uint32_t>(hidden));
    const size_t tokens = p.ids.size();
    std::vector<double> d_table(p.table.size(), 0.5);  // (vocab, hidden): accumulated into
    std::vector<double> d_values(tokens);              // (tokens)
    ASSERT_TRUE(EmbedBackwardF64(p.table, hidden, p.ids, p.values, p.d_out, absl::MakeSpan(d_table),
                                 absl::MakeSpan(d_values))
                    .ok());
    for (size_t t = 0; t < tokens; ++t) {
      long double dot = 0, abs_sum = 0;
      for (size_t c = 0; c < hidden; ++c) {
        const long double term =
            static_cast<long double>(p.d_out[t * hidden + c]) * p.table[p.ids[t] * hidden + c];
        dot += term;
        abs_sum += std::fabs(term);
      }
      ASSERT_TRUE(WithinSumBound(d_values[t], dot, abs_sum, hidden)) << "token " << t;
    }
    for (size_t row = 0; row < p.vocab; ++row) {
      for (size_t c = 0; c < hidden; ++c) {
        long double sum = 0.5L, abs_sum = 0.5L;
        size_t terms = 1;
        for (size_t t = 0; t < tokens; ++t) {
          if (static_cast<size_t>(p.ids[t]) != row) continue;
          const long double term = static_cast<long double>(p.d_out[t * hidden + c]) * p.values[t];
          sum += term;
          abs_sum += std::fabs(term);
          ++terms;
        }
        ASSERT_TRUE(WithinSumBound(d_table[row * hidden + c], sum, abs_sum, terms))
            << "row " << row << " column " << c;
      }
    }
  }
}

TEST(EmbedF64Test, BackwardIsBitwiseTheSameForEveryThreadCount) {
  const Problem p = MakeProblem(5000, 24, 30, 7);
  std::vector<double> first_table, first_values;
  for (size_t threads : {1, 2, 2, 1}) {
    std::vector<double> d_table(p.table.size()), d_values(p.ids.size());
    EmbedBackwardOptions options;
    options.max_threads = threads;
    ASSERT_TRUE(EmbedBackwardF64(p.table, p.hidden, p.ids, p.values, p.d_out,
                                 absl::MakeSpan(d_table), absl::MakeSpan(d_values), options)
                    .ok());
    if (first_table.empty()) {
      first_table = d_table;
      first_values = d_values;
    }
    EXPECT_EQ(d_table, first_table) << threads << " threads";
    EXPECT_EQ(d_values, first_values) << threads << " threads";
  }
}

TEST(EmbedF64Test, SkippedGradientsAndPlainLookup) {
  const Problem p = MakeProblem(20, 6, 4, 9);
  std::vector<double> d_table(p.table.size());
  ASSERT_TRUE(EmbedBackwardF64(p.table, 6, p.ids, {}, p.d_out, absl::MakeSpan(d_table), {}).ok());
  double total = 0, want = 0;
  for (double x : d_table) total += x;
  for (double x : p.d_out) want += x;
  EXPECT_NEAR(total, want, 1e-9);
  std::vector<double> d_values(p.ids.size(), 7.0);
  ASSERT_TRUE(
      EmbedBackwardF64(p.table, 6, p.ids, p.values, p.d_out, {}, absl::MakeSpan(d_values)).ok());
  EXPECT_NE(d_values[0], 7.0);
}

TEST(EmbedF64Test, BadArgumentsAreErrorsThatLeaveOutputsUntouched) {
  Problem p = MakeProblem(4, 3, 5, 3);
  std::vector<double> out(12, 42.0), d_table(15, 42.0), d_values(4, 42.0);
  auto untouched = [&] {
    for (double x : out) EXPECT_EQ(x, 42.0);
    for (double x : d_table) EXPECT_EQ(x, 42.0);
    for (double x : d_values) EXPECT_EQ(x, 42.0);
  };
  // A table that is not a whole number of rows.
  EXPECT_EQ(
      EmbedF64(absl::MakeConstSpan(p.table).subspan(1), 3, p.ids, p.values, absl::MakeSpan(out))
          .code(),
      absl::StatusCode::kInvalidArgument);
  // hidden 0 leaves the table without rows to check ids against.
  EXPECT_EQ(EmbedF64({}, 0, p.ids, p.values, {}).code(), absl::StatusCode::kInvalidArgument);
  // One value short; an output of the wrong size.
  EXPECT_EQ(
      EmbedF64(p.table, 3, p.ids, absl::MakeConstSpan(p.values).subspan(1), absl::MakeSpan(out))
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EmbedF64(p.table, 3, p.ids, p.values, absl::MakeSpan(out).subspan(3)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EmbedBackwardF64(p.table, 3, p.ids, p.values, absl::MakeConstSpan(p.d_out).subspan(3),
                             absl::MakeSpan(d_table), absl::MakeSpan(d_values))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EmbedBackwardF64(p.table, 3, p.ids, p.values, p.d_out,
                             absl::MakeSpan(d_table).subspan(3), absl::MakeSpan(d_values))
                .code(),
            absl::StatusCode::kInvalidArgument);
  // Ids outside the table, negative or too large.
  for (int32_t bad : {-1, 5}) {
    p.ids[2] = bad;
    const absl::Status forward = EmbedF64(p.table, 3, p.ids, p.values, absl::MakeSpan(out));
    EXPECT_EQ(forward.code(), absl::StatusCode::kOutOfRange) << forward;
    EXPECT_EQ(EmbedBackwardF64(p.table, 3, p.ids, p.values, p.d_out, absl::MakeSpan(d_table),
                               absl::MakeSpan(d_values))
                  .code(),
              absl::StatusCode::kOutOfRange);
  }
  untouched();
}

}  // namespace
}  // namespace xval::kernels
