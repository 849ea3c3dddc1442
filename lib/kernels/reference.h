// Scalar references for the embedding kernels: the definition every Highway target and the
// CUDA kernels are tested against. Arguments are assumed valid (see embed_validate.h).
#ifndef XVAL_KERNELS_REFERENCE_H_
#define XVAL_KERNELS_REFERENCE_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "xval/embed.h"

namespace xval::kernels {

// One element of a view, widened to f32 (exact for every dtype).
float LoadAsF32(const ConstMatrixView& view, size_t row, size_t col);
// Stores x as out's element (row, col), rounded once to out's dtype (f32 or bf16).
void StoreFromF32(const MatrixView& out, size_t row, size_t col, float x);

// out[t, c] = round(f32(table[ids[t], c]) * values[t]) (no multiply when values is empty), one
// element at a time; the definition the SIMD and CUDA forward kernels must match bit for bit.
void EmbedReference(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                    absl::Span<const float> values, const MatrixView& out);

// The fused number embeddings (number_encodings.h), one element at a time from the table:
// out[t, c] = round(f32(table[ids[t], c]) + FoNE feature c of values[t]) where ids[t] == num_id
// and c < 2 * periods, the plain element elsewhere.
void EmbedFoneReference(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                        absl::Span<const double> values, int32_t num_id,
                        absl::Span<const double> periods, const MatrixView& out);
// out[t, c] = round(BitTokens feature c of values[t], 0 past them) where ids[t] == num_id, the
// plain element elsewhere.
void EmbedBitTokensReference(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                             absl::Span<const double> values, int32_t num_id, bool reciprocal,
                             float scale, const MatrixView& out);

// The backward pass in float64, for checking the f32 kernels within a rounding bound.
struct EmbedGradsF64 {
  std::vector<double> d_table;   // (table.rows, table.cols) dense: sum over t of d_out * value
  std::vector<double> d_values;  // (ids.size()): dot(d_out[t], table[ids[t]])
  // (table.rows, table.cols) dense: sum over t of |d_out * value|, the scale of the rounding
  // error an f32 sum of the same terms may carry.
  std::vector<double> d_table_abs;
  std::vector<double> d_values_abs;  // (ids.size()): sum of |d_out * table|
};
EmbedGradsF64 EmbedBackwardReference(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                                     absl::Span<const float> values,
                                     const ConstMatrixView& d_out);

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_REFERENCE_H_
