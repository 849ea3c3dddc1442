// AddedTokenMatcher's shortcuts (memchr to the next of the few bytes tokens start with, the
// table of first two bytes before any hash lookup) find exactly what trying every token at
// every position finds, leftmost-longest, on seeded random texts and token sets: one shared
// first byte ("<|...|>" as Llama 3's), two (Qwen2's '<' and '['), four, more than four (every
// byte a candidate), and one-byte tokens beside longer ones.
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
  const std::string alphabet = "<|>/sabecxNUM[]e ";
  for (const auto& contents : sets) {
    std::vector<AddedToken> tokens;
    for (const std::string& c : contents) tokens.push_back(AddedToken{c, 100});
    for (int i = 0; i < 2000; ++i) {
      std::string text;
      const int len = static_cast<int>(rng.Next() % 40);
      for (int k = 0; k < len; ++k) {
        if (rng.Next() % 6 == 0) {
          text += contents[rng.Next() % contents.size()];
        } else {
          text += alphabet[rng.Next() % alphabet.size()];
        }
      }
      ASSERT_EQ(Matched(tokens, text), Reference(tokens, text)) << "\"" << text << "\"";
    }
  }
}

}  // namespace
}  // namespace xval::text
