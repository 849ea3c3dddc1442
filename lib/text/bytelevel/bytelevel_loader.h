// Loaders of byte-level BPE tokenizers, for LoadTokenizer's dispatch: tiktoken encodings (see
// tiktoken_loader.h) and Hugging Face tokenizer.json files with a ByteLevel pre-tokenizer or
// decoder.
#ifndef XVAL_TEXT_BYTELEVEL_BYTELEVEL_LOADER_H_
#define XVAL_TEXT_BYTELEVEL_BYTELEVEL_LOADER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "text/bytelevel/bytelevel_tokenizer.h"
#include "text/bytelevel/tiktoken_loader.h"
#include "xval/tokenizer.h"

namespace xval::text {

// A vocabulary or merge string in GPT-2's byte-level alphabet (bytes_to_unicode: printable
// bytes stand for themselves, the others for U+0100 onwards) to its bytes; false when a
// character is outside the alphabet.
bool ByteLevelAlphabetToBytes(std::string_view s, std::string* out);

// True when `data` is JSON whose pre_tokenizer (or a stage of its Sequence) or decoder is
// ByteLevel. False for anything else, malformed JSON included (the other loaders report it).
bool IsByteLevelTokenizerJson(absl::string_view data);

// A tokenizer.json with a BPE model over the byte-level alphabet: vocab and merges; the
// pre-tokenizers Split (regex or string, behavior Isolated), ByteLevel (add_prefix_space
// false), Digits and Sequence; the ByteLevel decoder; added tokens. Errors name the file and
// the field.
absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> LoadByteLevelTokenizerJson(
    absl::string_view data, absl::string_view source, const TokenizerOptions& options);

// Mistral's tekken.json: a JSON object with "config" (pattern, default_vocab_size,
// default_num_special_tokens) and "vocab" (rank, base64 token_bytes), as mistral_common reads
// it (tekken_loader.cc). The special tokens are ids 0..default_num_special_tokens - 1, matched
// in the text only with parse_special (mistral_common's encode never matches them).
bool IsTekkenJson(absl::string_view data);
absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> LoadTekkenJson(absl::string_view data,
                                                                   absl::string_view source,
                                                                   const TokenizerOptions& options);

}  // namespace xval::text

#endif  // XVAL_TEXT_BYTELEVEL_BYTELEVEL_LOADER_H_
