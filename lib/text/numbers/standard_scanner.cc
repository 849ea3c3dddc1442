// The standard number grammar (documented in include/xval/numbers.h), one pass, no regex.
#include <cstdint>
#include <cstring>

#include "text/numbers/block_scanner.h"
#include "text/numbers/number_scanner.h"
#include "text/numbers/unicode_digits.h"

namespace xval::text {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Bytes that end an operand, after which a '-' is a binary minus ("3-2", "x-1", "f(x)-1",
// "5%-2"); after anything else (spaces, operators, brackets, CJK text) it is a sign.
bool EndsOperand(unsigned char c) {
  return IsWordByte(c) || c == ')' || c == ']' || c == '}' || c == '.' || c == '%' ||
         c == '\'' || c == '"';
}

// Past the run of digits (any script when `unicode`) and word bytes from i: where scanning
// resumes after a rejected start, so the rest of the run is not read as a number of its own.
size_t SkipRun(const char* s, size_t n, size_t i, bool unicode) {
  while (i < n) {
    const DigitAt d = ReadAnyDigit(s + i, n - i, unicode);
    if (d.value >= 0) {
      i += d.len;
    } else if (IsWordByte(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else {
      break;
    }
  }
  return i;
}

// Numbers do not start inside a word: after [A-Za-z0-9_], or after a '.' that follows one.
bool InsideWord(absl::string_view text, size_t pos) {
  if (pos == 0) return false;
  const auto prev = static_cast<unsigned char>(text[pos - 1]);
  if (IsWordByte(prev)) return true;
  return prev == '.' && pos >= 2 && IsWordByte(static_cast<unsigned char>(text[pos - 2]));
}

// The end of the run of ASCII digits from i: eight bytes at a time, so that the run's length
// (1 to 4 digits, unpredictably) costs no mispredicted loop exit.
inline size_t AsciiDigitsEnd(const unsigned char* s, size_t i, size_t n) {
#if !(defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  while (i + 8 <= n) {
    uint64_t v;
    std::memcpy(&v, s + i, 8);
    const uint64_t low = v & (kOnes * 0x7F);
    const uint64_t digits =
        (kOnes * (127 + ':') - low) & ~v & (low + kOnes * (127 - '/')) & (kOnes * 0x80);
    const uint64_t other = ~digits & (kOnes * 0x80);
    if (other != 0) return i + (__builtin_ctzll(other) >> 3);
    i += 8;
  }
#endif
  while (i < n && s[i] - '0' < 10u) ++i;
  return i;
}

}  // namespace

size_t NumberScanner::MatchStandard(absl::string_view text, size_t pos, size_t* skip_to) const {
  const NumberGrammar& g = options_.grammar;
  const char* s = text.data();
  const size_t n = text.size();
  auto digit_at = [&](size_t i) { return i < n ? ReadAnyDigit(s + i, n - i, unicode_) : DigitAt{}; };
  // Consumes digits of script `zero` from i; returns the end.
  auto digits_from = [&](size_t i, char32_t zero) {
    for (DigitAt d; (d = digit_at(i)).value >= 0 && d.zero == zero;) i += d.len;
    return i;
  };
  // Where scanning resumes after a failure: past every digit and word byte from `pos`, so that
  // the rest of a rejected run is not read as a number of its own.
  auto fail = [&](size_t from) {
    const size_t i = SkipRun(s, n, from, unicode_);
    *skip_to = i > pos ? i : pos + 1;
    return kNoMatch;
  };

  size_t i = pos;
  char32_t zero = 0;
  const DigitAt first = digit_at(i);
  if (first.value >= 0) {
    zero = first.zero;
    const size_t int_end = digits_from(i, zero);
    i = int_end;
    // Digit groups: d{1,3} (SEP d{3})+, used only when every group is well formed.
    if (g.group_separators && i < n && s[i] == g.group_separator) {
      size_t num_digits = 0;
      for (size_t k = pos; k < int_end; k += digit_at(k).len) ++num_digits;
      size_t j = int_end;
      bool grouped = false, valid = num_digits <= 3;
      while (valid && j < n && s[j] == g.group_separator) {
        size_t k = j + 1, count = 0;
        for (DigitAt d; count < 4 && (d = digit_at(k)).value >= 0 && d.zero == zero; ++count) {
          k += d.len;
        }
        if (count == 0) break;  // a separator followed by no digit ends the number
        if (count != 3) {
          valid = false;
          break;
        }
        j = k;
        grouped = true;
      }
      if (valid && grouped) i = j;
    }
  } else if (g.leading_dot && i + 1 < n && s[i] == '.' && digit_at(i + 1).value >= 0) {
    zero = digit_at(i + 1).zero;
  } else {
    return fail(pos);
  }
  // Fraction, or a trailing dot.
  if (i < n && s[i] == '.') {
    const DigitAt d = digit_at(i + 1);
    if (d.value >= 0 && d.zero == zero) {
      i = digits_from(i + 1, zero);
    } else if (g.trailing_dot && i > pos && d.value < 0) {
      ++i;
    }
  }
  // Exponent, taken only whole.
  if (g.exponent && i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
    const DigitAt d = digit_at(j);
    if (d.value >= 0 && d.zero == zero) i = digits_from(j, zero);
  }
  // Never followed by a digit (of another script, or after a dot-less grouping failure).
  if (digit_at(i).value >= 0) return fail(i);
  return i;
}

void NumberScanner::ScanStandard(absl::string_view text, uint32_t base,
                                 std::vector<NumberSpan>* out, bool blocks) const {
  const NumberGrammar& g = options_.grammar;
  if (blocks && ascii_fast_) {
    ScanAsciiBlocks(text, base, AsciiGrammar{g.plus_sign, g.exponent, g.binary_minus_as_sign},
                    out);
    return;
  }
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t pos = 0;
  while (true) {
    pos = SkipToStart(s, pos, n);
    if (pos >= n) return;
    const unsigned char c = s[pos];
    size_t mantissa = pos;
    if (c == '-' || c == '+') {
      // A sign needs a sign context and a mantissa right after it.
      const bool sign_ok = c == '+' ? !InsideWord(text, pos)
                                    : g.binary_minus_as_sign || pos == 0 || !EndsOperand(s[pos - 1]);
      if (!sign_ok || pos + 1 >= n) {
        ++pos;
        continue;
      }
      const unsigned char next = s[pos + 1];
      const bool digit_next = ReadAnyDigit(text.data() + pos + 1, n - pos - 1, unicode_).value >= 0;
      if (!digit_next && !(g.leading_dot && next == '.')) {
        ++pos;
        continue;
      }
      mantissa = pos + 1;
    } else if (c == '.') {
      // leading_dot only (start_ has '.' then): ".5", not after a word ("v1.5" has none).
      if (InsideWord(text, pos) || pos + 1 >= n ||
          ReadAnyDigit(text.data() + pos + 1, n - pos - 1, unicode_).value < 0) {
        ++pos;
        continue;
      }
    } else {
      if (c >= 0x80 && ReadAnyDigit(text.data() + pos, n - pos, unicode_).value < 0) {
        ++pos;  // a lead byte of a character that is not a digit
        continue;
      }
      if (InsideWord(text, pos)) {
        pos = SkipRun(text.data(), n, pos, unicode_);
        continue;
      }
    }
    if (ascii_fast_) {
      // The default grammar on ASCII digits: the whole match inline (no scripts, no groups,
      // no dots at the edges; a following digit is impossible after a greedy ASCII run).
      size_t i = AsciiDigitsEnd(s, mantissa, n);
      if (i > mantissa) {
        if (i + 1 < n && s[i] == '.' && s[i + 1] - '0' < 10u) i = AsciiDigitsEnd(s, i + 2, n);
        if (g.exponent && i + 1 < n && (s[i] | 0x20) == 'e') {
          size_t j = i + 1;
          if (s[j] == '+' || s[j] == '-') ++j;
          if (j < n && s[j] - '0' < 10u) i = AsciiDigitsEnd(s, j + 1, n);
        }
        out->push_back(
            NumberSpan{base + static_cast<uint32_t>(pos), base + static_cast<uint32_t>(i)});
        pos = i;
        continue;
      }
    }
    size_t skip = pos + 1;
    const size_t end = MatchStandard(text, mantissa, &skip);
    if (end == kNoMatch) {
      pos = skip > pos ? skip : pos + 1;
      continue;
    }
    out->push_back(NumberSpan{base + static_cast<uint32_t>(pos), base + static_cast<uint32_t>(end)});
    pos = end;
  }
}

}  // namespace xval::text
