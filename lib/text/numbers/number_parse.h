// ParseNumber for callers that need only one of its two roundings (the tokenizer's hot path).
#ifndef XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_
#define XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_

#include "xval/numbers.h"

namespace xval::text {

// As ParseNumber, but on the common path (plain ASCII) only the fields asked for are set:
// `value` when need_double, `value32` when need_float.
absl::StatusOr<ParsedNumber> ParseNumberFor(absl::string_view number, bool need_double,
                                            bool need_float);

// The float32 value (as ParseNumber's value32) and significant digits of a plain ASCII
// [-]digits[.digits][(e|E)[+-]digits] by Clinger's exact fast path alone (significand up to
// 2^24, power of ten up to 10^10 either way); false when it does not apply, nothing set.
// significant_digits may be null.
bool ParseFloatFast(absl::string_view number, float* value, int* significant_digits);

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_
