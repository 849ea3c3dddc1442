// The CPU forward kernel on every Highway target this machine supports, against the scalar
// reference (kernels/reference.cc), bit for bit.
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
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

// Rewrites every element that is NaN in both matrices to 0 in both, so that a byte comparison
// of the whole buffers (padding included) accepts NaN for NaN whatever the payload: which of two
// NaN operands a multiply returns is not something the reference pins down.
void CanonicalizeNaNs(TestMatrix& a, TestMatrix& b) {
  for (size_t r = 0; r < a.rows(); ++r) {
    for (size_t c = 0; c < a.cols(); ++c) {
      if (a.IsNaN(r, c) && b.IsNaN(r, c)) {
        a.SetBits(r, c, 0);
        b.SetBits(r, c, 0);
      }
    }
  }
}

// The first element where got differs from want, or "" when none does.
std::string FirstMismatch(TestMatrix& got, TestMatrix& want) {
  for (size_t r = 0; r < got.rows(); ++r) {
    for (size_t c = 0; c < got.cols(); ++c) {
      if (got.Bits(r, c) != want.Bits(r, c)) {
        return absl::StrCat("(", r, ", ", c, "): got bits 0x", absl::Hex(got.Bits(r, c)),
                            " want 0x", absl::Hex(want.Bits(r, c)));
      }
    }
  }
  return got.bytes() == want.bytes() ? "" : "padding outside the rows was written";
}

struct Case {
  DType table_dtype;
  DType out_dtype;
  size_t hidden;
  size_t pad;     // row_stride - hidden, for table and out
  size_t offset;  // elements the first row is shifted by: misaligns every row
  bool scale;
  StoreMode stores;
  size_t num_tokens;
  size_t max_threads;
};

std::string Describe(const Case& c) {
  return absl::StrCat(DTypeName(c.table_dtype), "->", DTypeName(c.out_dtype),
                      " hidden=", c.hidden, " pad=", c.pad, " offset=", c.offset,
                      " scale=", c.scale, " stores=", static_cast<int>(c.stores),
                      " tokens=", c.num_tokens, " threads=", c.max_threads);
}

// Runs one case through Embed and EmbedReference and compares; "" when they agree.
std::string RunCase(const Case& c, uint32_t seed) {
  std::mt19937 rng(seed);
  constexpr size_t kVocab = 7;
  TestMatrix table(c.table_dtype, kVocab, c.hidden, c.pad, c.offset);  // (vocab, hidden)
  table.FillRandom(rng, /*special_every=*/11);
  std::vector<int32_t> ids = MakeIds(c.num_tokens, kVocab, rng);  // (tokens)
  if (c.num_tokens >= 2) {  // the table's first and last rows are always exercised
    ids[0] = 0;
    ids[1] = kVocab - 1;
  }
  std::vector<float> values;  // (tokens) or none
  if (c.scale) values = MakeValues(c.num_tokens, rng, /*special_every=*/3);

  TestMatrix got(c.out_dtype, c.num_tokens, c.hidden, c.pad, c.offset);   // (tokens, hidden)
  TestMatrix want(c.out_dtype, c.num_tokens, c.hidden, c.pad, c.offset);  // (tokens, hidden)
  EmbedOptions options;
  options.stores = c.stores;
  options.max_threads = c.max_threads;
  const absl::Status status = Embed(table.const_view(), ids, values, got.view(), options);
  if (!status.ok()) return status.ToString();
  EmbedReference(table.const_view(), ids, values, want.view());
  CanonicalizeNaNs(got, want);
  return FirstMismatch(got, want);
}

class EmbedTargetTest : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(EmbedTargetTest);

TEST_P(EmbedTargetTest, DispatchesToTheTargetUnderTest) {
  EXPECT_STREQ(EmbedDispatchedTargetName(), hwy::TargetName(GetParam()));
}

// Every type pair, every hidden size from 0 to past two unrolled AVX-512 steps (2 x 2 x 16
// lanes) and some odd larger ones, aligned and misaligned rows, with and without scales (NaN,
// infinities and zeros among them), both store modes.
TEST_P(EmbedTargetTest, MatchesReferenceForEveryShape) {
  std::vector<size_t> hiddens;
  for (size_t h = 0; h <= 4 * 16 + 3; ++h) hiddens.push_back(h);
  for (size_t h : {127, 255, 1000, 4097}) hiddens.push_back(h);
  const DType tables[] = {DType::kF32, DType::kBF16, DType::kF16};
  const DType outs[] = {DType::kF32, DType::kBF16};
  const std::tuple<size_t, size_t> layouts[] = {{0, 0}, {1, 1}, {3, 3}, {0, 5}};
  uint32_t seed = 1;
  int failures = 0;
  for (DType table_dtype : tables) {
    for (DType out_dtype : outs) {
      for (size_t hidden : hiddens) {
        for (const auto& [pad, offset] : layouts) {
          for (bool scale : {false, true}) {
            for (StoreMode stores : {StoreMode::kNormal, StoreMode::kStreaming}) {
              const Case c{table_dtype, out_dtype, hidden, pad,
                           offset,      scale,     stores, /*num_tokens=*/9,
                           /*max_threads=*/1};
              const std::string mismatch = RunCase(c, seed++);
              EXPECT_EQ(mismatch, "") << Describe(c);
              if (!mismatch.empty() && ++failures > 10) return;
            }
          }
        }
      }
    }
  }
}

TEST_P(EmbedTargetTest, LargestHiddenSize) {
  for (DType table_dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
    for (DType out_dtype : {DType::kF32, DType::kBF16}) {
      const Case c{table_dtype, out_dtype, 16384, 0, 1, true, StoreMode::kAuto, 5, 1};
      EXPECT_EQ(RunCase(c, 7), "") << Describe(c);
    }
  }
}

// Two threads over enough tokens to split, with the automatic store choice taking each side of
// its threshold: the result must not depend on either.
TEST_P(EmbedTargetTest, ThreadsAndStoreModesDoNotChangeResults) {
  for (size_t num_tokens : {1, 3, 300, 2100}) {
    for (size_t threads : {1, 2}) {
      const Case c{DType::kBF16, DType::kF32, 1001, 2, 1, true, StoreMode::kAuto,
                   num_tokens,   threads};
      EXPECT_EQ(RunCase(c, 11), "") << Describe(c);
    }
  }
  const Case big{DType::kF32, DType::kF32, 4096, 0, 0, true, StoreMode::kAuto, 600, 2};
  EXPECT_EQ(RunCase(big, 12), "") << Describe(big);
}

// A plain lookup of f32 into f32 is an exact copy of the rows, NaN payloads included.
TEST_P(EmbedTargetTest, LookupWithoutValuesCopiesRowsExactly) {
  std::mt19937 rng(3);
  TestMatrix table(DType::kF32, 4, 37);  // (vocab, hidden)
  table.FillRandom(rng, 5);
  const std::vector<int32_t> ids = {3, 0, 3, 2};
  TestMatrix out(DType::kF32, ids.size(), 37);  // (tokens, hidden)
  ASSERT_TRUE(Embed(table.const_view(), ids, {}, out.view()).ok());
  for (size_t t = 0; t < ids.size(); ++t) {
    for (size_t c = 0; c < 37; ++c) {
      ASSERT_EQ(out.Bits(t, c), table.Bits(ids[t], c)) << t << "," << c;
    }
  }
}

TEST(EmbedTest, Bf16OutputRoundsToNearestEven) {
  // 1 + 2^-8 is halfway between two bf16 neighbours: ties go to the even one (1.0); a bit more
  // rounds up; a NaN whose payload sits only in the low half stays NaN.
  const float table_data[] = {1.0f + 0x1p-8f, 1.0f + 0x1p-8f + 0x1p-20f, 1.0f + 0x1p-7f + 0x1p-8f,
                              F32FromBits(0x7F800001u)};
  const std::vector<int32_t> ids = {0};
  uint16_t out[4];
  ASSERT_TRUE(Embed(ConstMatrixView::F32(table_data, 1, 4), ids, {},
                    MatrixView::BF16(out, 1, 4))
                  .ok());
  EXPECT_EQ(out[0], 0x3F80);  // 1.0
  EXPECT_EQ(out[1], 0x3F81);  // 1 + 2^-7
  EXPECT_EQ(out[2], 0x3F82);  // tie between 0x3F81 and 0x3F82: even
  EXPECT_TRUE(std::isnan(Bf16ToF32(out[3])));
}

TEST(EmbedTest, ScaleMultipliesTheRow) {
  const float table_data[] = {1, 2, 3, 4, 5, 6};  // (3, 2)
  const std::vector<int32_t> ids = {2, 0};
  const std::vector<float> values = {0.5f, -2.0f};
  float out[4];  // (2, 2)
  ASSERT_TRUE(Embed(ConstMatrixView::F32(table_data, 3, 2), ids, values,
                    MatrixView::F32(out, 2, 2))
                  .ok());
  EXPECT_EQ(out[0], 2.5f);
  EXPECT_EQ(out[1], 3.0f);
  EXPECT_EQ(out[2], -2.0f);
  EXPECT_EQ(out[3], -4.0f);
}

}  // namespace
}  // namespace xval::kernels
