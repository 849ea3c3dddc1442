// A BPE vocabulary in the form the merge loop needs: pieces by id, and a table of merges over
// pairs of adjacent symbols. Both SentencePiece models (merge order = the merged piece's score)
// and Hugging Face BPE models (merge order = the rank of the pair in `merges`) compile to it.
#ifndef XVAL_TEXT_BPE_BPE_VOCAB_H_
#define XVAL_TEXT_BPE_BPE_VOCAB_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace xval::text {

// SentencePiece's piece types (sentencepiece_model.proto, ModelProto.SentencePiece.Type).
enum class PieceType : uint8_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

struct VocabPiece {
  std::string piece;
  float score = 0.0f;
  PieceType type = PieceType::kNormal;
};

// The result of merging two adjacent symbols.
struct MergeRule {
  int32_t merged = -1;  // symbol id of the merged symbol
  uint32_t rank = 0;    // lower merges first; equal ranks merge leftmost first
};

class BpeVocab {
 public:
  // SentencePiece BPE: any two adjacent symbols whose concatenation is a normal, user-defined
  // or unused piece merge, highest score first, leftmost first among equal scores
  // (sentencepiece bpe_model.cc). `source` names the file in errors.
  static absl::StatusOr<BpeVocab> FromScoredPieces(std::vector<VocabPiece> pieces,
                                                   absl::string_view source);
  // Hugging Face BPE: the pair at index r of `merges` merges with rank r. Every merge's parts
  // and result must be vocabulary pieces.
  static absl::StatusOr<BpeVocab> FromMerges(
      std::vector<VocabPiece> pieces,
      const std::vector<std::pair<std::string, std::string>>& merges, absl::string_view source);

  int32_t size() const { return static_cast<int32_t>(pieces_.size()); }
  const VocabPiece& piece(int32_t id) const { return pieces_[id]; }
  // Any piece, reserved (control, byte, unknown) pieces first, as sentencepiece's PieceToId.
  int32_t Find(absl::string_view piece) const;
  // The byte-fallback piece <0xXX> for a byte, or -1.
  int32_t byte_id(uint8_t byte) const { return byte_ids_[byte]; }
  bool has_byte_pieces() const { return has_byte_pieces_; }

  // The symbol id of one character (its UTF-8 bytes) before any merge: the id of the mergeable
  // piece spelled by it, a virtual id >= size() for a character that occurs only inside longer
  // pieces, or -1 for a character no piece contains.
  int32_t CharSymbol(absl::string_view utf8_char) const;
  // The merge of two adjacent symbols, or nullptr.
  const MergeRule* FindMerge(int32_t left, int32_t right) const {
    if (left < 0 || right < 0) return nullptr;
    auto it = merges_.find(PairKey(left, right));
    return it == merges_.end() ? nullptr : &it->second;
  }
  // The characters (UTF-8) that some mergeable piece holds right before a `boundary` outside
  // its leading run of boundaries. No merge can join a character to a boundary after it unless
  // the character is one of these, so text can be cut before any other boundary that follows a
  // character without changing the result.
  absl::flat_hash_set<std::string> CharsJoinedToBoundary(absl::string_view boundary) const;

 private:
  static uint64_t PairKey(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  absl::Status IndexPieces(absl::string_view source);
  int32_t AddVirtualChar(absl::string_view utf8_char);

  std::vector<VocabPiece> pieces_;
  absl::flat_hash_map<std::string, int32_t> mergeable_;  // normal, user-defined, unused
  absl::flat_hash_map<std::string, int32_t> reserved_;   // control, unknown, byte
  absl::flat_hash_map<std::string, int32_t> chars_;      // single characters -> symbol id
  std::array<int32_t, 128> ascii_symbols_;
  std::array<int32_t, 256> byte_ids_;
  bool has_byte_pieces_ = false;
  int32_t next_virtual_ = 0;
  absl::flat_hash_map<uint64_t, MergeRule> merges_;
};

}  // namespace xval::text

#endif  // XVAL_TEXT_BPE_BPE_VOCAB_H_
