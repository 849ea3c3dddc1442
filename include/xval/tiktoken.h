// tiktoken's calls on byte-level BPE tokenizers (a .tiktoken file, a byte-level tokenizer.json,
// tekken): special tokens allowed and disallowed by name, and decoding to raw bytes.
#ifndef XVAL_TIKTOKEN_H_
#define XVAL_TIKTOKEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "xval/tokenizer.h"

namespace xval {

// tiktoken's allowed_special / disallowed_special: every special token ("all"), or these.
struct SpecialTokenSet {
  bool all = false;
  std::vector<std::string> tokens;
};

// tiktoken's encode(text, allowed_special, disallowed_special): the special tokens in `allowed`
// are matched in the text, the others are ordinary text; a disallowed one anywhere in the text
// (disallowed "all": every special token that is not allowed) is InvalidArgument naming it, as
// tiktoken raises ValueError. InvalidArgument for a tokenizer that is not byte-level BPE.
// Thread-safe.
absl::StatusOr<std::vector<int32_t>> EncodeWithSpecialSets(const Tokenizer& tokenizer,
                                                           absl::string_view text,
                                                           const SpecialTokenSet& allowed,
                                                           const SpecialTokenSet& disallowed);

// tiktoken's decode_bytes: the tokens' bytes joined, invalid UTF-8 kept as it is (Decode
// replaces it). OutOfRange on an id outside the vocabulary; InvalidArgument for a tokenizer
// that is not byte-level BPE. Thread-safe.
absl::StatusOr<std::string> DecodeBytes(const Tokenizer& tokenizer, absl::Span<const int32_t> ids);

}  // namespace xval

#endif  // XVAL_TIKTOKEN_H_
