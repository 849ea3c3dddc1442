// DeepSeek's Split patterns (deepseek_scanner.cc) cut text exactly as the same patterns on PCRE2
// translated from Oniguruma (hf::Regex, what any other tokenizer.json Split runs on): on the
// corpus, hand-picked cases, seeded random strings and megabyte runs. Hugging Face tokenizers
// itself is the reference in tests/python/test_hf_tokenizer_json.py (the published files).
#include <unicode/uchar.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "text/bytelevel_corpus.h"
#include "text/hf/regex.h"
#include "text/pretokenize/pretokenizer.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

// The Split patterns of DeepSeek LLM, Coder and V3 as their tokenizer.json files hold them.
const std::pair<const char*, const char*> kPatterns[] = {
    {"crlf", "[\r\n]"},
    // Written with escapes: several of its characters have canonical equivalents (U+1F7D and
    // U+03CE, U+212A and K), and a copy through NFC would change the ranges (llama.cpp's did).
    {"llm_letters",
     "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293"
     "\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a"
     "\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556"
     "\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b"
     "\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d"
     "\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe"
     "\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4"
     "\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128"
     "\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184"
     "\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b"
     "\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17"
     "\uff21-\uff3a\uff41-\uff5a\U00010400-\U0001044f\U000104b0-\U000104d3"
     "\U000104d8-\U000104fb\U00010c80-\U00010cb2\U00010cc0-\U00010cf2\U000118a0-\U000118df"
     "\U0001e900-\U0001e943]+"},
    {"llm_punct", "\\s?[!-/:-~！-／：-～‘-‟　-。]+"},
    {"trailing_space", "\\s+$"},
    {"cjk", "[一-龥ࠀ-一가-퟿]+"},
    {"coder_letters", "\\s?\\p{L}+"},
    {"coder_punct", "\\s?\\p{P}+"},
    {"digit", "\\p{N}"},
    {"digits", "\\p{N}+"},
    {"v3_digits", "\\p{N}{1,3}"},
    {"v3_cjk_kana", "[一-龥぀-ゟ゠-ヿ]+"},
    {"v3",
     "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?"
     "[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"},
};

std::string Show(absl::string_view text, const std::vector<uint32_t>& ends) {
  std::string out;
  uint32_t begin = 0;
  for (uint32_t e : ends) {
    absl::StrAppend(&out, "[", text.substr(begin, e - begin), "]");
    begin = e;
  }
  return out;
}

class DeepSeekScanner : public ::testing::TestWithParam<std::pair<const char*, const char*>> {
 protected:
  void SetUp() override {
    scanner_ = MakeDeepSeekScanner(GetParam().second);
    ASSERT_NE(scanner_, nullptr) << GetParam().first << " has no hand-written scanner";
    auto regex = hf::Regex::FromOniguruma(GetParam().second, GetParam().first);
    ASSERT_TRUE(regex.ok()) << regex.status();
    regex_ = std::make_unique<hf::Regex>(std::move(*regex));
  }
  // Tokenizers' Isolated split: every match a piece, every stretch between one.
  std::vector<uint32_t> Reference(absl::string_view text) const {
    std::vector<std::pair<size_t, size_t>> matches;
    regex_->FindAll(text, &matches);
    std::vector<uint32_t> ends;
    size_t covered = 0;
    for (const auto& [b, e] : matches) {
      if (b > covered) ends.push_back(static_cast<uint32_t>(b));
      if (e > b) ends.push_back(static_cast<uint32_t>(e));
      covered = e;
    }
    if (text.size() > covered) ends.push_back(static_cast<uint32_t>(text.size()));
    return ends;
  }
  bool Same(absl::string_view text) {
    std::vector<uint32_t> got;
    scanner_->Split(text, &got);
    const std::vector<uint32_t> want = Reference(text);
    if (got == want) return true;
    if (reported_++ < 5) {
      ADD_FAILURE() << GetParam().first << " on \"" << text << "\"\n  scanner: " << Show(text, got)
                    << "\n  pcre2:   " << Show(text, want);
    }
    return false;
  }
  std::unique_ptr<PreTokenizer> scanner_;
  std::unique_ptr<hf::Regex> regex_;
  int reported_ = 0;
};

TEST_P(DeepSeekScanner, HandPickedCases) {
  for (const char* text : {"",
                           " ",
                           "a",
                           "Hello world",
                           "Hello  world  ",
                           "x \r\n y \r z  ",
                           "a  \n b  \n",
                           "\n",
                           " \n",
                           "\r\n\r\n  end",
                           "it's 123 4567 ½²",
                           "a.b,c!! ?? ...\n\n",
                           "$x+y=z$ \\frac{1}{2}",
                           " \u00a0x\u3000y\u3001\u3002",
                           "日本語のテキスト・カナ゠ー",
                           "한국어 텍스트",
                           "中文，标点。",
                           "e\xCC\x81t\xC3\xA9 \xCC\x81 \xCC\x81x",
                           "\x01x \x01 1x _a .a",
                           "x\xFFy \xC3 z",
                           "😀😀 hi €5",
                           "Ｆｕｌｌ　ｗｉｄｔｈ！",
                           "‘quoted’ “double”",
                           "\t\tx\t \t",
                           "a\u2028b\u0085c",
                           "µÀ×÷ ΑΒΓ αβγ Ⅻ ⅻ 𐐀𐐨",
                           "end   ",
                           "\n\n\n",
                           " , ;"}) {
    EXPECT_TRUE(Same(text));
  }
}

TEST_P(DeepSeekScanner, EveryCorpusString) {
  auto count = testing::CountCorpusDifferences([&](const std::string& s) { return Same(s); });
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->differ, 0u) << "of " << count->strings << " strings";
  EXPECT_GT(count->strings, 10000u);
}

// Random strings over characters of every class the patterns test, and random code points
// from the whole range. Left out: characters new in Unicode 15 (ICU's tables, which the scanners
// read, have them; Debian's PCRE2 has Unicode 14) and U+180E, which PCRE2 counts as \s though
// it is no longer White_Space.
TEST_P(DeepSeekScanner, SeededRandomStrings) {
  std::vector<char32_t> pool;
  for (const char32_t c : std::u32string(U" \t\n\r\v\f\x01\x7F"
                                         U"aZ09'\"!#$%&()*+,-./:;<=>?@[\\]^_`{|}~"
                                         U"\u00a0\u0085\u00b5\u00c0\u00d7\u00f7\u00bd\u00b2\u0301"
                                         U"\u0300\u0391\u03b1\u0416\u0436\u0663\u2160\u2028\u2029"
                                         U"\u2018\u201f\u3000\u3001\u3002\u3005\u3040\u3042\u30a0"
                                         U"\u30a2\u30fb\u30fc\u4e00\u9fa5\u9fa6\u0800\uac00\ud7a3"
                                         U"\ud7ff\uff01\uff0f\uff10\uff21\uff41\uff5e\u200b\ue000"
                                         U"\U00010400\U0001e900\U0001f600\u20ac\u2212\u02c6")) {
    pool.push_back(c);
  }
  testing::SplitMix64 rng(20261204);
  while (pool.size() < 300) {
    char32_t c = static_cast<char32_t>(rng.Next() % 0x110000);
    if (rng.Next() % 2) c = static_cast<char32_t>(rng.Next() % 0x3100);
    if ((c >= 0xD800 && c < 0xE000) || c == 0x180E) continue;
    UVersionInfo age;
    u_charAge(static_cast<UChar32>(c), age);
    if (age[0] >= 15) continue;
    pool.push_back(c);
  }
  size_t differ = 0;
  for (const std::string& s : testing::PropertyStrings(20261204, 6000, pool)) differ += !Same(s);
  EXPECT_EQ(differ, 0u);
}

// A megabyte of one kind of character: runs are scanned once (`\s+$` skips a whitespace run that
// does not end the text rather than trying each of its positions).
TEST_P(DeepSeekScanner, MegabyteRuns) {
  for (const char* unit : {"x", " ", "  x", "!", "1", "\n", "\xE4\xB8\x80", " \xC3\xA9"}) {
    std::string text;
    while (text.size() < (1u << 20)) text += unit;
    EXPECT_TRUE(Same(text)) << "a megabyte of \"" << unit << "\"";
    EXPECT_TRUE(Same(text + "x")) << "a megabyte of \"" << unit << "\", then x";
  }
}

INSTANTIATE_TEST_SUITE_P(Patterns, DeepSeekScanner, ::testing::ValuesIn(kPatterns),
                         [](const auto& info) { return std::string(info.param.first); });

TEST(DeepSeekScannerTest, NewlinesAsCharactersOrEscapes) {
  for (const auto& [name, pattern] : kPatterns) {
    const std::string escaped = absl::StrReplaceAll(pattern, {{"\r", "\\r"}, {"\n", "\\n"}});
    EXPECT_NE(MakeDeepSeekScanner(escaped), nullptr) << name;
  }
}

TEST(DeepSeekScannerTest, OtherShapesAreLeftToTheRegexEngine) {
  for (const char* pattern : {"[^a-z]+", "\\s?\\p{Lu}+", "a|b", "[a-z]*", "(?i)[a-z]+", "\\d+",
                              "\\s?[a-z]+$", "[[:alpha:]]+", "[a-", "\\p{N}{2,3}", ""}) {
    EXPECT_EQ(MakeDeepSeekScanner(pattern), nullptr) << pattern;
  }
}

}  // namespace
}  // namespace xval::text
