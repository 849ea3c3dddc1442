// The forward pass's elementwise functions, vectorized (Highway, dispatched at run time): the
// MLP's SiLU gate and attention's softmax. Both spend their time in exp, which the standard
// library computes one float at a time.
#ifndef XVAL_MODEL_ACTIVATIONS_H_
#define XVAL_MODEL_ACTIVATIONS_H_

#include <cstddef>

namespace xval::model {

// gate[i] = silu(gate[i]) * up[i] = gate[i] / (1 + exp(-gate[i])) * up[i] for i < n: LlamaMLP's
// act_fn(gate_proj(x)) * up_proj(x). gate: (n), up: (n).
void SiluMul(float* gate, const float* up, size_t n);

// row[0, len) = softmax(row[0, len) * scale) (max subtracted first, as torch.softmax does);
// row[len, width) = 0, the causal mask's zeros. len >= 1. row: (width).
void Softmax(float* row, size_t len, size_t width, float scale);

}  // namespace xval::model

#endif  // XVAL_MODEL_ACTIVATIONS_H_
