#include "text/bpe/bpe_merge.h"

#include <algorithm>

namespace xval::text {
namespace {

// Heap order: the lowest rank on top, then the leftmost position.
struct Later {
  template <typename C>
  bool operator()(const C& a, const C& b) const {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  }
};

}  // namespace

void BpeMerger::Push(const BpeVocab& vocab, int32_t left) {
  if (left < 0) return;
  const int32_t right = nodes_[left].next;
  if (right < 0) return;
  const MergeRule* rule = vocab.FindMerge(nodes_[left].id, nodes_[right].id);
  if (rule == nullptr) return;
  heap_.push_back(Candidate{rule->rank, left, nodes_[left].id, nodes_[right].id});
  std::push_heap(heap_.begin(), heap_.end(), Later());
}

void BpeMerger::MergeShort(const BpeVocab& vocab, std::vector<BpeSymbol>* symbols) {
  // ranks[i], merged[i]: the merge of symbols i and i + 1 (kNone: none), found once.
  constexpr uint32_t kNone = ~uint32_t{0};
  BpeSymbol* sym = symbols->data();
  size_t m = symbols->size();
  uint32_t ranks[kShortWord];
  int32_t merged[kShortWord];
  auto look_up = [&](size_t i) {
    const MergeRule* rule = vocab.FindMerge(sym[i].id, sym[i + 1].id);
    ranks[i] = rule != nullptr ? rule->rank : kNone;
    merged[i] = rule != nullptr ? rule->merged : -1;
  };
  for (size_t i = 0; i + 1 < m; ++i) look_up(i);
  while (m > 1) {
    // The lowest (rank, position): the leftmost of equal ranks wins, as in the heap's order.
    uint64_t lowest = uint64_t{ranks[0]} << 32;
    for (size_t i = 1; i + 1 < m; ++i) lowest = std::min(lowest, uint64_t{ranks[i]} << 32 | i);
    if (static_cast<uint32_t>(lowest >> 32) == kNone) break;
    const size_t best = static_cast<uint32_t>(lowest);
    sym[best].id = merged[best];
    sym[best].len += sym[best + 1].len;
    --m;
    for (size_t i = best + 1; i < m; ++i) {
      sym[i] = sym[i + 1];
      ranks[i] = ranks[i + 1];
      merged[i] = merged[i + 1];
    }
    if (best + 1 < m) look_up(best);
    if (best > 0) look_up(best - 1);
  }
  symbols->resize(m);
}

void BpeMerger::Merge(const BpeVocab& vocab, std::vector<BpeSymbol>* symbols) {
  const int32_t n = static_cast<int32_t>(symbols->size());
  if (n < 2) return;
  if (symbols->size() <= kShortWord) {
    MergeShort(vocab, symbols);
    return;
  }
  nodes_.clear();
  heap_.clear();
  for (int32_t i = 0; i < n; ++i) {
    const BpeSymbol& s = (*symbols)[i];
    nodes_.push_back(Node{s.id, s.begin, s.len, i - 1, i + 1 < n ? i + 1 : -1});
  }
  for (int32_t i = 0; i + 1 < n; ++i) Push(vocab, i);

  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    const Candidate c = heap_.back();
    heap_.pop_back();
    Node& left = nodes_[c.left];
    // Stale when either side has merged since the candidate was pushed.
    if (left.len == 0 || left.id != c.left_id || left.next < 0) continue;
    Node& right = nodes_[left.next];
    if (right.id != c.right_id) continue;
    left.id = vocab.FindMerge(c.left_id, c.right_id)->merged;
    left.len += right.len;
    right.len = 0;
    left.next = right.next;
    if (left.next >= 0) nodes_[left.next].prev = c.left;
    Push(vocab, left.prev);
    Push(vocab, c.left);
  }

  symbols->clear();
  for (int32_t i = 0; i >= 0; i = nodes_[i].next) {
    symbols->push_back(BpeSymbol{nodes_[i].id, nodes_[i].begin, nodes_[i].len});
  }
}

}  // namespace xval::text
