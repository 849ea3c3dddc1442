// BitTokens (number_encodings.h): the float64 bits as features, the fused "zero_pad" embedding
// and the head's decoding (bit_token_features.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kernels/bit_token_features.h"
#include "kernels/embed_validate.h"
#include "kernels/number_embed.h"
#include "kernels/reference.h"
#include "util/status_macros.h"
#include "xval/number_encodings.h"

namespace xval::kernels {

absl::Status BitTokenFeatures(absl::Span<const double> values, bool reciprocal, float scale,
                              MatrixView out) {
  RETURN_IF_ERROR(CheckF32Output("out", out, values.size(), BitTokenWidth(reciprocal)));
  for (size_t t = 0; t < values.size(); ++t) {
    float* row = static_cast<float*>(out.data) + t * out.row_stride;
    std::fill(row, row + out.cols, 0.0f);
    BitTokenRow(values[t], reciprocal, scale, row);
  }
  return absl::OkStatus();
}

absl::Status EmbedBitTokens(ConstMatrixView table, absl::Span<const int32_t> ids,
                            absl::Span<const double> values, int32_t num_id, bool reciprocal,
                            float scale, MatrixView out, const EmbedOptions& options) {
  const size_t width = BitTokenWidth(reciprocal);
  RETURN_IF_ERROR(CheckFused(table, ids, values, num_id, out, width));
  RETURN_IF_ERROR(Embed(table, ids, {}, out, options));
  // A [NUM] row is replaced whole: its features, then zeros.
  ForEachNumberToken(ids, num_id, width, options.max_threads, [&](size_t t, float* features) {
    BitTokenRow(values[t], reciprocal, scale, features);
    for (size_t c = 0; c < out.cols; ++c) StoreFromF32(out, t, c, c < width ? features[c] : 0.0f);
  });
  return absl::OkStatus();
}

absl::Status BitTokenDecode(ConstMatrixView logits, absl::Span<double> values) {
  RETURN_IF_ERROR(ValidateView("logits", logits));
  if (logits.dtype != DType::kF32 || logits.cols < 64 || values.size() != logits.rows) {
    return absl::InvalidArgumentError(
        absl::StrCat("logits must be f32 (n, >= 64) and values hold n entries; got (", logits.rows,
                     ", ", logits.cols, ") and ", values.size()));
  }
  for (size_t t = 0; t < logits.rows; ++t) {
    values[t] = BitTokenDecodeRow(static_cast<const float*>(logits.data) + t * logits.row_stride);
  }
  return absl::OkStatus();
}

}  // namespace xval::kernels
