#include "text/hf_json.h"

#include "absl/container/flat_hash_map.h"
#include "util/status_macros.h"

namespace xval::text {

absl::StatusOr<std::vector<std::string_view>> ReadVocab(const JsonFile& f,
                                                        simdjson::dom::element model) {
  simdjson::dom::object vocab;
  if (model["vocab"].get_object().get(vocab)) return f.Error("model.vocab", "expected an object");
  // Ids may leave gaps (a text given two ids keeps the last one in Hugging Face's dict), up to
  // 2^16 of them: ids index tables, so an id the file cannot account for is an error.
  const size_t limit = vocab.size() + (size_t{1} << 16);
  std::vector<std::string_view> pieces(vocab.size());
  std::vector<bool> seen(pieces.size());
  for (auto [key, value] : vocab) {
    int64_t id;
    if (value.get_int64().get(id) || id < 0 || static_cast<uint64_t>(id) >= limit || key.empty() ||
        (static_cast<size_t>(id) < seen.size() && seen[id])) {
      return f.Error(absl::StrCat("model.vocab[\"", A(key), "\"]"),
                     "expected a non-empty piece with an id used once, below the vocabulary's "
                     "size plus 65536");
    }
    if (static_cast<size_t>(id) >= pieces.size()) {
      pieces.resize(id + 1);
      seen.resize(id + 1);
    }
    seen[id] = true;
    pieces[id] = key;
  }
  return pieces;
}

absl::StatusOr<std::vector<std::pair<std::string_view, std::string_view>>> ReadMerges(
    const JsonFile& f, simdjson::dom::element model) {
  simdjson::dom::array merges_array;
  if (model["merges"].get_array().get(merges_array)) {
    return f.Error("model.merges", "expected an array");
  }
  std::vector<std::pair<std::string_view, std::string_view>> merges;
  merges.reserve(merges_array.size());
  size_t i = 0;
  for (simdjson::dom::element m : merges_array) {
    const std::string field = absl::StrCat("model.merges[", i++, "]");
    std::string_view s, a, b;
    if (!m.get_string().get(s)) {
      const size_t space = s.find(' ');
      if (space == std::string_view::npos) return f.Error(field, "expected \"left right\"");
      a = s.substr(0, space);
      b = s.substr(space + 1);
    } else {
      simdjson::dom::array pair;
      if (m.get_array().get(pair) || pair.size() != 2 || pair.at(0).get_string().get(a) ||
          pair.at(1).get_string().get(b)) {
        return f.Error(field, "expected \"left right\" or [left, right]");
      }
    }
    merges.emplace_back(a, b);
  }
  return merges;
}

absl::StatusOr<std::vector<AddedToken>> ReadAddedTokens(const JsonFile& f,
                                                        simdjson::dom::element root,
                                                        size_t vocab_size, bool has_normalizer,
                                                        bool all_flags) {
  std::vector<AddedToken> added;
  simdjson::dom::element value;
  if (root["added_tokens"].get(value) || value.is_null()) return added;
  simdjson::dom::array array;
  if (value.get_array().get(array)) return f.Error("added_tokens", "expected an array");
  // Hugging Face allows gaps between added ids; up to 2^16 of them are accepted here.
  const int64_t id_limit = static_cast<int64_t>(vocab_size + array.size()) + (1 << 16);
  absl::flat_hash_map<int32_t, size_t> by_id;
  size_t i = 0;
  for (simdjson::dom::element t : array) {
    const std::string field = absl::StrCat("added_tokens[", i++, "]");
    int64_t id;
    std::string_view content;
    if (t["id"].get_int64().get(id)) return f.Error(field, "\"id\" missing or not an integer");
    if (id < 0 || id >= id_limit) {
      return f.Error(field, absl::StrCat("id ", id, " is outside the vocabulary (", vocab_size,
                                         " pieces) and the ids that ", array.size(),
                                         " added tokens may take after it"));
    }
    if (t["content"].get_string().get(content) || content.empty()) {
      return f.Error(field, "\"content\" missing, empty or not a string");
    }
    for (const char* opt : {"lstrip", "rstrip", "single_word"}) {
      if (!all_flags && OptBool(t, opt, false)) {
        return f.Unsupported(field, absl::StrCat("\"", opt, "\": true is not supported"));
      }
    }
    const bool special = OptBool(t, "special", false);
    // tokenizers' default: a special token matches the raw text, another the normalized one.
    const bool normalized = has_normalizer && OptBool(t, "normalized", all_flags && !special);
    if (!all_flags && normalized) {
      return f.Unsupported(field, "\"normalized\": true is not supported");
    }
    AddedToken token{std::string(content), static_cast<int32_t>(id), special};
    token.lstrip = OptBool(t, "lstrip", false);
    token.rstrip = OptBool(t, "rstrip", false);
    token.single_word = OptBool(t, "single_word", false);
    token.normalized = normalized;
    auto [it, inserted] = by_id.emplace(token.id, added.size());
    if (!inserted && added[it->second].content != token.content) {
      return f.Error(field, absl::StrCat("id ", id, " is also added_tokens[", it->second, "] (\"",
                                         added[it->second].content, "\")"));
    }
    if (inserted) added.push_back(std::move(token));
  }
  return added;
}

namespace {

// The ids one post-processor adds before and after a single sequence.
struct Template {
  std::vector<int64_t> before, after;
};

absl::Status ReadProcessor(const JsonFile& f, simdjson::dom::element p, const std::string& field,
                           Template* out) {
  using simdjson::dom::array;
  using simdjson::dom::element;
  const std::string_view type = OptString(p, "type");
  if (type == "ByteLevel") return absl::OkStatus();  // offsets only
  if (type == "Sequence") {
    array steps;
    if (p["processors"].get_array().get(steps))
      return f.Error(field + ".processors", "expected an array");
    size_t i = 0;
    for (element step : steps) {
      RETURN_IF_ERROR(ReadProcessor(f, step, absl::StrCat(field, ".processors[", i++, "]"), out));
    }
    return absl::OkStatus();
  }
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    // {"cls": ["[CLS]", 101], "sep": ["[SEP]", 102]}: [CLS] $A [SEP].
    for (const char* key : {"cls", "sep"}) {
      int64_t id;
      if (p[key].at(1).get_int64().get(id)) {
        return f.Error(absl::StrCat(field, ".", key), "expected [token, id]");
      }
      (std::string_view(key) == "cls" ? out->before : out->after).push_back(id);
    }
    return absl::OkStatus();
  }
  if (type == "TemplateProcessing") {
    array single;
    if (p["single"].get_array().get(single)) return f.Error(field + ".single", "expected an array");
    bool seen_sequence = false;
    size_t i = 0;
    for (element piece : single) {
      const std::string where = absl::StrCat(field, ".single[", i++, "]");
      element special;
      if (!piece["SpecialToken"].get(special)) {
        std::string_view name;
        if (special["id"].get_string().get(name))
          return f.Error(where, "SpecialToken without an id");
        array ids;
        if (p["special_tokens"][name]["ids"].get_array().get(ids)) {
          return f.Error(field + ".special_tokens", absl::StrCat("\"", A(name), "\" is missing"));
        }
        for (element id : ids) {
          int64_t v;
          if (id.get_int64().get(v))
            return f.Error(field + ".special_tokens", "ids must be integers");
          (seen_sequence ? out->after : out->before).push_back(v);
        }
      } else if (!piece["Sequence"].get(special)) {
        seen_sequence = true;
      } else {
        return f.Error(where, "expected a SpecialToken or a Sequence");
      }
    }
    return absl::OkStatus();
  }
  return f.Unsupported(field + ".type",
                       absl::StrCat("post-processor \"", A(type), "\" is not supported"));
}

}  // namespace

absl::Status RefuseTruncationAndPadding(const JsonFile& f, simdjson::dom::element root) {
  for (const char* setting : {"truncation", "padding"}) {
    if (Present(root, setting)) {
      return f.Unsupported(setting, "must be null (xval encodes each text whole, unpadded)");
    }
  }
  return absl::OkStatus();
}

absl::Status ReadPostProcessor(const JsonFile& f, simdjson::dom::element root,
                               std::vector<int64_t>* before, std::vector<int64_t>* after) {
  simdjson::dom::element post;
  if (root["post_processor"].get(post) || post.is_null()) return absl::OkStatus();
  Template t;
  RETURN_IF_ERROR(ReadProcessor(f, post, "post_processor", &t));
  *before = std::move(t.before);
  *after = std::move(t.after);
  return absl::OkStatus();
}

absl::Status ApplyPostProcessor(absl::string_view data, absl::string_view source,
                                Tokenizer* tokenizer) {
  JsonFile f(source);
  simdjson::dom::parser parser;
  simdjson::padded_string json(data.data(), data.size());
  simdjson::dom::element root;
  if (auto err = parser.parse(json).get(root)) return f.Error("JSON", simdjson::error_message(err));
  Template t;
  RETURN_IF_ERROR(ReadPostProcessor(f, root, &t.before, &t.after));
  const bool bos = !t.before.empty(), eos = !t.after.empty();
  if (t.before.size() > 1 || t.after.size() > 1 || (bos && t.before[0] != tokenizer->bos_id()) ||
      (eos && t.after[0] != tokenizer->eos_id())) {
    return f.Unsupported(
        "post_processor",
        absl::StrCat("adds ", t.before.size(), " token(s) before and ", t.after.size(),
                     " after the text; only the vocabulary's BOS (", tokenizer->bos_id(),
                     ") before and its EOS (", tokenizer->eos_id(), ") after are supported"));
  }
  tokenizer->SetSpecialTokens(bos, eos);
  return absl::OkStatus();
}

}  // namespace xval::text
