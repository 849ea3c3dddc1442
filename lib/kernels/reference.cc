#include "kernels/reference.h"

#include <cmath>
#include <cstring>

#include "kernels/bit_token_features.h"
#include "kernels/convert.h"
#include "kernels/fone_features.h"
#include "xval/number_encodings.h"

namespace xval::kernels {

float LoadAsF32(const ConstMatrixView& view, size_t row, size_t col) {
  const size_t index = row * view.row_stride + col;
  switch (view.dtype) {
    case DType::kF32:
      return static_cast<const float*>(view.data)[index];
    case DType::kBF16:
      return Bf16ToF32(static_cast<const uint16_t*>(view.data)[index]);
    case DType::kF16:
      return F16ToF32(static_cast<const uint16_t*>(view.data)[index]);
  }
  return 0.0f;
}

void StoreFromF32(const MatrixView& out, size_t row, size_t col, float x) {
  const size_t index = row * out.row_stride + col;
  if (out.dtype == DType::kF32) {
    static_cast<float*>(out.data)[index] = x;
  } else {
    static_cast<uint16_t*>(out.data)[index] = F32ToBf16(x);
  }
}

void EmbedReference(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                    absl::Span<const float> values, const MatrixView& out) {
  for (size_t t = 0; t < ids.size(); ++t) {
    for (size_t c = 0; c < table.cols; ++c) {
      float x = LoadAsF32(table, static_cast<size_t>(ids[t]), c);
      if (!values.empty()) x *= values[t];
      StoreFromF32(out, t, c, x);
    }
  }
}

void EmbedFoneReference(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                        absl::Span<const double> values, int32_t num_id,
                        absl::Span<const double> periods, const MatrixView& out) {
  std::vector<float> features(2 * periods.size());  // (2 * periods) f32
  for (size_t t = 0; t < ids.size(); ++t) {
    const bool number = ids[t] == num_id;
    if (number) {
      std::fill(features.begin(), features.end(), 0.0f);
      FoneRow(values[t], periods, features.data());
    }
    for (size_t c = 0; c < table.cols; ++c) {
      float x = LoadAsF32(table, static_cast<size_t>(ids[t]), c);
      if (number && c < features.size()) x += features[c];
      StoreFromF32(out, t, c, x);
    }
  }
}

void EmbedBitTokensReference(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                             absl::Span<const double> values, int32_t num_id, bool reciprocal,
                             float scale, const MatrixView& out) {
  std::vector<float> features(BitTokenWidth(reciprocal));  // (64 or 128) f32
  for (size_t t = 0; t < ids.size(); ++t) {
    const bool number = ids[t] == num_id;
    if (number) BitTokenRow(values[t], reciprocal, scale, features.data());
    for (size_t c = 0; c < table.cols; ++c) {
      const float x = !number ? LoadAsF32(table, static_cast<size_t>(ids[t]), c)
                              : (c < features.size() ? features[c] : 0.0f);
      StoreFromF32(out, t, c, x);
    }
  }
}

EmbedGradsF64 EmbedBackwardReference(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                                     absl::Span<const float> values,
                                     const ConstMatrixView& d_out) {
  const size_t hidden = table.cols;
  EmbedGradsF64 grads;
  grads.d_table.assign(table.rows * hidden, 0.0);
  grads.d_table_abs.assign(table.rows * hidden, 0.0);
  grads.d_values.assign(ids.size(), 0.0);
  grads.d_values_abs.assign(ids.size(), 0.0);
  for (size_t t = 0; t < ids.size(); ++t) {
    const size_t row = static_cast<size_t>(ids[t]);
    const double value = values.empty() ? 1.0 : values[t];
    for (size_t c = 0; c < hidden; ++c) {
      const double g = LoadAsF32(d_out, t, c);
      const double w = LoadAsF32(table, row, c);
      grads.d_table[row * hidden + c] += g * value;
      grads.d_table_abs[row * hidden + c] += std::fabs(g * value);
      grads.d_values[t] += g * w;
      grads.d_values_abs[t] += std::fabs(g * w);
    }
  }
  return grads;
}

}  // namespace xval::kernels
