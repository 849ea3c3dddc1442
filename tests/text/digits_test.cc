// The digit-splitting pre-tokenizer on its own.
#include "text/pretokenize/digits.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace xval::text {
namespace {

std::vector<std::string> Pieces(absl::string_view text, absl::string_view mode) {
  auto split = DigitSplit::Parse(mode);
  EXPECT_TRUE(split.ok()) << split.status();
  std::vector<std::string> pieces;
  SplitDigits(text, *split,
              [&](size_t b, size_t e) { pieces.emplace_back(text.substr(b, e - b)); });
  return pieces;
}

using V = std::vector<std::string>;

TEST(DigitsTest, Modes) {
  EXPECT_EQ(Pieces("1234567", "ltr3"), (V{"123", "456", "7"}));
  EXPECT_EQ(Pieces("1234567", "rtl3"), (V{"1", "234", "567"}));
  EXPECT_EQ(Pieces("1234567", "individual"), (V{"1", "2", "3", "4", "5", "6", "7"}));
  EXPECT_EQ(Pieces("123456", "rtl3"), (V{"123", "456"}));
  EXPECT_EQ(Pieces("12", "ltr3"), (V{"12"}));
  EXPECT_EQ(Pieces("12", "rtl3"), (V{"12"}));
  EXPECT_EQ(Pieces("1234567", "none"), (V{"1234567"}));
  EXPECT_EQ(Pieces("12345", "rtl2"), (V{"1", "23", "45"}));
}

TEST(DigitsTest, DigitsStandApartFromOtherText) {
  EXPECT_EQ(Pieces("x=1234.5kg", "ltr3"), (V{"x=", "123", "4", ".", "5", "kg"}));
  EXPECT_EQ(Pieces("\xE2\x96\x81"
                   "2024",
                   "rtl3"),
            (V{"\xE2\x96\x81", "2", "024"}));
  EXPECT_EQ(Pieces("no digits", "ltr3"), (V{"no digits"}));
  EXPECT_EQ(Pieces("", "ltr3"), V{});
  // Only ASCII digits are grouped: full-width digits are other text.
  EXPECT_EQ(Pieces("\xEF\xBC\x91\xEF\xBC\x92", "individual"), (V{"\xEF\xBC\x91\xEF\xBC\x92"}));
}

TEST(DigitsTest, BadNames) {
  for (const char* bad : {"ltr0", "rtl", "ltr65", "digits", "ltrx", "rtl-1"}) {
    EXPECT_FALSE(DigitSplit::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace xval::text
