// Decimal digits of any script (Unicode category Nd), for the scanner's unicode_digits option
// and for the paper mode, whose Python regex reads \d as any Nd digit.
#ifndef XVAL_TEXT_NUMBERS_UNICODE_DIGITS_H_
#define XVAL_TEXT_NUMBERS_UNICODE_DIGITS_H_

#include <cstddef>
#include <cstdint>

namespace xval::text {

// A digit at some position: its value 0..9, the zero of its script (0x30 for ASCII), and its
// length in bytes. value < 0 when the character there is not a decimal digit.
struct DigitAt {
  int value = -1;
  char32_t zero = 0;
  uint32_t len = 1;
};

// True for a byte that can start a non-ASCII Nd digit in UTF-8 (a quick filter before decoding).
bool IsNonAsciiDigitLead(unsigned char byte);

// The zero of the Nd run holding `c`, or 0 when `c` is not an Nd digit.
char32_t UnicodeDigitZero(char32_t c);

// The digit at s[0..n) (n > 0) when s[0] is a non-ASCII lead byte (out of line: rare).
DigitAt ReadUnicodeDigit(const char* s, size_t n);

// The digit at s[0..n) (n > 0). ASCII digits always count; others only when `unicode`.
inline DigitAt ReadAnyDigit(const char* s, size_t n, bool unicode) {
  const auto b = static_cast<unsigned char>(s[0]);
  if (b - '0' < 10u) return DigitAt{b - '0', U'0', 1};
  if (!unicode || b < 0x80 || !IsNonAsciiDigitLead(b)) return DigitAt{};
  return ReadUnicodeDigit(s, n);
}

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_UNICODE_DIGITS_H_
