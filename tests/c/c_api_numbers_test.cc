// The C ABI's numbers beyond xVal against the C++ API it wraps: number side data over an
// xVal tokenizer and a plain one, the rewrites and their errors, FoNE and BitTokens features
// and fused embeddings, BitTokens decoding and Abacus positions.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "xval/number_encodings.h"
#include "xval/number_info.h"
#include "xval/number_rewrites.h"
#include "xval/xval.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace {

std::string Llama() { return testing::DataDir() + "/tokenizers/llama2/tokenizer.model"; }

struct Tok {
  xval_tokenizer* t = nullptr;
  ~Tok() { xval_tokenizer_free(t); }
};

TEST(CApiNumbers, DescribeNumbersEqualsTheCppApi) {
  for (bool xval_numbers : {false, true}) {
    xval_tokenizer_options options;
    xval_tokenizer_options_init(&options);
    if (xval_numbers) {
      // A grammar other than the default: the call must read numbers as this tokenizer does
      // ("1,250.75" is one number here, two under the default grammar).
      options.numbers = XVAL_NUMBERS_XVAL;
      options.grammar = XVAL_GRAMMAR_GROUP_SEPARATORS;
    }
    Tok tok;
    ASSERT_EQ(xval_tokenizer_load(Llama().c_str(), &options, &tok.t), XVAL_OK) << xval_last_error();
    const std::string text = "Pay 1,250.75 or -3e4 by day 12";
    std::vector<int32_t> ids(64);
    std::vector<uint32_t> offsets(128);
    size_t n = 0;
    ASSERT_EQ(xval_encode(tok.t, text.data(), text.size(), nullptr, ids.data(), nullptr,
                          offsets.data(), ids.size(), &n),
              XVAL_OK);
    std::vector<int32_t> index(n);
    std::vector<int8_t> digit(n);
    std::vector<int16_t> place(n), top(n);
    size_t numbers = 0;
    EXPECT_EQ(
        xval_describe_numbers(tok.t, text.data(), text.size(), offsets.data(), n, index.data(),
                              digit.data(), place.data(), top.data(), nullptr, 0, &numbers),
        XVAL_BUFFER_TOO_SMALL);
    std::vector<xval_number> records(numbers);
    ASSERT_EQ(xval_describe_numbers(tok.t, text.data(), text.size(), offsets.data(), n,
                                    index.data(), digit.data(), place.data(), top.data(),
                                    records.data(), records.size(), &numbers),
              XVAL_OK)
        << xval_last_error();
    Encoding e;
    for (size_t t = 0; t < n; ++t) e.Append(ids[t], Offset{offsets[2 * t], offsets[2 * t + 1]});
    NumberScanOptions scan;
    scan.grammar.group_separators = xval_numbers;
    absl::StatusOr<NumberInfo> want = DescribeNumbers(text, e, scan);
    ASSERT_TRUE(want.ok());
    ASSERT_EQ(numbers, want->numbers.size());
    EXPECT_EQ(numbers, xval_numbers ? 3u : 4u);
    for (size_t k = 0; k < numbers; ++k) {
      EXPECT_EQ(records[k].begin, want->numbers[k].span.begin);
      EXPECT_EQ(records[k].value, want->numbers[k].value);
      EXPECT_EQ(records[k].negative, want->numbers[k].negative ? 1 : 0);
      EXPECT_EQ(records[k].integer_digits, want->numbers[k].integer_digits);
      EXPECT_EQ(records[k].exponent, want->numbers[k].exponent);
    }
    EXPECT_EQ(index, want->number_index);
    EXPECT_EQ(digit, want->digit);
    EXPECT_EQ(place, want->place);
    EXPECT_EQ(top, want->place_from_top);
  }
}

TEST(CApiNumbers, RewritesRoundTripAndFailClearly) {
  const std::string text = "80,000 + 1234567 = <sn>";
  for (const char* rewrite : {"reverse", "rtl_commas", "numerologic"}) {
    char out[256], back[256];
    size_t length = 0, back_length = 0;
    ASSERT_EQ(xval_rewrite_numbers(rewrite, text.data(), text.size(), out, sizeof(out), &length),
              XVAL_OK);
    EXPECT_EQ(std::string(out, length), *ApplyNumberRewrite(*ParseNumberRewrite(rewrite), text));
    ASSERT_EQ(xval_restore_numbers(rewrite, out, length, back, sizeof(back), &back_length),
              XVAL_OK);
    EXPECT_EQ(std::string(back, back_length), text);
  }
  size_t length = 0;
  EXPECT_EQ(xval_restore_numbers("numerologic", "<sn>3<mn>42<en>", 15, nullptr, 0, &length),
            XVAL_INVALID_ARGUMENT);
  EXPECT_NE(std::string(xval_last_error()).find("digit count"), std::string::npos);
  EXPECT_EQ(xval_rewrite_numbers("upside_down", "1", 1, nullptr, 0, &length),
            XVAL_INVALID_ARGUMENT);
  EXPECT_EQ(xval_rewrite_numbers(nullptr, "1", 1, nullptr, 0, &length), XVAL_INVALID_ARGUMENT);
}

TEST(CApiNumbers, EncodingsEqualTheCppApi) {
  const std::vector<double> values = {0.0, 18.0, -4096.25, 1e-300, 5e-324};
  const size_t n = values.size();
  std::vector<float> got(n * 24), want(n * 24);
  ASSERT_EQ(xval_fone_features(values.data(), n, 3, 2, nullptr, 0, got.data(), 24), XVAL_OK);
  const std::vector<double> periods = *kernels::FonePeriods({3, 2, {10.0}});
  ASSERT_TRUE(
      kernels::FoneFeatures(values, periods, kernels::MatrixView::F32(want.data(), n, 24)).ok());
  EXPECT_EQ(got, want);
  EXPECT_EQ(xval_fone_features(values.data(), n, 3, 2, nullptr, 0, got.data(), 4),
            XVAL_INVALID_ARGUMENT);

  std::vector<float> bits(n * 128);
  ASSERT_EQ(xval_bittoken_features(values.data(), n, 1, 1.0f, bits.data(), 128), XVAL_OK);
  std::vector<double> decoded(n);
  ASSERT_EQ(xval_bittoken_decode(bits.data(), n, 128, decoded.data()), XVAL_OK);
  for (size_t t = 0; t < n; ++t) {
    EXPECT_EQ(std::memcmp(&decoded[t], &values[t], sizeof(double)), 0) << values[t];
  }

  // Fused embeddings: a 6-row table, [NUM] = 5.
  const size_t vocab = 6, hidden = 130;
  std::vector<float> table(vocab * hidden);
  for (size_t i = 0; i < table.size(); ++i) table[i] = std::sin(static_cast<float>(i));
  const std::vector<int32_t> ids = {1, 5, 2, 5, 5};
  std::vector<float> out(n * hidden), ref(n * hidden);
  ASSERT_EQ(xval_embed_fone(table.data(), XVAL_F32, vocab, hidden, ids.data(), values.data(), n, 5,
                            3, 2, nullptr, 0, out.data(), XVAL_F32, 0),
            XVAL_OK);
  const auto table_view = kernels::ConstMatrixView::F32(table.data(), vocab, hidden);
  ASSERT_TRUE(kernels::EmbedFone(table_view, ids, values, 5, periods,
                                 kernels::MatrixView::F32(ref.data(), n, hidden))
                  .ok());
  EXPECT_EQ(out, ref);
  ASSERT_EQ(xval_embed_bittokens(table.data(), XVAL_F32, vocab, hidden, ids.data(), values.data(),
                                 n, 5, 1, 2.0f, out.data(), XVAL_F32, 0),
            XVAL_OK);
  ASSERT_TRUE(kernels::EmbedBitTokens(table_view, ids, values, 5, true, 2.0f,
                                      kernels::MatrixView::F32(ref.data(), n, hidden))
                  .ok());
  EXPECT_EQ(out, ref);
  const std::vector<int32_t> bad = {1, 9, 2, 5, 5};
  EXPECT_EQ(xval_embed_fone(table.data(), XVAL_F32, vocab, hidden, bad.data(), values.data(), n, 5,
                            3, 2, nullptr, 0, out.data(), XVAL_F32, 0),
            XVAL_OUT_OF_RANGE);

  const std::vector<int32_t> digits_ids = {4, 5, 6};
  const std::vector<int32_t> seq = {4, 5, 1, 6, 6, 6, 0};
  std::vector<int32_t> positions(seq.size());
  ASSERT_EQ(xval_abacus_positions(seq.data(), seq.size(), digits_ids.data(), digits_ids.size(), 0,
                                  positions.data()),
            XVAL_OK);
  EXPECT_EQ(positions, (std::vector<int32_t>{1, 2, 0, 1, 2, 3, 0}));
}

}  // namespace
}  // namespace xval
