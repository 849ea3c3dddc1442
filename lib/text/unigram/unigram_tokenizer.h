// The Unigram tokenizer (SentencePiece's UNIGRAM model: T5, XLM-R, nomic-bert): the text is
// normalized (a precompiled character map, whitespace escaped as "▁", a dummy prefix), then cut
// where the sum of the pieces' log probabilities is highest (Viterbi over a trie of the
// pieces). A character no piece covers is the unknown token, scored below every piece; runs of
// them are one token. Built as llama.cpp's llm_tokenizer_ugm builds it for GGUF vocabularies
// (checked id for id against libllama).
//
// Thread safety: immutable after AddTokens; const methods from any thread.
#ifndef XVAL_TEXT_UNIGRAM_UNIGRAM_TOKENIZER_H_
#define XVAL_TEXT_UNIGRAM_UNIGRAM_TOKENIZER_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "text/bpe/bpe_vocab.h"
#include "text/piece_table.h"
#include "text/piece_trie.h"
#include "text/unigram/precompiled_charsmap.h"
#include "xval/tokenizer.h"

namespace xval::text {

struct UnigramConfig {
  // Whose rules: llama.cpp's (GGUF vocabularies) or sentencepiece's (`.model` files). They
  // differ in the normalizer's handling of spaces, the scores of user-defined pieces (0, or
  // length * max score - 0.1), unused pieces (matched or not), the sums (double or float), and
  // byte fallback (sentencepiece only).
  enum class Rules { kLlamaCpp, kSentencePiece };
  Rules rules = Rules::kLlamaCpp;
  bool byte_fallback = false;      // an unknown character becomes its <0xXX> byte pieces
  std::string source;              // the file it came from, for messages
  std::vector<VocabPiece> pieces;  // by id: text, log probability, type
  std::shared_ptr<const PrecompiledCharsmap> charsmap;  // null: identity
  bool add_dummy_prefix = true;                         // "▁" before each stretch of text
  bool remove_extra_whitespaces = true;  // runs of spaces become one, none at the ends
  bool escape_whitespaces = true;        // spaces become "▁"
  bool treat_whitespace_as_suffix = false;
  int32_t unk_id = -1;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  // Tokens matched in the raw text before normalization (special or always).
  std::vector<AddedToken> added_tokens;
};

class UnigramTokenizer : public PieceTableTokenizer {
 public:
  static absl::StatusOr<std::unique_ptr<UnigramTokenizer>> Create(UnigramConfig config);

  // The pieces joined, "▁" read as a space, the dummy prefix's space dropped at the start;
  // control pieces decode to nothing.
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const override;

 private:
  explicit UnigramTokenizer(UnigramConfig config);
  struct Scratch;
  void EncodeStretch(absl::string_view text, uint32_t base, Encoding* out) const override;
  // Normalizes `text` into scratch (with the input offset of each byte), then appends the best
  // cut's tokens.
  void EncodeText(absl::string_view text, uint32_t base, Scratch& scratch, Encoding* out) const;
  void Normalize(absl::string_view text, Scratch& scratch) const;

  UnigramConfig config_;  // its added_tokens moved into the table
  PieceTrie trie_;        // the pieces a cut can use
  double unk_score_ = 0;
  float max_score_ = 0;                // sentencepiece's, for user-defined pieces
  std::array<int32_t, 256> byte_ids_;  // <0xXX> pieces, for byte fallback (-1: none)
};

}  // namespace xval::text

#endif  // XVAL_TEXT_UNIGRAM_UNIGRAM_TOKENIZER_H_
