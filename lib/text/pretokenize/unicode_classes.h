// The Unicode classes that the GPT-2, cl100k and o200k pre-tokenizer patterns test: the letter
// categories (Lu, Ll, Lt, Lm, Lo), marks (M), numbers (N) and White_Space (`\s`). One class per
// code point; the tables come from tiktoken's regex engine (see
// tests/tools/gen_bytelevel_unicode_tables.py), whose Unicode version is newer than Python's.
#ifndef XVAL_TEXT_PRETOKENIZE_UNICODE_CLASSES_H_
#define XVAL_TEXT_PRETOKENIZE_UNICODE_CLASSES_H_

#include <cstddef>
#include <cstdint>

namespace xval::text {

enum CharClass : uint8_t {
  kOther = 0,  // anything else: punctuation, symbols, controls, unassigned, invalid UTF-8
  kLu = 1,
  kLl = 2,
  kLt = 3,
  kLm = 4,
  kLo = 5,
  kMark = 6,    // Mn, Mc, Me
  kNumber = 7,  // Nd, Nl, No
  kSpace = 8,   // White_Space
};

// The class of every code point 0..0x10FFFF, built on first use (thread-safe).
const uint8_t* UnicodeClassTable();

// Bit sets over CharClass, for the pattern classes.
inline constexpr uint32_t Bit(CharClass c) { return 1u << c; }
inline constexpr uint32_t kLetterBits = Bit(kLu) | Bit(kLl) | Bit(kLt) | Bit(kLm) | Bit(kLo);
// o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}].
inline constexpr uint32_t kUpperBits = Bit(kLu) | Bit(kLt) | Bit(kLm) | Bit(kLo) | Bit(kMark);
inline constexpr uint32_t kLowerBits = Bit(kLl) | Bit(kLm) | Bit(kLo) | Bit(kMark);

// One character of text as the scanners see it.
struct ScannedChar {
  uint8_t cls;  // CharClass
  uint8_t len;  // bytes, 1..4
  char32_t cp;  // the code point; for an invalid byte, 0xFFFFFFFF
};

// Decodes the character at s[0] (n > 0 bytes left). Invalid UTF-8 (overlong, surrogate, out of
// range, truncated) is one byte of class kOther, so every byte of the input lands in some piece.
inline ScannedChar ScanChar(const uint8_t* table, const unsigned char* s, size_t n) {
  const unsigned char c = s[0];
  if (c < 0x80) return ScannedChar{table[c], 1, c};
  auto trail = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  char32_t cp;
  uint8_t len;
  if (c >= 0xC2 && c < 0xE0) {
    if (n < 2 || !trail(s[1])) return ScannedChar{kOther, 1, 0xFFFFFFFF};
    cp = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    len = 2;
  } else if (c >= 0xE0 && c < 0xF0) {
    if (n < 3 || !trail(s[1]) || !trail(s[2])) return ScannedChar{kOther, 1, 0xFFFFFFFF};
    cp = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp < 0xE000)) return ScannedChar{kOther, 1, 0xFFFFFFFF};
    len = 3;
  } else if (c >= 0xF0 && c < 0xF5) {
    if (n < 4 || !trail(s[1]) || !trail(s[2]) || !trail(s[3])) {
      return ScannedChar{kOther, 1, 0xFFFFFFFF};
    }
    cp = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    if (cp < 0x10000 || cp > 0x10FFFF) return ScannedChar{kOther, 1, 0xFFFFFFFF};
    len = 4;
  } else {
    return ScannedChar{kOther, 1, 0xFFFFFFFF};
  }
  return ScannedChar{table[cp], len, cp};
}

}  // namespace xval::text

#endif  // XVAL_TEXT_PRETOKENIZE_UNICODE_CLASSES_H_
