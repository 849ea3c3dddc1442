// The digit-splitting pre-tokenizer: cuts a piece of text so that every run of ASCII digits
// stands apart from its neighbours and is cut into groups of DigitSplit::group_size.
#ifndef XVAL_TEXT_PRETOKENIZE_DIGITS_H_
#define XVAL_TEXT_PRETOKENIZE_DIGITS_H_

#include <algorithm>

#include "absl/strings/string_view.h"
#include "xval/digits.h"

namespace xval::text {

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Calls on_piece(begin, end) for each consecutive piece of `text` (byte offsets), in order.
// With splitting off, the whole text is one piece.
template <typename OnPiece>
void SplitDigits(absl::string_view text, const DigitSplit& split, OnPiece on_piece) {
  if (!split.enabled()) {
    if (!text.empty()) on_piece(size_t{0}, text.size());
    return;
  }
  const size_t g = static_cast<size_t>(split.group_size);
  size_t begin = 0;  // start of the pending non-digit piece
  size_t i = 0;
  while (i < text.size()) {
    if (!IsAsciiDigit(text[i])) {
      ++i;
      continue;
    }
    size_t run_end = i;
    while (run_end < text.size() && IsAsciiDigit(text[run_end])) ++run_end;
    if (i > begin) on_piece(begin, i);
    const size_t n = run_end - i;
    // Left to right: full groups first; right to left: the short group first.
    size_t first = split.direction == DigitSplit::Direction::kRightToLeft ? n % g : g;
    if (first == 0) first = g;
    for (size_t p = i, len = std::min(first, n); p < run_end; p += len, len = g) {
      on_piece(p, std::min(p + len, run_end));
    }
    begin = i = run_end;
  }
  if (text.size() > begin) on_piece(begin, text.size());
}

}  // namespace xval::text

#endif  // XVAL_TEXT_PRETOKENIZE_DIGITS_H_
