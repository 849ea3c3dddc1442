// The weights of a LlamaForCausalLM, bound by name from a TensorStore, every shape checked
// against the config. Large matrices point into the mapped files; norms are small f32 copies.
#ifndef XVAL_MODEL_LLAMA_WEIGHTS_H_
#define XVAL_MODEL_LLAMA_WEIGHTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"
#include "model/tensor_store.h"
#include "xval/embed.h"
#include "xval/model.h"

namespace xval::model {

// The matrix products and their weights live with the other kernels.
using kernels::BlockFormatOf;
using kernels::DequantizeRow;
using kernels::IsBlockQuantized;
using kernels::MatMul;
using kernels::MatMulFused;
using kernels::MatMulTarget;
using kernels::QuantRowBytes;
using kernels::WeightMatrix;

struct LayerWeights {
  std::vector<float> input_layernorm;           // (hidden_size)
  WeightMatrix q_proj;                          // (num_attention_heads * head_dim, hidden_size)
  WeightMatrix k_proj;                          // (num_key_value_heads * head_dim, hidden_size)
  WeightMatrix v_proj;                          // (num_key_value_heads * head_dim, hidden_size)
  // attention_qkv_bias (Qwen2); empty otherwise.
  std::vector<float> q_bias;                    // (num_attention_heads * head_dim)
  std::vector<float> k_bias;                    // (num_key_value_heads * head_dim)
  std::vector<float> v_bias;                    // (num_key_value_heads * head_dim)
  WeightMatrix o_proj;                          // (hidden_size, num_attention_heads * head_dim)
  std::vector<float> post_attention_layernorm;  // (hidden_size)
  WeightMatrix gate_proj;                       // (intermediate_size, hidden_size)
  WeightMatrix up_proj;                         // (intermediate_size, hidden_size)
  WeightMatrix down_proj;                       // (hidden_size, intermediate_size)
};

// xVal number head: linear (w1 is (1, hidden_size), no w2) or MLP (w1, GELU, w2).
struct NumberHeadWeights {
  WeightMatrix w1;         // (1 or xval_number_head_intermediate_size, hidden_size)
  std::vector<float> b1;   // (rows of w1)
  WeightMatrix w2;         // (1, xval_number_head_intermediate_size); mlp only
  float b2 = 0.0f;         // mlp only
};

struct LlamaWeights {
  kernels::ConstMatrixView embed_tokens;  // (vocab_size, hidden_size), f32/bf16/f16
  WeightMatrix embed_quantized;           // (vocab_size, hidden_size) when quantized instead
  std::vector<LayerWeights> layers;       // (num_hidden_layers)
  std::vector<float> norm;                // (hidden_size)
  WeightMatrix lm_head;                   // (vocab_size, hidden_size); embed_tokens when tied
  NumberHeadWeights number_head;
  // GGUF llama: llama.cpp's converter permutes the rows of q_proj and k_proj so that RoPE
  // rotates adjacent pairs (2i, 2i+1) instead of transformers' halves (i, i + head_dim/2).
  // Scores are the same either way as long as q and k agree, so GGUF weights are used as
  // stored. Its qwen2 files keep transformers' order (llama.cpp's NEOX RoPE).
  bool rope_interleaved = false;
  std::vector<float> rope_freq_factors;   // (head_dim / 2) GGUF rope_freqs.weight; empty: none
  WeightType main_type = WeightType::kF32;
  size_t decode_bytes = 0;                // bytes of matrices read per decode step
};

// Tensor names of the two formats.
enum class Naming { kHuggingFace, kGguf };

// Binds and checks every tensor; errors name the tensor and the config fields its shape comes
// from. Tensors the model does not use are an error too (a config that disagrees with the
// weights, e.g. more layers than num_hidden_layers), except rotary_emb.inv_freq buffers.
absl::StatusOr<LlamaWeights> BindLlamaWeights(const LlamaConfig& config, const TensorStore& store,
                                              Naming naming);

}  // namespace xval::model

#endif  // XVAL_MODEL_LLAMA_WEIGHTS_H_
