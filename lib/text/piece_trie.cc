#include "text/piece_trie.h"

#include <algorithm>

namespace xval::text {

PieceTrie::PieceTrie(std::vector<std::pair<absl::string_view, int32_t>> entries) {
  entries.erase(
      std::remove_if(entries.begin(), entries.end(), [](const auto& e) { return e.first.empty(); }),
      entries.end());
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }),
                entries.end());
  // Breadth first: node k stands for the common prefix (of length depth) of the sorted
  // entries [lo, hi); its children are appended together, so they are consecutive.
  struct Pending {
    size_t lo, hi, depth;
  };
  std::vector<Pending> nodes{{0, entries.size(), 0}};
  token_.push_back(-1);
  label_.push_back(0);
  for (size_t node = 0; node < nodes.size(); ++node) {
    auto [lo, hi, depth] = nodes[node];
    first_child_.push_back(static_cast<uint32_t>(nodes.size()));
    if (lo < hi && entries[lo].first.size() == depth) {  // sorted first: the prefix itself
      token_[node] = entries[lo].second;
      ++lo;
    }
    while (lo < hi) {
      const unsigned char c = static_cast<unsigned char>(entries[lo].first[depth]);
      size_t end = lo + 1;
      while (end < hi && static_cast<unsigned char>(entries[end].first[depth]) == c) ++end;
      nodes.push_back(Pending{lo, end, depth + 1});
      token_.push_back(-1);
      label_.push_back(c);
      lo = end;
    }
  }
  first_child_.push_back(static_cast<uint32_t>(nodes.size()));
}

}  // namespace xval::text
