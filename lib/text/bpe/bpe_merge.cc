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

void BpeMerger::Merge(const BpeVocab& vocab, std::vector<BpeSymbol>* symbols) {
  const int32_t n = static_cast<int32_t>(symbols->size());
  if (n < 2) return;
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
