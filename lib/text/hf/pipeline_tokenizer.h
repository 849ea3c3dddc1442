// The general tokenizer.json tokenizer: the file's stages, built by the registry
// (stages.h), run in Hugging Face tokenizers' order: added tokens matched in the raw text
// (those not "normalized"), the normalizer, added tokens matched in the normalized text, the
// pre-tokenizer, the model on each piece, the post-processor's tokens around the text.
// LoadTokenizer uses it for every tokenizer.json that the specialised byte-level and Llama
// loaders (faster, same ids) do not take.
//
// Thread safety: immutable after AddTokens; const methods from any thread.
#ifndef XVAL_TEXT_HF_PIPELINE_TOKENIZER_H_
#define XVAL_TEXT_HF_PIPELINE_TOKENIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "text/added_tokens.h"
#include "text/decode/text_stream_decoder.h"
#include "text/hf/stages.h"
#include "text/piece_table.h"
#include "xval/tokenizer.h"

namespace xval::text::hf {

class PipelineTokenizer : public Tokenizer, public RunOpeningTokens {
 public:
  // Reads a tokenizer.json; `source` names it in errors.
  static absl::StatusOr<std::unique_ptr<PipelineTokenizer>> FromJson(
      absl::string_view data, absl::string_view source, const TokenizerOptions& options);

  absl::Status EncodeInto(absl::string_view text, const EncodeOptions& options, uint32_t base,
                          Encoding* out) const override;
  // The tokens' texts through the decoder (joined with spaces without one); special added
  // tokens are skipped, as tokenizers' decode does by default.
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const override {
    return DecodeTokens(ids, /*keep_special=*/false);
  }
  absl::StatusOr<std::string> DecodeKeepingSpecial(absl::Span<const int32_t> ids) const override {
    return DecodeTokens(ids, /*keep_special=*/true);
  }
  // A <0xXX> token of the vocabulary, when the decoder reads byte runs (ByteFallback).
  bool OpensRun(int32_t id) const override;

  int32_t vocab_size() const override { return table_.vocab_size(); }
  absl::StatusOr<std::string> IdToPiece(int32_t id) const override { return table_.IdToPiece(id); }
  absl::StatusOr<int32_t> PieceToId(absl::string_view piece) const override {
    return table_.PieceToId(piece);
  }
  int32_t bos_id() const override { return bos_id_; }
  int32_t eos_id() const override { return eos_id_; }
  int32_t unk_id() const override { return -1; }
  const std::vector<AddedToken>& added_tokens() const override { return table_.added(); }
  absl::Status AddTokens(absl::Span<const AddedToken> tokens) override;

 private:
  PipelineTokenizer() = default;
  void IndexAdded();
  // Text between raw-matched added tokens: normalized, then split at normalized added tokens.
  // `offset`: where `text` starts in the caller's text; offsets out are plus `base`.
  void EncodeStretch(absl::string_view text, uint32_t offset, uint32_t base, bool parse_special,
                     Encoding* out) const;
  // Bytes `range` of normalized text (no added token inside): pre-tokenized, then the model.
  void EncodePieces(const AlignedText& text, Range range, uint32_t base, Encoding* out) const;

  PieceTable table_;
  std::unique_ptr<Normalizer> normalizer_;       // null: none
  std::unique_ptr<PreTokenizer> pre_tokenizer_;  // null: the text is one piece
  std::unique_ptr<Model> model_;
  // tokenizers' decode: each id's token (special added tokens only when keep_special) joined
  // by the decoder.
  absl::StatusOr<std::string> DecodeTokens(absl::Span<const int32_t> ids, bool keep_special) const;
  std::unique_ptr<Decoder> decoder_;  // null: tokens joined with spaces
  // Added tokens matched before normalization, and after it (their "normalized" flag); each
  // with and without the special ones.
  std::unique_ptr<AddedTokenMatcher> raw_all_, raw_plain_, norm_all_, norm_plain_;
  absl::flat_hash_map<int32_t, size_t> added_by_id_;  // id -> index in table_.added()
  std::vector<int32_t> before_, after_;               // what the post-processor adds around a text
  int32_t bos_id_ = -1, eos_id_ = -1;
  uint64_t instance_id_ = 0;  // keys the per-thread piece cache
};

}  // namespace xval::text::hf

#endif  // XVAL_TEXT_HF_PIPELINE_TOKENIZER_H_
