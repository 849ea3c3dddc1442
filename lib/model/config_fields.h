// The numeric fields of a LlamaConfig, listed once: the member, its config.json key, its GGUF
// metadata key and its check. The Hugging Face loader (llama_config.cc) and the GGUF loader
// (gguf.cc) both read the fields from this list, and CheckLlamaConfig checks them from it, so a
// new field is one line here (and a member in xval/model.h). What is not a number read as is
// stays with the loaders: model_type and general.architecture, the RoPE scaling object,
// tie_word_embeddings, the number head's kind, and the sliding-window layer pattern.
#ifndef XVAL_MODEL_CONFIG_FIELDS_H_
#define XVAL_MODEL_CONFIG_FIELDS_H_

#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "xval/model.h"

namespace xval::model {

enum class FieldCheck : uint8_t {
  kSize,          // 1 .. 2^24 (counts and widths that size tables)
  kOptionalSize,  // 0 (none) or a size; null in config.json is 0 (sliding_window)
  kHeadDim,       // a size, and even (RoPE rotates pairs)
  kTokenId,       // -1 (none) or inside the vocabulary; config.json may give a list (first kept)
  kPositive,      // finite and > 0
  kNonNegative,   // finite and >= 0
  kNumberHead,    // a size when the number head is an MLP, else anything
};

struct ConfigField {
  const char* hf_key;    // config.json
  const char* gguf_key;  // GGUF; "{arch}" stands for general.architecture's value
  bool gguf_required;    // absent from a GGUF file: an error (else the default stays)
  FieldCheck check;
  int LlamaConfig::*int_member;  // exactly one of the two is set
  float LlamaConfig::*float_member;
};

// A value the loaders start a field with when its default depends on other fields
// (num_key_value_heads: num_attention_heads; head_dim: hidden_size / num_attention_heads):
// still kUnset after reading means absent, and ApplyDerivedDefaults fills it in.
inline constexpr int kUnset = std::numeric_limits<int>::min();

// Layer and head counts and widths above this are no model anyone runs here; past it, the
// products of sizes that allocate tables could overflow (FieldCheck::kSize).
inline constexpr int kMaxConfigSize = 1 << 24;

absl::Span<const ConfigField> LlamaConfigFields();

// The field's GGUF key for an architecture ("llama.embedding_length").
std::string GgufKey(const ConfigField& field, absl::string_view arch);

void ApplyDerivedDefaults(LlamaConfig* c);

// Which file's names the errors use.
enum class ConfigSource { kHuggingFace, kGguf };

// The one check of a LlamaConfig, whatever the file: every listed field by its check, then the
// relations between fields (kv heads divide heads, RoPE scaling, sliding layers). Errors are
// InvalidArgument naming the field by the source's own key ("config.json: rope_theta: ..." or
// "<file>: metadata llama.rope.freq_base: ...").
absl::Status CheckLlamaConfig(const LlamaConfig& c, ConfigSource source, absl::string_view file);

}  // namespace xval::model

#endif  // XVAL_MODEL_CONFIG_FIELDS_H_
