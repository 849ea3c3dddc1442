// Byte-level BPE (GPT-2, cl100k, o200k, Llama 3 and tokenizer.json ByteLevel models): a
// pre-tokenizer cuts the text into pieces, each piece's UTF-8 bytes are merged by rank.
// Checked id for id against tiktoken and Hugging Face tokenizers.
//
// Speed: the pre-tokenizers are hand-written scanners; a piece that is itself a token (most
// pieces) is one hash lookup, as in tiktoken; other pieces go through a per-thread cache, then
// the merge loop.
//
// Thread safety: as every Tokenizer, immutable after AddTokens; const methods from any thread.
#ifndef XVAL_TEXT_BYTELEVEL_BYTELEVEL_TOKENIZER_H_
#define XVAL_TEXT_BYTELEVEL_BYTELEVEL_TOKENIZER_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "text/added_tokens.h"
#include "text/bytelevel/byte_bpe.h"
#include "text/pretokenize/pretokenizer.h"
#include "xval/tokenizer.h"

namespace xval::text {
namespace hf {
class Normalizer;
}

struct ByteLevelConfig {
  std::string source;  // the file or name it came from, for messages
  ByteBpe bpe;
  // Stages applied in order, each cutting the pieces of the one before (a tokenizer.json
  // Sequence); tiktoken encodings have one.
  std::vector<std::shared_ptr<const PreTokenizer>> pretokenizers;
  // tiktoken's special tokens, or tokenizer.json's added tokens: matched in the raw text
  // before pre-tokenization.
  std::vector<AddedToken> added_tokens;
  // Look a whole piece up before merging (tiktoken; Hugging Face's `ignore_merges`). Without
  // it, a piece that is a token can still merge differently, so it is merged.
  bool whole_piece_lookup = true;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  int32_t explicit_vocab_size = -1;  // tiktoken's explicit_n_vocab, checked at load
  // tokenizer.json's normalizer (null: none), run on the text between added tokens before the
  // pre-tokenizers; offsets are mapped back to the input.
  std::shared_ptr<const hf::Normalizer> normalizer;
  // Decode an added token's text as tokenizers' ByteLevel decoder does: read in the byte-level
  // alphabet when every character is in it ("÷" is byte 0xF7), else as is.
  bool decode_added_through_alphabet = false;
};

// tiktoken's allowed_special / disallowed_special: "all", or a set of token contents.
struct SpecialSet {
  bool all = false;
  absl::flat_hash_set<std::string> tokens;
  static SpecialSet All() { return SpecialSet{true, {}}; }
  static SpecialSet None() { return SpecialSet{}; }
  bool Contains(absl::string_view t) const { return all || tokens.contains(t); }
};

class ByteLevelTokenizer : public Tokenizer {
 public:
  static absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> Create(
      ByteLevelConfig config, const TokenizerOptions& options);

  // parse_special true: every special token in the text is matched (tiktoken's
  // allowed_special="all"); false: special tokens are text (encode_ordinary).
  absl::Status EncodeInto(absl::string_view text, const EncodeOptions& options, uint32_t base,
                          Encoding* out) const override;
  // The same ids through the loop that makes no offsets (encode_ordinary's), for ids_only.
  absl::Status EncodeIdsInto(absl::string_view text, const EncodeOptions& options,
                             std::vector<int32_t>* ids) const override;
  // Text, with invalid UTF-8 replaced as tiktoken's decode (errors="replace") does.
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const override;
  // Decode keeps special tokens already, as tiktoken and tokenizers' ByteLevel decoder do.
  absl::StatusOr<std::string> DecodeKeepingSpecial(absl::Span<const int32_t> ids) const override {
    return Decode(ids);
  }

  // tiktoken's encode(text, allowed_special, disallowed_special): special tokens in `allowed`
  // are matched; a disallowed one ("all" means every special token not allowed) anywhere in
  // the text is an InvalidArgument error naming it.
  absl::StatusOr<std::vector<int32_t>> EncodeIds(absl::string_view text, const SpecialSet& allowed,
                                                 const SpecialSet& disallowed) const;
  // tiktoken's encode_ordinary: special tokens are text. Appends to *ids; never fails.
  void EncodeOrdinary(absl::string_view text, std::vector<int32_t>* ids) const;
  // tiktoken's decode_bytes.
  absl::StatusOr<std::string> DecodeBytes(absl::Span<const int32_t> ids) const;

  int32_t vocab_size() const override;
  absl::StatusOr<std::string> IdToPiece(int32_t id) const override;
  absl::StatusOr<int32_t> PieceToId(absl::string_view piece) const override;
  int32_t bos_id() const override { return config_.bos_id; }
  int32_t eos_id() const override { return config_.eos_id; }
  int32_t unk_id() const override { return -1; }
  const std::vector<AddedToken>& added_tokens() const override { return config_.added_tokens; }
  absl::Status AddTokens(absl::Span<const AddedToken> tokens) override;
  // Before a space that follows an ASCII letter or digit and precedes an ASCII letter, when the
  // first pre-tokenizer never crosses such a point, the normalizer (if any) normalizes each
  // side alone as it does the whole (NFC and the other Unicode forms), and no added token could
  // match across it.
  size_t SafeCut(absl::string_view text, size_t from, size_t max_scan) const override;

 protected:
  // EncodeIdsInto writing into the array in place (EncodeBatchFlat's output).
  absl::Status AppendIds(absl::string_view text, const EncodeOptions& options,
                         LargeArray<int32_t>* ids) const override;

 private:
  ByteLevelTokenizer(ByteLevelConfig config, const TokenizerOptions& options);
  struct ThreadState;
  // whole_looked_up: FindShort said the piece is no token that merges whole (see
  // ByteBpe::KeepShortTokensThatMergeWhole). in_piece_caches: the caller keeps the piece's ids
  // in the thread's front or wide cache (EncodeMissedPiece), so the map of pieces need not.
  template <class Ids>
  void EncodePiece(absl::string_view piece, ThreadState& state, Ids* ids, bool whole_looked_up,
                   bool in_piece_caches) const;
  void SplitPieces(absl::string_view text, ThreadState& state) const;
  // EncodeOrdinary, and when `offsets` is not null the byte span of each token, plus `base`.
  // Ids: std::vector<int32_t> or LargeArray<int32_t> (AppendIds).
  template <class Ids>
  void EncodeText(absl::string_view text, uint32_t base, Ids* ids,
                  std::vector<Offset>* offsets) const;
  // EncodeText after the normalizer: a long text a stretch at a time.
  template <bool kOffsets, class Ids>
  void EncodeTextImpl(absl::string_view text, uint32_t base, Ids* ids,
                      std::vector<Offset>* offsets) const;
  // EncodeWith for a long text without a normalizer: EncodeTextImpl with the added tokens that
  // `matcher` finds in each stretch, where no token can cross a stretch's ends.
  template <bool kOffsets, class Ids>
  void EncodeLongTextWith(const AddedTokenMatcher& matcher, absl::string_view text, uint32_t base,
                          Ids* ids, std::vector<Offset>* offsets) const;
  // SplitPieces, then EncodePieces.
  template <bool kOffsets, class Ids>
  void EncodeStretch(absl::string_view text, uint32_t base, ThreadState& state, Ids* ids,
                     std::vector<Offset>* offsets) const;
  // The ids (and offsets) of the pieces SplitPieces left in state.ends for `text`.
  template <bool kOffsets, class Ids>
  void EncodePieces(absl::string_view text, uint32_t base, ThreadState& state, Ids* ids,
                    std::vector<Offset>* offsets) const;
  // EncodeStretch's ids-only loop when every byte has a token, after SplitPieces: one probe of
  // the PieceCache per piece and no data-dependent branch on a hit.
  template <class Ids>
  void EncodeCachedIds(absl::string_view text, ThreadState& state, Ids* ids) const;
  // One piece the PieceCache missed, its ids appended to *ids and cached; `key` is the
  // piece's PieceKey when it has at most PieceKey::kMaxLen bytes. `deferred`: handled after
  // other pieces of its group, one of which may have put it in the front cache since.
  template <class Ids>
  void EncodeMissedPiece(absl::string_view text, size_t begin, size_t len, const PieceKey& key,
                         bool deferred, ThreadState& state, Ids* ids) const;
  // Encodes `text` with the special tokens `matcher` finds; appends ids (and offsets plus
  // `base` when `offsets` is not null). A text where no token can start (most: the matcher
  // looks for tiktoken's and Llama 3's "<|") skips the matcher after one search; a long one is
  // searched a stretch at a time, each after it is pre-tokenized.
  template <class Ids>
  void EncodeWith(const AddedTokenMatcher& matcher, absl::string_view text, uint32_t base, Ids* ids,
                  std::vector<Offset>* offsets) const;
  // An added token's id, and its span [begin, end) when `offsets` is not null.
  template <class Ids>
  static void AppendAdded(const AddedToken& token, uint32_t begin, uint32_t end, Ids* ids,
                          std::vector<Offset>* offsets);
  // EncodeIdsInto and AppendIds.
  template <class Ids>
  absl::Status EncodeIdsWith(absl::string_view text, const EncodeOptions& options, Ids* ids) const;
  const AddedToken* FindAdded(int32_t id) const;
  void IndexAdded();

  ByteLevelConfig config_;
  TokenizerOptions options_;
  AddedTokenMatcher matcher_;        // every added token
  AddedTokenMatcher plain_matcher_;  // added tokens that are not special
  absl::flat_hash_map<int32_t, size_t> added_by_id_;  // id -> index in added_tokens
  uint64_t instance_id_;                              // keys the per-thread piece cache
  // What each thread's front PieceCache starts with: pieces that are one token, the lower ids
  // (the more frequent merges) kept where two collide, so that a first call finds most
  // pieces that are tokens with the probe it makes anyway. Null when bytes lack tokens (the
  // front cache is not used then).
  std::unique_ptr<const PieceCache> front_seed_;
  // A copy of the seed made with it, which the first thread to encode takes whole: its first
  // call then writes no copy of the seed into fresh memory (later threads copy the seed).
  mutable std::mutex spare_front_mutex_;
  mutable std::unique_ptr<PieceCache> spare_front_;   // null once taken
  bool cuttable_ = false;                             // SafeCut may cut at all
};

}  // namespace xval::text

#endif  // XVAL_TEXT_BYTELEVEL_BYTELEVEL_TOKENIZER_H_
