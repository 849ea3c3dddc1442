// The forward pass's vector functions besides the matrix product, vectorized (Highway,
// dispatched at run time): the MLP's SiLU gate, attention's softmax (both spend their time in
// exp, which the standard library computes one float at a time), one query's whole attention
// for decode, RMSNorm and the rotary embedding.
#ifndef XVAL_KERNELS_ACTIVATIONS_H_
#define XVAL_KERNELS_ACTIVATIONS_H_

#include <cstddef>
#include <cstdint>

namespace xval::kernels {

// gate[i] = silu(gate[i]) * up[i] = gate[i] / (1 + exp(-gate[i])) * up[i] for i < n: LlamaMLP's
// act_fn(gate_proj(x)) * up_proj(x). gate: (n), up: (n).
void SiluMul(float* gate, const float* up, size_t n);

// row[0, len) = softmax(row[0, len) * scale) (max subtracted first, as torch.softmax does);
// row[len, width) = 0, the causal mask's zeros. len >= 1. row: (width).
void Softmax(float* row, size_t len, size_t width, float scale);

// One query's attention over len >= 1 cached positions: out = softmax(q k^T * scale) v, the
// softmax as torch computes it (maximum subtracted, f32) and the weighted sum normalized once at
// the end. q: (d); keys, values: (len, stride); scratch: (len) floats; out: (d).
void AttendOneQuery(const float* q, size_t d, const float* keys, const float* values, size_t stride,
                    size_t len, float scale, float* scratch, float* out);

// The same over binary16 keys and values (an f16 KV cache), widened exactly.
void AttendOneQueryF16(const float* q, size_t d, const uint16_t* keys, const uint16_t* values,
                       size_t stride, size_t len, float scale, float* scratch, float* out);

// dst[i] = the binary16 code of src[i], rounded to nearest even (kernels::F32ToF16), i < n.
void F32ToF16Row(const float* src, size_t n, uint16_t* dst);

// out = x * rsqrt(mean(x^2) + eps) * weight, as LlamaRMSNorm computes it in f32, for one row;
// the mean is summed in double, so that its rounding does not depend on the order of the sum.
// x, weight, out: (dim); out may be x.
void RmsNormRow(const float* x, const float* weight, float eps, size_t dim, float* out);

// The rotary embedding of num_heads heads of head_dim (even) floats at one position, in place:
// v'[i] = v[i] * cos_row[i] + v[partner(i)] * sin_row[i], where partner(i) is i + head_dim / 2
// mod head_dim (transformers' rotate_half; sin_row's first half holds -sin) or i ^ 1 for
// adjacent pairs (GGUF's permuted q/k rows; sin_row holds -sin at even i). row:
// (num_heads, head_dim); cos_row, sin_row: (head_dim), the same for every head.
void Rope(float* row, size_t num_heads, size_t head_dim, const float* cos_row, const float* sin_row,
          bool adjacent_pairs);

// ---- Scalar references (activations_reference.cc): the definitions above in double. ----

// out[i] = silu(gate[i]) * up[i]. out: (n).
void SiluMulReference(const float* gate, const float* up, size_t n, double* out);
// Softmax's result for row (width): out (width), zeros past len.
void SoftmaxReference(const float* row, size_t len, size_t width, float scale, double* out);
// AttendOneQuery's result from the same (already widened) keys and values. out: (d).
void AttendOneQueryReference(const float* q, size_t d, const float* keys, const float* values,
                             size_t stride, size_t len, double scale, double* out);
// RmsNormRow's result. out: (dim).
void RmsNormRowReference(const float* x, const float* weight, float eps, size_t dim, double* out);
// Rope's result when pair i of every head turns by angles[i]: (a, b) -> (a cos - b sin,
// b cos + a sin), as apply_rotary_pos_emb. row, out: (num_heads, head_dim); angles:
// (head_dim / 2).
void RopeReference(const float* row, size_t num_heads, size_t head_dim, const float* angles,
                   bool adjacent_pairs, double* out);

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_ACTIVATIONS_H_
