// The per-thread piece cache (text/piece_cache.h) against plain expectations: PieceKey::At
// equals the byte-by-byte key of every length; a set keeps its two last used pieces and
// returns the one it lets go; LetGoOfAny says exactly whether a set let go of a piece, through
// CopyFrom and Clear (ByteLevelTokenizer skips the vocabulary's lookup on a miss where it says
// no).
#include "text/piece_cache.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace xval::text {
namespace {

// The key of `piece` built a byte at a time: bytes 0..7 in lo, 8..14 in hi, the length (16
// for a longer piece, whose first 15 bytes are kept) in hi's top byte.
PieceKey KeyByBytes(const std::string& piece) {
  const size_t len = piece.size() < 16 ? piece.size() : 16;
  uint64_t lo = 0, hi = 0;
  for (size_t i = 0; i < len && i < 15; ++i) {
    const uint64_t b = static_cast<unsigned char>(piece[i]);
    if (i < 8) {
      lo |= b << (8 * i);
    } else {
      hi |= b << (8 * (i - 8));
    }
  }
  return PieceKey{lo, hi | (static_cast<uint64_t>(len) << 56)};
}

TEST(PieceKeyTest, EveryLengthEqualsTheKeyByBytes) {
  std::string text;
  for (int i = 0; i < 200; ++i) text.push_back(static_cast<char>(i * 37 + 11));
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const PieceKeys keys(t, text.size());
  for (size_t begin = 0; begin < text.size(); ++begin) {
    for (size_t len = 1; begin + len <= text.size() && len <= 40; ++len) {
      const PieceKey want = KeyByBytes(text.substr(begin, len));
      const PieceKey got = keys.Of(begin, len);
      ASSERT_EQ(got.lo, want.lo) << begin << " " << len;
      ASSERT_EQ(got.hi, want.hi) << begin << " " << len;
      if (keys.Inside(begin)) {
        const PieceKey at = PieceKey::At(t + begin, len);
        ASSERT_EQ(at.lo, want.lo) << begin << " " << len;
        ASSERT_EQ(at.hi, want.hi) << begin << " " << len;
      }
      if (len <= PieceKey::kMaxLen) {
        const PieceKey of = PieceKey::Of(t, begin, len, text.size());
        ASSERT_EQ(of.lo, want.lo) << begin << " " << len;
        ASSERT_EQ(of.hi, want.hi) << begin << " " << len;
      }
    }
  }
}

// The keys of pieces "p0", "p1", ...
struct Pieces {
  std::vector<PieceKey> keys;
};
Pieces MakePieces(int count) {
  Pieces p;
  for (int i = 0; i < count; ++i) p.keys.push_back(KeyByBytes("p" + std::to_string(i)));
  return p;
}

TEST(PieceCacheTest, SetsKeepTheirTwoLastPiecesAndSayWhenTheyLetOneGo) {
  // Four entries: two sets of two. Eight pieces: at least one set gets three or more.
  constexpr int kLog2Slots = 2;
  BasicPieceCache<3> cache(kLog2Slots);
  const Pieces pieces = MakePieces(8);
  // Which pieces share a set: At() of the first place of each set.
  std::vector<const void*> set_of;
  for (const PieceKey& k : pieces.keys) set_of.push_back(&cache.At(k));
  std::vector<std::vector<int>> members;  // per distinct set, its pieces in order
  std::vector<const void*> sets;
  for (int i = 0; i < 8; ++i) {
    size_t s = 0;
    while (s < sets.size() && sets[s] != set_of[i]) ++s;
    if (s == sets.size()) {
      sets.push_back(set_of[i]);
      members.emplace_back();
    }
    members[s].push_back(i);
  }
  for (size_t s = 0; s < sets.size(); ++s) {
    const std::vector<int>& m = members[s];
    for (size_t j = 0; j < m.size(); ++j) {
      const int32_t id = 100 + m[j];
      EXPECT_EQ(cache.LetGoOfAny(pieces.keys[m[j]]), j >= 3) << "before the piece " << j;
      const auto dropped = cache.Put(pieces.keys[m[j]], &id, 1);
      if (j < 2) {
        EXPECT_EQ(dropped.hi, 0u) << "nothing to let go of yet";
        EXPECT_FALSE(cache.LetGoOfAny(pieces.keys[m[j]]));
      } else {
        // The set's oldest piece goes: the one put two before this one.
        EXPECT_EQ(dropped.lo, pieces.keys[m[j - 2]].lo);
        EXPECT_EQ(dropped.hi, pieces.keys[m[j - 2]].hi);
        EXPECT_EQ(dropped.ids[0], 100 + m[j - 2]);
        EXPECT_TRUE(cache.LetGoOfAny(pieces.keys[m[j]]));
        EXPECT_EQ(cache.Find(pieces.keys[m[j - 2]]), nullptr);
      }
      // The last two are found, with their ids; the second is moved to the first place.
      const auto* e = cache.Find(pieces.keys[m[j]]);
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(e->ids[0], id);
      if (j >= 1) {
        const auto* prev = cache.Find(pieces.keys[m[j - 1]]);
        ASSERT_NE(prev, nullptr);
        EXPECT_EQ(prev->ids[0], 100 + m[j - 1]);
        EXPECT_EQ(&cache.At(pieces.keys[m[j - 1]]), prev) << "a hit in the second place swaps";
        cache.Find(pieces.keys[m[j]]);  // back to the order of the puts
      }
    }
  }
  // Putting a piece again where it is changes nothing else and lets go of nothing.
  BasicPieceCache<3> fresh(kLog2Slots);
  const int32_t one = 1, two = 2;
  fresh.Put(pieces.keys[0], &one, 1);
  EXPECT_EQ(fresh.Put(pieces.keys[0], &two, 1).hi, 0u);
  EXPECT_FALSE(fresh.LetGoOfAny(pieces.keys[0]));
  EXPECT_EQ(fresh.Find(pieces.keys[0])->ids[0], 2);
  // A copy (into a cache of another size, as a thread's cache copies its tokenizer's seed)
  // takes the pieces, the bits and the size; a move too; Clear forgets pieces and bits.
  BasicPieceCache<3> copy(2);
  copy = cache;
  BasicPieceCache<3> moved(2);
  moved = BasicPieceCache<3>(cache);
  for (const PieceKey& k : pieces.keys) {
    EXPECT_EQ(copy.LetGoOfAny(k), cache.LetGoOfAny(k));
    EXPECT_EQ(moved.LetGoOfAny(k), cache.LetGoOfAny(k));
    const bool found = cache.Find(k) != nullptr;
    EXPECT_EQ(copy.Find(k) != nullptr, found);
    EXPECT_EQ(moved.Find(k) != nullptr, found);
  }
  copy.Clear();
  for (const PieceKey& k : pieces.keys) {
    EXPECT_FALSE(copy.LetGoOfAny(k));
    EXPECT_EQ(copy.Find(k), nullptr);
  }
}

}  // namespace
}  // namespace xval::text
