#include "text/numbers/added_vocab_tokenizer.h"

#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "simdjson.h"
#include "text/hf_json.h"
#include "util/file.h"
#include "util/status_macros.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace text {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

bool IsNull(element e, const char* key) {
  element v;
  return e[key].get(v) || v.is_null();
}

}  // namespace

bool AddedVocabTokenizer::IsAddedVocabJson(absl::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  element root;
  if (parser.parse(padded).get(root)) return false;
  std::string_view type;
  object vocab;
  array merges;
  if (root["model"]["type"].get_string().get(type) || type != "BPE") return false;
  if (root["model"]["vocab"].get_object().get(vocab) || vocab.size() != 0) return false;
  return root["model"]["merges"].get_array().get(merges) == simdjson::SUCCESS && merges.size() == 0;
}

absl::StatusOr<std::unique_ptr<AddedVocabTokenizer>> AddedVocabTokenizer::FromJson(
    absl::string_view json, absl::string_view source) {
  auto error = [&](absl::string_view field, absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", field, ": ", what));
  };
  auto unsupported = [&](absl::string_view field, absl::string_view what) {
    return absl::UnimplementedError(absl::StrCat(source, ": ", field, ": ", what));
  };
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  element root;
  if (auto err = parser.parse(padded).get(root)) {
    return error("JSON", simdjson::error_message(err));
  }
  if (!IsNull(root, "normalizer")) return unsupported("normalizer", "not supported here");
  if (!IsNull(root, "post_processor")) {
    std::string_view type;
    if (root["post_processor"]["type"].get_string().get(type) || type != "ByteLevel") {
      return unsupported("post_processor", "only ByteLevel (which adds no tokens)");
    }
  }
  const JsonFile file(source);
  element added_value;
  if (root["added_tokens"].get(added_value) || !added_value.is_array()) {
    return error("added_tokens", "not an array");
  }
  std::unique_ptr<AddedVocabTokenizer> t(new AddedVocabTokenizer());
  // The vocabulary is empty: every token is an added one, ids below their count.
  ASSIGN_OR_RETURN(t->tokens_, ReadAddedTokens(file, root, 0, /*has_normalizer=*/false));
  t->Rebuild();
  return t;
}

void AddedVocabTokenizer::Rebuild() {
  int32_t size = 0;
  for (const AddedToken& a : tokens_) size = std::max(size, a.id + 1);
  by_id_.assign(size, nullptr);
  std::vector<AddedToken> plain;
  for (const AddedToken& a : tokens_) {
    by_id_[a.id] = &a;
    if (!a.special) plain.push_back(a);
  }
  matcher_ = AddedTokenMatcher(tokens_);
  plain_matcher_ = AddedTokenMatcher(plain);
}

absl::Status AddedVocabTokenizer::EncodeInto(absl::string_view text, const EncodeOptions& requested,
                                             uint32_t base, Encoding* out) const {
  const EncodeOptions options = ResolveSpecialTokens(requested);
  if (options.add_bos || options.add_eos) {
    return absl::InvalidArgumentError("the vocabulary has no BOS or EOS");
  }
  const AddedTokenMatcher& matcher = options.parse_special ? matcher_ : plain_matcher_;
  matcher.Split(
      text, [](size_t, size_t) {},  // no piece for ordinary text: dropped, as Hugging Face does
      [&](const AddedToken& t, size_t b, size_t e) {
        out->Append(t.id, Offset{base + static_cast<uint32_t>(b), base + static_cast<uint32_t>(e)});
      });
  return absl::OkStatus();
}

absl::StatusOr<std::string> AddedVocabTokenizer::Decode(absl::Span<const int32_t> ids) const {
  std::string text;
  for (const int32_t id : ids) {
    ASSIGN_OR_RETURN(const std::string piece, IdToPiece(id));
    text += piece;
  }
  return text;
}

absl::StatusOr<std::string> AddedVocabTokenizer::IdToPiece(int32_t id) const {
  if (id < 0 || id >= vocab_size() || by_id_[id] == nullptr) {
    return absl::OutOfRangeError(
        absl::StrCat("id ", id, " is outside the vocabulary (size ", vocab_size(), ")"));
  }
  return by_id_[id]->content;
}

absl::StatusOr<int32_t> AddedVocabTokenizer::PieceToId(absl::string_view piece) const {
  for (const AddedToken& a : tokens_) {
    if (a.content == piece) return a.id;
  }
  return absl::NotFoundError(absl::StrCat("no token \"", piece, "\""));
}

absl::Status AddedVocabTokenizer::AddTokens(absl::Span<const AddedToken> tokens) {
  for (const AddedToken& a : tokens) {
    if (a.content.empty()) return absl::InvalidArgumentError("AddTokens: empty content");
    if (PieceToId(a.content).ok()) continue;
    tokens_.push_back(AddedToken{a.content, vocab_size(), a.special});
    Rebuild();  // by_id_ points into tokens_, which may have moved
  }
  return absl::OkStatus();
}

}  // namespace text

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadBaseTokenizer(const std::string& path,
                                                             const TokenizerOptions& options) {
  if (absl::EndsWith(path, ".json")) {
    ASSIGN_OR_RETURN(std::string data, util::ReadFile(path));
    return LoadBaseTokenizerFromMemory(data, path, options);
  }
  return LoadTokenizer(path, options);
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadBaseTokenizerFromMemory(
    absl::string_view data, const std::string& name, const TokenizerOptions& options) {
  if (text::AddedVocabTokenizer::IsAddedVocabJson(data)) {
    ASSIGN_OR_RETURN(auto t, text::AddedVocabTokenizer::FromJson(data, name));
    return std::unique_ptr<Tokenizer>(std::move(t));
  }
  return LoadTokenizerFromMemory(data, name, options);
}

absl::StatusOr<std::unique_ptr<XvalTokenizer>> LoadXvalTokenizer(
    const std::string& path, const TokenizerOptions& tokenizer_options,
    const XvalOptions& xval_options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> base, LoadBaseTokenizer(path, tokenizer_options));
  return XvalTokenizer::Create(std::move(base), xval_options);
}

}  // namespace xval
