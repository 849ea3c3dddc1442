// ParseNumber for callers that need only one of its two roundings (the tokenizer's hot path).
#ifndef XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_
#define XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_

#include "xval/numbers.h"

namespace xval::text {

// As ParseNumber, but on the common path (plain ASCII) only the fields asked for are set:
// `value` when need_double, `value32` when need_float.
absl::StatusOr<ParsedNumber> ParseNumberFor(absl::string_view number, bool need_double,
                                            bool need_float);

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_NUMBER_PARSE_H_
