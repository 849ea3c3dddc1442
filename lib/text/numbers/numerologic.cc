// NumeroLogic's digit counts (number_rewrites.h; Schwartz et al. 2024): "42" ->
// "<sn>2<mn>42<en>", markers already in the text escaped with one more backslash.
#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "text/numbers/number_rewrite_steps.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

// NumeroLogic's markers, and their escaped forms "<\sn>", "<\\sn>", ...: the length of the
// marker at `at` and its backslash count, or 0 when there is none.
size_t MarkerAt(absl::string_view text, size_t at, size_t* backslashes) {
  if (at >= text.size() || text[at] != '<') return 0;
  size_t i = at + 1;
  while (i < text.size() && text[i] == '\\') ++i;
  *backslashes = i - at - 1;
  if (i + 3 > text.size() || text[i + 2] != '>') return 0;
  const absl::string_view name = text.substr(i, 2);
  if (name != "sn" && name != "mn" && name != "en") return 0;
  return i + 3 - at;
}

// A run of ASCII digits at `*i` (advanced past it): how many, and their value (saturated at
// 10^12, past any text's length); false when there is none.
bool ReadDigits(absl::string_view text, size_t* i, size_t* count, uint64_t* value = nullptr) {
  const size_t b = *i;
  uint64_t v = 0;
  while (*i < text.size() && IsAsciiDigit(text[*i]))
    v = std::min<uint64_t>(v * 10 + (text[(*i)++] - '0'), 1000000000000);
  *count = *i - b;
  if (value != nullptr) *value = v;
  return *count > 0;
}

}  // namespace

absl::StatusOr<std::string> PrefixDigitCounts(absl::string_view text) {
  // Markers already in the text take one more backslash; Undo takes it off after the real
  // markers (which have none) are gone.
  std::string escaped;
  escaped.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t backslashes = 0;
    const size_t n = MarkerAt(text, i, &backslashes);
    if (n == 0) {
      escaped.push_back(text[i++]);
      continue;
    }
    escaped.append("<\\");
    absl::StrAppend(&escaped, text.substr(i + 1, n - 1));
    i += n;
  }
  ASSIGN_OR_RETURN(const std::vector<NumberSpan> spans, RewrittenNumbers(escaped));
  std::string out;
  out.reserve(escaped.size() + 12 * spans.size());
  size_t copied = 0;
  for (const NumberSpan& s : spans) {
    const auto [b, point] = IntegerPart(escaped, s);
    size_t e = point;
    if (e + 1 < s.end && escaped[e] == '.' && IsAsciiDigit(escaped[e + 1])) {
      ++e;
      while (e < s.end && IsAsciiDigit(escaped[e])) ++e;
    }
    out.append(escaped, copied, b - copied);
    absl::StrAppend(&out, "<sn>", point - b);
    if (e > point) absl::StrAppend(&out, ".", e - point - 1);
    absl::StrAppend(&out, "<mn>", absl::string_view(escaped).substr(b, e - b), "<en>");
    copied = e;
  }
  out.append(escaped, copied, std::string::npos);
  return out;
}

absl::StatusOr<std::string> StripDigitCounts(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto refuse = [&](size_t at, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("byte ", at, ": ", why));
  };
  for (size_t i = 0; i < text.size();) {
    size_t backslashes = 0;
    const size_t n = MarkerAt(text, i, &backslashes);
    if (n == 0) {
      out.push_back(text[i++]);
      continue;
    }
    if (backslashes > 0) {  // an escaped marker of the original text
      out.push_back('<');
      out.append(backslashes - 1, '\\');
      absl::StrAppend(&out, text.substr(i + 1 + backslashes, n - 1 - backslashes));
      i += n;
      continue;
    }
    if (text.substr(i, n) != "<sn>") return refuse(i, "a <mn> or <en> without its <sn>");
    // <sn>I[.F]<mn>digits[.digits]<en>, the digit counts matching.
    const size_t at = i;
    i += n;
    uint64_t integer_count = 0, fraction_count = 0;
    bool has_fraction = false;
    size_t counted;
    if (!ReadDigits(text, &i, &counted, &integer_count)) {
      return refuse(at, "<sn> without a digit count");
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      if (!ReadDigits(text, &i, &counted, &fraction_count)) {
        return refuse(at, "a digit count ending in '.'");
      }
      has_fraction = true;
    }
    if (text.substr(i, 4) != "<mn>") return refuse(i, "<sn> and its count without <mn>");
    i += 4;
    const size_t number_begin = i;
    size_t integer_digits = 0, fraction_digits = 0;
    if (!ReadDigits(text, &i, &integer_digits)) return refuse(i, "<mn> without digits");
    bool fraction = false;
    if (i + 1 < text.size() && text[i] == '.' && IsAsciiDigit(text[i + 1])) {
      ++i;
      ReadDigits(text, &i, &fraction_digits);
      fraction = true;
    }
    if (integer_digits != integer_count || fraction != has_fraction ||
        fraction_digits != fraction_count) {
      return refuse(at, "the digit count does not match the digits");
    }
    if (text.substr(i, 4) != "<en>") return refuse(i, "a number without its <en>");
    absl::StrAppend(&out, text.substr(number_begin, i - number_begin));
    i += 4;
  }
  return out;
}

}  // namespace xval::text
