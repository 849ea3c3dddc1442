// FoNE, BitTokens and Abacus kernels: the fused embeddings on every Highway target bitwise
// equal to their scalar references (tables f32/bf16/f16, outputs f32/bf16), the published
// examples of each encoding, exact BitTokens round trips over extreme values, and argument
// errors. The values against the papers' code, reimplemented, are checked in
// tests/python/test_number_encodings.py.
#include "xval/number_encodings.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"
#include "kernels/convert.h"
#include "kernels/reference.h"

namespace xval::kernels {
namespace {

// Values that stress each encoding: zeros of both signs, subnormals, the ends of the double
// range, infinities and numbers of the corpus' kind.
std::vector<double> ExtremeValues() {
  return {0.0,
          -0.0,
          1.0,
          -1.0,
          18.0,
          123.45,
          -4096.25,
          1e-300,
          1e300,
          -1e300,
          4.9e-324,
          2.2250738585072014e-308,
          std::numeric_limits<double>::max(),
          std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity(),
          0.1,
          99999.99999,
          3.0e-5};
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(a)) == 0; }

struct Table {
  DType dtype;
  std::vector<float> f32;      // (vocab, hidden) when f32
  std::vector<uint16_t> bits;  // (vocab, hidden) when bf16 or f16
  size_t vocab, hidden;
  ConstMatrixView view() const {
    return dtype == DType::kF32 ? ConstMatrixView::F32(f32.data(), vocab, hidden)
                                : ConstMatrixView{bits.data(), dtype, vocab, hidden, hidden};
  }
};

Table MakeTable(DType dtype, size_t vocab, size_t hidden, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  Table t{dtype, {}, {}, vocab, hidden};
  for (size_t i = 0; i < vocab * hidden; ++i) {
    const float x = normal(rng);
    if (dtype == DType::kF32) t.f32.push_back(x);
    if (dtype == DType::kBF16) t.bits.push_back(F32ToBf16(x));
    if (dtype == DType::kF16) t.bits.push_back(F32ToF16(x));
  }
  return t;
}

// ids with the [NUM] id (vocab - 1) at about a fifth of the tokens, and their values.
void MakeTokens(size_t tokens, size_t vocab, uint32_t seed, std::vector<int32_t>* ids,
                std::vector<double>* values) {
  std::mt19937 rng(seed);
  const std::vector<double> extremes = ExtremeValues();
  for (size_t t = 0; t < tokens; ++t) {
    const bool number = rng() % 5 == 0;
    ids->push_back(number ? static_cast<int32_t>(vocab - 1)
                          : static_cast<int32_t>(rng() % (vocab - 1)));
    values->push_back(rng() % 2 ? extremes[rng() % extremes.size()]
                                : std::ldexp(static_cast<double>(rng() % 100000), -7));
  }
}

class NumberEncodingsTargetTest : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(NumberEncodingsTargetTest);

TEST_P(NumberEncodingsTargetTest, FusedEmbeddingsEqualTheirReferences) {
  const std::vector<double> periods = *FonePeriods({});  // 10 periods: 20 features
  for (DType table_type : {DType::kF32, DType::kBF16, DType::kF16}) {
    for (DType out_type : {DType::kF32, DType::kBF16}) {
      for (size_t hidden : {128, 131, 200}) {
        const size_t vocab = 9, tokens = 97;
        const Table table = MakeTable(table_type, vocab, hidden, static_cast<uint32_t>(hidden));
        std::vector<int32_t> ids;
        std::vector<double> values;
        MakeTokens(tokens, vocab, 7 + static_cast<uint32_t>(hidden), &ids, &values);
        const size_t bytes = tokens * hidden * DTypeSize(out_type);
        std::vector<uint8_t> got(bytes, 0xAB), want(bytes, 0xCD);
        const MatrixView got_view{got.data(), out_type, tokens, hidden, hidden};
        const MatrixView want_view{want.data(), out_type, tokens, hidden, hidden};
        const int32_t num_id = static_cast<int32_t>(vocab - 1);

        ASSERT_TRUE(EmbedFone(table.view(), ids, values, num_id, periods, got_view).ok());
        EmbedFoneReference(table.view(), ids, values, num_id, periods, want_view);
        ASSERT_EQ(got, want) << "FoNE, hidden " << hidden;

        for (bool reciprocal : {false, true}) {
          const float scale = std::sqrt(static_cast<float>(hidden) / 128.0f);
          ASSERT_TRUE(
              EmbedBitTokens(table.view(), ids, values, num_id, reciprocal, scale, got_view).ok());
          EmbedBitTokensReference(table.view(), ids, values, num_id, reciprocal, scale, want_view);
          ASSERT_EQ(got, want) << "BitTokens, hidden " << hidden;
        }
      }
    }
  }
}

TEST(FoneTest, PeriodsAsTheReferenceComputesThem) {
  // main.py's default base [10]: one period per place, 10^(k + 1 - F).
  FoneOptions three_two{3, 2, {10.0}};
  EXPECT_EQ(*FonePeriods(three_two), (std::vector<double>{1.0 / 10, 1, 10, 100, 1000}));
  // The class default [2, 5]: two per place, up to 10^(I + 1) - 1.
  FoneOptions two_five{2, 0, {2.0, 5.0}};
  EXPECT_EQ(*FonePeriods(two_five), (std::vector<double>{2, 5, 20, 50, 200, 500}));
  EXPECT_EQ(FonePeriods({18, 1, {10.0}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FonePeriods({0, 0, {10.0}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FonePeriods({3, 2, {-10.0}}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FoneTest, FeaturesOfEighteen) {
  // The paper's figure: 18 mod 10 in the first pair, 18 mod 100 in the next (I = 3, F = 2:
  // periods 0.1 and 1 see a whole number as 0 turns).
  const std::vector<double> periods = *FonePeriods({3, 2, {10.0}});
  std::vector<float> out(2 * 12, -1.0f);  // (2, 12): one row of 18, one of 0
  const std::vector<double> values = {18.0, 0.0};
  ASSERT_TRUE(FoneFeatures(values, periods, MatrixView::F32(out.data(), 2, 12)).ok());
  const double tau = 2 * M_PI;
  const std::vector<float> want = {1,
                                   0,
                                   1,
                                   0,
                                   static_cast<float>(std::cos(tau * 1.8)),
                                   static_cast<float>(std::sin(tau * 1.8)),
                                   static_cast<float>(std::cos(tau * 0.18)),
                                   static_cast<float>(std::sin(tau * 0.18)),
                                   static_cast<float>(std::cos(tau * 0.018)),
                                   static_cast<float>(std::sin(tau * 0.018)),
                                   0,
                                   0};
  for (size_t c = 0; c < 12; ++c) {
    EXPECT_NEAR(out[c], want[c], 1e-6) << c;
    EXPECT_EQ(out[12 + c], 0.0f) << "the number 0 is masked to zeros";
  }
  EXPECT_EQ(FoneFeatures(values, periods, MatrixView::F32(out.data(), 2, 9)).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FoneTest, DecodeReadsEachSlotsNearestDigit) {
  const FoneOptions options{5, 5, {10.0}};
  const std::vector<int> digits_in = {3, 0, 0, 7, 5, 9, 2, 0, 4, 1};  // least significant first
  std::vector<float> h(2 * 10 + 3, 0.25f);  // (1, 23): slots, then columns it ignores
  for (size_t k = 0; k < digits_in.size(); ++k) {
    h[2 * k] = static_cast<float>(std::cos(2 * M_PI * digits_in[k] / 10));
    h[2 * k + 1] = static_cast<float>(std::sin(2 * M_PI * digits_in[k] / 10));
  }
  std::vector<int8_t> digits(10);
  std::vector<double> values(1);
  ASSERT_TRUE(FoneDecode(ConstMatrixView::F32(h.data(), 1, h.size()), options,
                         absl::MakeSpan(digits), absl::MakeSpan(values))
                  .ok());
  for (size_t k = 0; k < digits_in.size(); ++k) EXPECT_EQ(digits[k], digits_in[k]) << k;
  EXPECT_DOUBLE_EQ(values[0], 14029.57003);
}

TEST(BitTokensTest, FeaturesAreTheFloat64BitsAndDecodeBack) {
  const std::vector<double> values = ExtremeValues();
  const size_t n = values.size();
  std::vector<float> features(n * 130);  // (n, 130): 128 features, 2 padding columns
  ASSERT_TRUE(BitTokenFeatures(values, true, 1.0f, MatrixView::F32(features.data(), n, 130)).ok());
  // 1.0 is 0x3ff0000000000000: sign 0, exponent 01111111111, fraction 0; 1/1 the same.
  const float* one = &features[2 * 130];
  EXPECT_EQ(one[0], -1.0f);
  for (int i = 1; i < 12; ++i) EXPECT_EQ(one[i], i == 1 ? -1.0f : 1.0f) << i;
  for (int i = 12; i < 64; ++i) EXPECT_EQ(one[i], -1.0f) << i;
  EXPECT_EQ(one[128], 0.0f);
  // +0's reciprocal is +inf: 0x7ff0000000000000.
  const float* zero = &features[0];
  EXPECT_EQ(zero[64], -1.0f);
  for (int i = 65; i < 76; ++i) EXPECT_EQ(zero[i], 1.0f);
  std::vector<double> decoded(n);
  ASSERT_TRUE(
      BitTokenDecode(ConstMatrixView::F32(features.data(), n, 130, 130), absl::MakeSpan(decoded))
          .ok());
  for (size_t t = 0; t < n; ++t) EXPECT_TRUE(SameBits(decoded[t], values[t])) << values[t];
  // A logit of exactly 0 is a clear bit (the reference's > 0).
  std::vector<float> zeros(64, 0.0f);
  ASSERT_TRUE(BitTokenDecode(ConstMatrixView::F32(zeros.data(), 1, 64),
                             absl::MakeSpan(decoded).subspan(0, 1))
                  .ok());
  EXPECT_TRUE(SameBits(decoded[0], 0.0));
}

TEST(AbacusTest, PositionsCountEachRunOfDigits) {
  // The reference's tokenizer: digits '0'..'9' are ids 4..13, '+' 14, '=' 17, EOS 3;
  // "321+54=861" then EOS.
  const std::vector<int32_t> ids = {7, 6, 5, 14, 9, 8, 17, 12, 10, 5, 3};
  const std::vector<int32_t> digit_ids = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  std::vector<int32_t> positions(ids.size());
  ASSERT_TRUE(AbacusPositions(ids, digit_ids, 0, absl::MakeSpan(positions)).ok());
  EXPECT_EQ(positions, (std::vector<int32_t>{1, 2, 3, 0, 1, 2, 0, 1, 2, 3, 0}));
  ASSERT_TRUE(AbacusPositions(ids, digit_ids, 40, absl::MakeSpan(positions)).ok());
  EXPECT_EQ(positions, (std::vector<int32_t>{41, 42, 43, 0, 41, 42, 0, 41, 42, 43, 0}));
  EXPECT_EQ(AbacusPositions(ids, digit_ids, -1, absl::MakeSpan(positions)).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NumberEncodingsTest, ArgumentErrorsLeaveOutputsUntouched) {
  const Table table = MakeTable(DType::kF32, 4, 16, 1);
  const std::vector<int32_t> ids = {0, 3, 9};
  const std::vector<double> values = {1, 2, 3};
  std::vector<float> out(3 * 16, 7.0f);
  const std::vector<double> periods = *FonePeriods({3, 2, {10.0}});
  EXPECT_EQ(
      EmbedFone(table.view(), ids, values, 3, periods, MatrixView::F32(out.data(), 3, 16)).code(),
      absl::StatusCode::kOutOfRange);
  const std::vector<int32_t> good = {0, 3, 1};
  EXPECT_EQ(
      EmbedFone(table.view(), good, {1.0}, 3, periods, MatrixView::F32(out.data(), 3, 16)).code(),
      absl::StatusCode::kInvalidArgument);
  // 128 BitTokens features do not fit a hidden size of 16.
  EXPECT_EQ(
      EmbedBitTokens(table.view(), good, values, 3, true, 1.0f, MatrixView::F32(out.data(), 3, 16))
          .code(),
      absl::StatusCode::kInvalidArgument);
  // A [NUM] id outside the table.
  EXPECT_EQ(
      EmbedFone(table.view(), good, values, 4, periods, MatrixView::F32(out.data(), 3, 16)).code(),
      absl::StatusCode::kInvalidArgument);
  const std::vector<double> bad_periods = {0.1, 0.0};
  EXPECT_EQ(
      EmbedFone(table.view(), good, values, 3, bad_periods, MatrixView::F32(out.data(), 3, 16))
          .code(),
      absl::StatusCode::kInvalidArgument);
  for (float x : out) ASSERT_EQ(x, 7.0f);
}

TEST(AbacusTest, OffsetsThatPassInt32AreRefused) {
  const std::vector<int32_t> ids = {4, 4, 4};
  const std::vector<int32_t> digit_ids = {4};
  std::vector<int32_t> positions(3, -7);
  EXPECT_EQ(AbacusPositions(ids, digit_ids, std::numeric_limits<int32_t>::max() - 1,
                            absl::MakeSpan(positions))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(positions, (std::vector<int32_t>{-7, -7, -7}));
  ASSERT_TRUE(AbacusPositions(ids, digit_ids, std::numeric_limits<int32_t>::max() - 3,
                              absl::MakeSpan(positions))
                  .ok());
  EXPECT_EQ(positions.back(), std::numeric_limits<int32_t>::max());
}

}  // namespace
}  // namespace xval::kernels
