#include "text/pretokenize/digits.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace xval {

absl::StatusOr<DigitSplit> DigitSplit::Parse(absl::string_view name) {
  DigitSplit s;
  if (name == "none" || name.empty()) return s;
  if (name == "individual") {
    s.direction = Direction::kLeftToRight;
    s.group_size = 1;
    return s;
  }
  int n = 0;
  if (name.size() > 3 && (name.substr(0, 3) == "ltr" || name.substr(0, 3) == "rtl") &&
      absl::SimpleAtoi(name.substr(3), &n) && n >= 1 && n <= 64) {
    s.direction = name[0] == 'l' ? Direction::kLeftToRight : Direction::kRightToLeft;
    s.group_size = n;
    return s;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown digit splitting \"", name,
                                                 "\": use none, individual, ltr<N> or rtl<N>"));
}

}  // namespace xval
