// ParseNumber: a number's text (any script's digits, group separators, dots, exponent) to a
// correctly rounded double and float, by rewriting it as plain ASCII for std::from_chars.
#include <cfloat>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "text/numbers/number_parse.h"
#include "text/numbers/unicode_digits.h"
#include "xval/numbers.h"

namespace xval {
namespace {

// The decimal exponent of the leading nonzero digit, for telling underflow from overflow when
// from_chars reports result_out_of_range (it leaves the value unset then).
int64_t LeadingExponent(const std::string& digits, size_t int_digits, int64_t exponent) {
  size_t k = 0;
  while (k < digits.size() && digits[k] == '0') ++k;
  return static_cast<int64_t>(int_digits) - 1 - static_cast<int64_t>(k) + exponent;
}

template <typename T>
void Convert(const std::string& ascii, bool negative, int64_t leading_exponent, T* value,
             bool* overflow) {
  T v = 0;
  const auto result = std::from_chars(ascii.data(), ascii.data() + ascii.size(), v);
  *overflow = false;
  if (result.ec == std::errc::result_out_of_range) {
    if (leading_exponent < 0) {
      v = 0;  // underflow: correctly rounded to zero
    } else {
      v = std::numeric_limits<T>::infinity();
      *overflow = true;
    }
    if (negative) v = -v;
  }
  *value = v;
}

// A number's exact decimal value in a canonical form: sign, digits without leading or
// trailing zeros, and the exponent of the last digit ("-0" and "0" both "0").
struct Decimal {
  bool negative = false;
  std::string digits;
  int64_t exponent = 0;
  bool operator==(const Decimal& o) const {
    return negative == o.negative && digits == o.digits && exponent == o.exponent;
  }
};

bool ToDecimal(absl::string_view number, Decimal* out) {
  size_t i = 0;
  const size_t n = number.size();
  if (i < n && (number[i] == '-' || number[i] == '+')) out->negative = number[i++] == '-';
  int64_t frac_digits = 0;
  bool dot = false;
  for (; i < n; ++i) {
    const text::DigitAt d = text::ReadAnyDigit(number.data() + i, n - i, true);
    if (d.value >= 0) {
      out->digits.push_back(static_cast<char>('0' + d.value));
      if (dot) ++frac_digits;
      i += d.len - 1;
    } else if (number[i] == '.') {
      dot = true;
    } else if (number[i] == 'e' || number[i] == 'E') {
      break;
    }  // anything else is a group separator
  }
  int64_t exponent = 0;
  if (i < n) {
    if (i + 1 >= n) return false;
    const auto r = std::from_chars(number.data() + i + 1 + (number[i + 1] == '+'),
                                   number.data() + n, exponent);
    if (r.ec != std::errc()) return false;  // beyond int64: not a float32 anyway
  }
  const size_t first = out->digits.find_first_not_of('0');
  if (first == std::string::npos) {
    *out = Decimal{};  // zero; the sign of -0 is kept by float32 and printed, so it matches
    out->negative = number.find('-') == 0;
    return true;
  }
  const size_t last = out->digits.find_last_not_of('0');
  exponent += static_cast<int64_t>(out->digits.size() - 1 - last) - frac_digits;
  out->digits = out->digits.substr(first, last - first + 1);
  out->exponent = exponent;
  return true;
}

}  // namespace

bool RoundTripsThroughFloat32(absl::string_view number) {
  absl::StatusOr<ParsedNumber> parsed = ParseNumber(number);
  if (!parsed.ok() || parsed->overflow32) return false;
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), parsed->value32);
  Decimal a, b;
  return ToDecimal(number, &a) && ToDecimal(absl::string_view(buf, r.ptr - buf), &b) && a == b;
}

namespace {

// Clinger's fast path (W. D. Clinger, "How to read floating point numbers accurately", PLDI
// 1990): a decimal w * 10^q whose significand w and power 10^|q| are both exact in the binary
// format is w * 10^q, or w / 10^-q, computed with one IEEE multiplication or division of exact
// operands, which rounds correctly (to nearest, ties to even): the very value from_chars gives.
// w is exact up to 2^53 in double and 2^24 in float. 10^k = 2^k * 5^k is exact while 5^k fits
// the significand: 5^22 < 2^53 < 5^23 and 5^10 < 2^24 < 5^11, hence |q| <= 22 and <= 10.
// (This needs arithmetic in the type's own precision: FLT_EVAL_METHOD 0, as on x86-64 SSE.)
constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
using text::kClinger;
using text::kExactPow10f;

// The common case, plain ASCII [-]digits[.digits][(e|E)[+-]digits] of modest length: Clinger's
// fast path where it applies, from_chars otherwise; false (nothing set) for anything else,
// which the general path handles.
bool ParsePlainAscii(absl::string_view number, bool need_double, bool need_float,
                     ParsedNumber* out) {
  const char* s = number.data();
  const size_t n = number.size();
  if (n == 0 || n > 40) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  int first = -1, last = -1;  // positions of the first and last nonzero mantissa digit
  int count = 0;              // mantissa digits
  uint64_t w = 0;             // the mantissa digits as an integer, while under 10^18
  bool w_exact = true;
  auto digits = [&]() {
    const size_t begin = i;
    for (; i < n && static_cast<unsigned char>(s[i] - '0') < 10; ++i, ++count) {
      if (s[i] != '0') {
        if (first < 0) first = count;
        last = count;
      }
      if (w >= 100000000000000000ULL) w_exact = false;
      w = w * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return i > begin;
  };
  if (!digits()) return false;
  int frac_digits = 0;
  if (i < n && s[i] == '.') {
    ++i;
    const int before = count;
    if (!digits()) return false;
    frac_digits = count - before;
  }
  int exponent = 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative_exponent = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) negative_exponent = s[i++] == '-';
    const size_t exp_begin = i;
    for (; i < n && static_cast<unsigned char>(s[i] - '0') < 10; ++i) {
      if (exponent < 100000) exponent = exponent * 10 + (s[i] - '0');  // saturates
    }
    if (i == exp_begin) return false;
    if (negative_exponent) exponent = -exponent;
  }
  if (i != n) return false;
  const bool negative = s[0] == '-';
  const int q = exponent - frac_digits;  // the value is w * 10^q
  // from_chars reads "e+5" (strtod's grammar); this path has no leading '+'.
  if (need_double) {
    if (kClinger && w_exact && w <= (uint64_t{1} << 53) && q >= -22 && q <= 22) {
      const double x = static_cast<double>(w);
      const double v = q >= 0 ? x * kExactPow10[q] : x / kExactPow10[-q];
      out->value = negative ? -v : v;
    } else {
      const auto r = std::from_chars(s, s + n, out->value);
      if (r.ec != std::errc() || r.ptr != s + n) return false;  // out of range: general path
    }
  }
  if (need_float) {
    if (kClinger && w_exact && w <= (uint64_t{1} << 24) && q >= -10 && q <= 10) {
      const float x = static_cast<float>(w);
      const float v = q >= 0 ? x * kExactPow10f[q] : x / kExactPow10f[-q];
      out->value32 = negative ? -v : v;
    } else {
      const auto r = std::from_chars(s, s + n, out->value32);
      if (r.ec != std::errc() || r.ptr != s + n) return false;
    }
  }
  out->negative = negative;
  out->overflow = out->overflow32 = false;
  out->significant_digits = first < 0 ? 0 : last - first + 1;
  return true;
}

}  // namespace

namespace text {
absl::StatusOr<ParsedNumber> ParseNumberFor(absl::string_view number, bool need_double,
                                            bool need_float) {
  ParsedNumber fast;
  if (ParsePlainAscii(number, need_double, need_float, &fast)) return fast;
  return ParseNumber(number);
}
}  // namespace text

absl::StatusOr<ParsedNumber> ParseNumber(absl::string_view number) {
  {
    ParsedNumber fast;
    if (ParsePlainAscii(number, true, true, &fast)) return fast;
  }
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("not a number (", why, "): \"",
                                                   number.substr(0, 64), "\""));
  };
  const char* s = number.data();
  const size_t n = number.size();
  size_t i = 0;
  ParsedNumber out;
  if (i < n && (s[i] == '-' || s[i] == '+')) out.negative = s[i++] == '-';
  // Mantissa digits (int then fraction, without the dot) as ASCII.
  std::string digits;
  size_t int_digits = 0;
  bool seen_dot = false;
  while (i < n) {
    const text::DigitAt d = text::ReadAnyDigit(s + i, n - i, true);
    if (d.value >= 0) {
      digits.push_back(static_cast<char>('0' + d.value));
      if (!seen_dot) ++int_digits;
      i += d.len;
    } else if (s[i] == '.' && !seen_dot) {
      seen_dot = true;
      ++i;
    } else if (!seen_dot && int_digits > 0 && s[i] != 'e' && s[i] != 'E' &&
               static_cast<unsigned char>(s[i]) < 0x80 && i + 1 < n &&
               text::ReadAnyDigit(s + i + 1, n - i - 1, true).value >= 0) {
      ++i;  // a group separator between digits
    } else {
      break;
    }
  }
  if (digits.empty()) return invalid("no digits");
  int64_t exponent = 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative_exponent = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) negative_exponent = s[i++] == '-';
    size_t exponent_digits = 0;
    for (text::DigitAt d; i < n && (d = text::ReadAnyDigit(s + i, n - i, true)).value >= 0;
         i += d.len, ++exponent_digits) {
      // Saturate: anything past a billion is out of every range anyway.
      if (exponent < 1000000000) exponent = exponent * 10 + d.value;
    }
    if (exponent_digits == 0) return invalid("exponent without digits");
    if (negative_exponent) exponent = -exponent;
  }
  if (i != n) return invalid("trailing characters");

  const size_t first = digits.find_first_not_of('0');
  if (first != std::string::npos) {
    const size_t last = digits.find_last_not_of('0');
    out.significant_digits = static_cast<int>(last - first + 1);
  }
  // Plain ASCII for from_chars: sign, digits with the dot put back, exponent.
  std::string ascii;
  ascii.reserve(digits.size() + 24);
  if (out.negative) ascii.push_back('-');
  if (int_digits == 0) ascii.push_back('0');
  ascii.append(digits, 0, int_digits);
  if (int_digits < digits.size()) {
    ascii.push_back('.');
    ascii.append(digits, int_digits, std::string::npos);
  }
  if (exponent != 0) absl::StrAppend(&ascii, "e", exponent);
  const int64_t leading = LeadingExponent(digits, int_digits, exponent);
  Convert(ascii, out.negative, leading, &out.value, &out.overflow);
  Convert(ascii, out.negative, leading, &out.value32, &out.overflow32);
  return out;
}

}  // namespace xval
