#include "text/bpe/bpe_vocab.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

bool IsMergeable(PieceType t) {
  return t == PieceType::kNormal || t == PieceType::kUserDefined || t == PieceType::kUnused;
}

// Byte lengths of the UTF-8 characters of a piece (invalid bytes count as one character).
std::vector<size_t> CharLengths(absl::string_view s) {
  std::vector<size_t> lens;
  for (size_t i = 0; i < s.size();) {
    size_t len;
    util::DecodeUtf8(s.data() + i, s.size() - i, &len);
    lens.push_back(len);
    i += len;
  }
  return lens;
}

// <0xAB> -> 0xAB, or -1.
int ParseBytePiece(absl::string_view p) {
  if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
  unsigned v;
  if (std::sscanf(std::string(p.substr(3, 2)).c_str(), "%2X", &v) != 1) return -1;
  return static_cast<int>(v);
}

}  // namespace

absl::Status BpeVocab::IndexPieces(absl::string_view source) {
  ascii_symbols_.fill(-1);
  byte_ids_.fill(-1);
  mergeable_.reserve(pieces_.size());
  for (int32_t id = 0; id < size(); ++id) {
    const VocabPiece& p = pieces_[id];
    if (p.piece.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": piece ", id, " is empty"));
    }
    auto& map = IsMergeable(p.type) ? mergeable_ : reserved_;
    if (!map.emplace(p.piece, id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": piece \"", p.piece, "\" (id ", id, ") is already defined"));
    }
    if (p.type == PieceType::kByte) {
      const int b = ParseBytePiece(p.piece);
      if (b < 0) {
        return absl::InvalidArgumentError(absl::StrCat(source, ": byte piece ", id, " is \"",
                                                       p.piece, "\", not of the form <0xAB>"));
      }
      byte_ids_[b] = id;
      has_byte_pieces_ = true;
    }
  }
  // Initial symbols: every single-character mergeable piece, then every character that occurs
  // inside a mergeable piece without being one (a virtual symbol that can only merge).
  next_virtual_ = size();
  for (const auto& [piece, id] : mergeable_) {
    size_t len;
    util::DecodeUtf8(piece.data(), piece.size(), &len);
    if (len == piece.size()) chars_.emplace(piece, id);
  }
  for (const auto& [piece, id] : mergeable_) {
    for (size_t i = 0, len; i < piece.size(); i += len) {
      util::DecodeUtf8(piece.data() + i, piece.size() - i, &len);
      absl::string_view c(piece.data() + i, len);
      if (!chars_.contains(c)) AddVirtualChar(c);
    }
  }
  for (int c = 0; c < 128; ++c) {
    const char ch = static_cast<char>(c);
    auto it = chars_.find(absl::string_view(&ch, 1));
    ascii_symbols_[c] = it == chars_.end() ? -1 : it->second;
  }
  return absl::OkStatus();
}

int32_t BpeVocab::AddVirtualChar(absl::string_view utf8_char) {
  const int32_t id = next_virtual_++;
  chars_.emplace(std::string(utf8_char), id);
  return id;
}

int32_t BpeVocab::Find(absl::string_view piece) const {
  if (auto it = reserved_.find(piece); it != reserved_.end()) return it->second;
  if (auto it = mergeable_.find(piece); it != mergeable_.end()) return it->second;
  return -1;
}

int32_t BpeVocab::CharSymbol(absl::string_view utf8_char) const {
  if (utf8_char.size() == 1 && static_cast<unsigned char>(utf8_char[0]) < 128) {
    return ascii_symbols_[static_cast<unsigned char>(utf8_char[0])];
  }
  auto it = chars_.find(utf8_char);
  return it == chars_.end() ? -1 : it->second;
}

absl::flat_hash_set<std::string> BpeVocab::CharsJoinedToBoundary(absl::string_view boundary) const {
  absl::flat_hash_set<std::string> chars;
  for (const auto& [piece_string, id] : mergeable_) {
    const absl::string_view piece = piece_string;
    size_t lead = 0;  // bytes of the leading run of boundaries
    while (piece.substr(lead, boundary.size()) == boundary) lead += boundary.size();
    for (size_t pos = piece.find(boundary, std::max<size_t>(lead, 1)); pos != std::string::npos;
         pos = piece.find(boundary, pos + 1)) {
      size_t start = pos - 1;  // back to the first byte of the character before
      while (start > 0 && (static_cast<unsigned char>(piece[start]) & 0xC0) == 0x80) --start;
      chars.insert(std::string(piece.substr(start, pos - start)));
    }
  }
  return chars;
}

absl::StatusOr<BpeVocab> BpeVocab::FromScoredPieces(std::vector<VocabPiece> pieces,
                                                    absl::string_view source) {
  BpeVocab vocab;
  vocab.pieces_ = std::move(pieces);
  RETURN_IF_ERROR(vocab.IndexPieces(source));
  // Rank = position of the piece's score among the distinct scores, highest first, so that
  // equal scores give equal ranks and the leftmost pair wins, as in sentencepiece.
  std::vector<float> scores;
  for (const VocabPiece& p : vocab.pieces_) scores.push_back(p.score);
  std::sort(scores.begin(), scores.end(), [](float a, float b) { return a > b; });
  scores.erase(std::unique(scores.begin(), scores.end()), scores.end());
  auto rank_of = [&](float s) {
    return static_cast<uint32_t>(
        std::lower_bound(scores.begin(), scores.end(), s, [](float a, float b) { return a > b; }) -
        scores.begin());
  };
  auto find_piece = [&](absl::string_view s) -> int32_t {
    auto it = vocab.mergeable_.find(s);
    return it == vocab.mergeable_.end() ? -1 : it->second;
  };
  // Every way to spell a mergeable piece as two adjacent symbols is a merge.
  vocab.merges_.reserve(vocab.mergeable_.size() * 2);
  // In id order: the pieces are read in sequence rather than in hash order.
  for (int32_t id = 0; id < vocab.size(); ++id) {
    if (!IsMergeable(vocab.pieces_[id].type)) continue;
    const absl::string_view piece = vocab.pieces_[id].piece;
    const std::vector<size_t> lens = CharLengths(piece);
    const uint32_t rank = rank_of(vocab.pieces_[id].score);
    size_t split = 0;
    for (size_t k = 0; k + 1 < lens.size(); ++k) {
      split += lens[k];
      const absl::string_view left = piece.substr(0, split), right = piece.substr(split);
      const int32_t l = k == 0 ? vocab.CharSymbol(left) : find_piece(left);
      if (l < 0) continue;
      const int32_t r = k + 2 == lens.size() ? vocab.CharSymbol(right) : find_piece(right);
      if (r < 0) continue;
      vocab.merges_[PairKey(l, r)] = MergeRule{id, rank};
    }
  }
  return vocab;
}

absl::StatusOr<BpeVocab> BpeVocab::FromMerges(
    std::vector<VocabPiece> pieces, const std::vector<std::pair<std::string, std::string>>& merges,
    absl::string_view source) {
  BpeVocab vocab;
  vocab.pieces_ = std::move(pieces);
  RETURN_IF_ERROR(vocab.IndexPieces(source));
  auto symbol = [&](const std::string& s) -> int32_t {
    if (auto it = vocab.mergeable_.find(s); it != vocab.mergeable_.end()) return it->second;
    return vocab.CharSymbol(s);
  };
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    const int32_t l = symbol(a), r = symbol(b);
    const std::string joined = a + b;
    auto it = vocab.mergeable_.find(joined);
    if (l < 0 || r < 0 || it == vocab.mergeable_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": model.merges[", rank, "] (\"", a,
                                                     " ", b, "\") uses a piece not in the vocab"));
    }
    // The first (lowest-rank) occurrence of a pair wins, as in Hugging Face tokenizers.
    vocab.merges_.try_emplace(PairKey(l, r), MergeRule{it->second, static_cast<uint32_t>(rank)});
  }
  return vocab;
}

}  // namespace xval::text
