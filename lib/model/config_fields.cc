#include "model/config_fields.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace xval::model {
namespace {

constexpr int kMaxSize = kMaxConfigSize;

using C = LlamaConfig;
constexpr ConfigField kFields[] = {
    // config.json key, GGUF key, required in GGUF, check, member
    {"hidden_size", "{arch}.embedding_length", true, FieldCheck::kSize, &C::hidden_size, nullptr},
    {"intermediate_size", "{arch}.feed_forward_length", true, FieldCheck::kSize,
     &C::intermediate_size, nullptr},
    {"num_hidden_layers", "{arch}.block_count", true, FieldCheck::kSize, &C::num_hidden_layers,
     nullptr},
    {"num_attention_heads", "{arch}.attention.head_count", true, FieldCheck::kSize,
     &C::num_attention_heads, nullptr},
    {"num_key_value_heads", "{arch}.attention.head_count_kv", false, FieldCheck::kSize,
     &C::num_key_value_heads, nullptr},
    {"head_dim", "{arch}.attention.key_length", false, FieldCheck::kHeadDim, &C::head_dim, nullptr},
    {"vocab_size", "{arch}.vocab_size", false, FieldCheck::kSize, &C::vocab_size, nullptr},
    {"max_position_embeddings", "{arch}.context_length", false, FieldCheck::kSize,
     &C::max_position_embeddings, nullptr},
    {"rms_norm_eps", "{arch}.attention.layer_norm_rms_epsilon", true, FieldCheck::kNonNegative,
     nullptr, &C::rms_norm_eps},
    {"rope_theta", "{arch}.rope.freq_base", false, FieldCheck::kPositive, nullptr, &C::rope_theta},
    {"sliding_window", "{arch}.attention.sliding_window", false, FieldCheck::kOptionalSize,
     &C::sliding_window, nullptr},
    {"bos_token_id", "tokenizer.ggml.bos_token_id", false, FieldCheck::kTokenId, &C::bos_token_id,
     nullptr},
    {"eos_token_id", "tokenizer.ggml.eos_token_id", false, FieldCheck::kTokenId, &C::eos_token_id,
     nullptr},
    {"xval_num_token_id", "xval.num_token_id", false, FieldCheck::kTokenId, &C::xval_num_token_id,
     nullptr},
    {"xval_number_head_intermediate_size", "xval.number_head_intermediate_size", false,
     FieldCheck::kNumberHead, &C::xval_number_head_intermediate_size, nullptr},
};

// GGUF's architecture name for a family (llama.cpp converts Mistral to "llama").
const char* GgufArchitecture(ModelFamily family) {
  return family == ModelFamily::kQwen2 ? "qwen2" : "llama";
}

// Why v fails `check`, or empty.
std::string Problem(FieldCheck check, double v, const LlamaConfig& c) {
  const bool size = v >= 1 && v <= kMaxSize;
  switch (check) {
    case FieldCheck::kSize:
      return size ? "" : absl::StrCat(v, " is not in 1..", kMaxSize);
    case FieldCheck::kOptionalSize:
      return size || v == 0 ? "" : absl::StrCat(v, " is not 0 (none) or in 1..", kMaxSize);
    case FieldCheck::kHeadDim:
      return size && std::fmod(v, 2) == 0 ? ""
                                          : absl::StrCat(v, " must be positive and even (RoPE)");
    case FieldCheck::kTokenId:
      return v >= -1 && v < c.vocab_size
                 ? ""
                 : absl::StrCat(v, " is outside the vocabulary (", c.vocab_size, ")");
    case FieldCheck::kPositive:
      return std::isfinite(v) && v > 0 ? "" : absl::StrCat(v, " must be finite and positive");
    case FieldCheck::kNonNegative:
      return std::isfinite(v) && v >= 0 ? "" : absl::StrCat(v, " must be finite and not negative");
    case FieldCheck::kNumberHead:
      return c.xval_number_head != NumberHeadType::kMlp || size
                 ? ""
                 : absl::StrCat(v, " must be positive for an mlp head");
  }
  return "";
}

}  // namespace

const char* ModelFamilyName(ModelFamily family) {
  switch (family) {
    case ModelFamily::kLlama:
      return "llama";
    case ModelFamily::kMistral:
      return "mistral";
    case ModelFamily::kQwen2:
      return "qwen2";
  }
  return "?";
}

absl::Span<const ConfigField> LlamaConfigFields() { return kFields; }

std::string GgufKey(const ConfigField& field, absl::string_view arch) {
  return absl::StrReplaceAll(field.gguf_key, {{"{arch}", arch}});
}

void ApplyDerivedDefaults(LlamaConfig* c) {
  if (c->num_key_value_heads == kUnset) c->num_key_value_heads = c->num_attention_heads;
  // 0 heads stays 0, which the check refuses.
  if (c->head_dim == kUnset) {
    c->head_dim = c->num_attention_heads > 0 ? c->hidden_size / c->num_attention_heads : 0;
  }
}

absl::Status CheckLlamaConfig(const LlamaConfig& c, ConfigSource source, absl::string_view file) {
  const char* arch = GgufArchitecture(c.model_type);
  auto error = [&](const ConfigField& field, const std::string& why) {
    if (source == ConfigSource::kGguf) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": metadata ", GgufKey(field, arch), ": ", why));
    }
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", field.hf_key, ": ", why));
  };
  auto field_named = [](absl::string_view hf_key) -> const ConfigField& {
    for (const ConfigField& f : kFields) {
      if (f.hf_key == hf_key) return f;
    }
    return kFields[0];  // every caller below names a listed key
  };
  // Sizes first: the token id checks compare with vocab_size.
  for (const ConfigField& f : kFields) {
    const double v = f.int_member != nullptr ? c.*f.int_member : c.*f.float_member;
    if (f.check == FieldCheck::kTokenId) continue;
    if (std::string why = Problem(f.check, v, c); !why.empty()) return error(f, why);
  }
  for (const ConfigField& f : kFields) {
    if (f.check != FieldCheck::kTokenId) continue;
    if (std::string why = Problem(f.check, c.*f.int_member, c); !why.empty()) return error(f, why);
  }
  if (c.num_attention_heads % c.num_key_value_heads != 0) {
    return error(field_named("num_key_value_heads"),
                 absl::StrCat(c.num_key_value_heads, " does not divide num_attention_heads ",
                              c.num_attention_heads));
  }
  const RopeScaling& rs = c.rope_scaling;
  const ConfigField rope_factor{"rope_scaling.factor",
                                "{arch}.rope.scaling.factor",
                                false,
                                FieldCheck::kPositive,
                                nullptr,
                                nullptr};
  if (rs.rope_type != RopeType::kDefault && (!std::isfinite(rs.factor) || !(rs.factor > 0))) {
    return error(rope_factor, absl::StrCat(rs.factor, " must be finite and positive"));
  }
  if (rs.rope_type == RopeType::kLlama3 &&
      !(std::isfinite(rs.high_freq_factor) && rs.high_freq_factor > rs.low_freq_factor &&
        rs.low_freq_factor > 0 && rs.original_max_position_embeddings > 0)) {
    const ConfigField llama3{
        "rope_scaling", "{arch}.rope.scaling", false, FieldCheck::kPositive, nullptr, nullptr};
    return error(llama3, "llama3 needs finite high_freq_factor > low_freq_factor > 0");
  }
  if (c.sliding_window > 0 && c.sliding_layers.size() != static_cast<size_t>(c.num_hidden_layers)) {
    const ConfigField layers{"layer_types", "{arch}.attention.sliding_window_pattern",
                             false,         FieldCheck::kSize,
                             nullptr,       nullptr};
    return error(layers, absl::StrCat(c.sliding_layers.size(), " layer types for ",
                                      c.num_hidden_layers, " layers"));
  }
  return absl::OkStatus();
}

}  // namespace xval::model
