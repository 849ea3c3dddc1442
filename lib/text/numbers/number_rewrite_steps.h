// The reversible number rewrites, one file each (reverse_digits.cc, rtl_commas.cc,
// numerologic.cc), behind ApplyNumberRewrite / UndoNumberRewrite (number_rewrites.cc), and
// what they share.
#ifndef XVAL_TEXT_NUMBERS_NUMBER_REWRITE_STEPS_H_
#define XVAL_TEXT_NUMBERS_NUMBER_REWRITE_STEPS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "xval/numbers.h"

namespace xval::text {

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// The numbers of the standard grammar with its default options: what every rewrite rewrites.
absl::StatusOr<std::vector<NumberSpan>> RewrittenNumbers(absl::string_view text);

// The bytes [begin, end) of the integer part of the number at `span` (after its sign).
std::pair<size_t, size_t> IntegerPart(absl::string_view text, NumberSpan span);

// Reversed digits: its own inverse.
absl::StatusOr<std::string> ReverseDigits(absl::string_view text);
// Right-to-left comma groups and their removal.
absl::StatusOr<std::string> GroupRightToLeft(absl::string_view text);
absl::StatusOr<std::string> UngroupRightToLeft(absl::string_view text);
// NumeroLogic's digit counts and their removal.
absl::StatusOr<std::string> PrefixDigitCounts(absl::string_view text);
absl::StatusOr<std::string> StripDigitCounts(absl::string_view text);

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_NUMBER_REWRITE_STEPS_H_
