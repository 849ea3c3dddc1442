// WordPiece (BERT): the text is lowercased and stripped of accents, cut at whitespace, around
// punctuation and around CJK characters, and each word is covered greedily by the longest
// vocabulary pieces from its left; a word that cannot be covered is the unknown token. Built as
// llama.cpp's llm_tokenizer_wpm builds it for GGUF vocabularies (checked id for id against
// libllama): its vocabulary marks a word's first piece with "▁" where Hugging Face marks the
// others with "##", and its Unicode tables (lowercase, one-code-point NFD) are its own.
//
// Thread safety: immutable after AddTokens; const methods from any thread.
#ifndef XVAL_TEXT_WORDPIECE_WORDPIECE_TOKENIZER_H_
#define XVAL_TEXT_WORDPIECE_WORDPIECE_TOKENIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "text/piece_table.h"
#include "xval/tokenizer.h"

namespace xval::text {

struct WordPieceConfig {
  std::string source;                    // the file it came from, for messages
  std::vector<std::string> tokens;       // by id; a word's first piece starts with "▁"
  std::vector<bool> control;             // by id: decodes to nothing
  std::vector<AddedToken> added_tokens;  // matched in the raw text first
  bool lowercase = true;
  bool strip_accents = true;
  int32_t unk_id = -1;
  int32_t bos_id = -1;  // [CLS]
  int32_t eos_id = -1;  // [SEP]: what add_eos (and add_special_tokens) appends
};

class WordPieceTokenizer : public PieceTableTokenizer {
 public:
  static absl::StatusOr<std::unique_ptr<WordPieceTokenizer>> Create(WordPieceConfig config);

  // Pieces joined, a word's "▁" read as a space (none at the start); control tokens dropped.
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const override;

 private:
  explicit WordPieceTokenizer(WordPieceConfig config);
  struct Scratch;
  void EncodeStretch(absl::string_view text, uint32_t base, Encoding* out) const override;
  void EncodeText(absl::string_view text, uint32_t base, Scratch& scratch, Encoding* out) const;

  WordPieceConfig config_;  // its tokens and added_tokens moved into the table
  size_t max_token_bytes_ = 0;
};

}  // namespace xval::text

#endif  // XVAL_TEXT_WORDPIECE_WORDPIECE_TOKENIZER_H_
