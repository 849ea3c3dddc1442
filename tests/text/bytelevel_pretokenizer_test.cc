// The hand-written scanners split exactly as PCRE2 running the same patterns does: on the
// whole corpus, on hand-picked cases, and on thousands of seeded random Unicode strings.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "text/bytelevel_corpus.h"
#include "text/pretokenize/block_cuts.h"
#include "text/pretokenize/pretokenizer.h"
#include "text/pretokenize/scanner_cursor.h"
#include "text/pretokenize/unicode_classes.h"
#include "util/file.h"
#include "util/highway_targets.h"

namespace xval::text {
namespace {

struct Case {
  const char* name;
  absl::string_view pattern;
  std::unique_ptr<PreTokenizer> (*make)();
};

const Case kCases[] = {
    {"gpt2", kGpt2Pattern, MakeGpt2Scanner},
    {"gpt2_original", kGpt2OriginalPattern, MakeGpt2Scanner},
    {"cl100k", kCl100kPattern, MakeCl100kScanner},
    {"llama3", kLlama3Pattern, MakeLlama3Scanner},
    {"qwen2", kQwen2Pattern, MakeQwen2Scanner},
    {"o200k", kO200kPattern, MakeO200kScanner},
};

std::vector<std::string> Pieces(const PreTokenizer& p, absl::string_view text) {
  std::vector<uint32_t> ends;
  p.Split(text, &ends);
  std::vector<std::string> out;
  uint32_t begin = 0;
  for (uint32_t e : ends) {
    out.emplace_back(text.substr(begin, e - begin));
    begin = e;
  }
  return out;
}

class ScannerVsPcre2 : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    scanner_ = GetParam().make();
    auto regex = MakeRegexPreTokenizer(GetParam().pattern, GetParam().name);
    ASSERT_TRUE(regex.ok()) << regex.status();
    regex_ = std::move(*regex);
  }
  // Returns false (and reports) on the first few differences.
  bool Same(absl::string_view text) {
    const auto a = Pieces(*scanner_, text), b = Pieces(*regex_, text);
    if (a == b) return true;
    if (reported_++ < 5) {
      std::string sa, sb;
      for (const auto& p : a) absl::StrAppend(&sa, "[", p, "]");
      for (const auto& p : b) absl::StrAppend(&sb, "[", p, "]");
      ADD_FAILURE() << GetParam().name << " on \"" << text << "\"\n  scanner: " << sa
                    << "\n  pcre2:   " << sb;
    }
    return false;
  }
  std::unique_ptr<PreTokenizer> scanner_, regex_;
  int reported_ = 0;
};

TEST_P(ScannerVsPcre2, HandPickedCases) {
  for (const char* text :
       {"", " ", "  ", "a", "Hello world", "Hello  world", "Hello   \n\n  world  ", "it's I'LL",
        "'s 're 'VE 'ſ x'ſ", "don't  stop\t\tnow\r\n", "123456789 12 1", " 1234 x", "½ Ⅵ ٣",
        "a.b,c!! ?? ...\n\n", "foo/bar//baz\n/", "  \n", "\n\n\n", " \t\n x", "x \xC2\xA0y",
        "CamelCaseWORDSAndMore", "ǅungla ʰa", "e\xCC\x81t\xC3\xA9 \xCC\x81",
        "\xCC\x81\xCC\x81"
        "A ",
        "!\xCC\x81"
        "A b",
        "A\xCC\x81", "日本語のテキスト", "😀😀 hi", "x\u2028y\u3000z", "  'tis", "$<<16-3-4=9>>9",
        "\\frac{1}{2}", "end   ",
        // ASCII runs that go on into non-ASCII characters of the same class, or stop there.
        "caf\xC3\xA9s na\xC3\xAFve",
        "ABC\xC3\x89"
        "D\xC3\xA9"
        "f",
        "12\xC2\xBD"
        "3 1\xD9\xA3\xD9\xA3\xD9\xA3",
        "(\xC3\xA9) !\xCC\x81x", " \xC2\xA0x", "a \xE3\x80\x80", "x'\xC5\xBF", "ABC's DEF'S",
        "--\xE2\x80\x94--", " /\xE2\x80\x94/\n", "x\xF0\x9F\x98\x80y",
        "Ab\xCC\x81"
        "C",
        // Contractions one after another, in texts long enough for the 64-byte block path.
        "words before the contractions come, in a block of their own: ab's's AB'S'S'S x'll've'd",
        "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97 words before the contractions come: "
        "\xCA\xB0"
        "A's's\xE4\xB8\xAD"
        "BC'd"}) {
    EXPECT_TRUE(Same(text));
  }
}

TEST_P(ScannerVsPcre2, EveryCorpusString) {
  auto count = testing::CountCorpusDifferences([&](const std::string& s) { return Same(s); });
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->differ, 0u) << "of " << count->strings << " strings";
  EXPECT_GT(count->strings, 10000u);
}

// A pool of code points for random strings: the characters the patterns care about, plus
// random code points from the whole range on which PCRE2's Unicode tables (its own Unicode
// version) agree with ours (tiktoken's); the disagreements are counted, not hidden.
std::vector<char32_t> RandomPool(uint64_t seed, size_t* dropped) {
  std::vector<char32_t> pool;
  for (char32_t c : std::u32string(U"aAzZsStTlLvVeErRdDmM09 '\t\n\r.,!?/()-\"#\\")) {
    pool.push_back(c);
  }
  for (char32_t c : {0x20, 0x20, 0x20, 0x20, 0x17F, 0xA0, 0x85, 0x2028, 0x3000, 0x301, 0x903,
                     0x1C5, 0x2B0, 0x4E00, 0x5D0, 0xC9, 0xE9, 0xBD, 0x2165, 0x661, 0x1F600,
                     0xA9, 0xFFFD}) {
    pool.push_back(static_cast<char32_t>(c));
  }
  // The class of a character by PCRE2, to compare with the table.
  std::vector<std::pair<CharClass, std::unique_ptr<PreTokenizer>>> probes;
  for (auto [cls, pat] : {std::pair{kLu, "\\p{Lu}"}, {kLl, "\\p{Ll}"}, {kLt, "\\p{Lt}"},
                          {kLm, "\\p{Lm}"}, {kLo, "\\p{Lo}"}, {kMark, "\\p{M}"},
                          {kNumber, "\\p{N}"}, {kSpace, "\\s"}}) {
    probes.emplace_back(cls, std::move(*MakeRegexPreTokenizer(pat, "probe")));
  }
  const uint8_t* table = UnicodeClassTable();
  testing::SplitMix64 rng(seed);
  *dropped = 0;
  while (pool.size() < 400) {
    char32_t c = static_cast<char32_t>(rng.Next() % 0x110000);
    if (c >= 0xD800 && c < 0xE000) continue;
    if (rng.Next() % 2) c = static_cast<char32_t>(rng.Next() % 0x3000);  // denser scripts
    std::string s;
    util::AppendUtf8(c, &s);
    uint8_t pcre_class = kOther;
    for (const auto& [cls, probe] : probes) {
      // Behind a control character (in no class), a match is a piece of its own: two pieces.
      std::vector<uint32_t> ends;
      probe->Split(absl::StrCat("\x01", s), &ends);
      if (ends.size() == 2) pcre_class = cls;
    }
    if (pcre_class != table[c]) {
      ++*dropped;
      continue;
    }
    pool.push_back(c);
  }
  return pool;
}

// The non-ASCII code points of RandomPool(seed).
std::vector<char32_t> NonAsciiPool(uint64_t seed) {
  size_t dropped = 0;
  std::vector<char32_t> unicode;
  for (char32_t c : RandomPool(seed, &dropped)) {
    if (c >= 0x80) unicode.push_back(c);
  }
  return unicode;
}

TEST_P(ScannerVsPcre2, SeededRandomStrings) {
  const uint64_t seed = 20240611;
  size_t dropped = 0;
  const std::vector<char32_t> pool = RandomPool(seed, &dropped);
  // A few code points are classed differently by PCRE2's older Unicode tables.
  EXPECT_LT(dropped, 40u);
  const auto strings = testing::PropertyStrings(seed, 5000, pool);
  size_t differ = 0;
  for (const std::string& s : strings) differ += !Same(s);
  EXPECT_EQ(differ, 0u) << "seed " << seed << ", " << dropped << " code points left out";
}

// Longer strings made of runs, so that the scanners' ASCII fast paths meet non-ASCII
// characters in every position: inside and at the end of a letter, digit, space or punctuation
// run ("abcé", "12½", " \u3000", "!!\u0301"), after a contraction, and at the end of the text.
TEST_P(ScannerVsPcre2, SeededRunsAcrossAsciiBoundaries) {
  const uint64_t seed = 20261126;
  const std::vector<char32_t> unicode = NonAsciiPool(seed);
  const std::u32string kinds[] = {
      U"abcdefghijklmnopqrstuvwxyz", U"ABCDEFGHIJKLMNOPQRSTUVWXYZ", U"aAbBsStTlLdDeEvVrR",
      U"0123456789", U" ", U" \t\n\r\v\f", U"'", U"!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\x01\x7F",
      U"/\r\n"};
  testing::SplitMix64 rng(seed);
  size_t differ = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string s;
    const int runs = static_cast<int>(rng.Next() % 16);
    for (int r = 0; r < runs; ++r) {
      const uint64_t kind = rng.Next() % 11;
      const int len = 1 + static_cast<int>(rng.Next() % 8);
      for (int k = 0; k < len; ++k) {
        const char32_t c = kind >= 9 ? unicode[rng.Next() % unicode.size()]
                                     : kinds[kind][rng.Next() % kinds[kind].size()];
        util::AppendUtf8(c, &s);
      }
    }
    differ += !Same(s);
  }
  EXPECT_EQ(differ, 0u) << "seed " << seed;
}

// A megabyte of one character class: the runs are scanned once (a quadratic scan would not
// finish), and the cuts equal PCRE2's.
TEST_P(ScannerVsPcre2, MegabyteRuns) {
  for (const char* unit : {"x", "A", "Ab", "1", " ", "!", "\xC3\xA9", "a'", "\n"}) {
    std::string text;
    while (text.size() < (1u << 20)) text += unit;
    EXPECT_TRUE(Same(text)) << "a megabyte of \"" << unit << "\"";
  }
}

// Texts of hundreds of bytes, mostly ASCII runs of every class with a few non-ASCII characters
// and apostrophes, and the corpus as one text: the 64-byte block path of the cl100k family and
// o200k (block_cuts.cc) meets every rule at every offset of its blocks and hands over to the byte
// path and back. On every Highway target that this machine runs.
TEST_P(ScannerVsPcre2, LongTextsOnEveryBlockTarget) {
  const uint64_t seed = 20261205;
  const std::vector<char32_t> unicode = NonAsciiPool(seed);
  const std::u32string kinds[] = {U"abcdefghijklmnopqrstuvwxyz",
                                  U"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                  U"aAbBsStTlLdDeEvVrR",
                                  U"0123456789",
                                  U" ",
                                  U"  \t\n\r\v\f",
                                  U"\n",
                                  U"\r\n",
                                  U"!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\x01\x7F",
                                  U".,",
                                  U"'",
                                  U"/\r\n"};
  testing::SplitMix64 rng(seed);
  std::vector<std::string> texts;
  for (int i = 0; i < 1500; ++i) {
    std::string s;
    const int runs = 8 + static_cast<int>(rng.Next() % 120);
    for (int r = 0; r < runs; ++r) {
      const uint64_t kind = rng.Next() % 43;
      const int len = 1 + static_cast<int>(rng.Next() % (kind % 3 == 0 ? 12 : 4));
      for (int k = 0; k < len; ++k) {
        const char32_t c = kind >= 12 * 3 ? unicode[rng.Next() % unicode.size()]
                                          : kinds[kind / 3][rng.Next() % kinds[kind / 3].size()];
        util::AppendUtf8(c, &s);
      }
    }
    texts.push_back(std::move(s));
  }
  std::string corpus;
  auto lines = testing::CorpusStrings(testing::CorpusFiles().front());
  ASSERT_TRUE(lines.ok()) << lines.status();
  for (const std::string& line : *lines) absl::StrAppend(&corpus, line, "\n");
  for (int64_t target : util::HighwayTargets()) {
    util::PinHighwayTarget(target);
    size_t differ = 0;
    for (const std::string& s : texts) differ += !Same(s);
    EXPECT_EQ(differ, 0u) << "seed " << seed << " on " << BlockCutTargetName();
    EXPECT_TRUE(Same(corpus)) << "the corpus as one text on " << BlockCutTargetName();
  }
  util::PinHighwayTarget(0);
}

// Texts of letters of every class the block path resolves past ASCII, beside what it leaves to
// the byte path: CJK ideographs (found by their bytes), Lo and Lm letters in both of o200k's
// letter classes, upper-case (Lu, Lt) and lower-case letters of two bytes, punctuation of two
// and three bytes as the prefix of a word, U+017F, a mark, non-ASCII spaces and digits, in runs
// long and short enough to meet every rule at every offset of a block and at the text's end.
TEST_P(ScannerVsPcre2, NonAsciiLettersAndPunctuationOnEveryBlockTarget) {
  const std::vector<std::string> kinds[] = {
      {"\xE4\xB8\xAD", "\xE5\xAD\xA6", "\xE9\xBE\xA5", "\xE4\xB8\x80"},  // 中 学 龥 一
      {"\xE3\x81\x82", "\xD7\x90"},                                      // あ א (Lo)
      {"\xCA\xB0", "\xE3\x80\x85"},                                      // ʰ 々 (Lm)
      {"\xC7\x85", "\xC3\x89", "\xCE\xA9"},                              // ǅ É Ω (Lt, Lu)
      {"\xC3\xA9", "\xCF\x80", "\xC3\x9F"},                              // é π ß (Ll)
      {"A", "Z", "Q"},
      {"a", "s", "z", "l", "e"},
      {"\xEF\xBC\x8C", "\xE2\x80\x99", "\xC3\x97", "\xE3\x80\x82"},  // ， ’ × 。
      {" ", "  ", "\n", "'", "'s", "'ll", "(", ".", "1", "123"},
      {"\xC5\xBF", "\xCC\x81", "\xC2\xA0", "\xC2\xBD"},  // ſ, a mark, nbsp, ½
  };
  testing::SplitMix64 rng(20261206);
  std::vector<std::string> texts;
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    const int runs = 1 + static_cast<int>(rng.Next() % 60);
    for (int r = 0; r < runs; ++r) {
      // The rarer kinds (spaces, digits, what stays undecided) less often.
      uint64_t kind = rng.Next() % 20;
      kind = kind < 16 ? kind / 2 : kind - 8;
      if (kind > 9) kind = 8;
      const int len = 1 + static_cast<int>(rng.Next() % (kind < 5 ? 24 : 3));
      for (int k = 0; k < len; ++k) s += kinds[kind][rng.Next() % kinds[kind].size()];
    }
    texts.push_back(std::move(s));
  }
  for (int64_t target : util::HighwayTargets()) {
    util::PinHighwayTarget(target);
    size_t differ = 0;
    for (const std::string& s : texts) differ += !Same(s);
    EXPECT_EQ(differ, 0u) << "on " << BlockCutTargetName();
  }
  util::PinHighwayTarget(0);
}

INSTANTIATE_TEST_SUITE_P(Patterns, ScannerVsPcre2, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

// The eight-byte class masks of the ASCII fast paths agree with the flag table (derived from
// the Unicode tables) for every byte value in every lane, whatever the other lanes hold.
TEST(ScannerTest, SwarClassesMatchTheFlagTable) {
  const uint8_t* flags = AsciiFlagTable();
  const std::pair<uint8_t, uint64_t (*)(uint64_t)> classes[] = {
      {kALetter, SwarClass<kALetter>}, {kAUpper, SwarClass<kAUpper>},
      {kALower, SwarClass<kALower>},   {kADigit, SwarClass<kADigit>}};
  testing::SplitMix64 rng(5);
  for (int b = 0; b < 256; ++b) {
    for (int lane = 0; lane < 8; ++lane) {
      for (int trial = 0; trial < 4; ++trial) {
        unsigned char bytes[8];
        for (unsigned char& x : bytes) x = static_cast<unsigned char>(rng.Next());
        bytes[lane] = static_cast<unsigned char>(b);
        const uint64_t w = swar::Load8(bytes);
        for (const auto& [flag, mask] : classes) {
          for (int k = 0; k < 8; ++k) {
            EXPECT_EQ((mask(w) >> (8 * k + 7)) & 1, (flags[bytes[k]] & flag) ? 1u : 0u)
                << "byte 0x" << std::hex << int{bytes[k]} << " flag " << int{flag};
          }
        }
      }
    }
  }
  // Bytes >= 0x80 have only kANonAscii: every ASCII fast path stops at them.
  for (int b = 0x80; b < 256; ++b) EXPECT_EQ(flags[b], kANonAscii);
}

TEST(ScannerTest, InvalidUtf8KeepsEveryByte) {
  const std::string text = "ab\xFF\xC3 \xE2\x82 x\xED\xA0\x80y \xF4\x90\x80\x80";
  for (const Case& c : kCases) {
    std::vector<uint32_t> ends;
    c.make()->Split(text, &ends);
    ASSERT_FALSE(ends.empty());
    EXPECT_EQ(ends.back(), text.size()) << c.name;
    for (size_t i = 1; i < ends.size(); ++i) EXPECT_LT(ends[i - 1], ends[i]) << c.name;
  }
}

TEST(ScannerTest, FactoryPicksScannersAndRejectsBadPatterns) {
  auto bad = MakePreTokenizer("(unclosed", "tokenizer.json: pre_tokenizer.pattern");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("pre_tokenizer.pattern"), absl::string_view::npos);
  EXPECT_NE(bad.status().message().find("offset"), absl::string_view::npos);
  auto good = MakePreTokenizer("\\d+|\\D+", "x");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(Pieces(**good, "ab12c"), (std::vector<std::string>{"ab", "12", "c"}));
}

}  // namespace
}  // namespace xval::text
