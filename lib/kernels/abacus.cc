// Abacus positions (number_encodings.h; mcleish7/arithmetic, abacus.py): each digit token's
// place in its run of digit tokens, from 1, plus the training offset.
#include <algorithm>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "xval/number_encodings.h"

namespace xval::kernels {

absl::Status AbacusPositions(absl::Span<const int32_t> ids, absl::Span<const int32_t> digit_ids,
                             int32_t offset, absl::Span<int32_t> positions) {
  if (positions.size() != ids.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("positions has ", positions.size(), " entries for ", ids.size(), " tokens"));
  }
  if (offset < 0) return absl::InvalidArgumentError("the Abacus offset must be >= 0");
  std::vector<int32_t> digits(digit_ids.begin(), digit_ids.end());
  std::sort(digits.begin(), digits.end());
  // Checked before anything is written: the longest run plus the offset must fit an int32.
  int64_t run = 0, longest = 0;
  for (const int32_t id : ids) {
    run = std::binary_search(digits.begin(), digits.end(), id) ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  if (longest + offset > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Abacus offset ", offset, " with a run of ", longest, " digits passes int32"));
  }
  run = 0;
  for (size_t t = 0; t < ids.size(); ++t) {
    const bool digit = std::binary_search(digits.begin(), digits.end(), ids[t]);
    run = digit ? run + 1 : 0;
    positions[t] = digit ? static_cast<int32_t>(run + offset) : 0;
  }
  return absl::OkStatus();
}

}  // namespace xval::kernels
