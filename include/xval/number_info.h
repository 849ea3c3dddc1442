// Number side data for every token of an encoding, over any base tokenizer and any digit mode:
// the inputs of the number encodings beyond xVal (FoNE, BitTokens, Abacus positions, the Number
// Token Loss; kernels in number_encodings.h).
//
// A text's numbers are found by the grammar of numbers.h (FindNumbers); each token is matched
// to the number its byte span overlaps (Encoding::offsets), so the same call serves a Llama
// tokenizer that splits digits, cl100k's groups of three, right-to-left groups and xVal's one
// [NUM] per number.
//
// Places follow Abacus (McLeish et al. 2024), which counts a digit's place from the least
// significant digit with units = 1: in "4096.25" the 6 has place 1, the 4 place 4, the 2 place
// -1 (tenths) and the 5 place -2. place_from_top counts the mantissa's digits from the first
// written one: 4 is 1, 2 is 5. Leading zeros are digits like any other ("007": places 3, 2, 1).
//
// Thread safety: free functions over their arguments.
#ifndef XVAL_NUMBER_INFO_H_
#define XVAL_NUMBER_INFO_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "xval/encoding.h"
#include "xval/numbers.h"

namespace xval {

// One number of the text.
struct NumberRecord {
  NumberSpan span;  // its bytes in the text
  // Correctly rounded from the decimal text (strtod's value: a signed zero on underflow, a
  // signed infinity past the double range); value32 likewise to float32, in one rounding.
  double value = 0;
  float value32 = 0;
  bool negative = false;  // a '-' sign was written (so "-0" is negative)
  // Mantissa digits before and after the decimal point, group separators not counted: "1,234.50"
  // has 4 and 2, ".5" has 0 and 1. The decimal point sits after integer_digits digits.
  int32_t integer_digits = 0;
  int32_t fraction_digits = 0;
  // The written exponent ("1.5e-3": -3), 0 when there is none; clamped to +-100000.
  int32_t exponent = 0;
};

// Per-token arrays have one entry per token of the encoding they describe.
struct NumberInfo {
  std::vector<NumberRecord> numbers;  // in text order
  // The number whose bytes the token's span overlaps (the first one, should a token span two),
  // or -1. A token of a sign or a decimal point alone belongs to its number too.
  std::vector<int32_t> number_index;
  // 0..9 when the token covers exactly one mantissa digit of its number (exponent digits do not
  // count), -1 otherwise.
  std::vector<int8_t> digit;
  // The place of the least significant mantissa digit the token covers (see above: units 1,
  // tens 2, tenths -1), 0 when it covers none.
  std::vector<int16_t> place;
  // The 1-based index of the most significant mantissa digit the token covers, from the
  // number's first digit; 0 when it covers none.
  std::vector<int16_t> place_from_top;

  size_t size() const { return number_index.size(); }
};

// Describes the numbers of `text` and the tokens of `encoding`, whose offsets point into `text`
// (as Encode returns them; tokens with an empty span, BOS and EOS, belong to no number).
// InvalidArgument for scan options FindNumbers refuses, or for an offset past the text's end.
// Places beyond +-32767 are clamped.
absl::StatusOr<NumberInfo> DescribeNumbers(absl::string_view text, const Encoding& encoding,
                                           const NumberScanOptions& scan = {});

}  // namespace xval

#endif  // XVAL_NUMBER_INFO_H_
