// The Unicode properties Hugging Face tokenizers' stages test, as Rust and its crates define
// them, from ICU.
#ifndef XVAL_TEXT_HF_UNICODE_PROPS_H_
#define XVAL_TEXT_HF_UNICODE_PROPS_H_

#include <unicode/uchar.h>

#include <memory>
#include <string>

#include "text/hf/stages.h"

namespace xval::text::hf {

// Rust's char::is_whitespace: the White_Space property.
inline bool IsWhitespace(char32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x80 && u_isUWhiteSpace(c));
}
// General category Mark (Mn, Mc, Me): unicode-normalization's is_combining_mark.
inline bool IsMark(char32_t c) { return c >= 0x300 && (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0; }
// Rust's char::is_alphanumeric: Alphabetic or Numeric (Nd, Nl, No).
inline bool IsAlphanumeric(char32_t c) {
  return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || (U_GET_GC_MASK(c) & U_GC_N_MASK) != 0;
}
// Punctuation as tokenizers' Punctuation pre-tokenizer has it: ASCII punctuation or general
// category P.
inline bool IsPunctuation(char32_t c) {
  if (c < 0x80) {  // every ASCII character of category P is in these ranges
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
  }
  return (U_GET_GC_MASK(c) & U_GC_P_MASK) != 0;
}

// NFD, for the normalizers that strip accents.
std::unique_ptr<Normalizer> MakeNfd();

// Rust's char::to_lowercase (full case mapping, no context), appended as UTF-8.
void AppendLowercase(char32_t c, std::string* out);

}  // namespace xval::text::hf

#endif  // XVAL_TEXT_HF_UNICODE_PROPS_H_
