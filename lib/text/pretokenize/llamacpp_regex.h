// Pre-tokenizers that split text exactly where llama.cpp splits it for a GGUF vocabulary
// (src/unicode.cpp, unicode_regex_split). llama.cpp runs most of its patterns through
// std::regex, which knows no Unicode classes: it first "collapses" the text, each non-ASCII
// code point becoming one byte that stands for its category (letter, number, punctuation,
// mark, symbol, other) or a vertical tab for whitespace, and rewrites \p{L}, \p{N}, ... in the
// pattern to match those bytes. A pattern without \p{...} runs on the code points, non-ASCII
// whitespace again read as a vertical tab. Both are reproduced here on PCRE2 with
// llama.cpp's own Unicode tables (llamacpp_unicode_flags.inc), so the pieces are llama.cpp's,
// quirks included (no case folding, ECMAScript's ASCII-only \s, `$` at the piece's end).
#ifndef XVAL_TEXT_PRETOKENIZE_LLAMACPP_REGEX_H_
#define XVAL_TEXT_PRETOKENIZE_LLAMACPP_REGEX_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "text/pretokenize/pretokenizer.h"

namespace xval::text {

// llama.cpp's unicode_cpt_flags of a code point (see llamacpp_unicode_flags.inc): one category
// bit in the low byte, 0x100 for White_Space. Out of range: UNDEFINED.
uint16_t LlamaCppCodepointFlags(char32_t cp);

// A pattern as llama.cpp's std::regex fallback runs it. `source` names the vocabulary in the
// error when the pattern cannot be run (as llama.cpp, a pattern mixing \p{...} with non-ASCII
// characters is refused).
absl::StatusOr<std::unique_ptr<PreTokenizer>> MakeLlamaCppRegex(absl::string_view pattern,
                                                                absl::string_view source);

}  // namespace xval::text

#endif  // XVAL_TEXT_PRETOKENIZE_LLAMACPP_REGEX_H_
