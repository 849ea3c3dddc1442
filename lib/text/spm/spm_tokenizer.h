// The SentencePiece BPE tokenizer (Llama 2, Code Llama, Llemma): sentencepiece's normalizer and
// BPE, reimplemented for speed and checked id for id against libsentencepiece.
//
// Speed comes from three exact shortcuts:
//  - When no vocabulary piece holds "▁" after another character (true of every vocabulary
//    trained with split_by_whitespace), merges never cross the start of a "▁..." word, so each
//    word is merged alone instead of the whole text in one priority queue.
//  - Words repeat: a per-thread cache maps a word to its tokens.
//  - Merges are looked up by pairs of symbol ids, not by concatenating strings.
#ifndef XVAL_TEXT_SPM_SPM_TOKENIZER_H_
#define XVAL_TEXT_SPM_SPM_TOKENIZER_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "text/added_tokens.h"
#include "text/bpe/bpe_vocab.h"
#include "text/decode/text_stream_decoder.h"
#include "text/spm/normalizer.h"
#include "xval/tokenizer.h"

namespace xval::text {

struct SpmConfig {
  std::string source;  // the file it came from, for messages
  BpeVocab vocab;
  SpmNormalizerSpec normalizer;
  bool byte_fallback = false;
  // Hugging Face's Metaspace rules for the dummy prefix, beside the normalizer's flag: none
  // before text that already starts with a space (metaspace_prefix), and with prepend_scheme
  // "first" none but before the text at the input's start (prefix_first_only).
  bool metaspace_prefix = false;
  bool prefix_first_only = false;
  std::string unk_surface = " \xE2\x81\x87 ";
  // Decode: a run of byte pieces that is not valid UTF-8 as a whole becomes one U+FFFD per piece
  // (tokenizers' ByteFallback decoder) instead of one per invalid byte (sentencepiece).
  bool whole_byte_runs = false;
  int32_t unk_id = -1;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  // Tokens matched in the raw text first (Hugging Face's added tokens); the text between them
  // is normalized piece by piece, each with its own dummy prefix (Hugging Face's "legacy" Llama
  // behaviour).
  std::vector<AddedToken> added_tokens;
  // SentencePiece's user-defined pieces: matched in the normalized text, longest first, and
  // never merged with their neighbours.
  std::vector<AddedToken> user_defined;
};

// A piece of a text for SpmTokenizer::EncodeSegments: the bytes [begin, end) to encode with
// `options`, or, when token >= 0, that token with `value` in their place.
struct EncodeSegment {
  uint32_t begin = 0, end = 0;
  EncodeOptions options;
  int32_t token = -1;
  float value = 1.0f;
};

class SpmTokenizer : public Tokenizer, public RunOpeningTokens {
 public:
  static absl::StatusOr<std::unique_ptr<SpmTokenizer>> Create(SpmConfig config,
                                                              const TokenizerOptions& options);

  // Raw words (Llama's normalizer) with byte fallback, where no added token can match: the
  // words looked up by their bytes in a per-thread table of ids, no offsets made. Otherwise
  // Tokenizer's.
  absl::Status EncodeIdsInto(absl::string_view text, const EncodeOptions& options,
                             std::vector<int32_t>* ids) const override;
  absl::Status EncodeInto(absl::string_view text, const EncodeOptions& options, uint32_t base,
                          Encoding* out) const override;
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const override {
    return DecodePieces(ids, /*keep_special=*/false);
  }
  // transformers' decode(skip_special_tokens=False) of the converted tokenizer: control and
  // unknown pieces as their text (<s>, <unk>), which ends the run where a leading space drops.
  absl::StatusOr<std::string> DecodeKeepingSpecial(absl::Span<const int32_t> ids) const override {
    return DecodePieces(ids, /*keep_special=*/true);
  }
  // A byte piece, when Decode reads byte runs whole (SpmConfig::whole_byte_runs).
  bool OpensRun(int32_t id) const override;
  // The same as EncodeInto(text.substr(s.begin, s.end - s.begin), s.options, base + s.begin,
  // out) for each text segment s in turn, and out->Append(s.token, its offsets, s.value) for
  // each token segment, with the per-call work done once. XvalTokenizer encodes the text
  // between numbers this way: one call per text instead of two per number.
  absl::Status EncodeSegments(absl::string_view text, absl::Span<const EncodeSegment> segments,
                              uint32_t base, Encoding* out) const;

  int32_t vocab_size() const override;
  absl::StatusOr<std::string> IdToPiece(int32_t id) const override;
  absl::StatusOr<int32_t> PieceToId(absl::string_view piece) const override;
  int32_t bos_id() const override { return config_.bos_id; }
  int32_t eos_id() const override { return config_.eos_id; }
  int32_t unk_id() const override { return config_.unk_id; }
  const std::vector<AddedToken>& added_tokens() const override { return config_.added_tokens; }
  absl::Status AddTokens(absl::Span<const AddedToken> tokens) override;
  // Before a space between an ASCII letter or digit and a letter, where words are merged alone
  // (no piece joins that character to the space: SpmVocab's proof) and the normalizer maps
  // characters one by one; the second part continues the text (no dummy prefix). Not with
  // added tokens: a continuation drops the dummy prefix of every stretch between them too.
  size_t SafeCut(absl::string_view text, size_t from, size_t max_scan) const override;

 protected:
  // EncodeIdsInto writing into the array in place (EncodeBatchFlat's output).
  absl::Status AppendIds(absl::string_view text, const EncodeOptions& options,
                         LargeArray<int32_t>* ids) const override;

 private:
  // sentencepiece's Decode; keep_special: control and unknown pieces as their text.
  absl::StatusOr<std::string> DecodePieces(absl::Span<const int32_t> ids, bool keep_special) const;
  SpmTokenizer(SpmConfig config, const TokenizerOptions& options);
  // spm_encode.cc: text between added tokens to tokens.
  struct ThreadState;
  struct PieceToken;
  // Whether the stretch of text `segment` gets the dummy prefix; `at_start`: it begins the
  // input.
  bool PrefixFor(absl::string_view segment, bool at_start, const EncodeOptions& options) const {
    return config_.normalizer.add_dummy_prefix && !options.continuation &&
           (!config_.prefix_first_only || at_start) &&
           (!config_.metaspace_prefix || segment.empty() || segment[0] != ' ');
  }
  ThreadState& State() const;  // this thread's, for this tokenizer
  absl::Status EncodeWith(absl::string_view text, const EncodeOptions& options, uint32_t base,
                          ThreadState& state, Encoding* out) const;
  void EncodeText(absl::string_view text, uint32_t base, bool prefix, ThreadState& state,
                  Encoding* out) const;
  // Whether a word may start at a boundary that follows this character (its UTF-8 bytes; any
  // other bytes stand for U+FFFD, as the normalizer reads them).
  bool CutsAfter(absl::string_view prev_char) const;
  // EncodeText's raw-words path (raw_words_ only).
  void EncodeRawText(absl::string_view text, uint32_t base, bool prefix, ThreadState& state,
                     Encoding* out) const;
  void EncodeRawWords(absl::string_view text, uint32_t base, bool prefix, ThreadState& state,
                      Encoding* out) const;
  void EncodeRawWord(absl::string_view word, bool prefix, uint32_t base, ThreadState& state,
                     Encoding* out) const;
  // EncodeIdsInto and AppendIds (Ids: std::vector<int32_t> or LargeArray<int32_t>).
  template <class Ids>
  absl::Status EncodeIdsWith(absl::string_view text, const EncodeOptions& options, Ids* ids) const;
  // EncodeRawWords for ids alone (EncodeIdsInto's path).
  template <class Ids>
  void EncodeRawWordIds(absl::string_view text, bool prefix, ThreadState& state, Ids* ids) const;
  // One word's ids through EncodeRawWord, cached in the thread's word table when short.
  template <class Ids>
  void EncodeMissedWord(absl::string_view text, size_t begin, size_t end, bool prefix,
                        ThreadState& state, Ids* ids) const;
  void EncodeNormalized(absl::string_view norm, const uint32_t* to_input, ThreadState& state,
                        Encoding* out) const;
  void EncodeNormalizedWord(absl::string_view word, const uint32_t* to_input, ThreadState& state,
                            Encoding* out) const;
  void TokenizePiece(absl::string_view piece, ThreadState& state,
                     std::vector<PieceToken>* tokens) const;
  void Emit(const PieceToken& token, uint32_t base, ThreadState& state, Encoding* out) const;

  // True when `text` holds a byte that starts an added token, so that matching them can find
  // something there (a shortcut only: false means the matcher would find nothing).
  bool MayHoldAddedToken(absl::string_view text) const;
  void IndexAddedTokenStarts();

  SpmConfig config_;
  TokenizerOptions options_;
  // The distinct first bytes of the added tokens, when there are at most two (looked for eight
  // bytes at a time), and all of them as a table otherwise.
  std::vector<unsigned char> added_starts_;
  std::array<bool, 256> added_start_table_{};
  AddedTokenMatcher matcher_;        // added tokens, in the raw text
  AddedTokenMatcher plain_matcher_;  // the added tokens that are not special
  AddedTokenMatcher user_defined_;   // user-defined pieces, in the normalized text
  // Words start at boundary_ ("▁" or " ") after any character but a boundary or one that a
  // piece joins to it (BpeVocab::CharsJoinedToBoundary).
  std::string boundary_;
  absl::flat_hash_set<std::string> joined_to_boundary_;
  std::array<bool, 128> ascii_joined_to_boundary_{};
  bool raw_words_ = false;  // cut and cache words in the raw text (see the constructor)
  // EncodeIdsInto's units of the raw text, by the two bytes a, b around a point
  // (unit_starts_[a * 256 + b]): 1 where a unit starts, 0 where none does, kLookAround where
  // the two bytes cannot tell (a "▁" may begin or end there; UnitStartsAt decides). A unit
  // starts where a word does (at a boundary after another character) and, inside a word,
  // between ASCII bytes either of which is a digit or punctuation when no mergeable piece holds
  // the two (gigatoken's unit split: no merge can cross), except when xVal's digit groups are on
  // (they see whole runs of digits). Empty unless raw_words_.
  static constexpr uint8_t kLookAround = 2;
  std::vector<uint8_t> unit_starts_;
  bool cuttable_ = false;   // SafeCut may cut: raw words and no added tokens
  uint64_t instance_id_;    // keys the per-thread word cache
};

}  // namespace xval::text

#endif  // XVAL_TEXT_SPM_SPM_TOKENIZER_H_
