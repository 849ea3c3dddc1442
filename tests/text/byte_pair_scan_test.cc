// FindBytePair (the added-token matcher's search for where a special token may start) on every
// Highway target: the first place of any of 1..4 byte pairs from a position, against the
// search a byte at a time, in random texts dense with the pairs' bytes, at every vector
// boundary; and the matcher built on it finds "<|endoftext|>" among thousands of "<".
#include "text/byte_pair_scan.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "text/added_tokens.h"
#include "text/bytelevel_corpus.h"
#include "util/highway_targets.h"

namespace xval::text {
namespace {

using testing::SplitMix64;

size_t ByteAtATime(const std::string& s, size_t from, const BytePairs& pairs) {
  for (size_t i = from; i + 1 < s.size(); ++i) {
    for (size_t k = 0; k < pairs.count; ++k) {
      if (static_cast<unsigned char>(s[i]) == pairs.first[k] &&
          static_cast<unsigned char>(s[i + 1]) == pairs.second[k]) {
        return i;
      }
    }
  }
  return s.size();
}

TEST(BytePairScanTest, MatchesTheSearchAByteAtATimeOnEveryTarget) {
  // The second with a zero byte, the byte a search that read past a text's end would most
  // likely meet (a std::string's terminator). (Its seventh letter makes pairs rarer: fewer
  // texts hold one.)
  struct Alphabet {
    std::string bytes;
    size_t min_found;
  };
  for (const Alphabet& a : {Alphabet{"<|[a\xff\x80", 5000}, Alphabet{{"<|[a\xff\x80\0", 7}, 4500}})
    for (const int64_t target : util::HighwayTargets()) {
      const std::string& alphabet = a.bytes;
      util::PinHighwayTarget(target);
      SplitMix64 rng(7);
      size_t differ = 0, found = 0;
      for (int i = 0; i < 20000; ++i) {
        const size_t n = rng.Next() % 300;
        std::string s(n, 'x');
        // Sparse or dense: pairs land anywhere, the first often past several vectors.
        const uint64_t density = 1 + rng.Next() % 8;
        for (char& c : s) {
          if (rng.Next() % density == 0) c = alphabet[rng.Next() % alphabet.size()];
        }
        BytePairs pairs;
        pairs.count = 1 + rng.Next() % BytePairs::kMax;
        for (size_t k = 0; k < pairs.count; ++k) {
          pairs.first[k] = static_cast<unsigned char>(alphabet[rng.Next() % alphabet.size()]);
          pairs.second[k] = static_cast<unsigned char>(alphabet[rng.Next() % alphabet.size()]);
        }
        const size_t from = n == 0 ? 0 : rng.Next() % (n + 1);
        const size_t expected = ByteAtATime(s, from, pairs);
        found += expected < n;
        differ += FindBytePair(reinterpret_cast<const unsigned char*>(s.data()), s.size(), from,
                               pairs) != expected;
      }
      EXPECT_EQ(differ, 0u) << "target " << target << ", alphabet of " << alphabet.size();
      EXPECT_GT(found, a.min_found);
    }
  util::PinHighwayTarget(0);
}

// A pair whose second byte is zero at the end of a text: the text's last byte and the zero
// after it (a std::string's terminator) are no pair, whatever the text's length against the
// vectors'.
TEST(BytePairScanTest, NoPairReachesPastTheTextsEnd) {
  BytePairs pairs;
  pairs.first[0] = 'a';
  pairs.second[0] = '\0';
  pairs.count = 1;
  for (const int64_t target : util::HighwayTargets()) {
    util::PinHighwayTarget(target);
    for (size_t n = 1; n < 300; ++n) {
      std::string s(n - 1, 'x');
      s.push_back('a');
      const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
      ASSERT_EQ(FindBytePair(bytes, n, 0, pairs), n) << "target " << target << ", " << n;
      s.back() = '\0';
      s[n - 1 - (n > 1)] = 'a';
      ASSERT_EQ(FindBytePair(bytes, n, 0, pairs), n > 1 ? n - 2 : n) << "target " << target;
    }
  }
  util::PinHighwayTarget(0);
}

TEST(BytePairScanTest, TheMatcherFindsTheTokenAmongItsFirstBytes) {
  const AddedTokenMatcher matcher(
      {AddedToken{"<|endoftext|>", 100257, true}, AddedToken{"<|fim_prefix|>", 100258, true}});
  for (size_t lead = 0; lead < 130; ++lead) {
    std::string text;
    for (size_t i = 0; i < lead; ++i) text += i % 3 == 0 ? "<<" : i % 3 == 1 ? "|<" : "a";
    const size_t at = text.size();
    text += "<|endoftext|><|fim_prefix|<|fim_prefix|>|";
    std::vector<size_t> starts;
    std::vector<size_t> text_ends;
    matcher.Split(
        text, [&](size_t, size_t end) { text_ends.push_back(end); },
        [&](const AddedToken&, size_t begin, size_t) { starts.push_back(begin); });
    EXPECT_EQ(starts, (std::vector<size_t>{at, at + 26})) << lead;
    EXPECT_EQ(text_ends.back(), text.size()) << lead;
  }
}

}  // namespace
}  // namespace xval::text
