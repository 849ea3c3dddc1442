// Pre-tokenizers for byte-level BPE: cut text into the pieces that BPE merges within. Three
// hand-written scanners reproduce tiktoken's GPT-2 (r50k), cl100k and o200k patterns exactly,
// without a regex engine; any other pattern runs on PCRE2 with JIT.
#ifndef XVAL_TEXT_PRETOKENIZE_PRETOKENIZER_H_
#define XVAL_TEXT_PRETOKENIZE_PRETOKENIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace xval::text {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;

  // Appends to *ends the end offset of every piece of `text`, in order. Pieces are never empty
  // and cover the text exactly: no byte is dropped, whatever the input (invalid UTF-8 included).
  // Thread-safe.
  virtual void Split(absl::string_view text, std::vector<uint32_t>* ends) const = 0;

  // A later stage of a Sequence: cuts each piece of `text` (the pieces ending at `ends`, in
  // order) as Split would cut it alone, appending the ends of all to *out. The default calls
  // Split on each piece. Thread-safe.
  virtual void Refine(absl::string_view text, absl::Span<const uint32_t> ends,
                      std::vector<uint32_t>* out) const;

  // True when no piece ever spans a "spaced word start": a position p with text[p - 1] an
  // ASCII letter or digit, text[p] a space and text[p + 1] an ASCII letter, and the pieces from
  // p on do not depend on the text before p. Then the text may be cut at any such p and each
  // side split alone, with the pieces of the whole (gigatoken's safe split points): one long
  // text is spread over cores that way. Only a Sequence's first stage needs it (Refine cuts
  // each piece alone). False unless a pre-tokenizer proves it.
  virtual bool CutsAtSpacedWords() const { return false; }
};

// tiktoken's r50k/gpt2 pattern (tiktoken_ext/openai_public.py, r50k_pat_str), which is
// equivalent to the original GPT-2 pattern `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
// ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
inline constexpr absl::string_view kGpt2Pattern =
    R"('(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s)";
inline constexpr absl::string_view kGpt2OriginalPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
// tiktoken's cl100k_base pattern (openai_public.py).
inline constexpr absl::string_view kCl100kPattern =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s)";
// tiktoken's o200k_base pattern (openai_public.py: its seven alternatives joined with "|").
inline constexpr absl::string_view kO200kPattern =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Meta's Llama 3 pattern (llama3/tokenizer.py): cl100k's, written without possessives and
// without \s++$, so whitespace that ends the text is cut after its last newline.
inline constexpr absl::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Qwen2's pattern (its tokenizer.json's Split): Llama 3's with single digits.
inline constexpr absl::string_view kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// DeepSeek V3's last Split (its tokenizer.json, after \p{N}{1,3} and the CJK/kana runs).
inline constexpr absl::string_view kDeepSeekV3Pattern =
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

std::unique_ptr<PreTokenizer> MakeGpt2Scanner();
std::unique_ptr<PreTokenizer> MakeCl100kScanner();
std::unique_ptr<PreTokenizer> MakeLlama3Scanner();
std::unique_ptr<PreTokenizer> MakeQwen2Scanner();
std::unique_ptr<PreTokenizer> MakeO200kScanner();

// DeepSeek's Split patterns as Hugging Face's tokenizers runs them (deepseek_scanner.cc): V3's
// last pattern, and any pattern of the shape `(\s?)X+`, `X`, `X{1,k}` or `X+$` for one class X
// (a bracket of characters, ranges, \p{L|M|N|P|S}, \s; or one of those alone), `$` matching
// at the end or before a "\n" as in Oniguruma. Null for any other pattern.
std::unique_ptr<PreTokenizer> MakeDeepSeekScanner(absl::string_view pattern);

// PCRE2 (UTF, UCP, JIT) over any pattern. `$` matches only at the very end, as in tiktoken's
// regex engine. The text between matches (which the three patterns above never leave, except
// at invalid UTF-8) becomes pieces of its own; an empty match is skipped. `source` names the
// file or field in the error when PCRE2 rejects the pattern.
absl::StatusOr<std::unique_ptr<PreTokenizer>> MakeRegexPreTokenizer(absl::string_view pattern,
                                                                     absl::string_view source);

// The hand-written scanner when `pattern` is one of the tiktoken-style patterns above (whose
// `$`, after a possessive whitespace run, means the end of the text in any engine), else null.
std::unique_ptr<PreTokenizer> MakeTiktokenScanner(absl::string_view pattern);
// That scanner, else PCRE2.
absl::StatusOr<std::unique_ptr<PreTokenizer>> MakePreTokenizer(absl::string_view pattern,
                                                                absl::string_view source);

}  // namespace xval::text

#endif  // XVAL_TEXT_PRETOKENIZE_PRETOKENIZER_H_
