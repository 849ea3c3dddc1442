// BPE over characters with byte fallback (Gemma 4's GGUF vocabulary, "SentencePiece-style BPE"):
// spaces become "▁", the text is cut into runs of newlines and runs of everything else, each
// run starts as its UTF-8 characters and the adjacent pair with the lowest merge rank merges
// first (leftmost among equals), whether or not the merged text is a token; a final symbol that
// is no token becomes its <0xXX> byte tokens. Built as llama.cpp's llm_tokenizer_bpe builds it
// for tokenizer.ggml.model "gemma4" (checked id for id against libllama).
//
// Thread safety: immutable after AddTokens; const methods from any thread.
#ifndef XVAL_TEXT_BPE_CHAR_BPE_TOKENIZER_H_
#define XVAL_TEXT_BPE_CHAR_BPE_TOKENIZER_H_

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "text/piece_table.h"
#include "xval/tokenizer.h"

namespace xval::text {

struct CharBpeConfig {
  std::string source;                                       // the file it came from, for messages
  std::vector<std::string> tokens;                          // by id, raw UTF-8 ("▁" for a space)
  std::vector<bool> control;                                // by id: decodes to nothing
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  std::vector<AddedToken> added_tokens;                     // matched in the raw text first
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  int32_t unk_id = -1;
};

class CharBpeTokenizer : public PieceTableTokenizer {
 public:
  static absl::StatusOr<std::unique_ptr<CharBpeTokenizer>> Create(CharBpeConfig config);

  // Pieces joined, "▁" read as a space, <0xXX> as its byte; control tokens dropped.
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const override;

 private:
  explicit CharBpeTokenizer(CharBpeConfig config);
  struct Scratch;
  void EncodeStretch(absl::string_view text, uint32_t base, Encoding* out) const override;
  // One run (no newline inside, or newlines only), already escaped; `at[i]` is the input
  // offset of byte i of `run`, and at[run.size()] its end.
  void EncodeRun(absl::string_view run, const uint32_t* at, Scratch& s, Encoding* out) const;
  int32_t Symbol(absl::string_view text) const {
    auto it = symbols_.find(text);
    return it == symbols_.end() ? -1 : it->second;
  }

  CharBpeConfig config_;  // its tokens and added_tokens moved into the table
  // Every text a merge names or makes, and every token: symbol ids; token_of_[symbol] is the
  // vocabulary id of a symbol (or -1: merged text that is no token).
  absl::flat_hash_map<std::string, int32_t> symbols_;
  std::vector<std::string> symbol_text_;
  std::vector<int32_t> token_of_;
  struct Merge {
    uint32_t rank;
    int32_t merged;
  };
  absl::flat_hash_map<uint64_t, Merge> merges_;  // (left symbol << 32 | right symbol)
  std::array<int32_t, 256> byte_tokens_;         // <0xXX> ids, -1 when absent
  int32_t added_base_ = 0;
};

}  // namespace xval::text

#endif  // XVAL_TEXT_BPE_CHAR_BPE_TOKENIZER_H_
