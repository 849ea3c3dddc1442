// config.json → LlamaConfig, with transformers' LlamaConfig defaults for absent keys and
// errors that name the field.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "model/config_fields.h"
#include "simdjson.h"
#include "util/status_macros.h"
#include "xval/model.h"

namespace xval::model {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string Str(std::string_view s) { return std::string(s.data(), s.size()); }

// An object's fields, a key given twice keeping its last value, as Python's json module (which
// transformers reads config.json with) does; simdjson's own lookup would find the first.
class Fields {
 public:
  explicit Fields(object obj) {
    for (auto field : obj) map_[field.key] = field.value;
  }
  simdjson::simdjson_result<element> operator[](std::string_view key) const {
    auto it = map_.find(key);
    if (it == map_.end()) return simdjson::NO_SUCH_FIELD;
    return element(it->second);
  }

 private:
  absl::flat_hash_map<std::string_view, element> map_;
};

absl::Status FieldError(const char* field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("config.json: ", field, ": ", why));
}

// Absent keeps *out; null keeps it too, or sets *null_value where given (0 for a
// sliding_window of None, kUnset for a size derived from others).
absl::Status GetInt(const Fields& obj, const char* key, int* out,
                    std::optional<int> null_value = std::nullopt) {
  element e;
  if (obj[key].get(e)) return absl::OkStatus();
  if (e.is_null()) {
    if (null_value) *out = *null_value;
    return absl::OkStatus();
  }
  int64_t v;
  if (e.get(v) || v < -1 || v > (int64_t{1} << 30)) return FieldError(key, "not an integer");
  *out = static_cast<int>(v);
  return absl::OkStatus();
}

absl::Status GetFloat(const Fields& obj, const char* key, float* out) {
  element e;
  if (obj[key].get(e) || e.is_null()) return absl::OkStatus();
  double v;
  if (e.get(v)) return FieldError(key, "not a number");
  if (std::fabs(v) > std::numeric_limits<float>::max()) {
    return FieldError(key, absl::StrCat(v, " is beyond float32's range"));
  }
  *out = static_cast<float>(v);
  return absl::OkStatus();
}

absl::Status GetBool(const Fields& obj, const char* key, bool* out) {
  element e;
  if (obj[key].get(e) || e.is_null()) return absl::OkStatus();
  if (e.get(*out)) return FieldError(key, "not a boolean");
  return absl::OkStatus();
}

// bos/eos ids may be an integer or (Llama 3) a list; the first one is kept.
absl::Status GetTokenId(const Fields& obj, const char* key, int* out) {
  element e;
  if (obj[key].get(e) || e.is_null()) return absl::OkStatus();
  simdjson::dom::array arr;
  if (!e.get(arr)) {
    if (arr.size() == 0) return absl::OkStatus();
    e = arr.at(0).value_unsafe();
  }
  int64_t v;
  if (e.get(v) || v < -1 || v > std::numeric_limits<int>::max()) {
    return FieldError(key, "not an integer id");
  }
  *out = static_cast<int>(v);
  return absl::OkStatus();
}

// Llama-2 era configs have rope_theta plus rope_scaling; transformers 5 writes both inside
// rope_parameters. Either is read.
absl::Status ParseRopeScaling(const Fields& obj, float* rope_theta, RopeScaling* out) {
  element e;
  if ((obj["rope_scaling"].get(e) || e.is_null()) &&
      (obj["rope_parameters"].get(e) || e.is_null())) {
    return absl::OkStatus();
  }
  object rs_object;
  if (e.get(rs_object)) return FieldError("rope_scaling", "not an object");
  const Fields rs(rs_object);
  RETURN_IF_ERROR(GetFloat(rs, "rope_theta", rope_theta));
  std::string_view type;
  // transformers accepts both "rope_type" and the older "type".
  if (rs["rope_type"].get(type) && rs["type"].get(type)) {
    return FieldError("rope_scaling.rope_type", "missing");
  }
  if (type == "default") {
    out->rope_type = RopeType::kDefault;
  } else if (type == "linear") {
    out->rope_type = RopeType::kLinear;
  } else if (type == "llama3") {
    out->rope_type = RopeType::kLlama3;
  } else {
    return FieldError(
        "rope_scaling.rope_type",
        absl::StrCat("\"", Str(type), "\" is not supported (default, linear, llama3)"));
  }
  RETURN_IF_ERROR(GetFloat(rs, "factor", &out->factor));
  RETURN_IF_ERROR(GetFloat(rs, "low_freq_factor", &out->low_freq_factor));
  RETURN_IF_ERROR(GetFloat(rs, "high_freq_factor", &out->high_freq_factor));
  RETURN_IF_ERROR(
      GetInt(rs, "original_max_position_embeddings", &out->original_max_position_embeddings));
  return absl::OkStatus();  // values checked by CheckLlamaConfig
}

// transformers' defaults of each family's config class (LlamaConfig, MistralConfig,
// Qwen2Config), for the keys a config.json leaves out; kUnset where the default is derived.
LlamaConfig FamilyDefaults(ModelFamily family) {
  LlamaConfig c;
  c.model_type = family;
  c.hidden_size = 4096;
  c.num_hidden_layers = 32;
  c.num_attention_heads = 32;
  c.num_key_value_heads = kUnset;
  c.head_dim = kUnset;
  switch (family) {
    case ModelFamily::kLlama:
      c.intermediate_size = 11008;
      c.vocab_size = 32000;
      c.max_position_embeddings = 2048;
      break;
    case ModelFamily::kMistral:
      c.intermediate_size = 14336;
      c.num_key_value_heads = 8;
      c.vocab_size = 32000;
      c.max_position_embeddings = 4096 * 32;
      c.sliding_window = 4096;
      break;
    case ModelFamily::kQwen2:
      c.intermediate_size = 22016;
      c.num_key_value_heads = 32;
      c.vocab_size = 151936;
      c.max_position_embeddings = 32768;
      c.sliding_window = 4096;
      c.attention_qkv_bias = true;
      break;
  }
  return c;
}

// Which layers attend through the window, as transformers decides: Llama has none (its config
// class ignores sliding_window); Mistral all of them when sliding_window is set (it ignores
// layer_types); Qwen2 none unless use_sliding_window, then layer_types when given, else the
// layers from max_window_layers up.
absl::Status ParseSlidingLayers(const Fields& obj, LlamaConfig* c) {
  // A layer count out of range is CheckLlamaConfig's to refuse, before anything is sized by it.
  if (c->num_hidden_layers <= 0 || c->num_hidden_layers > kMaxConfigSize) return absl::OkStatus();
  const size_t layers = static_cast<size_t>(c->num_hidden_layers);
  if (c->model_type == ModelFamily::kQwen2) {
    bool use = false;
    RETURN_IF_ERROR(GetBool(obj, "use_sliding_window", &use));
    if (!use) c->sliding_window = 0;
  }
  if (c->model_type == ModelFamily::kLlama || c->sliding_window == 0) {
    c->sliding_window = 0;
    c->sliding_layers.clear();
    return absl::OkStatus();
  }
  c->sliding_layers.assign(layers, true);
  if (c->model_type != ModelFamily::kQwen2) return absl::OkStatus();
  int first = 28;
  RETURN_IF_ERROR(GetInt(obj, "max_window_layers", &first));
  for (size_t i = 0; i < layers; ++i) c->sliding_layers[i] = static_cast<int>(i) >= first;
  element e;
  if (obj["layer_types"].get(e) || e.is_null()) return absl::OkStatus();
  simdjson::dom::array types;
  if (e.get(types)) return FieldError("layer_types", "not a list");
  c->sliding_layers.clear();
  for (element t : types) {
    std::string_view type;
    if (t.get(type) || (type != "full_attention" && type != "sliding_attention")) {
      return FieldError("layer_types",
                        "entries must be \"full_attention\" or \"sliding_attention\"");
    }
    c->sliding_layers.push_back(type == "sliding_attention");
  }
  return absl::OkStatus();  // the count is checked by CheckLlamaConfig
}

}  // namespace

absl::StatusOr<LlamaConfig> ParseLlamaConfig(absl::string_view json_text) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(json_text.data(), json_text.size());
  element root;
  if (auto err = parser.parse(json).get(root)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.json: not JSON: ", simdjson::error_message(err)));
  }
  object top;
  if (root.get(top)) return absl::InvalidArgumentError("config.json: not an object");
  const Fields obj(top);

  ModelFamily family = ModelFamily::kLlama;  // absent: llama, as transformers' LlamaConfig
  std::string_view model_type;
  if (!obj["model_type"].get(model_type)) {
    if (model_type == "mistral") {
      family = ModelFamily::kMistral;
    } else if (model_type == "qwen2") {
      family = ModelFamily::kQwen2;
    } else if (model_type != "llama") {
      return FieldError("model_type",
                        absl::StrCat("\"", Str(model_type), "\" is not llama, mistral or qwen2"));
    }
  }
  std::string_view act;
  if (!obj["hidden_act"].get(act) && act != "silu") {
    return FieldError("hidden_act", absl::StrCat("\"", Str(act), "\" is not silu"));
  }
  // Qwen2's attention always has q/k/v biases (and reads no attention_bias key); the others none.
  for (const char* key : {"attention_bias", "mlp_bias"}) {
    if (family == ModelFamily::kQwen2 && std::string_view(key) == "attention_bias") continue;
    bool bias = false;
    RETURN_IF_ERROR(GetBool(obj, key, &bias));
    if (bias) return FieldError(key, "biases are not supported (Llama 2 has none)");
  }

  LlamaConfig c = FamilyDefaults(family);
  for (const ConfigField& f : LlamaConfigFields()) {
    if (f.float_member != nullptr) {
      RETURN_IF_ERROR(GetFloat(obj, f.hf_key, &(c.*f.float_member)));
    } else if (f.check == FieldCheck::kTokenId) {
      RETURN_IF_ERROR(GetTokenId(obj, f.hf_key, &(c.*f.int_member)));
    } else {
      // null: transformers' None, which for the derived sizes means "derive it" whatever the
      // family's default (MistralConfig's 8 key-value heads, say).
      std::optional<int> null_value;
      if (f.check == FieldCheck::kOptionalSize) null_value = 0;
      if (f.int_member == &LlamaConfig::num_key_value_heads ||
          f.int_member == &LlamaConfig::head_dim) {
        null_value = kUnset;
      }
      RETURN_IF_ERROR(GetInt(obj, f.hf_key, &(c.*f.int_member), null_value));
    }
  }
  ApplyDerivedDefaults(&c);
  RETURN_IF_ERROR(GetBool(obj, "tie_word_embeddings", &c.tie_word_embeddings));
  RETURN_IF_ERROR(ParseRopeScaling(obj, &c.rope_theta, &c.rope_scaling));
  RETURN_IF_ERROR(ParseSlidingLayers(obj, &c));
  element head;
  if (!obj["xval_number_head"].get(head) && !head.is_null()) {
    std::string_view kind;
    if (head.get(kind)) return FieldError("xval_number_head", "not a string");
    if (kind == "linear") {
      c.xval_number_head = NumberHeadType::kLinear;
    } else if (kind == "mlp") {
      c.xval_number_head = NumberHeadType::kMlp;
    } else if (kind != "none") {
      return FieldError("xval_number_head",
                        absl::StrCat("\"", Str(kind), "\" is not linear, mlp or none"));
    }
  }
  RETURN_IF_ERROR(CheckLlamaConfig(c, ConfigSource::kHuggingFace, "config.json"));
  return c;
}

}  // namespace xval::model
