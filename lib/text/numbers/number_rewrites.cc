// The reversible number rewrites of number_rewrites.h: reversed digits, right-to-left comma
// groups and NumeroLogic's digit-count prefix, each with its exact inverse.
#include "xval/number_rewrites.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"
#include "xval/numbers.h"

namespace xval {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The numbers of the standard grammar with its default options.
absl::StatusOr<std::vector<NumberSpan>> Numbers(absl::string_view text) {
  std::vector<NumberSpan> spans;
  RETURN_IF_ERROR(FindNumbers(text, NumberScanOptions{}, &spans));
  return spans;
}

// Each run of digits inside each number, reversed in place. Reversing keeps every non-digit
// where it was, so the grammar finds the same numbers in the result and a second pass undoes
// the first.
absl::StatusOr<std::string> ReverseDigits(absl::string_view text) {
  ASSIGN_OR_RETURN(const std::vector<NumberSpan> spans, Numbers(text));
  std::string out(text);
  for (const NumberSpan& s : spans) {
    size_t i = s.begin;
    while (i < s.end) {
      if (!IsDigit(out[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < s.end && IsDigit(out[j])) ++j;
      std::reverse(out.begin() + i, out.begin() + j);
      i = j;
    }
  }
  return out;
}

// Calls `on_run(begin, end)` for each run of commas with a digit on both sides, and copies the
// rest of `text` into `out` through `copy(begin, end)`: the comma escaping of both directions.
template <typename OnRun>
absl::Status ForEachCommaRunBetweenDigits(absl::string_view text, std::string* out, OnRun on_run) {
  size_t copied = 0;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] != ',' || !IsDigit(text[i - 1])) continue;
    size_t j = i;
    while (j < text.size() && text[j] == ',') ++j;
    if (j < text.size() && IsDigit(text[j])) {
      absl::StrAppend(out, text.substr(copied, i - copied));
      RETURN_IF_ERROR(on_run(i, j));
      copied = j;
    }
    i = j;
  }
  absl::StrAppend(out, text.substr(copied));
  return absl::OkStatus();
}

absl::StatusOr<std::string> GroupRightToLeft(absl::string_view text) {
  // Commas already between digits: doubled, so that no grouping comma (always single) can be
  // mistaken for one.
  std::string escaped;
  escaped.reserve(text.size() + text.size() / 8);
  RETURN_IF_ERROR(ForEachCommaRunBetweenDigits(text, &escaped, [&](size_t b, size_t e) {
    escaped.append(2 * (e - b), ',');
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(const std::vector<NumberSpan> spans, Numbers(escaped));
  std::string out;
  out.reserve(escaped.size() + escaped.size() / 4);
  size_t copied = 0;
  for (const NumberSpan& s : spans) {
    size_t b = s.begin;
    if (escaped[b] == '-' || escaped[b] == '+') ++b;
    size_t e = b;
    while (e < s.end && IsDigit(escaped[e])) ++e;  // the integer part
    if (e - b < 4) continue;
    out.append(escaped, copied, b - copied);
    for (size_t i = b; i < e; ++i) {
      if (i > b && (e - i) % 3 == 0) out.push_back(',');
      out.push_back(escaped[i]);
    }
    copied = e;
  }
  out.append(escaped, copied, std::string::npos);
  return out;
}

absl::StatusOr<std::string> UngroupRightToLeft(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  RETURN_IF_ERROR(ForEachCommaRunBetweenDigits(text, &out, [&](size_t b, size_t e) {
    const size_t n = e - b;
    if (n == 1) return absl::OkStatus();  // a grouping comma
    if (n % 2 != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("byte ", b, ": ", n,
                       " commas between digits (grouped text has one, or "
                       "an even run for commas of the original)"));
    }
    out.append(n / 2, ',');
    return absl::OkStatus();
  }));
  return out;
}

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
  ASSIGN_OR_RETURN(const std::vector<NumberSpan> spans, Numbers(escaped));
  std::string out;
  out.reserve(escaped.size() + 12 * spans.size());
  size_t copied = 0;
  for (const NumberSpan& s : spans) {
    size_t b = s.begin;
    if (escaped[b] == '-' || escaped[b] == '+') ++b;
    size_t point = b;
    while (point < s.end && IsDigit(escaped[point])) ++point;
    size_t e = point;
    if (e + 1 < s.end && escaped[e] == '.' && IsDigit(escaped[e + 1])) {
      ++e;
      while (e < s.end && IsDigit(escaped[e])) ++e;
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

// A run of ASCII digits at `*i` (advanced past it): how many, and their value (saturated at
// 10^12, past any text's length); false when there is none.
bool ReadDigits(absl::string_view text, size_t* i, size_t* count, uint64_t* value = nullptr) {
  const size_t b = *i;
  uint64_t v = 0;
  while (*i < text.size() && IsDigit(text[*i]))
    v = std::min<uint64_t>(v * 10 + (text[(*i)++] - '0'), 1000000000000);
  *count = *i - b;
  if (value != nullptr) *value = v;
  return *count > 0;
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
    if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
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

}  // namespace

absl::StatusOr<NumberRewrite> ParseNumberRewrite(absl::string_view name) {
  for (NumberRewrite r : {NumberRewrite::kNone, NumberRewrite::kReverseDigits,
                          NumberRewrite::kRightToLeftGroups, NumberRewrite::kDigitCountPrefix}) {
    if (name == NumberRewriteName(r)) return r;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("number rewrite \"", name, "\": none, reverse, rtl_commas or numerologic"));
}

const char* NumberRewriteName(NumberRewrite rewrite) {
  switch (rewrite) {
    case NumberRewrite::kNone:
      return "none";
    case NumberRewrite::kReverseDigits:
      return "reverse";
    case NumberRewrite::kRightToLeftGroups:
      return "rtl_commas";
    case NumberRewrite::kDigitCountPrefix:
      return "numerologic";
  }
  return "none";
}

absl::StatusOr<std::string> ApplyNumberRewrite(NumberRewrite rewrite, absl::string_view text) {
  switch (rewrite) {
    case NumberRewrite::kNone:
      return std::string(text);
    case NumberRewrite::kReverseDigits:
      return ReverseDigits(text);
    case NumberRewrite::kRightToLeftGroups:
      return GroupRightToLeft(text);
    case NumberRewrite::kDigitCountPrefix:
      return PrefixDigitCounts(text);
  }
  return absl::InvalidArgumentError("unknown number rewrite");
}

absl::StatusOr<std::string> UndoNumberRewrite(NumberRewrite rewrite, absl::string_view text) {
  switch (rewrite) {
    case NumberRewrite::kNone:
      return std::string(text);
    case NumberRewrite::kReverseDigits:
      return ReverseDigits(text);
    case NumberRewrite::kRightToLeftGroups:
      return UngroupRightToLeft(text);
    case NumberRewrite::kDigitCountPrefix:
      return StripDigitCounts(text);
  }
  return absl::InvalidArgumentError("unknown number rewrite");
}

}  // namespace xval
