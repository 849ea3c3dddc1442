// A per-thread cache in front of a tokenizer's piece or word lookups: a piece of 1..15 bytes
// (nearly every pre-token of byte-level BPE, nearly every word of SentencePiece) maps to its
// ids (up to kMaxIds, inline) in one probe, its line fetched ahead (the caller prefetches a
// group of pieces' entries), where the vocabulary's whole-piece table (4 MiB for cl100k) and
// the hash maps of merged pieces cost a chain of dependent misses (measured in
// docs/benchmarks-bytelevel.md). Sets of two entries: the hot path
// reads the first (the set's last used piece), a miss there looks at the second and swaps them;
// a new piece takes the first place and pushes the old one to the second. Two pieces that share
// a set no longer evict each other in turn (direct-mapped, they did). The table never grows; it
// is cleared only when its thread state passes to another tokenizer. The value of a key is whatever
// the exact path gave for those bytes, so a hit is exact by construction.
//
// Layout after gigatoken's pre-token cache (../shared/notes/fastest-bpe-2026.md §1b): the key
// is the piece's bytes packed into two words with its length in the top byte (never zero, so a
// zero word marks an empty slot), 32-byte entries.
//
// Thread safety: none; one per thread (ByteLevelTokenizer and SpmTokenizer keep one in their
// thread states).
#ifndef XVAL_TEXT_PIECE_CACHE_H_
#define XVAL_TEXT_PIECE_CACHE_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "text/pretokenize/ascii_swar.h"
#include "util/page_advice.h"
#include "xval/encoding.h"

namespace xval::text {

// For each key length 0..16 (16: the first 15 bytes of a longer piece, see PieceKeys), the
// words a key is made of: [0] and [1] the masks of its bytes within the first and second eight,
// [2] the length in the top byte. Three tables of one base: a key costs an `and` or `or` with
// each, indexed by the length, where a table of structs would cost a multiply of the index.
constexpr uint64_t PieceKeyWordOf(int word, size_t len) {
  const size_t bytes = len < 16 ? len : 15;
  return word == 0   ? (bytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1)
         : word == 1 ? (bytes <= 8 ? 0 : (uint64_t{1} << (8 * (bytes - 8))) - 1)
                     : static_cast<uint64_t>(len) << 56;
}
template <size_t... kLens>
constexpr auto PieceKeyWordsFor(int word, std::index_sequence<kLens...>) {
  return std::array<uint64_t, sizeof...(kLens)>{PieceKeyWordOf(word, kLens)...};
}
inline constexpr std::array<uint64_t, 17> kPieceKeyWords[3] = {
    PieceKeyWordsFor(0, std::make_index_sequence<17>()),
    PieceKeyWordsFor(1, std::make_index_sequence<17>()),
    PieceKeyWordsFor(2, std::make_index_sequence<17>())};

// A piece of 1..15 bytes as two words: bytes 0..7 in `lo` (first byte lowest), bytes 8..14 in
// `hi`, the length in hi's top byte.
struct PieceKey {
  static constexpr size_t kMaxLen = 15;
  uint64_t lo, hi;

  // The key of the piece p[0, len) when 16 bytes from p can be read; a piece longer than
  // kMaxLen gets a key of length 16, which no table holds. The masks come from tables: no
  // branch on the length (whose direction changes from piece to piece).
  static PieceKey At(const unsigned char* p, size_t len) {
    const size_t key_len = len < kMaxLen + 1 ? len : kMaxLen + 1;
    return PieceKey{swar::Load8(p) & kPieceKeyWords[0][key_len],
                    (swar::Load8(p + 8) & kPieceKeyWords[1][key_len]) | kPieceKeyWords[2][key_len]};
  }

  // The piece text[begin, begin + len) of a text of n bytes; 1 <= len <= kMaxLen. Reads 16
  // bytes from `begin` when they are inside the text, else copies.
  static PieceKey Of(const unsigned char* text, size_t begin, size_t len, size_t n) {
    if (begin + 16 <= n) return At(text + begin, len);
    unsigned char buf[16] = {};
    std::memcpy(buf, text + begin, len);
    return At(buf, len);
  }
};

// The keys of a text's pieces of any length >= 1 (PieceKey::At). Near the text's end the 16
// bytes are read from a copy of its last 32 bytes made once (PieceKey::Of copies the piece
// there, byte by byte, and reads it back as words: the load waits for those stores, which
// cannot forward to it; a batch of short texts has several pieces in its last 16 bytes).
class PieceKeys {
 public:
  PieceKeys(const unsigned char* text, size_t n) : text_(text), n_(n) {
    const size_t m = n < 32 ? n : 32;
    tail_begin_ = n - m;
    if (m > 0) std::memcpy(tail_, text + tail_begin_, m);
  }
  PieceKeys(const PieceKeys&) = delete;
  PieceKeys& operator=(const PieceKeys&) = delete;

  // The key of text[begin, begin + len), len >= 1.
  PieceKey Of(size_t begin, size_t len) const {
    return PieceKey::At(begin + 16 <= n_ ? text_ + begin : tail_ + (begin - tail_begin_), len);
  }
  // Whether Of(begin, len) reads the text itself (PieceKey::At(text + begin, len) is the same).
  bool Inside(size_t begin) const { return begin + 16 <= n_; }

 private:
  const unsigned char* text_;
  size_t n_;
  size_t tail_begin_;
  alignas(16) unsigned char tail_[48] = {};  // text[tail_begin_, n), then zeros
};

// The hash of a PieceKey that tables of pieces index by (its top bits).
inline uint64_t PieceKeyHash(const PieceKey& key) {
  return (key.lo ^ (key.hi * 0x9E3779B97F4A7C15ull)) * 0xC2B2AE3D27D4EB4Full;
}
// The caches' hash (its top bits): one multiply, as the caches are probed for every piece of
// every text (the tables above only on the caches' misses). Keys whose words xor alike share
// a set, which costs a miss, never a wrong id (an entry holds its whole key).
inline uint64_t PieceCacheHash(const PieceKey& key) {
  return (key.lo ^ key.hi) * 0x9E3779B97F4A7C15ull;
}

// kIds: ids inline per entry, so that an entry (16 bytes of key, the ids, their count) is 32
// bytes (3 ids) or one 64-byte cache line (11 ids).
template <size_t kIds>
class BasicPieceCache {
 public:
  static constexpr size_t kMaxIds = kIds;
  static_assert((16 + 4 * (kIds + 1)) % 32 == 0);

  explicit BasicPieceCache(int log2_slots)
      : slots_(size_t{1} << log2_slots),
        dropped_(((size_t{1} << (log2_slots - 1)) + 63) / 64),
        shift_(64 - (log2_slots - 1)) {}
  // A copy (a thread's front cache, of its tokenizer's seed) is written whole into fresh
  // memory faulted in before it (util::PrefaultedCopy).
  BasicPieceCache(const BasicPieceCache& other)
      : slots_(util::PrefaultedCopy(other.slots_)),
        dropped_(other.dropped_),
        shift_(other.shift_) {}
  BasicPieceCache& operator=(const BasicPieceCache& other) {
    if (this != &other) *this = BasicPieceCache(other);
    return *this;
  }
  BasicPieceCache(BasicPieceCache&&) = default;
  BasicPieceCache& operator=(BasicPieceCache&&) = default;

  struct Entry {
    uint64_t lo = 0, hi = 0;  // hi == 0: empty (a key's hi holds its length)
    int32_t ids[kMaxIds] = {};
    uint32_t count = 0;  // right after ids: ids and count are copied as one block
  };

  // The entry of `key` (its ids[0, count)), or null.
  const Entry* Find(const PieceKey& key) {
    const Entry& e = At(key);
    return e.lo == key.lo && e.hi == key.hi ? &e : FindSecond(key);
  }
  // The first entry of key's set, where the hot path looks; it holds key when
  // e.lo == key.lo && e.hi == key.hi.
  const Entry& At(const PieceKey& key) const { return slots_[2 * Set(key)]; }
  // At() for a hot loop: the table's address and shift copied into the caller's registers
  // (a loop that stores ids through pointers would otherwise reload them from the cache object
  // for every piece).
  class View {
   public:
    explicit View(const BasicPieceCache& cache)
        : slots_(cache.slots_.data()), shift_(cache.shift_) {}
    const Entry& At(const PieceKey& key) const {
      return slots_[2 * (PieceCacheHash(key) >> shift_)];
    }

   private:
    const Entry* slots_;
    int shift_;
  };
  // Starts loading key's set.
  void Prefetch(const PieceKey& key) const {
    const Entry* first = &slots_[2 * Set(key)];
    __builtin_prefetch(first);
    if constexpr (sizeof(Entry) * 2 > 64) __builtin_prefetch(first + 1);
  }
  // After a miss at At(key): key's entry in the second place of its set, moved to the first
  // (the set's two entries swapped), or null.
  const Entry* FindSecond(const PieceKey& key) {
    Entry* first = &slots_[2 * Set(key)];
    Entry& second = first[1];
    if (second.lo != key.lo || second.hi != key.hi) return nullptr;
    std::swap(first[0], second);
    return first;
  }
  // Caches ids[0, count) for `key` when count <= kMaxIds (longer encodings stay uncached) in
  // the first place of its set; the piece there moves to the second, whose piece is forgotten
  // and returned (an entry with hi == 0 when none was).
  Entry Put(const PieceKey& key, const int32_t* ids, size_t count) {
    if (count == 0 || count > kMaxIds) return Entry{};
    Entry* first = &slots_[2 * Set(key)];
    Entry dropped{};
    if (first->hi != 0 && !(first->lo == key.lo && first->hi == key.hi)) {
      dropped = first[1];
      first[1] = first[0];
      if (dropped.hi != 0) {
        const size_t set = Set(key);
        dropped_[set / 64] |= uint64_t{1} << (set % 64);
      }
    }
    Entry& e = first[0];
    e.lo = key.lo;
    e.hi = key.hi;
    e.count = static_cast<uint32_t>(count);
    std::memcpy(e.ids, ids, count * sizeof(int32_t));
    return dropped;
  }
  // Whether a Put has let go of a piece of key's set since the last Clear (or in the cache
  // this one is a copy of). When not, every piece ever put in that set is still there: a cache
  // filled with every piece of some kind (the vocabulary's short tokens) then tells a miss
  // that the piece is not of that kind without looking it up.
  bool LetGoOfAny(const PieceKey& key) const {
    const size_t set = Set(key);
    return (dropped_[set / 64] >> (set % 64)) & 1;
  }
  // Forgets every piece (the owning tokenizer changed).
  void Clear() {
    std::memset(static_cast<void*>(slots_.data()), 0, sizeof(Entry) * slots_.size());
    std::fill(dropped_.begin(), dropped_.end(), 0);
  }

 private:
  size_t Set(const PieceKey& key) const { return PieceCacheHash(key) >> shift_; }

  // Sets of two entries. On 4 KiB pages: a thread's cache is made by its first call, whose
  // fresh huge pages can cost far more than the TLB misses they save (util/page_advice.h).
  LargeArray<Entry> slots_;
  std::vector<uint64_t> dropped_;  // a bit per set: a Put let go of one of its pieces
  int shift_;
};

// Ids of a cache's entries written kSize at a time (push_back per id costs a capacity check and
// a store of the size each time): into a LargeArray's own room, grown without zeroing and cut
// back to what was kept; for a std::vector (whose growth would zero the room first) into a
// buffer on the stack, then appended. An entry's ids and count are copied whole before the
// caller knows whether it is a hit; Keep keeps what is needed.
template <class Cache, class Ids>
class StagedIds {
 public:
  explicit StagedIds(Ids* out) : out_(out) { Open(); }
  StagedIds(const StagedIds&) = delete;
  StagedIds& operator=(const StagedIds&) = delete;
  ~StagedIds() { Close(); }

  // Copies e's ids (all kMaxIds slots, and the count after them) after the kept ones.
  void Copy(const typename Cache::Entry& e) {
    std::memcpy(buffer_ + used_, e.ids, sizeof(int32_t) * (Cache::kMaxIds + 1));
  }
  // Keeps the first `count` ids of the last Copy.
  void Keep(size_t count) {
    used_ += count;
    if (ABSL_PREDICT_FALSE(used_ >= kSize)) {
      Close();
      Open();
    }
  }
  // Runs append(), which appends to the array itself, after the ids kept so far.
  template <class F>
  void AppendDirectly(F append) {
    Close();
    append();
    Open();
  }

 private:
  static constexpr size_t kSize = 2048;
  static constexpr size_t kRoom = kSize + Cache::kMaxIds + 1;
  static constexpr bool kInPlace = !std::is_same_v<Ids, std::vector<int32_t>>;

  void Open() {
    if constexpr (kInPlace) {
      start_ = out_->size();
      out_->resize(start_ + kRoom);
      buffer_ = out_->data() + start_;
    }
  }
  void Close() {
    if constexpr (kInPlace) {
      out_->resize(start_ + used_);
      start_ = out_->size();  // a second Close (append() threw) keeps what was written
    } else {
      out_->insert(out_->end(), buffer_, buffer_ + used_);
    }
    used_ = 0;
  }

  int32_t stack_[kInPlace ? 1 : kRoom];
  int32_t* buffer_ = stack_;
  size_t start_ = 0;  // in place: where buffer_ starts in *out_
  size_t used_ = 0;
  Ids* out_;
};

// Byte-level BPE's pre-tokens: three ids cover nearly all. 2^17 entries (4 MiB): the front cache
// starts as the vocabulary's tokens of up to 15 bytes (100k to 200k of them), and a text's own
// pieces then push fewer of each other out than in half the size (docs/benchmarks-bytelevel.md).
class PieceCache : public BasicPieceCache<3> {
 public:
  explicit PieceCache(int log2_slots = 17) : BasicPieceCache<3>(log2_slots) {}
};

}  // namespace xval::text

#endif  // XVAL_TEXT_PIECE_CACHE_H_
