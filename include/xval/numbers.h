// Numbers in text, for xVal: the scanner that finds them, the parser that turns each into a
// correctly rounded value, and the value transforms (with their inverses) applied before the
// value is stored beside a [NUM] token. The tokenizer that uses them is in xval_tokenizer.h.
//
// Thread safety: everything here is immutable after construction or a free function.
#ifndef XVAL_NUMBERS_H_
#define XVAL_NUMBERS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace xval {

// Which grammar finds numbers.
enum class NumberMode {
  // The grammar below (NumberGrammar), with its options.
  kStandard,
  // The xVal reference code's regex, exactly (Python `re`, xval/preprocess.py):
  //   (?<!')-?\d+(\.\d+)?([eE][-+]?\d+)?(?!'|\d)
  // \d is any Unicode decimal digit (category Nd), as in Python. A leading '-' is always a sign
  // (so 1-2 is 1 and -2); '+' never is; .5 is '.' then 5; 3. is 3 then '.'; 1,000 is 1 and
  // 000; digits that the look-arounds reject are text ('planet0'), and the regex's backtracking
  // is followed: 1.5' gives 1, then ".5'" as text.
  kPaper,
};

// The standard grammar. A number is
//
//   number   := sign? mantissa exponent?
//   sign     := '-'  |  '+'                       ('+' only with plus_sign)
//   mantissa := int ('.' digits)?
//             | int '.'                            (trailing_dot: "5." is 5)
//             | '.' digits                         (leading_dot: ".5" is 0.5)
//   int      := digits
//             | d{1,3} (SEP d{3})+                 (group_separators: "1,234,567")
//   exponent := [eE] [+-]? digits                  (exponent; taken only whole)
//   digits   := one or more decimal digits, all of one script (ASCII unless unicode_digits)
//
// and where it may stand:
//  - It does not start inside a word: not right after an ASCII letter, digit or '_', nor after
//    a '.' that follows one ("x2", "utf8", "v1.2" and "H2O" hold no numbers).
//  - It is not followed by a digit (of another script: then the whole run is text).
//  - Grouping is used only where every group is well formed (1-3 digits, then groups of exactly
//    three); otherwise the digits read as without grouping: "1,234,567" is one number but
//    "1,23" is 1 ',' 23 and "1,2345" is 1 ',' 2345.
//  - A '-' is a binary minus (text) right after the end of an operand: an ASCII letter, digit,
//    '_', ')', ']', '}', '.', '%' or a quote ("3-2", "x-1", "f(x)-1"); anywhere else it is a
//    sign ("a=-1", "(-2)", "x - -3", "是-5"). binary_minus_as_sign reads every '-' as a sign.
//    A '+' (with plus_sign) is a sign wherever a number may start.
//  - Longest match: "1.5e3" is one number; "1e" is 1 then "e"; "1.e5" is 1 then ".e5" unless
//    trailing_dot.
struct NumberGrammar {
  bool plus_sign = false;
  bool leading_dot = false;
  bool trailing_dot = false;
  bool exponent = true;
  bool group_separators = false;
  char group_separator = ',';  // an ASCII byte other than a digit, sign, '.', 'e' or 'E'
  bool unicode_digits = false;  // Unicode Nd digits (Arabic-Indic, fullwidth, ...) besides 0-9
  bool binary_minus_as_sign = false;
};

struct NumberScanOptions {
  NumberMode mode = NumberMode::kStandard;
  NumberGrammar grammar;  // kStandard only
};

// A number's bytes [begin, end) in the scanned text.
struct NumberSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const NumberSpan& a, const NumberSpan& b) {
    return a.begin == b.begin && a.end == b.end;
  }
};

// Appends the numbers of `text` to `out`, in order and without overlap. Any bytes are accepted
// (invalid UTF-8 is never a digit). Texts of 4 GiB or more are an error.
absl::Status FindNumbers(absl::string_view text, const NumberScanOptions& options,
                         std::vector<NumberSpan>* out);

// The value of a number found by FindNumbers (any mode, any grammar options): the sign, digits
// of any script, group separators, a leading or trailing dot and an exponent are understood.
struct ParsedNumber {
  // Correctly rounded to double (std::from_chars). Underflow gives a signed zero; on overflow
  // `overflow` is set and `value` is a signed infinity, which never leaves this struct: the
  // tokenizer applies its out-of-range policy first.
  double value = 0;
  // Correctly rounded to float32 (std::from_chars<float>: one rounding, not two); likewise.
  float value32 = 0;
  bool overflow = false;    // beyond double range
  bool overflow32 = false;  // beyond float32 range (|x| rounds past FLT_MAX)
  // Digits from the first to the last nonzero one of the mantissa ("00120" has 2, "0" has 0).
  int significant_digits = 0;
  bool negative = false;
};
// Fails (InvalidArgument) when `number` is not a number of the grammars above.
absl::StatusOr<ParsedNumber> ParseNumber(absl::string_view number);

// True when `number` (as ParseNumber reads it) survives float32: the shortest decimal of its
// float32 rounding (what Decode prints) has the same decimal value ("0.1", "00012", "-0" and
// "1e5" do; "16777217", "0.1234567891" and 30-digit integers do not).
bool RoundTripsThroughFloat32(absl::string_view number);

// Rounds a double to the nearest float16 (ties to even), as numpy's float64 -> float16 cast,
// and returns it widened to float: overflow gives a signed infinity, which callers check.
float RoundToFloat16(double x);

// The shortest decimal (fewest significant digits, then nearest to x) for which
// `accepts(candidate)` holds, trying 1..17 significant digits of finite `x`: fixed notation
// for leading exponents -7..20, otherwise scientific ("1e+30"). Decode uses it to print a
// value that re-encodes to the same stored float.
// `force_exponent` always writes the scientific form ("5e+03"), which Decode uses where the text
// after the number begins with ".5" or "e5": "5e+03.5" reads back as the number 5e+03 and
// then text, while "5000.5" would read as one number.
std::string FormatShortestDecimal(double x,
                                  const std::function<bool(absl::string_view)>& accepts,
                                  bool force_exponent = false);

// One step of a value transform, applied to the parsed double before it is rounded to float.
struct ValueStep {
  enum class Kind {
    kAffine,     // y = x * scale + shift          inverse (y - shift) / scale
    kClip,       // y = min(max(x, lo), hi)        inverse: identity (exact inside [lo, hi] only)
    kSignedLog,  // y = sign(x) * log1p(|x|)       inverse sign(y) * expm1(|y|)
                 // (the Number Token Loss code's signed_log for its xVal baseline)
    // BitTokens' xVal baseline (xVal_embedding.py, scaling "log"), a = max, b = min:
    // x clamped to [-a, a]; y = sign(x) * (log10(|x| + b) * 2.5 / log10(a) + 2.5) where
    // |x| >= b, else 0. Inverse sign(y) * (10^((|y| - 2.5) * log10(a) / 2.5) - b) where |y| is
    // at least the encoding of b, else 0. Lossy outside [b, a], as clip is. Needs a > 1, b > 0
    // and 2ab >= 1 (below it small positive numbers would encode negative).
    kLog10Band,
  };
  Kind kind = Kind::kAffine;
  double a = 1;  // scale, or lo
  double b = 0;  // shift, or hi
  double Apply(double x) const;
  double Inverse(double y) const;
};

// The transform of a tokenizer: per-field scales (JSON records: the key a number belongs to,
// such as the planets data's {"m": 1e5, "e": 20}) applied first, then the steps in order.
// The inverse runs them backwards. Clipping is the one lossy step: values outside its range
// decode to the bound.
struct ValueTransform {
  std::vector<ValueStep> steps;
  std::vector<std::pair<std::string, double>> field_scales;  // key (unquoted) -> scale

  bool identity() const { return steps.empty() && field_scales.empty(); }
  // The scale of a field (1 when not listed).
  double FieldScale(absl::string_view field) const;
  double Apply(double x, absl::string_view field) const;
  double Inverse(double y, absl::string_view field) const;

  // Parses "identity", or steps joined by '+':
  //   scale:S  shift:B  affine:S:B  clip:LO:HI  slog  log10[:MAX:MIN]  fields:KEY=S,KEY=S,...
  // (log10 alone: BitTokens' 1e15 and 1e-14)
  // e.g. "fields:m=1e5,e=20+clip:-5:5". Scales must be finite and nonzero, lo < hi.
  static absl::StatusOr<ValueTransform> Parse(absl::string_view spec);
};

}  // namespace xval

#endif  // XVAL_NUMBERS_H_
