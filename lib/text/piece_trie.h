// A byte trie of vocabulary pieces for the Unigram tokenizers' Viterbi search, which walks it
// from every position of a text. Nodes are numbered breadth first, so the children of a node are
// consecutive nodes and their edge bytes (sorted) lie side by side in one array: a step is a scan
// of a few adjacent bytes, not a hash lookup, and the top of the trie stays in cache.
#ifndef XVAL_TEXT_PIECE_TRIE_H_
#define XVAL_TEXT_PIECE_TRIE_H_

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace xval::text {

class PieceTrie {
 public:
  static constexpr int32_t kRoot = 0;

  // (piece, id) entries; an empty piece is left out, and of a piece given twice the first entry
  // counts.
  explicit PieceTrie(std::vector<std::pair<absl::string_view, int32_t>> entries);
  PieceTrie() : PieceTrie(std::vector<std::pair<absl::string_view, int32_t>>{}) {}

  // The child of `node` on byte `c`, or -1.
  int32_t Child(int32_t node, unsigned char c) const {
    const uint32_t first = first_child_[node];
    const uint32_t n = first_child_[node + 1] - first;
    const unsigned char* labels = label_.data() + first;
    if (n <= 16) {
      for (uint32_t k = 0; k < n; ++k) {
        if (labels[k] == c) return static_cast<int32_t>(first + k);
        if (labels[k] > c) return -1;
      }
      return -1;
    }
    const void* hit = std::memchr(labels, c, n);
    return hit == nullptr
               ? -1
               : static_cast<int32_t>(first + (static_cast<const unsigned char*>(hit) - labels));
  }
  // The id of the piece spelled by the path to `node`, or -1.
  int32_t Token(int32_t node) const { return token_[node]; }
  size_t num_nodes() const { return token_.size(); }

 private:
  std::vector<int32_t> token_;         // by node
  std::vector<uint32_t> first_child_;  // by node, plus one past the end: children are a range
  std::vector<unsigned char> label_;   // by node: the byte on the edge into it
};

}  // namespace xval::text

#endif  // XVAL_TEXT_PIECE_TRIE_H_
