// llama.cpp's arithmetic for products with k-quant weights: the activations rounded to 8 bits
// per block of 256 (ggml's Q8_K), so that a block's dot product is a sum of integer products
// scaled once. Faster than f32 activations, and no longer transformers' f32 results: MatMul
// uses it only when asked (Activations::kQ8), for one token and Q4_K / Q6_K weights.
#ifndef XVAL_KERNELS_Q8_ACTIVATIONS_H_
#define XVAL_KERNELS_Q8_ACTIVATIONS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/matmul.h"

namespace xval::kernels {

// One token's activations as Q8_K blocks: x[k] ~= d[k / 256] * qs[k].
struct Q8Activations {
  std::vector<float> d;        // (cols / 256) the blocks' scales
  std::vector<int8_t> qs;      // (cols) the rounded values, -127 .. 127
  std::vector<int16_t> bsums;  // (cols / 16) the sums of qs over each run of 16
};

// ggml's quantize_row_q8_K_ref: per block, d = max / -127 for the value of largest magnitude,
// qs = round-half-even(x / d) (at most 127); an all-zero block (or one too small for 127 / max)
// has d = 0 and a block holding a NaN or infinity d = NaN, qs = 0. cols: a multiple of 256.
// x: (cols).
void QuantizeQ8K(const float* x, size_t cols, Q8Activations* out);

// ggml's dot product of one quantized row (Q4_K or Q6_K, whole blocks) with Q8_K activations,
// as ggml-quants.c's scalar vec_dot_q4_K_q8_K / vec_dot_q6_K_q8_K compute it: integer sums per
// block, then d_w * d_x times them in f32, summed over the blocks in double here; NaN for other
// types. The scalar reference of the Activations::kQ8 product.
double DotQ8Reference(WeightType type, const uint8_t* row, const Q8Activations& x, size_t cols);

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_Q8_ACTIVATIONS_H_
