// DescribeNumbers over real tokenizers: Llama's single digits, cl100k's groups of three, xVal's
// one [NUM] per number; and every number of the corpus against strtod / strtof of its text.
#include "xval/number_info.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace {

std::string LlamaPath() { return testing::DataDir() + "/tokenizers/llama2/tokenizer.model"; }

std::unique_ptr<Tokenizer> LoadBase(const std::string& name) {
  TokenizerOptions options;
  options.data_dir = testing::DataDir();
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(name, options);
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? *std::move(tok) : nullptr;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(a)) == 0; }
bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(a)) == 0; }

// The text each token covers, with its side data, for readable failures.
struct TokenRow {
  std::string text;
  int32_t number;
  int digit;
  int place;
  int place_from_top;
  friend bool operator==(const TokenRow& a, const TokenRow& b) {
    return a.text == b.text && a.number == b.number && a.digit == b.digit && a.place == b.place &&
           a.place_from_top == b.place_from_top;
  }
  friend std::ostream& operator<<(std::ostream& os, const TokenRow& r) {
    return os << "{\"" << r.text << "\", " << r.number << ", " << r.digit << ", " << r.place << ", "
              << r.place_from_top << "}";
  }
};

std::vector<TokenRow> Rows(const std::string& text, const Encoding& e, const NumberInfo& info) {
  std::vector<TokenRow> rows;
  for (size_t t = 0; t < e.size(); ++t) {
    rows.push_back({text.substr(e.offsets[t].begin, e.offsets[t].end - e.offsets[t].begin),
                    info.number_index[t], info.digit[t], info.place[t], info.place_from_top[t]});
  }
  return rows;
}

TEST(NumberInfoTest, LlamaDigitsCountFromTheUnits) {
  auto tok = LoadBase(LlamaPath());
  ASSERT_NE(tok, nullptr);
  const std::string text = "x -4096.25 y 07";
  absl::StatusOr<Encoding> e = tok->Encode(text, {.add_bos = true});
  ASSERT_TRUE(e.ok());
  absl::StatusOr<NumberInfo> info = DescribeNumbers(text, *e);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->numbers.size(), 2u);
  EXPECT_EQ(info->numbers[0].value, -4096.25);
  EXPECT_TRUE(info->numbers[0].negative);
  EXPECT_EQ(info->numbers[0].integer_digits, 4);
  EXPECT_EQ(info->numbers[0].fraction_digits, 2);
  EXPECT_EQ(info->numbers[1].value, 7.0);
  EXPECT_EQ(info->numbers[1].integer_digits, 2);
  // Llama: "▁x" "▁-" "4" "0" "9" "6" "." "2" "5" "▁y" "▁" "0" "7"; BOS first with no bytes.
  const std::vector<TokenRow> expected = {
      {"", -1, -1, 0, 0}, {"x", -1, -1, 0, 0}, {" -", 0, -1, 0, 0},  {"4", 0, 4, 4, 1},
      {"0", 0, 0, 3, 2},  {"9", 0, 9, 2, 3},   {"6", 0, 6, 1, 4},    {".", 0, -1, 0, 0},
      {"2", 0, 2, -1, 5}, {"5", 0, 5, -2, 6},  {" y", -1, -1, 0, 0}, {" ", -1, -1, 0, 0},
      {"0", 1, 0, 2, 1},  {"7", 1, 7, 1, 2}};
  EXPECT_EQ(Rows(text, *e, *info), expected);
}

TEST(NumberInfoTest, Cl100kGroupsTakeTheirLastDigitsPlace) {
  auto tok = LoadBase("cl100k_base");
  ASSERT_NE(tok, nullptr);
  const std::string text = "n=1234567";
  absl::StatusOr<Encoding> e = tok->Encode(text);
  ASSERT_TRUE(e.ok());
  absl::StatusOr<NumberInfo> info = DescribeNumbers(text, *e);
  ASSERT_TRUE(info.ok()) << info.status();
  const std::vector<TokenRow> expected = {{"n", -1, -1, 0, 0},
                                          {"=", -1, -1, 0, 0},
                                          {"123", 0, -1, 5, 1},
                                          {"456", 0, -1, 2, 4},
                                          {"7", 0, 7, 1, 7}};
  EXPECT_EQ(Rows(text, *e, *info), expected);
}

TEST(NumberInfoTest, XvalNumTokenCoversTheWholeNumber) {
  TokenizerOptions t;
  t.data_dir = testing::DataDir();
  absl::StatusOr<std::unique_ptr<XvalTokenizer>> tok = LoadXvalTokenizer(LlamaPath(), t, {});
  ASSERT_TRUE(tok.ok()) << tok.status();
  const std::string text = "mass 1.5e-3 kg, 8 moles";
  absl::StatusOr<Encoding> e = (*tok)->Encode(text);
  ASSERT_TRUE(e.ok());
  absl::StatusOr<NumberInfo> info = DescribeNumbers(text, *e, (*tok)->options().numbers);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->numbers.size(), 2u);
  EXPECT_EQ(info->numbers[0].exponent, -3);
  EXPECT_EQ(info->numbers[0].value, 1.5e-3);
  int num_tokens = 0;
  for (size_t t = 0; t < e->size(); ++t) {
    if (e->ids[t] != (*tok)->num_id()) continue;
    ++num_tokens;
    const NumberRecord& n = info->numbers[info->number_index[t]];
    EXPECT_EQ(static_cast<float>(n.value), e->values[t]);  // the identity transform
    EXPECT_EQ(info->place_from_top[t], 1);
  }
  EXPECT_EQ(num_tokens, 2);
  // "1.5e-3": its least significant mantissa digit is the tenths; "8" is one digit.
  const std::vector<int16_t> places = info->place;
  const std::vector<int8_t> digits = info->digit;
  EXPECT_NE(std::find(places.begin(), places.end(), -1), places.end());
  EXPECT_NE(std::find(digits.begin(), digits.end(), 8), digits.end());
}

TEST(NumberInfoTest, GroupsUnicodeDigitsAndPaperSpaces) {
  NumberScanOptions grouped;
  grouped.grammar.group_separators = true;
  grouped.grammar.unicode_digits = true;
  // "١٢" is 12 in Arabic-Indic digits (two bytes each).
  const std::string text = "1,234,567.5 and \xd9\xa1\xd9\xa2";
  Encoding e;
  e.Append(0, Offset{0, 11});
  e.Append(1, Offset{16, 18});
  e.Append(2, Offset{18, 20});
  absl::StatusOr<NumberInfo> info = DescribeNumbers(text, e, grouped);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->numbers.size(), 2u);
  EXPECT_EQ(info->numbers[0].value, 1234567.5);
  EXPECT_EQ(info->numbers[0].integer_digits, 7);
  EXPECT_EQ(info->numbers[1].value, 12.0);
  EXPECT_EQ(info->place, (std::vector<int16_t>{-1, 2, 1}));
  EXPECT_EQ(info->digit, (std::vector<int8_t>{-1, 1, 2}));

  // The reference xVal code deletes spaces first: "1 2" is the number 12.
  NumberScanOptions paper;
  paper.mode = NumberMode::kPaper;
  Encoding p;
  p.Append(0, Offset{0, 1});
  p.Append(1, Offset{2, 3});
  info = DescribeNumbers("1 2", p, paper);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->numbers.size(), 1u);
  EXPECT_EQ(info->numbers[0].value, 12.0);
  EXPECT_EQ(info->place, (std::vector<int16_t>{2, 1}));
  Encoding q;
  q.Append(0, Offset{0, 6});
  info = DescribeNumbers("1e - 5", q, paper);  // "1e-5" once the spaces are gone
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->numbers.size(), 1u);
  EXPECT_EQ(info->numbers[0].value, 1e-5);
  EXPECT_EQ(info->numbers[0].exponent, -5);
}

TEST(NumberInfoTest, ExtremesMatchStrtod) {
  const char* kNumbers[] = {"0",
                            "-0",
                            "1e-300",
                            "-1e300",
                            "4.9e-324",
                            "2e-324",
                            "1e-400",
                            "1e400",
                            "-1e400",
                            "2.2250738585072011e-308",
                            "179769313486231580793728971405303415079934132710037826936173778980444"
                            "9682927647509466490179775872070963302864166928879109465555478519404026"
                            "3066887100822",
                            "0.1",
                            "3.4028235e38",
                            "1e-45",
                            "123456789012345678901234567890"};
  for (const char* number : kNumbers) {
    const std::string text = std::string("v ") + number;
    Encoding e;
    e.Append(0, Offset{2, static_cast<uint32_t>(text.size())});
    absl::StatusOr<NumberInfo> info = DescribeNumbers(text, e);
    ASSERT_TRUE(info.ok()) << info.status();
    ASSERT_EQ(info->numbers.size(), 1u) << number;
    EXPECT_TRUE(SameBits(info->numbers[0].value, std::strtod(number, nullptr))) << number;
    EXPECT_TRUE(SameBits(info->numbers[0].value32, std::strtof(number, nullptr))) << number;
  }
}

TEST(NumberInfoTest, RefusesOffsetsPastTheText) {
  Encoding e;
  e.Append(0, Offset{0, 9});
  absl::StatusOr<NumberInfo> info = DescribeNumbers("12", e);
  EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument);
  Encoding ids_only;
  ids_only.ids = {1, 2};
  EXPECT_EQ(DescribeNumbers("12", ids_only).status().code(), absl::StatusCode::kInvalidArgument);
}

// Every number of the corpus: its double and float are strtod's and strtof's of its text, and
// under Llama's single digits every digit token carries the digit its byte holds and the place
// the digits' positions give.
TEST(NumberInfoTest, CorpusValuesAndLlamaDigits) {
  absl::StatusOr<std::vector<std::string>> lines = testing::LoadCorpus(testing::DataDir());
  ASSERT_TRUE(lines.ok()) << lines.status();
  auto tok = LoadBase(LlamaPath());
  ASSERT_NE(tok, nullptr);
  size_t numbers = 0, digit_tokens = 0, digits_in_words = 0;
  for (const std::string& line : *lines) {
    absl::StatusOr<Encoding> e = tok->Encode(line);
    ASSERT_TRUE(e.ok());
    absl::StatusOr<NumberInfo> info = DescribeNumbers(line, *e);
    ASSERT_TRUE(info.ok()) << info.status() << " in " << line;
    for (const NumberRecord& n : info->numbers) {
      const std::string number = line.substr(n.span.begin, n.span.end - n.span.begin);
      ASSERT_TRUE(SameBits(n.value, std::strtod(number.c_str(), nullptr))) << number;
      ASSERT_TRUE(SameBits(n.value32, std::strtof(number.c_str(), nullptr))) << number;
      ++numbers;
    }
    for (size_t t = 0; t < e->size(); ++t) {
      const Offset o = e->offsets[t];
      const bool one_digit = o.end == o.begin + 1 && line[o.begin] >= '0' && line[o.begin] <= '9';
      if (info->number_index[t] < 0) {
        // A digit outside every number is inside a word ("x2", "utf8", "v1.2"): after a letter,
        // digit, '_' or '.'.
        if (one_digit) {
          ASSERT_GT(o.begin, 0u) << line;
          const char before = line[o.begin - 1];
          ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(before)) || before == '_' ||
                      before == '.')
              << line << " at " << o.begin;
          ++digits_in_words;
        }
        continue;
      }
      const NumberRecord& n = info->numbers[info->number_index[t]];
      const std::string number = line.substr(n.span.begin, n.span.end - n.span.begin);
      const size_t at = o.begin - n.span.begin;
      const size_t point = number.find('.');
      size_t mantissa_end = number.find_first_of("eE");
      if (mantissa_end == std::string::npos) mantissa_end = number.size();
      if (!one_digit || at >= mantissa_end) {  // a sign, a point, an exponent's digit
        ASSERT_EQ(info->digit[t], -1) << number << " at " << at;
        continue;
      }
      ++digit_tokens;
      ASSERT_EQ(info->digit[t], line[o.begin] - '0');
      // Count the digits from the token to the end of its integer part, or from the point.
      const int expected =
          point == std::string::npos || at < point
              ? static_cast<int>((point == std::string::npos ? mantissa_end : point) - at)
              : -static_cast<int>(at - point);
      ASSERT_EQ(info->place[t], expected) << number << " at " << at;
    }
  }
  EXPECT_GT(numbers, 100000u);
  EXPECT_GT(digit_tokens, 100000u);
  EXPECT_GT(digits_in_words, 100u);
}

}  // namespace
}  // namespace xval
