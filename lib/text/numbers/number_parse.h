// ParseNumber for callers that need only one of its two roundings (the tokenizer's hot path).
#ifndef XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_
#define XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_

#include <cfloat>
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "xval/numbers.h"

namespace xval::text {

// As ParseNumber, but on the common path (plain ASCII) only the fields asked for are set:
// `value` when need_double, `value32` when need_float.
absl::StatusOr<ParsedNumber> ParseNumberFor(absl::string_view number, bool need_double,
                                            bool need_float);

// Clinger's fast path needs arithmetic in the type's own precision (see number_parse.cc).
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
inline constexpr bool kClinger = true;
#else
inline constexpr bool kClinger = false;
#endif
// 10^k exactly in float: 5^10 < 2^24 < 5^11.
inline constexpr float kExactPow10f[] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f,
                                         1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

// The float32 value (as ParseNumber's value32) and significant digits of a plain ASCII
// [-]digits[.digits][(e|E)[+-]digits] by Clinger's exact fast path alone (significand up to
// 2^24, power of ten up to 10^10 either way); false when it does not apply, nothing set.
// significant_digits may be null. Inline: the tokenizer calls it once per number.
inline bool ParseFloatFast(absl::string_view number, float* value, int* significant_digits) {
  if (!kClinger) return false;
  const char* s = number.data();
  const char* const end = s + number.size();
  const bool negative = s != end && *s == '-';
  s += negative;
  auto is_digit = [&] { return s != end && static_cast<unsigned char>(*s - '0') < 10; };
  // The mantissa digits as an integer: exact in 64 bits for up to 19 digits.
  uint64_t w = 0;
  const char* const int_begin = s;
  while (is_digit()) w = w * 10 + static_cast<unsigned>(*s++ - '0');
  ptrdiff_t digits = s - int_begin;
  if (digits == 0) return false;
  int frac_digits = 0;
  if (s != end && *s == '.') {
    const char* const frac_begin = ++s;
    while (is_digit()) w = w * 10 + static_cast<unsigned>(*s++ - '0');
    frac_digits = static_cast<int>(s - frac_begin);
    if (frac_digits == 0) return false;
    digits += frac_digits;
  }
  if (digits > 19 || w > (uint64_t{1} << 24)) return false;
  int exponent = 0;
  if (s != end) {
    if (*s != 'e' && *s != 'E') return false;
    ++s;
    bool negative_exponent = false;
    if (s != end && (*s == '+' || *s == '-')) negative_exponent = *s++ == '-';
    const char* const exp_begin = s;
    while (is_digit()) {
      exponent = exponent * 10 + (*s++ - '0');
      if (exponent > 1000) return false;
    }
    if (s == exp_begin || s != end) return false;
    if (negative_exponent) exponent = -exponent;
  }
  const int q = exponent - frac_digits;
  if (q < -10 || q > 10) return false;
  const float x = static_cast<float>(w);
  const float v = q >= 0 ? x * kExactPow10f[q] : x / kExactPow10f[-q];
  *value = negative ? -v : v;
  if (significant_digits != nullptr) {
    // From the first to the last nonzero digit: w's digits without its trailing zeros
    // (leading zeros never reach w).
    int count = 0;
    if (w != 0) {
      while (w % 10 == 0) w /= 10;
      for (; w != 0; w /= 10) ++count;
    }
    *significant_digits = count;
  }
  return true;
}

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_
