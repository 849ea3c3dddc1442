// Mistral's tekken tokenizer files (tekken.json: Mistral Nemo, Pixtral, Ministral, ...), read as
// mistral_common's Tekkenizer reads them: a tiktoken encoding whose ranks are `vocab`'s first
// default_vocab_size - default_num_special_tokens entries, shifted after the special tokens,
// which hold ids 0..default_num_special_tokens - 1 (the file's `special_tokens`, or for files
// without them mistral_common's deprecated list, padded with <SPECIAL_i>).
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "simdjson.h"
#include "text/bytelevel/bytelevel_loader.h"
#include "text/hf_json.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;

// mistral_common's Tekkenizer.DEPRECATED_SPECIAL_TOKENS, ids 0..19.
constexpr const char* kDeprecatedSpecials[] = {
    "<unk>",
    "<s>",
    "</s>",
    "[INST]",
    "[/INST]",
    "[AVAILABLE_TOOLS]",
    "[/AVAILABLE_TOOLS]",
    "[TOOL_RESULTS]",
    "[/TOOL_RESULTS]",
    "[TOOL_CALLS]",
    "[IMG]",
    "<pad>",
    "[IMG_BREAK]",
    "[IMG_END]",
    "[PREFIX]",
    "[MIDDLE]",
    "[SUFFIX]",
    "[SYSTEM_PROMPT]",
    "[/SYSTEM_PROMPT]",
    "[TOOL_CONTENT]",
};

}  // namespace

bool IsTekkenJson(absl::string_view data) {
  const size_t first = data.find_first_not_of(" \t\r\n");
  if (first == absl::string_view::npos || data[first] != '{') return false;
  simdjson::dom::parser parser;
  simdjson::padded_string json(data.data(), data.size());
  element root, config, vocab;
  return !parser.parse(json).get(root) && !root["config"].get(config) &&
         !config["default_num_special_tokens"].get(vocab) && !root["vocab"].get_array().error();
}

absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> LoadTekkenJson(
    absl::string_view data, absl::string_view source, const TokenizerOptions& options) {
  JsonFile f(source);
  simdjson::dom::parser parser;
  simdjson::padded_string json(data.data(), data.size());
  element root;
  if (auto err = parser.parse(json).get(root)) return f.Error("JSON", simdjson::error_message(err));
  std::string_view pattern;
  int64_t vocab_size, num_special;
  if (root["config"]["pattern"].get_string().get(pattern)) {
    return f.Error("config.pattern", "missing or not a string");
  }
  if (root["config"]["default_vocab_size"].get_int64().get(vocab_size) ||
      root["config"]["default_num_special_tokens"].get_int64().get(num_special) ||
      num_special < 3 || vocab_size <= num_special || vocab_size > (int64_t{1} << 26)) {
    return f.Error("config",
                   "default_vocab_size and default_num_special_tokens must be integers "
                   "with 3 <= special < vocab size <= 2^26");
  }
  array vocab;
  if (root["vocab"].get_array().get(vocab)) return f.Error("vocab", "expected an array");
  const size_t ranks = static_cast<size_t>(vocab_size - num_special);
  if (vocab.size() < ranks) {
    return f.Error("vocab", absl::StrCat("holds ", vocab.size(),
                                         " tokens; default_vocab_size - "
                                         "default_num_special_tokens is ",
                                         ranks));
  }
  std::vector<std::string> tokens(static_cast<size_t>(vocab_size));
  std::vector<bool> mergeable(tokens.size(), true);
  std::vector<AddedToken> specials;
  array listed;
  if (!root["special_tokens"].get_array().get(listed)) {
    size_t i = 0;
    for (element t : listed) {
      int64_t rank;
      std::string_view text;
      if (t["rank"].get_int64().get(rank) || t["token_str"].get_string().get(text) ||
          rank != static_cast<int64_t>(i) || text.empty()) {
        return f.Error(absl::StrCat("special_tokens[", i, "]"),
                       "expected {\"rank\": its index, \"token_str\": a non-empty string}");
      }
      specials.push_back(AddedToken{std::string(text), static_cast<int32_t>(i), true});
      ++i;
    }
  } else {
    for (const char* text : kDeprecatedSpecials) {
      specials.push_back(AddedToken{text, static_cast<int32_t>(specials.size()), true});
    }
  }
  if (specials.size() > static_cast<size_t>(num_special)) {
    return f.Error("special_tokens", "more than default_num_special_tokens");
  }
  while (specials.size() < static_cast<size_t>(num_special)) {
    const auto id = static_cast<int32_t>(specials.size());
    specials.push_back(AddedToken{absl::StrCat("<SPECIAL_", id, ">"), id, true});
  }
  for (const AddedToken& t : specials) {
    tokens[t.id] = t.content;
    mergeable[t.id] = false;
  }
  size_t r = 0;
  for (element t : vocab) {
    if (r == ranks) break;
    int64_t rank;
    std::string_view b64;
    std::string bytes;
    if (t["rank"].get_int64().get(rank) || rank != static_cast<int64_t>(r) ||
        t["token_bytes"].get_string().get(b64) || !absl::Base64Unescape(A(b64), &bytes)) {
      return f.Error(absl::StrCat("vocab[", r, "]"),
                     "expected {\"rank\": its index, \"token_bytes\": base64}");
    }
    tokens[num_special + r] = std::move(bytes);
    ++r;
  }
  ByteLevelConfig config;
  config.source = std::string(source);
  ASSIGN_OR_RETURN(config.bpe, ByteBpe::FromRanks(std::move(tokens), source, &mergeable));
  ASSIGN_OR_RETURN(std::unique_ptr<PreTokenizer> pre,
                   MakePreTokenizer(A(pattern), absl::StrCat(source, ": config.pattern")));
  config.pretokenizers.push_back(std::move(pre));
  int32_t pad_id = -1;  // mistral_common's Tekkenizer.pad_id
  for (const AddedToken& t : specials) {
    if (t.content == "<s>") config.bos_id = t.id;
    if (t.content == "</s>") config.eos_id = t.id;
    if (t.content == "<pad>") pad_id = t.id;
  }
  config.added_tokens = std::move(specials);
  ASSIGN_OR_RETURN(auto tokenizer, ByteLevelTokenizer::Create(std::move(config), options));
  // Mistral's models start with <s> (mistral_common's encode(bos=True)).
  tokenizer->SetSpecialTokens(tokenizer->bos_id() >= 0, false);
  tokenizer->SetPadId(pad_id);
  return tokenizer;
}

}  // namespace xval::text
