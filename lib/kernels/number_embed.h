// What the number encodings' kernels share (fone.cc, bit_tokens.cc): output checks and the pass
// over the [NUM] tokens after the lookup.
//
// A fused number embedding is the Highway lookup (Embed) followed by that pass, which rewrites
// the [NUM] rows only: a number's features cost a few dozen scalar operations, and [NUM] tokens
// are a small share of any text's tokens, so the lookup sets the speed (docs/benchmarks-embed.md).
#ifndef XVAL_KERNELS_NUMBER_EMBED_H_
#define XVAL_KERNELS_NUMBER_EMBED_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "kernels/embed_validate.h"
#include "util/status_macros.h"
#include "util/thread_pool.h"
#include "xval/embed.h"

namespace xval::kernels {

// `out` is a well-formed f32 view of `rows` rows and at least `min_cols` columns.
inline absl::Status CheckF32Output(const char* name, const MatrixView& out, size_t rows,
                                   size_t min_cols) {
  RETURN_IF_ERROR(ValidateView(name, out));
  if (out.dtype != DType::kF32) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must be f32"));
  }
  if (out.rows != rows || out.cols < min_cols) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is (", out.rows, ", ", out.cols,
                                                   "); expected (", rows, ", >= ", min_cols, ")"));
  }
  return absl::OkStatus();
}

// A fused embedding's arguments, the ids' values included.
inline absl::Status CheckFused(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                               absl::Span<const double> values, int32_t num_id,
                               const MatrixView& out, size_t features) {
  RETURN_IF_ERROR(ValidateNumberEmbedArgs(table, ids, values, num_id, out, features));
  return CheckIds(ids, table.rows);
}

// Calls rewrite(t, features) for every token t whose id is num_id, on the pool: the pass
// over the [NUM] rows after the lookup. `features` is per-chunk scratch of `width` floats.
template <typename Rewrite>
void ForEachNumberToken(absl::Span<const int32_t> ids, int32_t num_id, size_t width,
                        size_t max_threads, Rewrite rewrite) {
  util::ParallelFor(
      ids.size(), 1024,
      [&](size_t begin, size_t end) {
        std::vector<float> features(width);  // (width) f32
        for (size_t t = begin; t < end; ++t) {
          if (ids[t] == num_id) rewrite(t, features.data());
        }
      },
      max_threads);
}

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_NUMBER_EMBED_H_
