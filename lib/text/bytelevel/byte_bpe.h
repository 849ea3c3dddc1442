// The model of byte-level BPE: token byte strings by id, and the merge table over pairs of
// adjacent token ids. Two sources compile to it:
//  - tiktoken ranks: a token's rank is its id, and two adjacent parts merge with the rank of
//    their concatenation when that is a token (tiktoken src/lib.rs byte_pair_merge);
//  - Hugging Face merges: the pair at index r of `merges` merges with rank r
//    (tokenizers models/bpe/model.rs).
// Either way the lowest rank merges first, leftmost first among equal ranks.
//
// Thread safety: immutable after construction; Merge may be called from any thread with its
// own scratch space.
#ifndef XVAL_TEXT_BYTELEVEL_BYTE_BPE_H_
#define XVAL_TEXT_BYTELEVEL_BYTE_BPE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "text/piece_cache.h"
#include "xval/encoding.h"

namespace xval::text {

// Open addressing over (left id, right id) keys: the merge loop's one hot lookup. One word per
// entry (the rank above the two ids, 21 bits each) and at most half full: for cl100k 4 MiB,
// a quarter of what 16-byte entries in a table sized from the tokens' lengths took, so that
// more of it stays in the caches. The merged token comes from the rank (MergedOf): a merge
// reads it once, where the pair's rank is read for every candidate.
class PairTable {
 public:
  static constexpr uint32_t kNoRank = ~uint32_t{0};
  static constexpr int kIdBits = 21;
  static constexpr int32_t kMaxIds = (int32_t{1} << kIdBits) - 1;  // ids below this
  static constexpr uint32_t kMaxRanks = (uint32_t{1} << (64 - 2 * kIdBits)) - 1;

  void Reserve(size_t n);
  // Ranks 0..ranks-1 make the tokens given to Put (Hugging Face merges); without this call a
  // merge's rank is its token (tiktoken).
  void MapRanksToTokens(size_t ranks);
  // After MapRanksToTokens and every Put: when each rank's merge makes a token of a higher id
  // than every lower rank's (vocabularies whose ids were given in merge order: GPT-2's and
  // Qwen2's; not Llama 3's as transformers' GGUF converter writes it, which makes a token by
  // several merges), the merged token orders the merges as the rank does, and becomes the
  // rank, so that a merge needs no read of merged_ to find what it makes. Else nothing changes.
  void UseMergedAsRankWhereOrderAllows();
  // Inserts or overwrites; 0 <= left, right < kMaxIds, rank < kMaxRanks.
  void Put(int32_t left, int32_t right, uint32_t rank, int32_t merged);
  // The rank of merging left and right (both >= 0), or kNoRank.
  uint32_t Find(int32_t left, int32_t right) const {
    const uint64_t key = Key(left, right);
    if (!MayHold(key)) return kNoRank;
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      const uint64_t e = slots_[i];
      if ((e & kKeyMask) == key) return static_cast<uint32_t>(e >> (2 * kIdBits));
      if (e == kEmpty) return kNoRank;
    }
  }
  // Starts loading what Find(left, right) reads: the filter's word and the first slot's line,
  // which Find reads one after the other. Any two ids, a missing byte's too: the addresses are
  // always inside the tables.
  void Prefetch(int32_t left, int32_t right) const {
    const uint64_t key = Key(left, right);
    __builtin_prefetch(&filter_[FilterHash(key) >> filter_shift_]);
    __builtin_prefetch(&slots_[Slot(key)]);
  }
  // The token that the merge of rank `rank` (from Find) makes.
  int32_t MergedOf(uint32_t rank) const {
    return merged_.empty() ? static_cast<int32_t>(rank) : merged_[rank];
  }
  size_t size() const { return size_; }

 private:
  static constexpr uint64_t kKeyMask = (uint64_t{1} << (2 * kIdBits)) - 1;
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // its key bits are no pair of valid ids
  static uint64_t Key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(a) << kIdBits) | static_cast<uint64_t>(b);
  }
  size_t Slot(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ull) >> shift_; }
  // The filter: a word per key, two bits set in it; a pair whose bits are not both set is in
  // no slot. Most lookups of a first call are of pairs that do not merge, and each missed the
  // core's caches in the table, eight times the filter's size (docs/benchmarks-bytelevel.md).
  uint64_t FilterHash(uint64_t key) const { return key * 0xD6E8FEB86659FD93ull; }
  static uint64_t FilterBits(uint64_t h) {
    return (uint64_t{1} << ((h >> 20) & 63)) | (uint64_t{1} << ((h >> 26) & 63));
  }
  bool MayHold(uint64_t key) const {
    const uint64_t h = FilterHash(key);
    const uint64_t bits = FilterBits(h);
    return (filter_[h >> filter_shift_] & bits) == bits;
  }
  void Grow();

  // On huge pages when large (util::HugePageArray): a cold lookup is a cache miss, and without them
  // a TLB miss too, which costs several more memory reads under virtualization.
  LargeArray<uint64_t> slots_ = LargeArray<uint64_t>(16, kEmpty);
  LargeArray<uint64_t> filter_ = LargeArray<uint64_t>(2, 0);  // a word per 8 slots
  int filter_shift_ = 63;
  std::vector<int32_t> merged_;  // by rank; empty while every merge makes its rank's token
  size_t mask_ = 15;
  int shift_ = 60;
  size_t size_ = 0;
};

// Tokens of 2..15 bytes keyed by their bytes packed as a PieceKey (the key of the per-thread
// PieceCache, built once per piece): the whole-piece lookup at which most pieces end takes one
// multiply and usually one probe of one cache line, with no string hashing and no comparison of
// bytes in another array.
class ShortTokenTable {
 public:
  static constexpr size_t kMaxLen = PieceKey::kMaxLen;

  void Reserve(size_t n);
  void Put(const PieceKey& key, int32_t id);  // the key must not be there yet
  // Starts loading the line where Find(key) looks first.
  void Prefetch(const PieceKey& key) const { __builtin_prefetch(&slots_[Slot(key)]); }
  // The id stored for key, or -1.
  int32_t Find(const PieceKey& key) const {
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      const Entry& e = slots_[i];
      if (e.lo == key.lo && e.hi == key.hi) return e.id;
      if (e.hi == 0) return -1;
    }
  }

 private:
  struct Entry {
    uint64_t lo = 0, hi = 0;  // hi == 0: empty (a key's hi holds its length)
    int32_t id = -1;
  };
  size_t Slot(const PieceKey& key) const { return PieceKeyHash(key) >> shift_; }

  // On huge pages when large (util::HugePageArray): a cold lookup is a cache miss, and without them
  // a TLB miss too, which costs several more memory reads under virtualization.
  LargeArray<Entry> slots_ = LargeArray<Entry>(16);
  size_t mask_ = 15;
  int shift_ = 60;
  size_t size_ = 0;
};

class ByteBpe {
 public:
  ByteBpe() = default;  // empty: no tokens (a default for configs filled in by the loaders)
  // tiktoken: tokens[r] is the token of rank r. Every single byte must be a token. With
  // `mergeable`, tokens it marks false (tekken's special tokens, in the ids before the ranks)
  // are never produced by BPE.
  static absl::StatusOr<ByteBpe> FromRanks(std::vector<std::string> tokens,
                                           absl::string_view source,
                                           const std::vector<bool>* mergeable = nullptr);
  // Hugging Face: tokens[id] are the byte strings of the vocabulary (`mergeable[id]` false for
  // a piece that is not in the byte-level alphabet, which BPE can never produce), merges in
  // rank order. Every single byte must be a token unless `allow_missing_bytes`: then a byte
  // without one is dropped from the output, as llama.cpp drops it (its vocabularies of Falcon,
  // MPT, StarCoder, ... lack bytes that UTF-8 text never or rarely holds).
  static absl::StatusOr<ByteBpe> FromMerges(
      std::vector<std::string> tokens, const std::vector<bool>& mergeable,
      const std::vector<std::pair<std::string, std::string>>& merges, absl::string_view source,
      bool allow_missing_bytes = false);

  int32_t size() const { return static_cast<int32_t>(offsets_.size()) - 1; }
  // The bytes of a token; 0 <= id < size().
  absl::string_view token(int32_t id) const {
    return absl::string_view(arena_.get() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  // The id of a mergeable token spelled by exactly these bytes, or -1.
  int32_t Find(absl::string_view bytes) const {
    auto it = ids_.find(bytes);
    return it == ids_.end() ? -1 : it->second;
  }
  // The token of a single byte; kMissingByte when the vocabulary has none (see FromMerges).
  int32_t byte_id(uint8_t b) const { return byte_ids_[b]; }
  static constexpr int32_t kMissingByte = -1;
  bool has_missing_bytes() const { return has_missing_bytes_; }
  // Find for a piece of 2..15 bytes given as its PieceKey: the same answer, faster. After
  // KeepShortTokensThatMergeWhole, only tokens whose bytes merge into the token itself.
  int32_t FindShort(const PieceKey& key) const { return short_ids_.Find(key); }
  void PrefetchShort(const PieceKey& key) const { short_ids_.Prefetch(key); }
  // For vocabularies whose pieces are merged even when they are tokens (Hugging Face BPE
  // without `ignore_merges`): FindShort then finds only the tokens of 2..15 bytes that Merge
  // makes from their own bytes, so that it answers "this piece's encoding is this one token"
  // for every vocabulary, and a piece that is such a token (most pieces that are tokens) is
  // never merged while encoding. Merges every such token once, at load.
  void KeepShortTokensThatMergeWhole();

  // Scratch space for Merge; one per thread.
  struct Scratch {
    struct Node {
      int32_t id;
      uint32_t begin;
      int32_t prev, next;
    };
    std::vector<Node> nodes;
    struct Candidate {
      uint32_t rank;
      uint32_t begin;  // of the left symbol: breaks ties leftmost first
      int32_t left, left_id, right_id;
    };
    std::vector<Candidate> heap;
  };
  // BPE over the bytes of `piece` (non-empty): appends the token ids to *out. Exact for any
  // length and O(n log n): short pieces scan a small array (as tiktoken does), long ones use a
  // heap with lazy invalidation. A byte without a token appends kMissingByte (which never
  // merges); the caller drops it.
  void Merge(absl::string_view piece, Scratch& scratch, std::vector<int32_t>* out) const;

 private:
  absl::Status IndexTokens(const std::vector<std::string>& tokens,
                           const std::vector<bool>* mergeable, absl::string_view source,
                           bool allow_missing_bytes);
  void MergeShort(absl::string_view piece, std::vector<int32_t>* out) const;
  void MergeLong(absl::string_view piece, Scratch& scratch, std::vector<int32_t>* out) const;
  uint32_t RankOf(int32_t left, int32_t right) const {
    if ((left | right) < 0) return kNoRank;  // a missing byte
    return pairs_.Find(left, right);
  }
  static constexpr uint32_t kNoRank = PairTable::kNoRank;
  // Fills byte_pairs_ from pairs_.
  void IndexBytePairs();

  // All token bytes back to back; token i is [offsets_[i], offsets_[i + 1]). A heap block, so
  // the views in ids_ stay valid when a ByteBpe is moved.
  std::unique_ptr<char[]> arena_;
  std::vector<uint32_t> offsets_ = {0};
  absl::flat_hash_map<absl::string_view, int32_t> ids_;  // views into arena_
  ShortTokenTable short_ids_;                            // the entries of ids_ of 2..15 bytes
  std::array<int32_t, 256> byte_ids_{};
  bool has_missing_bytes_ = false;
  PairTable pairs_;
  // The ranks of merging two single bytes, indexed by (first byte << 8 | second byte): the
  // first round of every merge reads this 256 KiB grid, which stays in the core's caches, where
  // the pair table (megabytes) costs a cache miss per new pair on a first call.
  std::vector<uint32_t> byte_pairs_;
};

}  // namespace xval::text

#endif  // XVAL_TEXT_BYTELEVEL_BYTE_BPE_H_
