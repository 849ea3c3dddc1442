// Streaming detokenization: ids go in one at a time, as a model produces them, and only the
// text they complete comes out, so that an engine can print a reply as it is generated.
//
// Contract: for any ids (and, for an xVal tokenizer, values), the texts returned by Push for
// each id, then by Flush, concatenate to exactly what the tokenizer's full decode of all the
// ids gives: Decode(ids), or for an XvalTokenizer DecodeWithValues(ids, values). In particular
//  - an incomplete UTF-8 character (a byte-fallback or byte-level token that begins one) is
//    held back until the tokens that complete it arrive, never printed as U+FFFD first;
//  - SentencePiece's leading space is dropped only where a full decode drops it (at the start
//    of the sequence): each new token is decoded after a few tokens of context, as Hugging
//    Face's DecodeStream does, so " Frederick" keeps its space after "The orbit takes";
//  - an xVal [NUM] is printed once the text after it is known well enough to choose its form
//    ("5000" or, before ".5", "5e+03"): a few characters later, or at Flush.
// Work per token is a decode of a few tokens of context and of the tokens held back: it does
// not grow with the length of the sequence. (A run of stray bytes that leaves the text
// unfinished token after token is held back whole, each of its tokens costing a longer
// decode: correctness first.)
//
// Tokenizer::NewStreamDecoder() makes one (every tokenizer in xval has one).
//
// Thread safety: a StreamDecoder holds the state of one sequence; use it from one thread at a
// time. Any number of decoders may share one tokenizer, which must outlive them.
#ifndef XVAL_STREAM_DECODER_H_
#define XVAL_STREAM_DECODER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace xval {

class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;

  // Takes the next id (and its value: read only for an xVal tokenizer's [NUM], where it must
  // be finite) and appends the newly completed text to `text`, often nothing. OutOfRange for
  // an id outside the vocabulary, InvalidArgument for a [NUM] value that is not finite; the
  // decoder is unchanged then.
  virtual absl::Status Push(int32_t id, float value, std::string* text) = 0;
  absl::Status Push(int32_t id, std::string* text) { return Push(id, 1.0f, text); }

  // Appends what is still held back (the end of the sequence) and starts a new sequence.
  virtual absl::Status Flush(std::string* text) = 0;

  // Forgets the sequence, held-back text included.
  virtual void Reset() = 0;
};

}  // namespace xval

#endif  // XVAL_STREAM_DECODER_H_
