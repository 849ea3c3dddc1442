// A tokenizer whose every token is an added token: the xVal paper's tokenizer.json (a Hugging
// Face BPE with an empty vocabulary and no merges, 27 added tokens: [END] [MASK] [PAD] [NUM],
// JSON punctuation and one token per record key). Hugging Face matches the added tokens
// (leftmost-longest) and drops every other byte, as its BPE has no piece and no unk_token for
// it; this class does the same, and Decode concatenates the tokens' contents.
#ifndef XVAL_TEXT_NUMBERS_ADDED_VOCAB_TOKENIZER_H_
#define XVAL_TEXT_NUMBERS_ADDED_VOCAB_TOKENIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "text/added_tokens.h"
#include "xval/tokenizer.h"

namespace xval::text {

class AddedVocabTokenizer : public Tokenizer {
 public:
  // From tokenizer.json text; `source` names the file in messages. Unimplemented for the
  // features such a file could use that would change ids (a normalizer, a template
  // post-processor, lstrip/rstrip/single_word tokens).
  static absl::StatusOr<std::unique_ptr<AddedVocabTokenizer>> FromJson(absl::string_view json,
                                                                       absl::string_view source);
  // True when `json` is a tokenizer.json with a BPE model without vocabulary and merges.
  static bool IsAddedVocabJson(absl::string_view json);

  absl::Status EncodeInto(absl::string_view text, const EncodeOptions& options, uint32_t base,
                          Encoding* out) const override;
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const override;
  // Decode writes every token's text, special ones included.
  absl::StatusOr<std::string> DecodeKeepingSpecial(absl::Span<const int32_t> ids) const override {
    return Decode(ids);
  }
  int32_t vocab_size() const override { return static_cast<int32_t>(by_id_.size()); }
  absl::StatusOr<std::string> IdToPiece(int32_t id) const override;
  absl::StatusOr<int32_t> PieceToId(absl::string_view piece) const override;
  int32_t bos_id() const override { return -1; }
  int32_t eos_id() const override { return -1; }
  int32_t unk_id() const override { return -1; }
  const std::vector<AddedToken>& added_tokens() const override { return tokens_; }
  absl::Status AddTokens(absl::Span<const AddedToken> tokens) override;

 private:
  AddedVocabTokenizer() = default;
  void Rebuild();

  std::vector<AddedToken> tokens_;
  std::vector<const AddedToken*> by_id_;  // id -> token (null for unused ids)
  AddedTokenMatcher matcher_{{}};
  AddedTokenMatcher plain_matcher_{{}};  // tokens that are not special
};

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_ADDED_VOCAB_TOKENIZER_H_
