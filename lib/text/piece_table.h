// The id <-> text tables of a tokenizer with a fixed vocabulary, and its added tokens, and the
// tokenizer base class over them that the Unigram, WordPiece and character-BPE tokenizers share
// (vocab_size, IdToPiece, PieceToId, AddTokens, BOS/EOS and added tokens around a text).
#ifndef XVAL_TEXT_PIECE_TABLE_H_
#define XVAL_TEXT_PIECE_TABLE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "text/added_tokens.h"
#include "xval/tokenizer.h"

namespace xval::text {

class PieceTable {
 public:
  // `pieces` by id (the first id of a text is the one PieceToId finds); `added` are matched in
  // the raw text, with ids of their own or of pieces.
  void Init(std::vector<std::string> pieces, std::vector<AddedToken> added);

  int32_t vocab_size() const;
  int32_t num_pieces() const { return static_cast<int32_t>(pieces_.size()); }
  const std::string& piece(int32_t id) const { return pieces_[id]; }  // 0 <= id < num_pieces()
  absl::StatusOr<std::string> IdToPiece(int32_t id) const;
  absl::StatusOr<int32_t> PieceToId(absl::string_view piece) const;
  // The id of a piece (not of an added token), or -1.
  int32_t Find(absl::string_view piece) const {
    auto it = ids_.find(piece);
    return it == ids_.end() ? -1 : it->second;
  }

  const std::vector<AddedToken>& added() const { return added_; }
  const AddedTokenMatcher& matcher(bool parse_special) const {
    return parse_special ? matcher_ : plain_matcher_;
  }
  // Tokenizer::AddTokens for `tokenizer`, whose tables these are.
  absl::Status AddTokens(absl::Span<const AddedToken> tokens, const Tokenizer& tokenizer);

 private:
  std::vector<std::string> pieces_;
  absl::flat_hash_map<std::string, int32_t> ids_;
  std::vector<AddedToken> added_;
  AddedTokenMatcher matcher_{{}}, plain_matcher_{{}};
};

// A tokenizer over a PieceTable: the vocabulary methods, and EncodeInto's frame (add_special_tokens
// resolved, BOS / EOS checked and added, the added tokens matched) around EncodeStretch, which a
// model implements for each stretch of text between added tokens.
class PieceTableTokenizer : public Tokenizer {
 public:
  absl::Status EncodeInto(absl::string_view text, const EncodeOptions& options, uint32_t base,
                          Encoding* out) const final;
  int32_t vocab_size() const final { return table_.vocab_size(); }
  absl::StatusOr<std::string> IdToPiece(int32_t id) const final { return table_.IdToPiece(id); }
  absl::StatusOr<int32_t> PieceToId(absl::string_view piece) const final {
    return table_.PieceToId(piece);
  }
  int32_t bos_id() const final { return bos_id_; }
  int32_t eos_id() const final { return eos_id_; }
  int32_t unk_id() const final { return unk_id_; }
  const std::vector<AddedToken>& added_tokens() const final { return table_.added(); }
  absl::Status AddTokens(absl::Span<const AddedToken> tokens) final {
    return table_.AddTokens(tokens, *this);
  }

 protected:
  PieceTableTokenizer(int32_t bos_id, int32_t eos_id, int32_t unk_id)
      : bos_id_(bos_id), eos_id_(eos_id), unk_id_(unk_id) {}
  // Appends the tokens of `text` (no added token inside), offsets plus `base`.
  virtual void EncodeStretch(absl::string_view text, uint32_t base, Encoding* out) const = 0;

  PieceTable table_;

 private:
  int32_t bos_id_, eos_id_, unk_id_;
};

}  // namespace xval::text

#endif  // XVAL_TEXT_PIECE_TABLE_H_
