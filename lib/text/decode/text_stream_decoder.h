// The stream decoder of every tokenizer whose Decode is a function of its ids alone
// (SentencePiece, byte-level BPE, added-token vocabularies): a window of context tokens and
// the tokens held back, decoded together each time a token arrives (as Hugging Face's
// DecodeStream does), the new part of the text returned once no character is left unfinished.
#ifndef XVAL_TEXT_DECODE_TEXT_STREAM_DECODER_H_
#define XVAL_TEXT_DECODE_TEXT_STREAM_DECODER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "xval/stream_decoder.h"
#include "xval/tokenizer.h"

namespace xval::text {

// Implemented by a tokenizer whose text for a token can still change with the tokens after it:
// with tokenizers' ByteFallback decoder a run of byte tokens that is not UTF-8 as a whole prints
// one U+FFFD per token, so a character made of bytes is final only once the run ends.
class RunOpeningTokens {
 public:
  virtual bool OpensRun(int32_t id) const = 0;

 protected:
  ~RunOpeningTokens() = default;
};

class TextStreamDecoder : public StreamDecoder {
 public:
  // Tokens of context kept after each token is returned. When all of them print nothing
  // (SentencePiece's control tokens), the last token before them that printed is kept in
  // front, so that a word after them is not decoded as the start of the text.
  static constexpr size_t kContext = 8;

  explicit TextStreamDecoder(const Tokenizer& tokenizer)
      : tokenizer_(tokenizer), runs_(dynamic_cast<const RunOpeningTokens*>(&tokenizer)) {}

  using StreamDecoder::Push;
  absl::Status Push(int32_t id, float value, std::string* text) override;
  absl::Status Flush(std::string* text) override;
  void Reset() override;

  // Starts a sequence that continues after `context`, whose own text is not returned (xVal
  // decodes the text after a number as the continuation of [NUM], as its Decode does).
  absl::Status ResetWithContext(absl::Span<const int32_t> context);

 private:
  // The window's tokens become context (the last kContext of them, after an anchor that
  // prints when they print nothing); nothing is held back.
  absl::Status Commit();

  const Tokenizer& tokenizer_;
  const RunOpeningTokens* runs_;  // nullptr when no token opens a run
  std::vector<int32_t> window_;  // (context_ + held) ids: context, then tokens held back
  size_t context_ = 0;           // how many of window_ are context
  size_t context_bytes_ = 0;     // bytes of Decode(context)
  size_t returned_ = 0;          // bytes of the held tokens' text already returned
  int32_t anchor_ = -1;          // the newest committed token that prints; -1 before any
};

}  // namespace xval::text

#endif  // XVAL_TEXT_DECODE_TEXT_STREAM_DECODER_H_
