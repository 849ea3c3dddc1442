// RoundToFloat16 and FormatShortestDecimal: the two halves of printing a stored value so that
// it reads back to the same float (float32, or float16 in the paper's precision).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "xval/numbers.h"

namespace xval {
namespace {

// x's decimal digits and exponent at `precision` significant digits, correctly rounded
// (std::to_chars): x = digits * 10^exponent, digits without a sign.
void Digits(double x, int precision, std::string* digits, int* exponent) {
  char buf[64];
  const auto r =
      std::to_chars(buf, buf + sizeof(buf), std::fabs(x), std::chars_format::scientific,
                    precision - 1);
  const std::string s(buf, r.ptr);  // d.ddddde+XX
  const size_t e = s.find('e');
  digits->clear();
  for (size_t i = 0; i < e; ++i) {
    if (s[i] != '.') digits->push_back(s[i]);
  }
  *exponent = std::atoi(s.c_str() + e + 1) - (precision - 1);
}

// digits * 10^exponent (with `negative`), fixed notation for leading exponents -7..20 as
// JavaScript prints numbers, otherwise scientific as printf's %e ("1.5e+30", "1e-08").
std::string Render(bool negative, std::string digits, int exponent, bool force_exponent) {
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (digits == "0") exponent = 0;
  const int len = static_cast<int>(digits.size());
  const int leading = exponent + len - 1;
  std::string out = negative ? "-" : "";
  if (!force_exponent && leading >= -7 && leading < 21) {
    if (exponent >= 0) {
      out += digits;
      out.append(exponent, '0');
    } else if (leading >= 0) {
      out += digits.substr(0, leading + 1);
      out += '.';
      out += digits.substr(leading + 1);
    } else {
      out += "0.";
      out.append(-leading - 1, '0');
      out += digits;
    }
    return out;
  }
  out += digits[0];
  if (len > 1) {
    out += '.';
    out += digits.substr(1);
  }
  char buf[16];
  const int a = std::abs(leading);
  std::snprintf(buf, sizeof(buf), "e%c%s%d", leading < 0 ? '-' : '+', a < 10 ? "0" : "", a);
  return out + buf;
}

// digits + delta in the last place (delta -1 or +1); empty when that leaves no digits.
std::string Step(const std::string& digits, int delta) {
  std::string d = digits;
  int i = static_cast<int>(d.size()) - 1;
  if (delta > 0) {
    while (i >= 0 && d[i] == '9') d[i--] = '0';
    if (i < 0) return "1" + d;
    ++d[i];
  } else {
    while (i >= 0 && d[i] == '0') d[i--] = '9';
    if (i < 0) return "";
    --d[i];
    const size_t nonzero = d.find_first_not_of('0');
    d.erase(0, nonzero == std::string::npos ? d.size() - 1 : nonzero);
  }
  return d;
}

}  // namespace

float RoundToFloat16(double x) {
  if (std::isnan(x)) return static_cast<float>(x);
  const double a = std::fabs(x);
  // 65504 is the largest float16; from the midpoint to the next power of two up, it overflows.
  if (a >= 65520.0) return std::copysign(INFINITY, static_cast<float>(x));
  int e;
  std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  // The spacing of float16 values near a: 2^(floor(log2 a) - 10), and 2^-24 below 2^-14.
  const int ulp_exp = (e - 1 < -14 ? -14 : e - 1) - 10;
  // a / ulp and the product are exact in double; nearbyint rounds ties to even.
  const double rounded = std::ldexp(std::nearbyint(std::ldexp(a, -ulp_exp)), ulp_exp);
  return static_cast<float>(std::copysign(rounded, x));
}

std::string FormatShortestDecimal(double x, const std::function<bool(absl::string_view)>& accepts,
                                  bool force_exponent) {
  const bool negative = std::signbit(x);
  if (x == 0) return std::string(negative ? "-0" : "0") + (force_exponent ? "e+00" : "");
  std::string digits, best;
  int exponent = 0;
  for (int precision = 1; precision <= 17; ++precision) {
    Digits(x, precision, &digits, &exponent);
    // The nearest decimal of this length first, then its neighbours: the interval that reads
    // back to the stored value need not be centred on x.
    double best_distance = INFINITY;
    for (int delta : {0, -1, 1}) {
      const std::string d = delta == 0 ? digits : Step(digits, delta);
      if (d.empty() || d == "0") continue;
      const std::string candidate = Render(negative, d, exponent, force_exponent);
      if (!accepts(candidate)) continue;
      double value = 0;
      std::from_chars(candidate.data(), candidate.data() + candidate.size(), value);
      const double distance = std::fabs(value - x);
      if (distance < best_distance) {
        best_distance = distance;
        best = candidate;
      }
    }
    if (!best.empty()) return best;
  }
  // Seventeen digits identify every double; a caller whose test rejects even x itself gets x.
  Digits(x, 17, &digits, &exponent);
  return Render(negative, digits, exponent, force_exponent);
}

}  // namespace xval
