// Argument checks shared by the CPU and CUDA embedding entry points, so that both reject the
// same calls with the same messages. Only shapes, types and pointers are checked here; ids are
// checked where they can be read (on the host by CheckIds, on the device by the CUDA kernels).
#ifndef XVAL_KERNELS_EMBED_VALIDATE_H_
#define XVAL_KERNELS_EMBED_VALIDATE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "xval/embed.h"

namespace xval::kernels {

// A view is well formed: a known dtype, row_stride >= cols, a non-null pointer when it has
// elements, and a byte extent that fits in size_t.
absl::Status ValidateView(const char* name, const ConstMatrixView& view);

// Everything about an Embed call except the id values.
absl::Status ValidateEmbedArgs(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                               absl::Span<const float> values, const MatrixView& out);

// Everything about an EmbedBackward call except the id values.
absl::Status ValidateEmbedBackwardArgs(const ConstMatrixView& table,
                                       absl::Span<const int32_t> ids,
                                       absl::Span<const float> values,
                                       const ConstMatrixView& d_out, const MatrixView& d_table,
                                       absl::Span<float> d_values);

// Everything about a fused number embedding (number_encodings.h) except the id values: Embed's
// checks, one float64 value per token, a [NUM] id inside the table, and a hidden size of at
// least `features` columns.
absl::Status ValidateNumberEmbedArgs(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                                     absl::Span<const double> values, int32_t num_id,
                                     const MatrixView& out, size_t features);

// FoNE periods given to a kernel: each finite and positive.
absl::Status ValidateFonePeriods(absl::Span<const double> periods);

// True for the default-constructed MatrixView that means "this gradient is not wanted".
inline bool IsAbsent(const MatrixView& view) {
  return view.data == nullptr && view.rows == 0 && view.cols == 0 && view.row_stride == 0;
}

// OutOfRange naming the first token whose id is not in [0, vocab).
absl::Status CheckIds(absl::Span<const int32_t> ids, size_t vocab);

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_EMBED_VALIDATE_H_
