// The id <-> text tables of a tokenizer with a fixed vocabulary, and its added tokens: what the
// Unigram, WordPiece and character-BPE tokenizers share (vocab_size, IdToPiece, PieceToId,
// AddTokens, the matchers of added tokens, BOS/EOS around a text).
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

// The frame of EncodeInto for tokenizers over a PieceTable: checks and adds BOS / EOS as
// `options` (add_special_tokens resolved) ask, and calls encode_text(begin, end) for each stretch
// of text between the added tokens the matcher finds, appending those tokens itself.
template <typename EncodeText>
absl::Status EncodeWithAddedTokens(const PieceTable& table, absl::string_view text,
                                   const EncodeOptions& options, int32_t bos_id, int32_t eos_id,
                                   uint32_t base, Encoding* out, EncodeText encode_text) {
  if (options.add_bos && bos_id < 0) return absl::InvalidArgumentError("the vocabulary has no BOS");
  if (options.add_eos && eos_id < 0) return absl::InvalidArgumentError("the vocabulary has no EOS");
  if (options.add_bos) out->Append(bos_id, Offset{base, base});
  table.matcher(options.parse_special)
      .Split(text, encode_text, [&](const AddedToken& t, size_t b, size_t e) {
        out->Append(t.id, Offset{base + static_cast<uint32_t>(b), base + static_cast<uint32_t>(e)});
      });
  if (options.add_eos) {
    const uint32_t end = base + static_cast<uint32_t>(text.size());
    out->Append(eos_id, Offset{end, end});
  }
  return absl::OkStatus();
}

}  // namespace xval::text

#endif  // XVAL_TEXT_PIECE_TABLE_H_
