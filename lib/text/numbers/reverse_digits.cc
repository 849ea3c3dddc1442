// Reversed digits (number_rewrites.h): each run of digits of each number reversed in place.
#include <algorithm>

#include "text/numbers/number_rewrite_steps.h"
#include "util/status_macros.h"

namespace xval::text {

// Each run of digits inside each number, reversed in place. Reversing keeps every non-digit
// where it was, so the grammar finds the same numbers in the result and a second pass undoes
// the first.
absl::StatusOr<std::string> ReverseDigits(absl::string_view text) {
  ASSIGN_OR_RETURN(const std::vector<NumberSpan> spans, RewrittenNumbers(text));
  std::string out(text);
  for (const NumberSpan& s : spans) {
    size_t i = s.begin;
    while (i < s.end) {
      if (!IsAsciiDigit(out[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < s.end && IsAsciiDigit(out[j])) ++j;
      std::reverse(out.begin() + i, out.begin() + j);
      i = j;
    }
  }
  return out;
}

}  // namespace xval::text
