// A per-thread map from pieces of any length to their ids, for the pieces the PieceCache cannot
// hold (longer than 15 bytes: runs of CJK characters, long words). One flat table of 16-byte
// slots (the piece's hash, where its record starts, its length and id count) and one arena of
// records (the ids, then the bytes): a lookup costs the slot's line and the record's, where a
// map of std::string to a vector of ids cost four dependent misses (control bytes, slot, the
// string's heap bytes, the ids' heap array), each from L3 as the text streams through the
// core's caches (docs/benchmarks-bytelevel.md, issue 22's ninth pass).
//
// Linear probing; grows at half load; forgets every piece once it holds kMaxPieces (bounding
// a thread's memory). A value is whatever the exact path gave for those bytes: a hit is exact
// by construction (the bytes are compared, not only the hash).
//
// Thread safety: none; one per thread.
#ifndef XVAL_TEXT_PIECE_IDS_MAP_H_
#define XVAL_TEXT_PIECE_IDS_MAP_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace xval::text {

class PieceIdsMap {
 public:
  // The most pieces held before the map forgets them all.
  static constexpr size_t kMaxPieces = size_t{1} << 16;

  PieceIdsMap() { slots_.resize(kMinSlots); }

  // The ids of `piece`, valid until the next Put or Clear; empty when the piece is not held.
  absl::Span<const int32_t> Find(absl::string_view piece) const {
    const uint64_t hash = Hash(piece);
    for (size_t i = Home(hash);; i = (i + 1) & Mask()) {
      const Slot& s = slots_[i];
      if (s.hash == 0) return {};
      if (s.hash == hash && s.length == piece.size()) {
        const int32_t* ids = arena_.data() + s.at;
        if (std::memcmp(ids + s.count, piece.data(), piece.size()) == 0) return {ids, s.count};
      }
    }
  }

  // Holds ids[0, count) for `piece` (not held), when both fit a slot's fields.
  void Put(absl::string_view piece, const int32_t* ids, size_t count) {
    if (piece.size() > kMaxLength || count == 0 || count > kMaxLength) return;
    const size_t record = count + (piece.size() + 3) / 4;
    // A record's start is 32 bits: the arena is forgotten before it would outgrow them.
    if (size_ >= kMaxPieces || arena_.size() + record > kMaxArena) Clear();
    if (2 * (size_ + 1) > slots_.size()) Grow();
    const size_t at = arena_.size();
    arena_.resize(at + record);
    std::memcpy(arena_.data() + at, ids, count * sizeof(int32_t));
    std::memcpy(arena_.data() + at + count, piece.data(), piece.size());
    Insert(Slot{Hash(piece), static_cast<uint32_t>(at), static_cast<uint16_t>(piece.size()),
                static_cast<uint16_t>(count)});
    ++size_;
  }

  // Forgets every piece.
  void Clear() {
    slots_.assign(kMinSlots, Slot{});
    arena_.clear();
    size_ = 0;
  }

  size_t size() const { return size_; }

  // The longest piece, and the most ids, a slot records.
  static constexpr size_t kMaxLength = 0xFFFF;

 private:
  static constexpr size_t kMinSlots = 1024;
  static constexpr size_t kMaxArena = uint32_t{0xFFFFFFFF};
  struct Slot {
    uint64_t hash = 0;  // 0: empty (Hash is never 0)
    uint32_t at = 0;    // the record: arena_[at, at + count) ids, then `length` bytes
    uint16_t length = 0;
    uint16_t count = 0;
  };

  size_t Mask() const { return slots_.size() - 1; }
  // The slot a hash starts its probe at: its high bits (the low bit is always set).
  size_t Home(uint64_t hash) const { return (hash >> 40) & Mask(); }

  // A multiply-xor over the piece's 8-byte words (the last one overlapping the one before),
  // seeded with its length, then the high half folded onto the low one and multiplied again,
  // so that Home's high bits depend on every byte (without it, the last byte of a piece of 8
  // or more bytes never reached them: pieces that differ only there shared one home slot).
  // Never 0.
  static uint64_t Hash(absl::string_view piece) {
    constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
    const char* p = piece.data();
    const size_t n = piece.size();
    uint64_t h = (n + 1) * 0xC2B2AE3D27D4EB4Full;
    auto mix = [&](uint64_t word) {
      h = (h ^ word) * kMul;
      h ^= h >> 29;
    };
    uint64_t word;
    if (n >= 8) {
      size_t i = 0;
      for (; i + 8 <= n; i += 8) {
        std::memcpy(&word, p + i, 8);
        mix(word);
      }
      if (i < n) {
        std::memcpy(&word, p + n - 8, 8);
        mix(word);
      }
    } else {
      word = 0;
      if (n > 0) std::memcpy(&word, p, n);
      mix(word);
    }
    h = (h ^ (h >> 32)) * kMul;
    return h | 1;
  }

  void Insert(const Slot& slot) {
    size_t i = Home(slot.hash);
    while (slots_[i].hash != 0) i = (i + 1) & Mask();
    slots_[i] = slot;
  }

  void Grow() {
    std::vector<Slot> old(2 * slots_.size());
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.hash != 0) Insert(s);
    }
  }

  std::vector<Slot> slots_;
  std::vector<int32_t> arena_;
  size_t size_ = 0;
};

}  // namespace xval::text

#endif  // XVAL_TEXT_PIECE_IDS_MAP_H_
