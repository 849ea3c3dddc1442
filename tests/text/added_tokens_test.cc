// AddedTokenMatcher's shortcuts (memchr to the next of the few bytes tokens start with, the
// table of first two bytes before any hash lookup) find exactly what trying every token at
// every position finds, leftmost-longest, on seeded random texts and token sets: one shared
// first byte ("<|...|>" as Llama 3's), two (Qwen2's '<' and '['), four, more than four (every
// byte a candidate), and one-byte tokens beside longer ones; MayMatchIn, which lets a
// tokenizer skip the search, is true wherever a token matches.
#include "text/added_tokens.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "text/bytelevel_corpus.h"

namespace xval::text {
namespace {

using Cut = std::pair<int, std::string>;  // token index (-1: text) and its bytes

std::vector<Cut> Reference(const std::vector<AddedToken>& tokens, const std::string& text) {
  std::vector<Cut> out;
  size_t text_begin = 0;
  for (size_t pos = 0; pos < text.size();) {
    int best = -1;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string& c = tokens[i].content;
      if (text.compare(pos, c.size(), c) == 0 &&
          (best < 0 || c.size() > tokens[best].content.size())) {
        best = static_cast<int>(i);
      }
    }
    if (best < 0) {
      ++pos;
      continue;
    }
    if (pos > text_begin) out.emplace_back(-1, text.substr(text_begin, pos - text_begin));
    out.emplace_back(best, tokens[best].content);
    pos += tokens[best].content.size();
    text_begin = pos;
  }
  if (text.size() > text_begin) out.emplace_back(-1, text.substr(text_begin));
  return out;
}

std::vector<Cut> Matched(const std::vector<AddedToken>& tokens, const std::string& text) {
  const AddedTokenMatcher matcher(tokens);
  std::vector<Cut> out;
  matcher.Split(
      text, [&](size_t b, size_t e) { out.emplace_back(-1, text.substr(b, e - b)); },
      [&](const AddedToken& t, size_t b, size_t e) {
        int index = -1;
        for (size_t i = 0; i < tokens.size(); ++i) {
          if (tokens[i].content == t.content) index = static_cast<int>(i);
        }
        out.emplace_back(index, text.substr(b, e - b));
      });
  return out;
}

// Tokens of these contents (one id for all: the tests compare contents).
std::vector<AddedToken> TokensOf(const std::vector<std::string>& contents) {
  std::vector<AddedToken> tokens;
  for (const std::string& c : contents) tokens.push_back(AddedToken{c, 100});
  return tokens;
}

// Up to 39 pieces, each one of `contents` (one in `token_one_in`) or a byte of an alphabet
// dense with the tokens' bytes.
std::string RandomText(testing::SplitMix64& rng, const std::vector<std::string>& contents,
                       uint64_t token_one_in) {
  const std::string alphabet = "<|>/sabecxNUM[]e ";
  std::string text;
  const int len = static_cast<int>(rng.Next() % 40);
  for (int k = 0; k < len; ++k) {
    if (rng.Next() % token_one_in == 0) {
      text += contents[rng.Next() % contents.size()];
    } else {
      text += alphabet[rng.Next() % alphabet.size()];
    }
  }
  return text;
}

TEST(AddedTokenMatcherTest, ShortcutsFindWhatEveryPositionFinds) {
  const std::vector<std::vector<std::string>> sets = {
      {"<|begin|>", "<|end|>", "<|e|>", "<s>"},    // one first byte
      {"<|a|>", "<", "<<"},                        // a one-byte token beside longer ones
      {"[NUM]", "<s>", "</s>", "x", "ab", "abc"},  // four first bytes
      {"<|a|>", "[PAD1]", "[PAD2]", "<s>"},        // two
      {"[NUM]", "<s>", "x", "ab", "e", "|>"},      // more than four
      {"<"},
  };
  testing::SplitMix64 rng(20261205);
  for (const auto& contents : sets) {
    const std::vector<AddedToken> tokens = TokensOf(contents);
    for (int i = 0; i < 2000; ++i) {
      const std::string text = RandomText(rng, contents, 6);
      ASSERT_EQ(Matched(tokens, text), Reference(tokens, text)) << "\"" << text << "\"";
    }
  }
}

// MayMatchIn, which lets a tokenizer skip Split: true wherever a token matches, on the sets
// above and on five pairs of first bytes (more than the matcher's pair search takes); false
// on texts without the first bytes (and, for "<|...|>", without "<|" though with '<').
TEST(AddedTokenMatcherTest, MayMatchInHoldsWhereverATokenMatches) {
  const std::vector<std::vector<std::string>> sets = {
      {"<|begin|>", "<|end|>", "<|e|>"},         // one pair
      {"<|begin|>", "<|end|>", "<|e|>", "<s>"},  // two pairs
      {"<|a|>", "<", "<<"},                      // a one-byte token
      {"[NUM]", "<s>", "</s>", "x", "ab", "abc"},
      {"<|a|>", "[PAD1]", "[PAD2]", "<s>"},
      {"[NUM]", "<s>", "x", "ab", "e", "|>"},  // more than four first bytes
      {"<a", "<b", "<c", "<e", "<s"},          // five pairs
      {"<"},
  };
  testing::SplitMix64 rng(20261206);
  size_t with_token = 0;
  for (const auto& contents : sets) {
    const std::vector<AddedToken> tokens = TokensOf(contents);
    const AddedTokenMatcher matcher(tokens);
    EXPECT_FALSE(matcher.MayMatchIn(""));
    std::string first_bytes;
    for (const std::string& c : contents) {
      if (first_bytes.find(c[0]) == std::string::npos) first_bytes.push_back(c[0]);
    }
    // With more than four first bytes every byte is a candidate: MayMatchIn says true.
    if (first_bytes.size() <= 4) {
      EXPECT_FALSE(matcher.MayMatchIn("12345 (0)")) << contents[0];
    }
    for (int i = 0; i < 2000; ++i) {
      const std::string text = RandomText(rng, contents, 8);
      bool any = false;
      for (const Cut& cut : Reference(tokens, text)) any |= cut.first >= 0 && !cut.second.empty();
      with_token += any;
      if (any) {
        ASSERT_TRUE(matcher.MayMatchIn(text)) << "\"" << text << "\"";
      }
    }
  }
  EXPECT_GT(with_token, 5000u);
  const AddedTokenMatcher llama3({AddedToken{"<|begin_of_text|>", 1}, AddedToken{"<|eot_id|>", 2}});
  EXPECT_FALSE(llama3.MayMatchIn("x < y and y <= z, <a|b> |< <"));
  EXPECT_TRUE(llama3.MayMatchIn("x < y <|"));
}

}  // namespace
}  // namespace xval::text
