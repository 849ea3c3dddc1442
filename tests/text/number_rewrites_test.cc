// The reversible number rewrites: the papers' own examples, exact round trips on every corpus
// line and on random texts full of the characters that could confuse an inverse, and clear
// errors for texts no rewrite made. The papers' formatting code, reimplemented, is checked
// against these on arithmetic problems in tests/python/test_number_encodings.py.
#include "xval/number_rewrites.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"

namespace xval {
namespace {

std::string Apply(NumberRewrite r, const std::string& text) {
  absl::StatusOr<std::string> out = ApplyNumberRewrite(r, text);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "";
}

std::string Undo(NumberRewrite r, const std::string& text) {
  absl::StatusOr<std::string> out = UndoNumberRewrite(r, text);
  EXPECT_TRUE(out.ok()) << out.status() << " for " << text;
  return out.ok() ? *out : "";
}

constexpr NumberRewrite kRewrites[] = {NumberRewrite::kReverseDigits,
                                       NumberRewrite::kRightToLeftGroups,
                                       NumberRewrite::kDigitCountPrefix};

TEST(NumberRewritesTest, PapersExamples) {
  // Abacus' --reverse_all: operands and answer reversed, least significant digit first.
  EXPECT_EQ(Apply(NumberRewrite::kReverseDigits, "913+397=1310"), "319+793=0131");
  EXPECT_EQ(Apply(NumberRewrite::kReverseDigits, "x12 is -3.14, 1e10"), "x12 is -3.41, 1e01");
  // Singh & Strouse's comma_r2l.
  EXPECT_EQ(Apply(NumberRewrite::kRightToLeftGroups, "1234567+891=1235458"),
            "1,234,567+891=1,235,458");
  EXPECT_EQ(Apply(NumberRewrite::kRightToLeftGroups, "-12345.6789 and 80,000"),
            "-12,345.6789 and 80,,000");
  // NumeroLogic: "{2:42}", and the authors' "sin({1.1:0.5})" for decimals.
  EXPECT_EQ(Apply(NumberRewrite::kDigitCountPrefix, "71*63="), "<sn>2<mn>71<en>*<sn>2<mn>63<en>=");
  EXPECT_EQ(Apply(NumberRewrite::kDigitCountPrefix, "sin(0.5) is -3.14e2"),
            "sin(<sn>1.1<mn>0.5<en>) is -<sn>1.2<mn>3.14<en>e2");
  EXPECT_EQ(Apply(NumberRewrite::kDigitCountPrefix, "<sn>7 <\\en>"),
            "<\\sn><sn>1<mn>7<en> <\\\\en>");
}

TEST(NumberRewritesTest, EveryCorpusLineComesBack) {
  absl::StatusOr<std::vector<std::string>> lines = testing::LoadCorpus(testing::DataDir());
  ASSERT_TRUE(lines.ok()) << lines.status();
  for (NumberRewrite r : kRewrites) {
    size_t changed = 0;
    for (const std::string& line : *lines) {
      const std::string rewritten = Apply(r, line);
      changed += rewritten != line;
      ASSERT_EQ(Undo(r, rewritten), line) << NumberRewriteName(r);
    }
    EXPECT_GT(changed, lines->size() / 20) << NumberRewriteName(r);
  }
}

TEST(NumberRewritesTest, RandomTextsComeBack) {
  const std::vector<std::string> alphabet = {
      "0", "1",  "7",  "9",  ",",  ",",    ".",    "-",    "+",      "e",  "x", " ", "<",
      ">", "\\", "sn", "mn", "en", "<sn>", "<mn>", "<en>", "<\\sn>", "１", "٣", "\n"};
  std::mt19937 rng(23);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string text;
    const int n = static_cast<int>(rng() % 24);
    for (int i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
    for (NumberRewrite r : kRewrites) {
      ASSERT_EQ(Undo(r, Apply(r, text)), text) << NumberRewriteName(r);
    }
  }
}

TEST(NumberRewritesTest, TextsNoRewriteMadeAreRefused) {
  EXPECT_EQ(UndoNumberRewrite(NumberRewrite::kRightToLeftGroups, "1,,,234").status().code(),
            absl::StatusCode::kInvalidArgument);
  for (const char* bad :
       {"<sn>3<mn>42<en>", "<sn>2<mn>42", "42<en>", "<sn>2.1<mn>42<en>", "<sn><mn>4<en>", "<mn>"}) {
    EXPECT_EQ(UndoNumberRewrite(NumberRewrite::kDigitCountPrefix, bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  // Reversal is its own inverse: any text undoes.
  EXPECT_EQ(Undo(NumberRewrite::kReverseDigits, "1,,,234"), "1,,,432");
  EXPECT_EQ(ParseNumberRewrite("numerologic").value(), NumberRewrite::kDigitCountPrefix);
  EXPECT_EQ(ParseNumberRewrite("backwards").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace xval
