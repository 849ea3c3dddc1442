// The per-thread map of pieces to ids (text/piece_ids_map.h) against a std::map: every piece
// put is found with its ids, and no other piece is (pieces that share prefixes, differ in one
// byte or only in length, lengths 1 to 300), through the table's growth; it forgets everything
// once it holds kMaxPieces, and what a slot cannot record is not held.
#include "text/piece_ids_map.h"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace xval::text {
namespace {

std::vector<int32_t> Ids(absl::Span<const int32_t> span) {
  return std::vector<int32_t>(span.begin(), span.end());
}

TEST(PieceIdsMapTest, FindsWhatWasPutAndNothingElse) {
  std::mt19937_64 rng(7);
  PieceIdsMap map;
  std::map<std::string, std::vector<int32_t>> want;
  std::vector<std::string> asked;
  for (int i = 0; i < 20000; ++i) {
    std::string piece;
    const int kind = static_cast<int>(rng() % 4);
    if (kind == 0 || want.empty()) {  // fresh bytes of any length
      const size_t len = 1 + rng() % 300;
      for (size_t k = 0; k < len; ++k) piece.push_back(static_cast<char>(rng() % 6 + 'a'));
    } else {  // a neighbour of a piece held: one byte changed, one more, or one fewer
      auto it = want.begin();
      std::advance(it, rng() % want.size());
      piece = it->first;
      if (kind == 1) piece[rng() % piece.size()] ^= 1;
      if (kind == 2) piece.push_back('a');
      if (kind == 3 && piece.size() > 1) piece.pop_back();
    }
    asked.push_back(piece);
    const auto found = map.Find(piece);
    const auto it = want.find(piece);
    ASSERT_EQ(Ids(found), it == want.end() ? std::vector<int32_t>{} : it->second) << piece;
    if (it != want.end()) continue;
    std::vector<int32_t> ids(1 + rng() % 12);
    for (int32_t& id : ids) id = static_cast<int32_t>(rng() % 200000);
    map.Put(piece, ids.data(), ids.size());
    want.emplace(piece, ids);
  }
  ASSERT_EQ(map.size(), want.size());
  for (const std::string& piece : asked) {
    ASSERT_EQ(Ids(map.Find(piece)), want.at(piece)) << piece;
  }
}

TEST(PieceIdsMapTest, ForgetsEverythingOnceFull) {
  PieceIdsMap map;
  auto piece = [](size_t i) { return "piece " + std::to_string(i) + " of many bytes"; };
  for (size_t i = 0; i < PieceIdsMap::kMaxPieces; ++i) {
    const int32_t id = static_cast<int32_t>(i);
    map.Put(piece(i), &id, 1);
  }
  ASSERT_EQ(map.size(), PieceIdsMap::kMaxPieces);
  EXPECT_EQ(Ids(map.Find(piece(12345))), std::vector<int32_t>{12345});
  const int32_t id = -7;
  map.Put("one more", &id, 1);
  EXPECT_EQ(map.size(), 1u);
  EXPECT_TRUE(map.Find(piece(12345)).empty());
  EXPECT_EQ(Ids(map.Find("one more")), std::vector<int32_t>{-7});
  map.Clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_TRUE(map.Find("one more").empty());
}

TEST(PieceIdsMapTest, HoldsNothingItCannotRecord) {
  PieceIdsMap map;
  const std::string too_long(PieceIdsMap::kMaxLength + 1, 'x');
  const int32_t id = 3;
  map.Put(too_long, &id, 1);
  map.Put("no ids", &id, 0);
  EXPECT_EQ(map.size(), 0u);
  EXPECT_TRUE(map.Find(too_long).empty());
  EXPECT_TRUE(map.Find("no ids").empty());
}

}  // namespace
}  // namespace xval::text
