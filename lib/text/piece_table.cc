// The id <-> text tables (piece_table.h).
#include "text/piece_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace xval::text {

void PieceTable::Init(std::vector<std::string> pieces, std::vector<AddedToken> added) {
  pieces_ = std::move(pieces);
  ids_.clear();
  ids_.reserve(pieces_.size());
  for (size_t id = 0; id < pieces_.size(); ++id)
    ids_.emplace(pieces_[id], static_cast<int32_t>(id));
  added_ = std::move(added);
  matcher_ = AddedTokenMatcher(added_);
  plain_matcher_ = AddedTokenMatcher(NonSpecial(added_));
}

int32_t PieceTable::vocab_size() const {
  int32_t n = num_pieces();
  for (const AddedToken& t : added_) n = std::max(n, t.id + 1);
  return n;
}

absl::StatusOr<std::string> PieceTable::IdToPiece(int32_t id) const {
  if (id >= 0 && id < num_pieces()) return pieces_[id];
  for (const AddedToken& t : added_) {
    if (t.id == id) return t.content;
  }
  return absl::OutOfRangeError(
      absl::StrCat("id ", id, " is outside the vocabulary (", vocab_size(), " tokens)"));
}

absl::StatusOr<int32_t> PieceTable::PieceToId(absl::string_view piece) const {
  if (const int32_t id = Find(piece); id >= 0) return id;
  for (const AddedToken& t : added_) {
    if (t.content == piece) return t.id;
  }
  return absl::NotFoundError(absl::StrCat("no piece \"", piece, "\""));
}

absl::Status PieceTable::AddTokens(absl::Span<const AddedToken> tokens,
                                   const Tokenizer& tokenizer) {
  RETURN_IF_ERROR(AppendAddedTokens(tokens, tokenizer, &added_));
  matcher_ = AddedTokenMatcher(added_);
  plain_matcher_ = AddedTokenMatcher(NonSpecial(added_));
  return absl::OkStatus();
}

absl::Status PieceTableTokenizer::EncodeInto(absl::string_view text, const EncodeOptions& requested,
                                             uint32_t base, Encoding* out) const {
  const EncodeOptions options = ResolveSpecialTokens(requested);
  if (options.add_bos && bos_id_ < 0)
    return absl::InvalidArgumentError("the vocabulary has no BOS");
  if (options.add_eos && eos_id_ < 0)
    return absl::InvalidArgumentError("the vocabulary has no EOS");
  if (options.add_bos) out->Append(bos_id_, Offset{base, base});
  table_.matcher(options.parse_special)
      .Split(
          text,
          [&](size_t b, size_t e) {
            EncodeStretch(text.substr(b, e - b), base + static_cast<uint32_t>(b), out);
          },
          [&](const AddedToken& t, size_t b, size_t e) {
            out->Append(t.id,
                        Offset{base + static_cast<uint32_t>(b), base + static_cast<uint32_t>(e)});
          });
  if (options.add_eos) {
    const uint32_t end = base + static_cast<uint32_t>(text.size());
    out->Append(eos_id_, Offset{end, end});
  }
  return absl::OkStatus();
}

}  // namespace xval::text
