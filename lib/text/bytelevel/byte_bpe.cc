// Building a ByteBpe from tiktoken ranks or Hugging Face merges.
#include "text/bytelevel/byte_bpe.h"

#include <cstring>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "util/page_advice.h"

namespace xval::text {

void PairTable::Reserve(size_t n) {
  while (slots_.size() < 2 * n) Grow();
}

void PairTable::Grow() {
  LargeArray<uint64_t> old = std::move(slots_);
  slots_ = util::HugePageArray(old.size() * 2, kEmpty);
  mask_ = slots_.size() - 1;
  --shift_;
  filter_ = util::HugePageArray(slots_.size() / 8, uint64_t{0});
  --filter_shift_;
  size_ = 0;
  for (const uint64_t e : old) {
    if (e == kEmpty) continue;
    const uint32_t rank = static_cast<uint32_t>(e >> (2 * kIdBits));
    Put(static_cast<int32_t>((e & kKeyMask) >> kIdBits), static_cast<int32_t>(e & kMaxIds), rank,
        MergedOf(rank));
  }
}

void PairTable::MapRanksToTokens(size_t ranks) { merged_.assign(ranks, -1); }

void PairTable::UseMergedAsRankWhereOrderAllows() {
  if (merged_.empty()) return;
  // The ranks in the table (a pair given twice keeps its later rank), in order.
  std::vector<char> used(merged_.size(), 0);
  for (const uint64_t e : slots_) {
    if (e != kEmpty) used[e >> (2 * kIdBits)] = 1;
  }
  int32_t last = -1;
  for (size_t r = 0; r < merged_.size(); ++r) {
    if (!used[r]) continue;
    if (merged_[r] <= last) return;  // two ranks would compare otherwise (or tie)
    last = merged_[r];
  }
  for (uint64_t& e : slots_) {
    if (e == kEmpty) continue;
    const auto merged = static_cast<uint64_t>(merged_[e >> (2 * kIdBits)]);
    e = (merged << (2 * kIdBits)) | (e & kKeyMask);
  }
  merged_.clear();
}

void PairTable::Put(int32_t left, int32_t right, uint32_t rank, int32_t merged) {
  if (!merged_.empty()) merged_[rank] = merged;  // else merged == rank (tiktoken)
  if (2 * (size_ + 1) > slots_.size()) Grow();
  const uint64_t key = Key(left, right);
  const uint64_t entry = (static_cast<uint64_t>(rank) << (2 * kIdBits)) | key;
  const uint64_t h = FilterHash(key);
  filter_[h >> filter_shift_] |= FilterBits(h);
  for (size_t i = Slot(key);; i = (i + 1) & mask_) {
    uint64_t& e = slots_[i];
    if ((e & kKeyMask) == key) {
      e = entry;
      return;
    }
    if (e == kEmpty) {
      e = entry;
      ++size_;
      return;
    }
  }
}

void ShortTokenTable::Reserve(size_t n) {
  // At most three quarters full: a miss (a piece that is not a token, one in twenty on the
  // corpus) still ends within a probe or two.
  size_t slots = 16;
  int shift = 60;
  while (3 * slots < 4 * n) {
    slots *= 2;
    --shift;
  }
  if (slots <= slots_.size()) return;
  LargeArray<Entry> old = std::move(slots_);
  slots_ = util::HugePageArray(slots, Entry{});
  mask_ = slots - 1;
  shift_ = shift;
  size_ = 0;
  for (const Entry& e : old) {
    if (e.hi != 0) Put(PieceKey{e.lo, e.hi}, e.id);
  }
}

void ShortTokenTable::Put(const PieceKey& key, int32_t id) {
  if (4 * (size_ + 1) > 3 * slots_.size()) Reserve(2 * (size_ + 1));
  size_t i = Slot(key);
  while (slots_[i].hi != 0) i = (i + 1) & mask_;
  slots_[i] = Entry{key.lo, key.hi, id};
  ++size_;
}

absl::Status ByteBpe::IndexTokens(const std::vector<std::string>& tokens,
                                  const std::vector<bool>* mergeable, absl::string_view source,
                                  bool allow_missing_bytes) {
  size_t total = 0;
  for (const std::string& t : tokens) total += t.size();
  arena_ = std::make_unique<char[]>(total + 1);
  offsets_.assign(1, 0);
  offsets_.reserve(tokens.size() + 1);
  for (const std::string& t : tokens) {
    std::memcpy(arena_.get() + offsets_.back(), t.data(), t.size());
    offsets_.push_back(offsets_.back() + static_cast<uint32_t>(t.size()));
  }
  ids_.reserve(tokens.size());
  for (int32_t id = 0; id < size(); ++id) {
    if (mergeable != nullptr && !(*mergeable)[id]) continue;
    // The first id of a byte string wins, as in a Python dict built in order.
    ids_.emplace(token(id), id);
  }
  size_t short_tokens = 0;
  for (const auto& [bytes, id] : ids_) {
    short_tokens += bytes.size() >= 2 && bytes.size() <= ShortTokenTable::kMaxLen;
  }
  short_ids_.Reserve(short_tokens);
  for (const auto& [bytes, id] : ids_) {
    if (bytes.size() >= 2 && bytes.size() <= ShortTokenTable::kMaxLen) {
      const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
      short_ids_.Put(PieceKey::Of(b, 0, bytes.size(), bytes.size()), id);
    }
  }
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    byte_ids_[b] = Find(absl::string_view(&c, 1));
    if (byte_ids_[b] < 0 && allow_missing_bytes) {
      byte_ids_[b] = kMissingByte;
      has_missing_bytes_ = true;
    } else if (byte_ids_[b] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": byte 0x", absl::Hex(b, absl::kZeroPad2),
                       " has no token; byte-level BPE needs all 256"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ByteBpe> ByteBpe::FromRanks(std::vector<std::string> tokens,
                                           absl::string_view source,
                                           const std::vector<bool>* mergeable) {
  ByteBpe bpe;
  if (tokens.size() >= static_cast<size_t>(PairTable::kMaxIds)) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", tokens.size(),
                                                   " tokens; byte-level BPE reads up to ",
                                                   PairTable::kMaxIds - 1));
  }
  if (absl::Status s = bpe.IndexTokens(tokens, mergeable, source, false); !s.ok()) return s;
  // Every way to cut a token in two whose halves are tokens is a merge with the token's rank:
  // exactly the pairs of adjacent parts tiktoken's byte_pair_merge would find a rank for.
  size_t splits = 0;
  for (const std::string& t : tokens) splits += t.empty() ? 0 : t.size() - 1;
  bpe.pairs_.Reserve(splits / 4);  // about half the cuts of a token make two tokens
  for (int32_t id = 0; id < bpe.size(); ++id) {
    if (mergeable != nullptr && !(*mergeable)[id]) continue;
    const absl::string_view t = bpe.token(id);
    for (size_t k = 1; k < t.size(); ++k) {
      const int32_t left = bpe.Find(t.substr(0, k));
      if (left < 0) continue;
      const int32_t right = bpe.Find(t.substr(k));
      if (right >= 0) bpe.pairs_.Put(left, right, static_cast<uint32_t>(id), id);
    }
  }
  bpe.IndexBytePairs();
  return bpe;
}

absl::StatusOr<ByteBpe> ByteBpe::FromMerges(
    std::vector<std::string> tokens, const std::vector<bool>& mergeable,
    const std::vector<std::pair<std::string, std::string>>& merges, absl::string_view source,
    bool allow_missing_bytes) {
  ByteBpe bpe;
  if (tokens.size() >= static_cast<size_t>(PairTable::kMaxIds) ||
      merges.size() >= PairTable::kMaxRanks) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", tokens.size(), " tokens and ", merges.size(),
                     " merges; byte-level BPE reads up to ", PairTable::kMaxIds - 1, " and ",
                     PairTable::kMaxRanks - 1));
  }
  if (absl::Status s = bpe.IndexTokens(tokens, &mergeable, source, allow_missing_bytes); !s.ok()) {
    return s;
  }
  bpe.pairs_.MapRanksToTokens(merges.size());
  bpe.pairs_.Reserve(merges.size());
  for (size_t r = 0; r < merges.size(); ++r) {
    const auto& [a, b] = merges[r];
    const int32_t left = bpe.Find(a), right = bpe.Find(b);
    const int32_t merged = bpe.Find(a + b);
    if (left < 0 || right < 0 || merged < 0) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": model.merges[", r, "]: ",
                                                     left < 0    ? "its left part"
                                                     : right < 0 ? "its right part"
                                                                 : "the merged token",
                                                     " is not in the vocabulary"));
    }
    // A later duplicate overwrites an earlier one, as the HashMap in tokenizers does.
    bpe.pairs_.Put(left, right, static_cast<uint32_t>(r), merged);
  }
  bpe.pairs_.UseMergedAsRankWhereOrderAllows();
  bpe.IndexBytePairs();
  return bpe;
}

void ByteBpe::KeepShortTokensThatMergeWhole() {
  // The kept ids first, then the table again from them: the old table is freed before the new
  // one is made (two at once raised a load's peak memory by the table's size).
  Scratch scratch;
  std::vector<int32_t> merged, kept;
  for (const auto& [bytes, id] : ids_) {
    if (bytes.size() < 2 || bytes.size() > ShortTokenTable::kMaxLen) continue;
    merged.clear();
    Merge(bytes, scratch, &merged);
    if (merged.size() == 1 && merged[0] == id) kept.push_back(id);
  }
  short_ids_ = ShortTokenTable();
  short_ids_.Reserve(kept.size());
  for (const int32_t id : kept) {
    const absl::string_view bytes = token(id);
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
    short_ids_.Put(PieceKey::Of(b, 0, bytes.size(), bytes.size()), id);
  }
}

void ByteBpe::IndexBytePairs() {
  byte_pairs_.resize(256 * 256);
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) byte_pairs_[a << 8 | b] = RankOf(byte_ids_[a], byte_ids_[b]);
  }
}

}  // namespace xval::text
