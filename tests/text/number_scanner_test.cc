// The number grammars as tables: each row is an input and the numbers each mode finds in it.
// The paper column was checked against Python's re with the xVal reference pattern (see
// tests/tools/gen_xval_paper_golden.py for the pattern); the standard column is the grammar
// documented in include/xval/numbers.h.
#include "text/numbers/number_scanner.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "text/numbers/block_scanner.h"
#include "text/numbers/number_parse.h"
#include "util/highway_targets.h"
#include "xval/numbers.h"

namespace xval {
namespace {

using Numbers = std::vector<std::string>;

Numbers Find(const std::string& text, const NumberScanOptions& options) {
  std::vector<NumberSpan> spans;
  EXPECT_TRUE(FindNumbers(text, options, &spans).ok());
  Numbers out;
  uint32_t last_end = 0;
  for (const NumberSpan& s : spans) {
    EXPECT_LE(last_end, s.begin) << text;
    EXPECT_LT(s.begin, s.end) << text;
    EXPECT_LE(s.end, text.size()) << text;
    last_end = s.end;
    out.push_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

struct Row {
  const char* text;
  Numbers paper;
  Numbers standard;  // default NumberGrammar
};

const Row kRows[] = {
    {"3", {"3"}, {"3"}},
    {"-3", {"-3"}, {"-3"}},
    {"+3", {"3"}, {"3"}},
    {"1e5", {"1e5"}, {"1e5"}},
    {"1E-05", {"1E-05"}, {"1E-05"}},
    {"1e+5", {"1e+5"}, {"1e+5"}},
    {"-0", {"-0"}, {"-0"}},
    {"00012", {"00012"}, {"00012"}},
    {"1,000", {"1", "000"}, {"1", "000"}},
    {"1e400", {"1e400"}, {"1e400"}},
    {"1e-400", {"1e-400"}, {"1e-400"}},
    {"1.4e-45", {"1.4e-45"}, {"1.4e-45"}},
    {"1e-40", {"1e-40"}, {"1e-40"}},
    {"123456789012345678901234567890", {"123456789012345678901234567890"},
     {"123456789012345678901234567890"}},
    {"-123456789012345678901234567890.5", {"-123456789012345678901234567890.5"},
     {"-123456789012345678901234567890.5"}},
    {"'planet0'", {}, {}},
    {"'planet0':{'m':1.5}", {"1.5"}, {"1.5"}},
    {"1-2", {"1", "-2"}, {"1", "2"}},
    {"2024-04-04", {"2024", "-04", "-04"}, {"2024", "04", "04"}},
    {"[1,2]", {"1", "2"}, {"1", "2"}},
    {"[1, 2]", {"1", "2"}, {"1", "2"}},
    {".5", {"5"}, {"5"}},
    {"3.", {"3"}, {"3"}},
    {"3.e5", {"3", "5"}, {"3"}},
    {"x2", {"2"}, {}},
    {"H2O", {"2"}, {}},
    {"v1.2", {"1.2"}, {}},
    {"utf8", {"8"}, {}},
    {"a=-1", {"-1"}, {"-1"}},
    {"(-2)", {"-2"}, {"-2"}},
    {"x - -3", {"-3"}, {"-3"}},
    {"f(x)-1", {"-1"}, {"1"}},
    {"5%-2", {"5", "-2"}, {"5", "2"}},
    {"3 - 2", {"3", "2"}, {"3", "2"}},
    {"1.5'", {"1"}, {"1.5"}},
    {"'12", {"2"}, {"12"}},
    {"'-5", {"5"}, {"5"}},
    {"12'", {}, {"12"}},
    {"1e5'", {"1"}, {"1e5"}},
    {"1.5e3'", {"1.5"}, {"1.5e3"}},
    {"1.23'", {"1"}, {"1.23"}},
    {"-'5", {}, {"5"}},
    {"5kg", {"5"}, {"5"}},
    {"3rd", {"3"}, {"3"}},
    {"1.2.3", {"1.2", "3"}, {"1.2"}},
    {"1e", {"1"}, {"1"}},
    {"1e+", {"1"}, {"1"}},
    {"2e-x", {"2"}, {"2"}},
    {"1.5e3", {"1.5e3"}, {"1.5e3"}},
    {"0.000001", {"0.000001"}, {"0.000001"}},
    {"3.14159", {"3.14159"}, {"3.14159"}},
    {"-.5", {"5"}, {"5"}},
    {"1,234,567", {"1", "234", "567"}, {"1", "234", "567"}},
    {"1,23", {"1", "23"}, {"1", "23"}},
    {"1,2345", {"1", "2345"}, {"1", "2345"}},
    {"\xD9\xA1\xD9\xA2\xD9\xA3", {"\xD9\xA1\xD9\xA2\xD9\xA3"}, {}},   // Arabic-Indic 123
    {"\xEF\xBC\x91\xEF\xBC\x92", {"\xEF\xBC\x91\xEF\xBC\x92"}, {}},   // fullwidth 12
    {"5\xD9\xA5", {"5\xD9\xA5"}, {"5"}},  // mixed scripts: \d+ takes both
    {"price: $3.50!", {"3.50"}, {"3.50"}},
    {"x^2+3x-4=0", {"2", "3", "-4", "0"}, {"2", "3", "4", "0"}},
    {"12:30", {"12", "30"}, {"12", "30"}},
    {"1/2", {"1", "2"}, {"1", "2"}},
    {"10^-3", {"10", "-3"}, {"10", "-3"}},
    {"e5", {"5"}, {}},
    {"--5", {"-5"}, {"-5"}},
    {"\xCF\x80\xE2\x89\x88" "3.14", {"3.14"}, {"3.14"}},  // π≈3.14
    {"\xE6\xB8\xA9\xE5\xBA\xA6\xE6\x98\xAF-5\xE5\xBA\xA6", {"-5"}, {"-5"}},  // 温度是-5度
    {"0x1F", {"0", "1"}, {"0"}},
    {"1_000", {"1", "000"}, {"1"}},
    {"9.", {"9"}, {"9"}},
    {"a.5", {"5"}, {}},
    {"'a1b'", {"1"}, {}},
    {"3'", {}, {"3"}},
    {"1e5e5", {"1e5", "5"}, {"1e5"}},
    {"-", {}, {}},
    {"", {}, {}},
};

TEST(NumberScannerTest, Table) {
  NumberScanOptions paper;
  paper.mode = NumberMode::kPaper;
  const NumberScanOptions standard;
  EXPECT_GE(std::size(kRows), 60u);
  for (const Row& row : kRows) {
    EXPECT_EQ(Find(row.text, paper), row.paper) << "paper: " << row.text;
    EXPECT_EQ(Find(row.text, standard), row.standard) << "standard: " << row.text;
  }
}

struct OptionRow {
  const char* text;
  Numbers numbers;
};

void ExpectRows(const NumberGrammar& grammar, std::initializer_list<OptionRow> rows) {
  NumberScanOptions options;
  options.grammar = grammar;
  for (const OptionRow& row : rows) {
    EXPECT_EQ(Find(row.text, options), row.numbers) << row.text;
  }
}

TEST(NumberScannerTest, PlusSign) {
  NumberGrammar g;
  g.plus_sign = true;
  ExpectRows(g, {{"+3", {"+3"}}, {"a +3", {"+3"}}, {"1+2", {"1", "2"}}, {"x+1", {"1"}},
                 {"+-3", {"-3"}}});
}

TEST(NumberScannerTest, LeadingAndTrailingDot) {
  NumberGrammar lead;
  lead.leading_dot = true;
  ExpectRows(lead, {{".5", {".5"}}, {"-.5", {"-.5"}}, {"a.5", {}}, {"v1.5", {}},
                    {"x = .25e2", {".25e2"}}, {".", {}}, {"3.", {"3"}}});
  NumberGrammar trail;
  trail.trailing_dot = true;
  ExpectRows(trail, {{"3.", {"3."}}, {"3.e5", {"3.e5"}}, {"3.5", {"3.5"}}, {".5", {"5"}}});
}

TEST(NumberScannerTest, GroupSeparators) {
  NumberGrammar g;
  g.group_separators = true;
  ExpectRows(g, {{"1,234,567", {"1,234,567"}},
                 {"1,23", {"1", "23"}},
                 {"1,2345", {"1", "2345"}},
                 {"1234,567", {"1234", "567"}},
                 {"[1,2]", {"1", "2"}},
                 {"1,000.5", {"1,000.5"}},
                 {"12,345,67", {"12", "345", "67"}},
                 {"-1,000", {"-1,000"}},
                 {"1,000,", {"1,000"}}});
  g.group_separator = '_';
  ExpectRows(g, {{"1_000_000", {"1_000_000"}}, {"1,000", {"1", "000"}}});
  NumberScanOptions bad;
  bad.grammar.group_separators = true;
  bad.grammar.group_separator = '5';
  std::vector<NumberSpan> spans;
  EXPECT_FALSE(FindNumbers("1", bad, &spans).ok());
}

TEST(NumberScannerTest, UnicodeDigits) {
  NumberGrammar g;
  g.unicode_digits = true;
  ExpectRows(g, {{"\xD9\xA1\xD9\xA2\xD9\xA3", {"\xD9\xA1\xD9\xA2\xD9\xA3"}},
                 {"\xEF\xBC\x91\xEF\xBC\x92", {"\xEF\xBC\x91\xEF\xBC\x92"}},
                 {"5\xD9\xA5", {}},  // digits of two scripts: text
                 {"x\xD9\xA1", {}},
                 {"-\xD9\xA1.\xD9\xA5", {"-\xD9\xA1.\xD9\xA5"}},
                 {"\xE4\xB8\x80" "3", {"3"}}});  // 一3: CJK is not a digit
}

TEST(NumberScannerTest, BinaryMinusAndExponentOptions) {
  NumberGrammar g;
  g.binary_minus_as_sign = true;
  ExpectRows(g, {{"1-2", {"1", "-2"}}, {"x-1", {"-1"}}, {"2024-04-04", {"2024", "-04", "-04"}}});
  NumberGrammar e;
  e.exponent = false;
  ExpectRows(e, {{"1e5", {"1"}}, {"1.5E-3", {"1.5", "3"}}});
}

TEST(NumberScannerTest, InvalidUtf8AndLongRuns) {
  NumberScanOptions paper;
  paper.mode = NumberMode::kPaper;
  const NumberScanOptions standard;
  const std::string bytes = "\xFF" "1\xD9" "2\xEF\xBC" "3\xF0";
  EXPECT_EQ(Find(bytes, paper), (Numbers{"1", "2", "3"}));
  EXPECT_EQ(Find(bytes, standard), (Numbers{"1", "2", "3"}));
  // A long rejected run stays linear and finds nothing (paper: followed by a quote).
  const std::string run = std::string(200000, '7') + "'";
  EXPECT_EQ(Find(run, paper), Numbers{});
  EXPECT_EQ(Find("x" + std::string(200000, '7'), standard), Numbers{});
}

struct ValueRow {
  const char* text;
  double value;
  float value32;
  bool overflow32;
  int significant_digits;
};

// The SIMD block scanner (the default grammar's path) against the byte-at-a-time scanner,
// on every Highway target this machine runs: random texts over the bytes the grammar cares
// about, of every length up to a few blocks (numbers cut by block ends, long digit runs, signs
// at the last byte of a block), under each option the block scanner honours.
std::string DescribeOptions(const NumberGrammar& g) {
  return std::string("plus_sign=") + (g.plus_sign ? "1" : "0") +
         " exponent=" + (g.exponent ? "1" : "0") +
         " binary_minus_as_sign=" + (g.binary_minus_as_sign ? "1" : "0");
}

std::vector<NumberScanOptions> BlockScannerOptions() {
  std::vector<NumberScanOptions> all;
  for (int bits = 0; bits < 8; ++bits) {
    NumberScanOptions o;
    o.grammar.plus_sign = bits & 1;
    o.grammar.exponent = !(bits & 2);
    o.grammar.binary_minus_as_sign = bits & 4;
    all.push_back(o);
  }
  return all;
}

// First difference between the two scanners on `text`, or "".
std::string CompareScanners(const text::NumberScanner& scanner, const std::string& text,
                            uint32_t base) {
  std::vector<NumberSpan> got, want;
  scanner.Scan(text, base, &got);
  scanner.ByteAtATimeForTest(text, base, &want);
  if (got == want) return "";
  std::string why = "text \"" + text + "\" (" + DescribeOptions(scanner.options().grammar) + ")";
  for (size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
    auto show = [&](const std::vector<NumberSpan>& v) {
      return i < v.size() ? std::to_string(v[i].begin) + ".." + std::to_string(v[i].end)
                          : std::string("none");
    };
    if (i >= got.size() || i >= want.size() || !(got[i] == want[i])) {
      return why + ": number " + std::to_string(i) + " is " + show(got) + ", byte at a time " +
             show(want);
    }
  }
  return why;
}

TEST(BlockScannerTest, MatchesByteAtATimeOnRandomTextOnEveryTarget) {
  const std::string alphabet = "0123456789012345678901234567890123456789-+..eE_xz )]}%'\",(=\n\x80";
  const std::vector<int64_t> targets = util::HighwayTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    util::PinHighwayTarget(target);
    SCOPED_TRACE(text::BlockScannerTargetName());
    std::mt19937 rng(12345);
    int failures = 0;
    for (const NumberScanOptions& options : BlockScannerOptions()) {
      const text::NumberScanner scanner(options);
      for (int round = 0; round < 1500 && failures < 5; ++round) {
        const size_t length = rng() % 200;
        std::string t;
        while (t.size() < length) {
          const unsigned kind = rng() % 16;
          if (kind == 0) {
            t.append(1 + rng() % 70, static_cast<char>('0' + rng() % 10));  // a long run
          } else if (kind == 1) {
            t += "-1.5e-3";
          } else {
            t += alphabet[rng() % alphabet.size()];
          }
        }
        const std::string diff = CompareScanners(scanner, t, static_cast<uint32_t>(round));
        if (!diff.empty()) {
          ++failures;
          ADD_FAILURE() << diff;
        }
      }
    }
  }
  util::PinHighwayTarget(0);
}

// Every offset of a number against a block end (64), with each kind of context before it.
TEST(BlockScannerTest, NumbersAcrossBlockEndsOnEveryTarget) {
  const char* numbers[] = {"7", "-7", "+7", "12.5", "1.5e-3", "1e+22", "3e", "4.", "5.e5", "-x",
                           "a-1", "x.5", "(.5", "9.99.9", "1E5E5", "0-0", "'-3'"};
  for (int64_t target : util::HighwayTargets()) {
    util::PinHighwayTarget(target);
    SCOPED_TRACE(text::BlockScannerTargetName());
    for (const NumberScanOptions& options : BlockScannerOptions()) {
      const text::NumberScanner scanner(options);
      for (const char* number : numbers) {
        for (size_t at = 40; at < 140; ++at) {
          for (const char* before : {" ", "a", ".", "a.", ")", "_"}) {
            std::string t(at, ' ');
            t.replace(at - std::strlen(before), std::strlen(before), before);
            t += number;
            t += " 1";
            EXPECT_EQ(CompareScanners(scanner, t, 0), "");
            t.resize(at + std::strlen(number));  // the number at the very end of the text
            EXPECT_EQ(CompareScanners(scanner, t, 0), "");
          }
        }
      }
    }
  }
  util::PinHighwayTarget(0);
}

// The whole corpus, as one text and line by line, with the default options.
TEST(BlockScannerTest, MatchesByteAtATimeOnTheCorpus) {
  auto corpus = testing::LoadCorpus(testing::DataDir());
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  const text::NumberScanner scanner(NumberScanOptions{});
  std::string joined;
  for (const std::string& line : *corpus) {
    ASSERT_EQ(CompareScanners(scanner, line, 0), "");
    joined += line + "\n";
  }
  ASSERT_EQ(CompareScanners(scanner, joined, 0), "");
}

TEST(ParseNumberTest, Values) {
  const ValueRow rows[] = {
      {"1e5", 1e5, 1e5f, false, 1},
      {"1E-05", 1e-5, 1e-5f, false, 1},
      {"-0", -0.0, -0.0f, false, 0},
      {"00012", 12, 12.0f, false, 2},
      {"1,000", 1000, 1000.0f, false, 1},
      {"1e400", INFINITY, INFINITY, true, 1},
      {"-1e400", -INFINITY, -INFINITY, true, 1},
      {"1e-400", 0, 0.0f, false, 1},
      {"1.4e-45", 1.4e-45, 1.4e-45f, false, 2},  // float's smallest subnormal
      {"1e-40", 1e-40, 1e-40f, false, 1},        // a float subnormal
      {"4.9e-324", 4.9e-324, 0.0f, false, 2},    // double's smallest subnormal
      {"3.5e38", 3.5e38, INFINITY, true, 2},
      {"3.4028235e38", 3.4028235e38, 3.4028235e38f, false, 8},
      {"123456789012345678901234567890", 123456789012345678901234567890.0,
       123456789012345678901234567890.0f, false, 29},
      {"16777217", 16777217, 16777216.0f, false, 8},
      {"0.1", 0.1, 0.1f, false, 1},
      {"-2.50", -2.5, -2.5f, false, 2},
      {".5", 0.5, 0.5f, false, 1},
      {"5.", 5, 5.0f, false, 1},
      {"+7", 7, 7.0f, false, 1},
      {"\xD9\xA1\xD9\xA2.\xD9\xA5", 12.5, 12.5f, false, 3},
      {"1e-99999999999999999999", 0, 0.0f, false, 1},
      {"1e99999999999999999999", INFINITY, INFINITY, true, 1},
      {"0e99999999999999999999", 0, 0.0f, false, 0},
      // Halfway between two floats in decimal but not in double: one rounding is needed.
      {"1.00000005960464477550", 1.0000000596046448, 1.00000011920928955f, false, 20},
  };
  for (const ValueRow& r : rows) {
    absl::StatusOr<ParsedNumber> p = ParseNumber(r.text);
    ASSERT_TRUE(p.ok()) << r.text;
    EXPECT_EQ(p->value, r.value) << r.text;
    EXPECT_EQ(std::signbit(p->value), std::signbit(r.value)) << r.text;
    EXPECT_EQ(p->value32, r.value32) << r.text;
    EXPECT_EQ(p->overflow32, r.overflow32) << r.text;
    EXPECT_EQ(p->significant_digits, r.significant_digits) << r.text;
  }
  for (const char* bad : {"", "-", "e5", "1e", "1x", "1.2.3", "..5"}) {
    EXPECT_FALSE(ParseNumber(bad).ok()) << bad;
  }
}

// Short decimals take Clinger's fast path (an exact significand times an exact power of ten);
// it must give from_chars' correctly rounded double and float, bit for bit, on both sides of
// the path's limits (2^24 and 2^53 significands, |q| of 10 and 22), with and without sign,
// fraction and exponent, and through ParseNumberFor too.
TEST(ParseNumberTest, FastPathMatchesFromChars) {
  std::mt19937_64 rng(7);
  const uint64_t significands[] = {0, 1, 9, 10, 16777215, 16777216, 16777217, 33554431,
                                   9007199254740991, 9007199254740992, 9007199254740993,
                                   99999999999999999};
  auto check = [](const std::string& t) {
    double d = 0;
    float f = 0;
    // Out of range (from_chars leaves the value unset then) is the general path's business.
    const bool d_ok = std::from_chars(t.data(), t.data() + t.size(), d).ec == std::errc();
    const bool f_ok = std::from_chars(t.data(), t.data() + t.size(), f).ec == std::errc();
    absl::StatusOr<ParsedNumber> p = ParseNumber(t);
    ASSERT_TRUE(p.ok()) << t;
    if (d_ok) EXPECT_EQ(std::memcmp(&p->value, &d, sizeof(d)), 0) << t << " " << p->value;
    if (f_ok) EXPECT_EQ(std::memcmp(&p->value32, &f, sizeof(f)), 0) << t << " " << p->value32;
    absl::StatusOr<ParsedNumber> only32 = text::ParseNumberFor(t, false, true);
    ASSERT_TRUE(only32.ok()) << t;
    if (f_ok) EXPECT_EQ(std::memcmp(&only32->value32, &f, sizeof(f)), 0) << t;
    absl::StatusOr<ParsedNumber> only64 = text::ParseNumberFor(t, true, false);
    ASSERT_TRUE(only64.ok()) << t;
    if (d_ok) EXPECT_EQ(std::memcmp(&only64->value, &d, sizeof(d)), 0) << t;
    float fast = 0;
    int significant_digits = -1;
    if (text::ParseFloatFast(t, &fast, &significant_digits)) {
      EXPECT_TRUE(f_ok) << t;
      EXPECT_EQ(std::memcmp(&fast, &f, sizeof(f)), 0) << t << " " << fast;
      EXPECT_EQ(significant_digits, p->significant_digits) << t;
    }
  };
  for (int round = 0; round < 20000; ++round) {
    uint64_t w = round < 200 ? significands[round % 12] : rng() >> (rng() % 64);
    if (rng() % 3 == 0) w %= 100000000;  // mostly short ones
    std::string digits = std::to_string(w);
    std::string t = (rng() % 2) ? "-" : "";
    const size_t frac = rng() % 4 == 0 ? 0 : rng() % (digits.size() + 12);
    if (frac >= digits.size()) digits.insert(0, frac - digits.size() + 1, '0');
    t += digits.substr(0, digits.size() - frac);
    if (frac > 0) t += "." + digits.substr(digits.size() - frac);
    if (rng() % 3 == 0) {
      const int e = static_cast<int>(rng() % 61) - 30;
      t += (rng() % 2 ? "e" : "E") + std::string(e >= 0 && rng() % 2 ? "+" : "") +
           std::to_string(e);
    }
    check(t);
    if (HasFailure()) break;
  }
}

TEST(ParseNumberTest, RoundTripsThroughFloat32) {
  for (const char* yes : {"0.1", "00012", "-0", "1e5", "3.14159", "1.5e-3", "100000000"}) {
    EXPECT_TRUE(RoundTripsThroughFloat32(yes)) << yes;
  }
  for (const char* no : {"16777217", "0.1234567891", "123456789012345678901234567890",
                         "1e400", "1e-50", "3.141592653589793"}) {
    EXPECT_FALSE(RoundTripsThroughFloat32(no)) << no;
  }
}

TEST(Float16Test, RoundsAsNumpy) {
  EXPECT_EQ(RoundToFloat16(1.0), 1.0f);
  EXPECT_EQ(RoundToFloat16(0.1), 0.0999755859375f);
  EXPECT_EQ(RoundToFloat16(65504), 65504.0f);
  EXPECT_EQ(RoundToFloat16(65519.99), 65504.0f);
  EXPECT_TRUE(std::isinf(RoundToFloat16(65520)));
  EXPECT_EQ(RoundToFloat16(1.00048828125), 1.0f);  // a tie: to even
  EXPECT_EQ(RoundToFloat16(1.00146484375), 1.001953125f);  // a tie: to even (up)
  EXPECT_EQ(RoundToFloat16(5.960464477539063e-08), 5.960464477539063e-08f);  // smallest
  EXPECT_EQ(RoundToFloat16(2.98023223876953125e-08), 0.0f);  // half of it: to even (0)
  EXPECT_EQ(RoundToFloat16(-2.0000000000000002e-3), -0.0020008087158203125f);
  EXPECT_TRUE(std::signbit(RoundToFloat16(-1e-9)));
}

TEST(FormatShortestDecimalTest, ShortestThatIsAccepted) {
  auto as_float = [](float f) {
    return [f](absl::string_view s) {
      absl::StatusOr<ParsedNumber> p = ParseNumber(s);
      return p.ok() && p->value32 == f && std::signbit(p->value32) == std::signbit(f);
    };
  };
  EXPECT_EQ(FormatShortestDecimal(0.1f, as_float(0.1f)), "0.1");
  EXPECT_EQ(FormatShortestDecimal(1e5f, as_float(1e5f)), "100000");
  EXPECT_EQ(FormatShortestDecimal(1e30f, as_float(1e30f)), "1e+30");
  EXPECT_EQ(FormatShortestDecimal(1e-8f, as_float(1e-8f)), "1e-08");
  EXPECT_EQ(FormatShortestDecimal(-2.5f, as_float(-2.5f)), "-2.5");
  EXPECT_EQ(FormatShortestDecimal(-0.0, as_float(-0.0f)), "-0");
  EXPECT_EQ(FormatShortestDecimal(16777216.0f, as_float(16777216.0f)), "16777216");
  EXPECT_EQ(FormatShortestDecimal(0.0000123f, as_float(0.0000123f)), "0.0000123");
}

TEST(ValueTransformTest, ParseApplyInverse) {
  absl::StatusOr<ValueTransform> t = ValueTransform::Parse("fields:m=1e5,e=20+affine:0.5:1");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_DOUBLE_EQ(t->Apply(2, "m"), 2 * 1e5 * 0.5 + 1);
  EXPECT_DOUBLE_EQ(t->Apply(2, "a"), 2 * 0.5 + 1);
  EXPECT_DOUBLE_EQ(t->Inverse(t->Apply(0.3, "e"), "e"), 0.3);
  absl::StatusOr<ValueTransform> slog = ValueTransform::Parse("slog");
  ASSERT_TRUE(slog.ok());
  EXPECT_DOUBLE_EQ(slog->Apply(-std::expm1(2.0), ""), -2.0);
  EXPECT_DOUBLE_EQ(slog->Inverse(slog->Apply(123.25, ""), ""), 123.25);
  absl::StatusOr<ValueTransform> clip = ValueTransform::Parse("clip:-5:5");
  ASSERT_TRUE(clip.ok());
  EXPECT_EQ(clip->Apply(7, ""), 5);
  EXPECT_EQ(clip->Apply(-INFINITY, ""), -5);
  EXPECT_TRUE(ValueTransform::Parse("identity")->identity());
  // BitTokens' xVal baseline: |x| = 1 is 2.5, the maximum 1e15 is 5, below 1e-14 is 0; values
  // within the band come back.
  absl::StatusOr<ValueTransform> log10 = ValueTransform::Parse("log10");
  ASSERT_TRUE(log10.ok()) << log10.status();
  EXPECT_DOUBLE_EQ(log10->Apply(1, ""), 2.5);
  EXPECT_DOUBLE_EQ(log10->Apply(-1e15, ""), -5.0);
  EXPECT_DOUBLE_EQ(log10->Apply(1e20, ""), 5.0);
  EXPECT_EQ(log10->Apply(1e-15, ""), 0.0);
  EXPECT_EQ(log10->Inverse(0.0, ""), 0.0);
  for (double x : {-123.25, 0.001, 7e12}) {
    EXPECT_NEAR(log10->Inverse(log10->Apply(x, ""), ""), x, std::fabs(x) * 1e-12) << x;
  }
  EXPECT_NEAR(ValueTransform::Parse("log10:100:0.01")->Apply(100, ""), 5.0, 1e-4);
  // 2 * max * min < 1 would encode 0.02 as a negative number.
  EXPECT_FALSE(ValueTransform::Parse("log10:10:0.01").ok());
  for (const char* bad :
       {"scale:0", "scale:x", "clip:5:-5", "affine:1", "slog:1", "log", "log10:1e15", "log10:1:0.1",
        "log10:10:-1", "fields:m", "fields:=3", "scale:inf", "shift:nan"}) {
    EXPECT_FALSE(ValueTransform::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace xval
