#include "model/llama_weights.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kernels/convert.h"
#include "kernels/quant_blocks.h"
#include "model/mapped_file.h"
#include "util/status_macros.h"

namespace xval::model {
namespace {

struct Names {
  Naming naming;
  std::string Global(const char* hf, const char* gguf) const {
    return naming == Naming::kHuggingFace ? hf : gguf;
  }
  std::string Layer(int i, const char* hf, const char* gguf) const {
    return naming == Naming::kHuggingFace ? absl::StrCat("model.layers.", i, ".", hf)
                                          : absl::StrCat("blk.", i, ".", gguf);
  }
};

// Quantized rows hold whole blocks (a GGUF file is checked when read; this is for any store).
absl::Status CheckWholeBlocks(const TensorInfo& t, const std::string& name, int64_t cols) {
  const size_t block = BlockFormatOf(t.type).weights;
  if (cols % static_cast<int64_t>(block) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(t.file, ": tensor ", name, ": ",
                                                   WeightTypeName(t.type),
                                                   " rows must be a multiple of ", block));
  }
  return absl::OkStatus();
}

class Binder {
 public:
  Binder(const TensorStore& store) : store_(store) {}

  // The tensor `name` with shape `shape`; `fields` names the config keys behind the shape.
  absl::StatusOr<const TensorInfo*> Get(const std::string& name, std::vector<int64_t> shape,
                                        const char* fields) {
    const TensorInfo* t = store_.Find(name);
    if (t == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("missing tensor ", name, " (expected shape ",
                                                     ShapeString(shape), " from ", fields, ")"));
    }
    if (t->shape != shape) {
      return absl::InvalidArgumentError(
          absl::StrCat(t->file, ": tensor ", name, " has shape ", ShapeString(t->shape),
                       "; config.json says ", ShapeString(shape), " (", fields, ")"));
    }
    used_.insert(name);
    return t;
  }

  absl::StatusOr<WeightMatrix> Matrix(const std::string& name, int64_t rows, int64_t cols,
                                      const char* fields) {
    ASSIGN_OR_RETURN(const TensorInfo* t, Get(name, {rows, cols}, fields));
    RETURN_IF_ERROR(CheckWholeBlocks(*t, name, cols));
    decode_bytes_ += t->nbytes;
    return WeightMatrix{t->type, t->data, static_cast<size_t>(rows), static_cast<size_t>(cols),
                        static_cast<size_t>(cols)};
  }

  absl::StatusOr<std::vector<float>> Vector(const std::string& name, int64_t size,
                                            const char* fields) {
    ASSIGN_OR_RETURN(const TensorInfo* t, Get(name, {size}, fields));
    RETURN_IF_ERROR(CheckWholeBlocks(*t, name, size));
    std::vector<float> v(size);
    DequantizeRow(WeightMatrix{t->type, t->data, 1, static_cast<size_t>(size),
                               static_cast<size_t>(size)},
                  0, v.data());
    return v;
  }

  absl::Status CheckAllUsed() const {
    for (const auto& [name, t] : store_.tensors) {
      if (used_.contains(name) || absl::EndsWith(name, "rotary_emb.inv_freq")) continue;
      return absl::InvalidArgumentError(absl::StrCat(
          t.file, ": tensor ", name, " ", ShapeString(t.shape),
          " is not part of the model config.json describes (num_hidden_layers, "
          "tie_word_embeddings, xval_number_head?)"));
    }
    return absl::OkStatus();
  }

  size_t decode_bytes() const { return decode_bytes_; }

 private:
  const TensorStore& store_;
  absl::flat_hash_set<std::string> used_;
  size_t decode_bytes_ = 0;
};

}  // namespace

absl::StatusOr<LlamaWeights> BindLlamaWeights(const LlamaConfig& c, const TensorStore& store,
                                              Naming naming) {
  const Names n{naming};
  Binder b(store);
  LlamaWeights w;
  w.rope_interleaved = naming == Naming::kGguf && c.model_type != ModelFamily::kQwen2;
  const int64_t hidden = c.hidden_size;
  const int64_t q_dim = int64_t{c.num_attention_heads} * c.head_dim;
  const int64_t kv_dim = int64_t{c.num_key_value_heads} * c.head_dim;
  const int64_t inter = c.intermediate_size;

  const std::string embed_name = n.Global("model.embed_tokens.weight", "token_embd.weight");
  ASSIGN_OR_RETURN(const TensorInfo* embed,
                   b.Get(embed_name, {c.vocab_size, hidden}, "vocab_size, hidden_size"));
  const WeightMatrix embed_matrix{embed->type, embed->data, static_cast<size_t>(c.vocab_size),
                                  static_cast<size_t>(hidden), static_cast<size_t>(hidden)};
  switch (embed->type) {
    case WeightType::kF32:
      w.embed_tokens = kernels::ConstMatrixView::F32(reinterpret_cast<const float*>(embed->data),
                                                     c.vocab_size, hidden);
      break;
    case WeightType::kBF16:
      w.embed_tokens = kernels::ConstMatrixView::BF16(reinterpret_cast<const uint16_t*>(embed->data),
                                                      c.vocab_size, hidden);
      break;
    case WeightType::kF16:
      w.embed_tokens = kernels::ConstMatrixView::F16(reinterpret_cast<const uint16_t*>(embed->data),
                                                     c.vocab_size, hidden);
      break;
    case WeightType::kQ8_0:
    case WeightType::kQ4_0:
    case WeightType::kQ4_K:
    case WeightType::kQ5_K:
    case WeightType::kQ6_K:
      // The embedding kernel reads f32/bf16/f16 tables; a quantized one's rows are dequantized
      // as tokens need them (as llama.cpp's get_rows), not widened whole.
      RETURN_IF_ERROR(CheckWholeBlocks(*embed, embed_name, hidden));
      w.embed_quantized = embed_matrix;
      break;
  }

  for (int i = 0; i < c.num_hidden_layers; ++i) {
    LayerWeights l;
    ASSIGN_OR_RETURN(l.input_layernorm,
                     b.Vector(n.Layer(i, "input_layernorm.weight", "attn_norm.weight"), hidden,
                              "hidden_size"));
    ASSIGN_OR_RETURN(l.q_proj, b.Matrix(n.Layer(i, "self_attn.q_proj.weight", "attn_q.weight"),
                                        q_dim, hidden,
                                        "num_attention_heads * head_dim, hidden_size"));
    ASSIGN_OR_RETURN(l.k_proj, b.Matrix(n.Layer(i, "self_attn.k_proj.weight", "attn_k.weight"),
                                        kv_dim, hidden,
                                        "num_key_value_heads * head_dim, hidden_size"));
    ASSIGN_OR_RETURN(l.v_proj, b.Matrix(n.Layer(i, "self_attn.v_proj.weight", "attn_v.weight"),
                                        kv_dim, hidden,
                                        "num_key_value_heads * head_dim, hidden_size"));
    if (c.attention_qkv_bias) {
      ASSIGN_OR_RETURN(l.q_bias, b.Vector(n.Layer(i, "self_attn.q_proj.bias", "attn_q.bias"), q_dim,
                                          "num_attention_heads * head_dim"));
      ASSIGN_OR_RETURN(l.k_bias, b.Vector(n.Layer(i, "self_attn.k_proj.bias", "attn_k.bias"),
                                          kv_dim, "num_key_value_heads * head_dim"));
      ASSIGN_OR_RETURN(l.v_bias, b.Vector(n.Layer(i, "self_attn.v_proj.bias", "attn_v.bias"),
                                          kv_dim, "num_key_value_heads * head_dim"));
    }
    ASSIGN_OR_RETURN(l.o_proj,
                     b.Matrix(n.Layer(i, "self_attn.o_proj.weight", "attn_output.weight"), hidden,
                              q_dim, "hidden_size, num_attention_heads * head_dim"));
    ASSIGN_OR_RETURN(l.post_attention_layernorm,
                     b.Vector(n.Layer(i, "post_attention_layernorm.weight", "ffn_norm.weight"),
                              hidden, "hidden_size"));
    ASSIGN_OR_RETURN(l.gate_proj, b.Matrix(n.Layer(i, "mlp.gate_proj.weight", "ffn_gate.weight"),
                                           inter, hidden, "intermediate_size, hidden_size"));
    ASSIGN_OR_RETURN(l.up_proj, b.Matrix(n.Layer(i, "mlp.up_proj.weight", "ffn_up.weight"),
                                         inter, hidden, "intermediate_size, hidden_size"));
    ASSIGN_OR_RETURN(l.down_proj, b.Matrix(n.Layer(i, "mlp.down_proj.weight", "ffn_down.weight"),
                                           hidden, inter, "hidden_size, intermediate_size"));
    w.main_type = l.q_proj.type;
    w.layers.push_back(std::move(l));
  }
  ASSIGN_OR_RETURN(w.norm, b.Vector(n.Global("model.norm.weight", "output_norm.weight"), hidden,
                                    "hidden_size"));

  const std::string head_name = n.Global("lm_head.weight", "output.weight");
  // transformers ties when tie_word_embeddings is true and ignores a stored lm_head.weight;
  // GGUF has no such key: a missing output.weight means tied.
  const bool tied = naming == Naming::kHuggingFace ? c.tie_word_embeddings
                                                   : store.Find(head_name) == nullptr;
  if (tied) {
    if (naming == Naming::kHuggingFace && store.Find(head_name) != nullptr) {
      (void)b.Get(head_name, {c.vocab_size, hidden}, "vocab_size, hidden_size");
    }
    w.lm_head = embed_matrix;
  } else {
    ASSIGN_OR_RETURN(w.lm_head, b.Matrix(head_name, c.vocab_size, hidden,
                                         "vocab_size, hidden_size; tie_word_embeddings false"));
    // Untied, the table is read a row a token.
    AdviseSparseReads(embed->data, embed->nbytes);
  }

  if (c.xval_number_head == NumberHeadType::kLinear) {
    ASSIGN_OR_RETURN(w.number_head.w1, b.Matrix("num_head.weight", 1, hidden,
                                                 "1, hidden_size; xval_number_head linear"));
    ASSIGN_OR_RETURN(w.number_head.b1, b.Vector("num_head.bias", 1, "xval_number_head linear"));
  } else if (c.xval_number_head == NumberHeadType::kMlp) {
    const int64_t ff = c.xval_number_head_intermediate_size;
    ASSIGN_OR_RETURN(w.number_head.w1,
                     b.Matrix("num_head.0.weight", ff, hidden,
                              "xval_number_head_intermediate_size, hidden_size"));
    ASSIGN_OR_RETURN(w.number_head.b1, b.Vector("num_head.0.bias", ff,
                                                "xval_number_head_intermediate_size"));
    ASSIGN_OR_RETURN(w.number_head.w2, b.Matrix("num_head.2.weight", 1, ff,
                                                "1, xval_number_head_intermediate_size"));
    ASSIGN_OR_RETURN(std::vector<float> b2, b.Vector("num_head.2.bias", 1, "xval_number_head mlp"));
    w.number_head.b2 = b2[0];
  }

  if (naming == Naming::kGguf && store.Find("rope_freqs.weight") != nullptr) {
    ASSIGN_OR_RETURN(w.rope_freq_factors,
                     b.Vector("rope_freqs.weight", c.head_dim / 2, "head_dim / 2"));
  }
  RETURN_IF_ERROR(b.CheckAllUsed());
  w.decode_bytes = b.decode_bytes() + (tied ? embed->nbytes : 0);
  return w;
}

}  // namespace xval::model
