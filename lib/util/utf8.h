// UTF-8 decoding with the exact rules of the reference tokenizers.
#ifndef XVAL_UTIL_UTF8_H_
#define XVAL_UTIL_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace xval::util {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes one character at `s` (n > 0 bytes available) the way sentencepiece's
// string_util::DecodeUTF8 does: overlong forms, surrogates and values above U+10FFFF are
// invalid. Sets *len to the bytes consumed (1 for invalid input) and returns the code point,
// or kReplacementChar for invalid input.
inline char32_t DecodeUtf8(const char* s, size_t n, size_t* len) {
  const auto* u = reinterpret_cast<const unsigned char*>(s);
  auto trail = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  auto valid = [](char32_t c) { return c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF); };
  if (u[0] < 0x80) {
    *len = 1;
    return u[0];
  }
  if (n >= 2 && (u[0] & 0xE0) == 0xC0) {
    const char32_t c = ((u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    if (trail(u[1]) && c >= 0x80) {
      *len = 2;
      return c;
    }
  } else if (n >= 3 && (u[0] & 0xF0) == 0xE0) {
    const char32_t c = ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    if (trail(u[1]) && trail(u[2]) && c >= 0x800 && valid(c)) {
      *len = 3;
      return c;
    }
  } else if (n >= 4 && (u[0] & 0xF8) == 0xF0) {
    const char32_t c =
        ((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) | ((u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    if (trail(u[1]) && trail(u[2]) && trail(u[3]) && c >= 0x10000 && valid(c)) {
      *len = 4;
      return c;
    }
  }
  *len = 1;
  return kReplacementChar;
}

// True when the character at `s` is valid UTF-8 (a literal U+FFFD counts as valid).
inline bool IsValidUtf8Char(const char* s, size_t n, size_t* len) {
  const char32_t c = DecodeUtf8(s, n, len);
  return c != kReplacementChar || *len == 3;
}

// The length of the UTF-8 sequence a lead byte announces (1 for a stray continuation byte),
// as llama.cpp's unicode_len_utf8 reads it.
inline size_t Utf8CharLength(unsigned char lead) {
  static constexpr unsigned char kLengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[lead >> 4];
}

// Appends the UTF-8 form of a code point.
inline void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace xval::util

#endif  // XVAL_UTIL_UTF8_H_
