// transformers' configuration files beside a tokenizer file (tokenizer_config.h).
#include "text/tokenizer_config.h"

#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "text/hf_json.h"
#include "util/file.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

// The pad token a configuration file names: nullopt when it names none. On demand, so that
// what is not read (transformers' model_max_length of 1e30, beyond simdjson's integers) is
// not parsed.
absl::StatusOr<std::optional<std::string>> PadToken(const std::string& file) {
  ASSIGN_OR_RETURN(std::string data, util::ReadFile(file));
  auto json_error = [&](simdjson::error_code err) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": JSON: ", simdjson::error_message(err)));
  };
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(data.data(), data.size());
  simdjson::ondemand::document doc;
  simdjson::ondemand::object root;
  if (auto err = parser.iterate(json).get(doc)) return json_error(err);
  if (auto err = doc.get_object().get(root)) return json_error(err);
  simdjson::ondemand::value pad;
  if (auto err = root.find_field_unordered("pad_token").get(pad)) {
    if (err == simdjson::NO_SUCH_FIELD) return std::nullopt;
    return json_error(err);
  }
  simdjson::ondemand::json_type type;
  if (auto err = pad.type().get(type)) return json_error(err);
  std::string_view content;
  if (type == simdjson::ondemand::json_type::null) return std::nullopt;
  if (type == simdjson::ondemand::json_type::string && !pad.get_string().get(content)) {
    return std::string(content);
  }
  simdjson::ondemand::object object;
  if (type == simdjson::ondemand::json_type::object && !pad.get_object().get(object) &&
      !object.find_field_unordered("content").get_string().get(content)) {
    return std::string(content);
  }
  return absl::InvalidArgumentError(
      absl::StrCat(file, ": pad_token: expected a string or {\"content\": ...}"));
}

}  // namespace

absl::Status ApplyTokenizerConfig(const std::string& path, Tokenizer* tokenizer) {
  const size_t slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string file = folder + "tokenizer_config.json";
  if (!std::ifstream(file).good()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<std::string> pad, PadToken(file));
  if (!pad.has_value()) return absl::OkStatus();
  return SetPadToken(*pad, tokenizer);
}

}  // namespace xval::text

namespace xval {

absl::Status SetPadToken(absl::string_view content, Tokenizer* tokenizer) {
  int32_t id = -1;
  for (const AddedToken& t : tokenizer->added_tokens()) {
    if (t.content == content) id = t.id;
  }
  if (id < 0) {
    absl::StatusOr<int32_t> piece = tokenizer->PieceToId(content);
    if (piece.ok()) id = *piece;
  }
  if (id < 0) {
    AddedToken token;
    token.content = std::string(content);
    token.special = true;
    RETURN_IF_ERROR(tokenizer->AddTokens({token}));
    id = tokenizer->added_tokens().back().id;
  }
  tokenizer->SetPadId(id);
  return absl::OkStatus();
}

}  // namespace xval
