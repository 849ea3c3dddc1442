// The scatter-add schedule of the backward passes (embed_backward.cc, embed_f64.cc): token
// indices stably sorted by id, so that each run of equal ids is contiguous and in token order,
// and one thread can add a run's tokens into their shared row with no race and in a fixed
// order. (PyTorch's CPU embedding_backward sorts the same way.)
#ifndef XVAL_KERNELS_ID_RUNS_H_
#define XVAL_KERNELS_ID_RUNS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include "absl/types/span.h"

namespace xval::kernels {

struct IdRuns {
  std::vector<uint32_t> order;     // (num_tokens): token indices, stably sorted by id
  std::vector<size_t> run_starts;  // (num_runs + 1): where each run starts in order; last = n
  size_t num_runs() const { return run_starts.size() - 1; }
};

// ids.size() must fit in uint32_t (the callers check it and return an error otherwise).
inline IdRuns SortTokensById(absl::Span<const int32_t> ids) {
  IdRuns runs;
  const size_t n = ids.size();
  runs.order.resize(n);
  std::iota(runs.order.begin(), runs.order.end(), 0u);
  std::stable_sort(runs.order.begin(), runs.order.end(),
                   [&ids](uint32_t a, uint32_t b) { return ids[a] < ids[b]; });
  runs.run_starts.reserve(n + 1);
  for (size_t k = 0; k < n; ++k) {
    if (k == 0 || ids[runs.order[k]] != ids[runs.order[k - 1]]) runs.run_starts.push_back(k);
  }
  runs.run_starts.push_back(n);
  return runs;
}

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_ID_RUNS_H_
