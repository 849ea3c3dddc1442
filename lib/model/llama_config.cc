// config.json → LlamaConfig, with transformers' LlamaConfig defaults for absent keys and
// errors that name the field.
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "model/config_check.h"
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

// Absent or null keeps *out.
absl::Status GetInt(const Fields& obj, const char* key, int* out) {
  element e;
  if (obj[key].get(e) || e.is_null()) return absl::OkStatus();
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

  std::string_view model_type;
  if (!obj["model_type"].get(model_type) && model_type != "llama") {
    return FieldError("model_type", absl::StrCat("\"", Str(model_type), "\" is not llama"));
  }
  std::string_view act;
  if (!obj["hidden_act"].get(act) && act != "silu") {
    return FieldError("hidden_act", absl::StrCat("\"", Str(act), "\" is not silu"));
  }
  for (const char* key : {"attention_bias", "mlp_bias"}) {
    bool bias = false;
    RETURN_IF_ERROR(GetBool(obj, key, &bias));
    if (bias) return FieldError(key, "biases are not supported (Llama 2 has none)");
  }

  LlamaConfig c;
  // transformers' LlamaConfig defaults, for keys a config.json leaves out.
  c.hidden_size = 4096;
  c.intermediate_size = 11008;
  c.num_hidden_layers = 32;
  c.num_attention_heads = 32;
  c.vocab_size = 32000;
  RETURN_IF_ERROR(GetInt(obj, "hidden_size", &c.hidden_size));
  RETURN_IF_ERROR(GetInt(obj, "intermediate_size", &c.intermediate_size));
  RETURN_IF_ERROR(GetInt(obj, "num_hidden_layers", &c.num_hidden_layers));
  RETURN_IF_ERROR(GetInt(obj, "num_attention_heads", &c.num_attention_heads));
  c.num_key_value_heads = c.num_attention_heads;
  RETURN_IF_ERROR(GetInt(obj, "num_key_value_heads", &c.num_key_value_heads));
  RETURN_IF_ERROR(GetInt(obj, "vocab_size", &c.vocab_size));
  RETURN_IF_ERROR(GetInt(obj, "max_position_embeddings", &c.max_position_embeddings));
  RETURN_IF_ERROR(GetFloat(obj, "rms_norm_eps", &c.rms_norm_eps));
  RETURN_IF_ERROR(GetFloat(obj, "rope_theta", &c.rope_theta));
  RETURN_IF_ERROR(GetBool(obj, "tie_word_embeddings", &c.tie_word_embeddings));
  RETURN_IF_ERROR(GetTokenId(obj, "bos_token_id", &c.bos_token_id));
  RETURN_IF_ERROR(GetTokenId(obj, "eos_token_id", &c.eos_token_id));
  RETURN_IF_ERROR(ParseRopeScaling(obj, &c.rope_theta, &c.rope_scaling));

  // hidden_size / num_attention_heads unless given (0 heads: CheckLlamaConfig says so).
  c.head_dim = c.num_attention_heads > 0 ? c.hidden_size / c.num_attention_heads : 0;
  RETURN_IF_ERROR(GetInt(obj, "head_dim", &c.head_dim));
  RETURN_IF_ERROR(GetInt(obj, "xval_num_token_id", &c.xval_num_token_id));
  element head;
  if (!obj["xval_number_head"].get(head) && !head.is_null()) {
    std::string_view kind;
    if (head.get(kind)) return FieldError("xval_number_head", "not a string");
    if (kind == "linear") {
      c.xval_number_head = NumberHeadType::kLinear;
    } else if (kind == "mlp") {
      c.xval_number_head = NumberHeadType::kMlp;
      RETURN_IF_ERROR(
          GetInt(obj, "xval_number_head_intermediate_size", &c.xval_number_head_intermediate_size));
    } else if (kind != "none") {
      return FieldError("xval_number_head",
                        absl::StrCat("\"", Str(kind), "\" is not linear, mlp or none"));
    }
  }
  RETURN_IF_ERROR(CheckLlamaConfig(c, ConfigSource::kHuggingFace, "config.json"));
  return c;
}

}  // namespace xval::model
