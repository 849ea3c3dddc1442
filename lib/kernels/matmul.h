// Matrix products of f32 activations with weights stored as f32, f16, bf16 or one of ggml's
// quantized blocks (Q8_0, Q4_0, Q4_K, Q5_K, Q6_K; quant_blocks.h): the one kernel that the
// forward pass spends its time in. Highway, dispatched at run time.
#ifndef XVAL_KERNELS_MATMUL_H_
#define XVAL_KERNELS_MATMUL_H_

#include <cstddef>

#include "absl/types/span.h"
#include "xval/model.h"

namespace xval::kernels {

// The weight types are the model API's (xval/model.h).
using model::WeightType;
using model::WeightTypeName;

// A row-major weight matrix, as nn.Linear stores it: (rows = out_features, cols = in_features).
// Quantized rows are whole blocks, cols / BlockFormatOf(type).weights of them (cols a multiple
// of the block's weights), with no gap between rows, and row_stride is ignored; for the float
// types row r starts at element r * row_stride.
struct WeightMatrix {
  WeightType type = WeightType::kF32;
  const void* data = nullptr;  // (rows, row_stride) elements
  size_t rows = 0;
  size_t cols = 0;
  size_t row_stride = 0;
};

// How a product treats its activations. kF32: as they are (every product and sum in f32, the
// results of the scalar reference up to rounding). kQ8: llama.cpp's arithmetic for one token
// and Q4_K or Q6_K weights: x rounded to 8 bits per block of 256 (Q8_K, q8_activations.h),
// integer dot products scaled per block, faster than dequantizing every weight to f32; other
// token counts and types stay kF32. The rounding of x moves the results (DotQ8Reference is
// exact for it; docs/benchmarks.md, "Issue 24", has the speed and the distance).
enum class Activations : uint8_t { kF32 = 0, kQ8 = 1 };

// out[i, j] = sum_k x[i, k] * w[j, k] for i < n, j < w.rows: PyTorch's x @ w.T, F.linear
// without bias. x: (n, w.cols) with row stride x_stride; out: (n, w.rows) with row stride
// out_stride; out must not overlap x or w. Sums are f32, in lanes then reduced, so results
// differ from a sequential sum by rounding only. Threads over the rows of w (max_threads 0:
// all cores; a call from inside a ParallelFor worker runs on that thread alone).
void MatMul(const float* x, size_t x_stride, size_t n, const WeightMatrix& w, float* out,
            size_t out_stride, size_t max_threads, Activations activations = Activations::kF32);

// One product of a fused call: out (n, w.rows) with row stride out_stride.
struct MatMulTarget {
  WeightMatrix w;
  float* out = nullptr;
  size_t out_stride = 0;
};

// MatMul for several weight matrices that read the same x (q/k/v, gate/up): every target's
// w.cols must equal cols. One parallel region covers all of them, and for a batch x is packed
// once, so fusing saves a thread wake-up and a pass over x per extra matrix.
void MatMulFused(const float* x, size_t x_stride, size_t n, size_t cols,
                 absl::Span<const MatMulTarget> targets, size_t max_threads,
                 Activations activations = Activations::kF32);

// One row of w widened to f32 by the scalar reference (dequantize.cc): dst (w.cols).
void DequantizeRow(const WeightMatrix& w, size_t row, float* dst);

// The scalar reference of MatMul: out[i, j] = sum_k x[i, k] * w[j, k] in double, and
// abs_out[i, j] (when not null) the sum of |x[i, k] * w[j, k]|, which bounds the f32
// kernel's rounding. x: (n, w.cols) with row stride x_stride; out, abs_out: (n, w.rows).
void MatMulReference(const float* x, size_t x_stride, size_t n, const WeightMatrix& w, double* out,
                     double* abs_out);

// The same row through the vectorized loaders that the products use (the best Highway target
// of this CPU, or the one a test selects): bit-equal to DequantizeRow. dst (w.cols).
void WidenRow(const WeightMatrix& w, size_t row, float* dst);

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_MATMUL_H_
