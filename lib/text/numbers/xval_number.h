// A number found by XvalTokenizer and what it becomes; shared by its encode and decode files.
#ifndef XVAL_TEXT_NUMBERS_XVAL_NUMBER_H_
#define XVAL_TEXT_NUMBERS_XVAL_NUMBER_H_

#include "absl/strings/string_view.h"
#include "xval/xval_tokenizer.h"

namespace xval {

struct XvalTokenizer::Number {
  NumberSpan span;  // bytes of the scanned text
  ValueKind kind = ValueKind::kText;
  float value = 0;  // when kind == kValue
};

namespace text {

// True when `next` (the text after a number) would continue a number printed without an
// exponent: ".5" (a fraction) or "e5", "E-5" (an exponent). Such a number is printed in the
// scientific form, after which neither can continue it.
inline bool FollowsAsPartOfNumber(absl::string_view next) {
  auto digit = [&](size_t i) { return i < next.size() && next[i] >= '0' && next[i] <= '9'; };
  if (next.empty()) return false;
  if (next[0] == '.') return digit(1);
  if (next[0] == 'e' || next[0] == 'E') {
    return digit(1) || ((next.size() > 1 && (next[1] == '+' || next[1] == '-')) && digit(2));
  }
  return false;
}

}  // namespace text
}  // namespace xval

#endif  // XVAL_TEXT_NUMBERS_XVAL_NUMBER_H_
