// The xVal reference regex, (?<!')-?\d+(\.\d+)?([eE][-+]?\d+)?(?!'|\d), without a regex
// engine: Python's re tries each start position in turn and backtracks from the longest
// candidate; the candidates that can pass its look-ahead are few, so they are listed here in
// the order the backtracking visits them.
#include "text/numbers/number_scanner.h"
#include "text/numbers/unicode_digits.h"

namespace xval::text {

void NumberScanner::ScanPaper(absl::string_view text, uint32_t base,
                              std::vector<NumberSpan>* out) const {
  const char* s = text.data();
  const auto* u = reinterpret_cast<const unsigned char*>(s);
  const size_t n = text.size();
  auto digit_at = [&](size_t i) { return i < n ? ReadAnyDigit(s + i, n - i, true) : DigitAt{}; };
  // \d+ from i, digits of any scripts mixed (as Python's \d); returns the end.
  auto digits_from = [&](size_t i) {
    for (DigitAt d; (d = digit_at(i)).value >= 0;) i += d.len;
    return i;
  };
  // (?!'|\d) at i.
  auto lookahead_ok = [&](size_t i) { return i >= n || (s[i] != '\'' && digit_at(i).value < 0); };
  // ([eE][-+]?\d+) at i: its end, or 0 when absent.
  auto exponent_end = [&](size_t i) -> size_t {
    if (i >= n || (s[i] != 'e' && s[i] != 'E')) return 0;
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
    if (digit_at(j).value < 0) return 0;
    return digits_from(j);
  };

  size_t pos = 0;
  while (true) {
    pos = SkipToStart(u, pos, n);
    if (pos >= n) return;
    const size_t p = pos;
    // The character at p, for moving on by one character as the regex does.
    const DigitAt here = digit_at(p);
    const size_t char_len = here.value >= 0 ? here.len : 1;
    if (here.value < 0 && s[p] != '-') {
      pos = p + 1;  // a lead byte of a character that is not a digit
      continue;
    }
    if (p > 0 && s[p - 1] == '\'') {
      pos = p + char_len;  // (?<!') fails here; the next position may match ('12 gives 2)
      continue;
    }
    const size_t q = s[p] == '-' ? p + 1 : p;
    if (digit_at(q).value < 0) {
      pos = p + 1;  // a '-' without digits
      continue;
    }
    const size_t int_end = digits_from(q);
    size_t end = 0;
    // Backtracking order: with the fraction (with, then without the exponent), then without the
    // fraction (with, then without the exponent). Shorter digit runs are followed by a digit,
    // so the look-ahead rejects them and they need no trying.
    if (int_end + 1 < n && s[int_end] == '.' && digit_at(int_end + 1).value >= 0) {
      const size_t frac_end = digits_from(int_end + 1);
      const size_t exp_end = exponent_end(frac_end);
      if (exp_end != 0 && lookahead_ok(exp_end)) {
        end = exp_end;
      } else if (lookahead_ok(frac_end)) {
        end = frac_end;
      }
    } else {
      const size_t exp_end = exponent_end(int_end);
      if (exp_end != 0 && lookahead_ok(exp_end)) end = exp_end;
    }
    if (end == 0 && lookahead_ok(int_end)) end = int_end;
    if (end == 0) {
      // Every later start inside this digit run has the same candidate ends and a passing
      // look-behind, so it fails too: move past the run (this keeps the scan linear).
      pos = int_end;
      continue;
    }
    out->push_back(NumberSpan{base + static_cast<uint32_t>(p), base + static_cast<uint32_t>(end)});
    pos = end;
  }
}

}  // namespace xval::text
