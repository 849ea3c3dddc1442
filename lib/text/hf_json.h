// Reading Hugging Face tokenizer.json files with simdjson: field helpers, errors that name the
// file and the field, and the BPE merges list that both tokenizer.json loaders read.
#ifndef XVAL_TEXT_HF_JSON_H_
#define XVAL_TEXT_HF_JSON_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "simdjson.h"
#include "xval/tokenizer.h"

namespace xval::text {

// simdjson speaks std::string_view; Debian's Abseil has its own string_view.
inline absl::string_view A(std::string_view v) { return absl::string_view(v.data(), v.size()); }

// Errors about one tokenizer.json: "<file>: <field>: <what>".
class JsonFile {
 public:
  explicit JsonFile(absl::string_view source) : source_(source) {}
  absl::Status Error(absl::string_view field, absl::string_view msg) const {
    return absl::InvalidArgumentError(absl::StrCat(source_, ": ", field, ": ", msg));
  }
  absl::Status Unsupported(absl::string_view field, absl::string_view msg) const {
    return absl::UnimplementedError(absl::StrCat(source_, ": ", field, ": ", msg));
  }
  absl::string_view source() const { return source_; }

 private:
  absl::string_view source_;
};

// Optional fields: the value, or `fallback` when the key is absent or of another type.
inline std::string_view OptString(simdjson::dom::element e, const char* key,
                                  std::string_view fallback = {}) {
  std::string_view v;
  return e[key].get_string().get(v) ? fallback : v;
}
inline bool OptBool(simdjson::dom::element e, const char* key, bool fallback) {
  bool v;
  return e[key].get_bool().get(v) ? fallback : v;
}
// True when the key is present and not null.
inline bool Present(simdjson::dom::element e, const char* key) {
  simdjson::dom::element v;
  return !e[key].get(v) && !v.is_null();
}

// model.vocab: an object piece -> id, each id used once; the pieces by id, as written, and an
// empty view for an id no piece has (gaps, which Hugging Face never produces).
absl::StatusOr<std::vector<std::string_view>> ReadVocab(const JsonFile& f,
                                                        simdjson::dom::element model);

// model.merges: "left right" strings, or ["left", "right"] pairs (tokenizers >= 0.20), in rank
// order, as written (not decoded from any alphabet).
absl::StatusOr<std::vector<std::pair<std::string_view, std::string_view>>> ReadMerges(
    const JsonFile& f, simdjson::dom::element model);

// The top-level added_tokens array (absent: none), the one reader of every tokenizer.json
// loader. Each entry needs a non-empty "content" and an integer "id" that is either a
// vocabulary id (below `vocab_size`) or one of the ids after the vocabulary (below
// vocab_size + the number of added tokens + 2^16, for files with gaps between them): ids index
// tables, so an id the file cannot account for is an error, not an allocation. An id given twice to
// different contents is an error. Unless `all_flags` (the general pipeline, which reads them
// all), lstrip, rstrip and single_word true are refused (Unimplemented), and normalized true too
// when `has_normalizer` (it would change what the token matches). `normalized` defaults to
// !special, as in tokenizers, and is false without a normalizer.
absl::StatusOr<std::vector<AddedToken>> ReadAddedTokens(const JsonFile& f,
                                                        simdjson::dom::element root,
                                                        size_t vocab_size, bool has_normalizer,
                                                        bool all_flags = false);

// Refuses (Unimplemented) a file whose "truncation" or "padding" is set: tokenizers would cut or
// pad what it encodes, xval encodes each text whole and unpadded.
absl::Status RefuseTruncationAndPadding(const JsonFile& f, simdjson::dom::element root);

// The ids the post_processor adds before and after one sequence (none when it is null).
absl::Status ReadPostProcessor(const JsonFile& f, simdjson::dom::element root,
                               std::vector<int64_t>* before, std::vector<int64_t>* after);

// The file's post_processor for one sequence, applied to `tokenizer`: the special tokens it
// adds before and after the text become what add_special_tokens adds (SetSpecialTokens).
// Read: null, TemplateProcessing (its "single" template), BertProcessing, RobertaProcessing,
// ByteLevel (adds nothing) and a Sequence of them. Refused (Unimplemented, naming the field):
// other types, and templates whose special tokens are not one BOS before and one EOS after the
// text, the only forms add_special_tokens can add.
absl::Status ApplyPostProcessor(absl::string_view data, absl::string_view source,
                                Tokenizer* tokenizer);

}  // namespace xval::text

#endif  // XVAL_TEXT_HF_JSON_H_
