#include "model/config_check.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

namespace xval::model {
namespace {

// Layer and head counts and widths above this are no model anyone runs here; past it, the
// products of sizes that allocate tables could overflow.
constexpr int kMaxSize = 1 << 24;

struct Field {
  const char* hf;    // config.json key
  const char* gguf;  // GGUF metadata key
};

constexpr Field kHidden{"hidden_size", "llama.embedding_length"};
constexpr Field kIntermediate{"intermediate_size", "llama.feed_forward_length"};
constexpr Field kLayers{"num_hidden_layers", "llama.block_count"};
constexpr Field kHeads{"num_attention_heads", "llama.attention.head_count"};
constexpr Field kKvHeads{"num_key_value_heads", "llama.attention.head_count_kv"};
constexpr Field kHeadDim{"head_dim", "llama.attention.key_length"};
constexpr Field kVocab{"vocab_size", "llama.vocab_size"};
constexpr Field kContext{"max_position_embeddings", "llama.context_length"};
constexpr Field kEps{"rms_norm_eps", "llama.attention.layer_norm_rms_epsilon"};
constexpr Field kTheta{"rope_theta", "llama.rope.freq_base"};
constexpr Field kRopeFactor{"rope_scaling.factor", "llama.rope.scaling.factor"};
constexpr Field kRopeLlama3{"rope_scaling", "llama.rope.scaling"};
constexpr Field kBos{"bos_token_id", "tokenizer.ggml.bos_token_id"};
constexpr Field kEos{"eos_token_id", "tokenizer.ggml.eos_token_id"};
constexpr Field kNumToken{"xval_num_token_id", "xval.num_token_id"};
constexpr Field kHeadSize{"xval_number_head_intermediate_size",
                          "xval.number_head_intermediate_size"};

}  // namespace

absl::Status CheckLlamaConfig(const LlamaConfig& c, ConfigSource source, absl::string_view file) {
  auto error = [&](const Field& field, const std::string& why) {
    if (source == ConfigSource::kGguf) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": metadata ", field.gguf, ": ", why));
    }
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", field.hf, ": ", why));
  };
  for (const auto& [field, v] : {std::pair<Field, int>{kHidden, c.hidden_size},
                                 {kIntermediate, c.intermediate_size},
                                 {kLayers, c.num_hidden_layers},
                                 {kHeads, c.num_attention_heads},
                                 {kKvHeads, c.num_key_value_heads},
                                 {kVocab, c.vocab_size},
                                 {kContext, c.max_position_embeddings}}) {
    if (v <= 0 || v > kMaxSize) {
      return error(field, absl::StrCat(v, " is not in 1..", kMaxSize));
    }
  }
  if (c.num_attention_heads % c.num_key_value_heads != 0) {
    return error(kKvHeads, absl::StrCat(c.num_key_value_heads, " does not divide ", kHeads.hf, " ",
                                        c.num_attention_heads));
  }
  if (c.head_dim <= 0 || c.head_dim > kMaxSize || c.head_dim % 2 != 0) {
    return error(kHeadDim, absl::StrCat(c.head_dim, " must be positive and even (RoPE)"));
  }
  if (!std::isfinite(c.rms_norm_eps) || c.rms_norm_eps < 0) {
    return error(kEps, absl::StrCat(c.rms_norm_eps, " must be finite and not negative"));
  }
  if (!std::isfinite(c.rope_theta) || !(c.rope_theta > 0)) {
    return error(kTheta, absl::StrCat(c.rope_theta, " must be finite and positive"));
  }
  const RopeScaling& rs = c.rope_scaling;
  if (rs.rope_type != RopeType::kDefault && (!std::isfinite(rs.factor) || !(rs.factor > 0))) {
    return error(kRopeFactor, absl::StrCat(rs.factor, " must be finite and positive"));
  }
  if (rs.rope_type == RopeType::kLlama3 &&
      !(std::isfinite(rs.high_freq_factor) && rs.high_freq_factor > rs.low_freq_factor &&
        rs.low_freq_factor > 0 && rs.original_max_position_embeddings > 0)) {
    return error(kRopeLlama3, "llama3 needs finite high_freq_factor > low_freq_factor > 0");
  }
  for (const auto& [field, id] : {std::pair<Field, int>{kBos, c.bos_token_id},
                                  {kEos, c.eos_token_id},
                                  {kNumToken, c.xval_num_token_id}}) {
    if (id < -1 || id >= c.vocab_size) {
      return error(field, absl::StrCat(id, " is outside the vocabulary (", c.vocab_size, ")"));
    }
  }
  if (c.xval_number_head == NumberHeadType::kMlp &&
      (c.xval_number_head_intermediate_size <= 0 ||
       c.xval_number_head_intermediate_size > kMaxSize)) {
    return error(kHeadSize, absl::StrCat(c.xval_number_head_intermediate_size,
                                         " must be positive for an mlp head"));
  }
  return absl::OkStatus();
}

}  // namespace xval::model
