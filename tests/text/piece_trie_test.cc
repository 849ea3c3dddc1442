// PieceTrie against a plain map of the same pieces: every prefix of every piece (and of some
// strings that are not pieces) walks to the node whose token is the map's id, or falls off.
#include "text/piece_trie.h"

#include <map>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace xval::text {
namespace {

// The id PieceTrie gives `s`: walk byte by byte from the root; -2 when it falls off.
int32_t Walk(const PieceTrie& trie, const std::string& s) {
  int32_t node = PieceTrie::kRoot;
  for (const char c : s) {
    node = trie.Child(node, static_cast<unsigned char>(c));
    if (node < 0) return -2;
  }
  return trie.Token(node);
}

TEST(PieceTrieTest, WalksMatchAMapOfThePieces) {
  std::mt19937 rng(7);
  std::vector<std::string> pieces = {"",  "a", "ab", "abc", "b", "\xE2\x96\x81", "\xE2\x96\x81the",
                                     "ab"};  // "ab" twice: the first id counts
  for (int c = 0; c < 256; ++c) pieces.push_back(std::string(1, static_cast<char>(c)) + "x");
  for (int k = 0; k < 2000; ++k) {  // random strings over a small alphabet: deep, shared prefixes
    std::string s(1 + rng() % 6, ' ');
    for (char& ch : s) ch = "abcz\xC3\xA9"[rng() % 5];
    pieces.push_back(s);
  }
  std::vector<std::pair<absl::string_view, int32_t>> entries;
  std::map<std::string, int32_t> want;
  for (size_t id = 0; id < pieces.size(); ++id) {
    entries.emplace_back(pieces[id], static_cast<int32_t>(id));
    if (!pieces[id].empty()) want.emplace(pieces[id], static_cast<int32_t>(id));  // first wins
  }
  const PieceTrie trie(entries);
  EXPECT_EQ(Walk(trie, "ab"), 2);
  EXPECT_EQ(Walk(trie, ""), -1);  // the root spells no piece: the empty piece is left out
  for (const std::string& p : pieces) {
    for (size_t n = 1; n <= p.size(); ++n) {
      const std::string prefix = p.substr(0, n);
      auto it = want.find(prefix);
      EXPECT_EQ(Walk(trie, prefix), it == want.end() ? -1 : it->second) << prefix;
    }
    if (!p.empty()) EXPECT_EQ(Walk(trie, p + "\x01"), -2) << p;  // none goes on with \x01
  }
}

}  // namespace
}  // namespace xval::text
