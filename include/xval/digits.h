// Digit splitting: a pre-tokenizer stage that cuts runs of ASCII digits into groups, so that no
// token spans two groups, whatever the vocabulary holds.
#ifndef XVAL_DIGITS_H_
#define XVAL_DIGITS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace xval {

struct DigitSplit {
  enum class Direction {
    kNone,         // no digit splitting beyond what the model does itself
    kLeftToRight,  // 1234567 -> 123 456 7 (GPT-4's \p{N}{1,3} with group_size 3)
    kRightToLeft,  // 1234567 -> 1 234 567 (Singh & Strouse 2024)
  };
  Direction direction = Direction::kNone;
  // Digits per group; 1 means each digit alone (then the direction does not matter).
  int group_size = 1;

  bool enabled() const { return direction != Direction::kNone; }

  // Parses the command-line names: "none", "individual", "ltr<N>" and "rtl<N>" (N in 1..64).
  static absl::StatusOr<DigitSplit> Parse(absl::string_view name);
};

}  // namespace xval

#endif  // XVAL_DIGITS_H_
