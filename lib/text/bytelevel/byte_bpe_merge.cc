// The BPE merge loop over the bytes of one piece: repeatedly merge the adjacent pair with the
// lowest rank, leftmost first among equal ranks, until no pair merges.
#include <algorithm>

#include "text/bytelevel/byte_bpe.h"

namespace xval::text {
namespace {

// Up to this many bytes the O(n·m) array scan beats a heap (tiktoken switches at 100 bytes
// for the same reason); above it the heap keeps a megabyte-long piece O(n log n).
constexpr size_t kShortPiece = 128;

}  // namespace

void ByteBpe::Merge(absl::string_view piece, Scratch& scratch, std::vector<int32_t>* out) const {
  if (piece.size() <= kShortPiece) {
    MergeShort(piece, out);
  } else {
    MergeLong(piece, scratch, out);
  }
}

void ByteBpe::MergeShort(absl::string_view piece, std::vector<int32_t>* out) const {
  // ids[i]: the part at i; ranks[i]: the rank of merging parts i and i + 1. On the stack and
  // shifted by plain loops: a merged piece has a dozen bytes on average, too few for resizing
  // scratch vectors (which zero-fills them) and a memmove call per merge to pay.
  int32_t ids[kShortPiece];
  uint32_t ranks[kShortPiece];
  const size_t n = piece.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(piece.data());
  for (size_t i = 0; i < n; ++i) ids[i] = byte_ids_[bytes[i]];
  for (size_t i = 0; i + 1 < n; ++i) ranks[i] = byte_pairs_[bytes[i] << 8 | bytes[i + 1]];
  ranks[n - 1] = kNoRank;
  // The pairs the first merges are likely to make next (a merged byte pair and the byte, or
  // the next merged pair, beside it), started together: one after another, each merge waited
  // for its lookups in the pair table (megabytes: a cache miss on a first call).
  for (size_t i = 0; i + 1 < n; ++i) {
    if (ranks[i] == kNoRank) continue;
    const int32_t merged = pairs_.MergedOf(ranks[i]);
    if (i + 3 < n && ranks[i + 2] != kNoRank) {
      pairs_.Prefetch(merged, pairs_.MergedOf(ranks[i + 2]));
    } else if (i + 2 < n) {
      pairs_.Prefetch(merged, ids[i + 2]);
    }
    if (i > 0 && (i < 2 || ranks[i - 2] == kNoRank)) pairs_.Prefetch(ids[i - 1], merged);
  }
  size_t m = n;
  while (m > 1) {
    // The lowest (rank, position): the leftmost of equal ranks wins. A minimum of packed
    // words, without a branch per pair (which of a dozen ranks is lowest is unpredictable).
    uint64_t lowest = uint64_t{ranks[0]} << 32;
    for (size_t i = 1; i + 1 < m; ++i) lowest = std::min(lowest, uint64_t{ranks[i]} << 32 | i);
    const uint32_t best_rank = static_cast<uint32_t>(lowest >> 32);
    const size_t best = static_cast<uint32_t>(lowest);
    if (best_rank == kNoRank) break;
    const int32_t merged = pairs_.MergedOf(best_rank);
    ids[best] = merged;
    // The two new pairs' lookups, started before the shift below.
    if (best + 2 < m) pairs_.Prefetch(merged, ids[best + 2]);
    if (best > 0) pairs_.Prefetch(ids[best - 1], merged);
    --m;
    for (size_t i = best + 1; i < m; ++i) {
      ids[i] = ids[i + 1];
      ranks[i] = ranks[i + 1];
    }
    ranks[best] = best + 1 < m ? RankOf(ids[best], ids[best + 1]) : kNoRank;
    if (best > 0) ranks[best - 1] = RankOf(ids[best - 1], ids[best]);
  }
  out->insert(out->end(), ids, ids + m);
}

void ByteBpe::MergeLong(absl::string_view piece, Scratch& scratch,
                        std::vector<int32_t>* out) const {
  using Node = Scratch::Node;
  using Candidate = Scratch::Candidate;
  auto& nodes = scratch.nodes;
  auto& heap = scratch.heap;
  const int32_t n = static_cast<int32_t>(piece.size());
  nodes.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    nodes[i] = Node{byte_ids_[static_cast<uint8_t>(piece[i])], static_cast<uint32_t>(i), i - 1,
                    i + 1 < n ? i + 1 : -1};
  }
  // A min-heap on (rank, begin). Entries go stale when either side merges; they carry the ids
  // they were made from and are dropped when popped if those changed.
  auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.begin > b.begin;
  };
  heap.clear();
  auto push = [&](int32_t left) {
    const int32_t right = nodes[left].next;
    if (right < 0) return;
    const uint32_t rank = RankOf(nodes[left].id, nodes[right].id);
    if (rank == kNoRank) return;
    heap.push_back(Candidate{rank, nodes[left].begin, left, nodes[left].id, nodes[right].id});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (int32_t i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Candidate c = heap.back();
    heap.pop_back();
    Node& left = nodes[c.left];
    if (left.id != c.left_id || left.next < 0) continue;  // merged away or changed
    Node& right = nodes[left.next];
    if (right.id != c.right_id) continue;
    left.id = pairs_.MergedOf(c.rank);  // the pair's ids are unchanged, so is its rank
    right.id = -1;  // dead: no candidate names it as a left side any more
    left.next = right.next;
    if (right.next >= 0) nodes[right.next].prev = c.left;
    if (left.prev >= 0) push(left.prev);
    push(c.left);
  }
  for (int32_t i = 0; i >= 0; i = nodes[i].next) out->push_back(nodes[i].id);
}

}  // namespace xval::text
