// Right-to-left comma groups (number_rewrites.h; Singh & Strouse 2024): a comma every three
// digits of a number's integer part from the right, commas of the original doubled first.
#include "absl/strings/str_cat.h"
#include "text/numbers/number_rewrite_steps.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

// Calls `on_run(begin, end)` for each run of commas with a digit on both sides, and copies the
// rest of `text` into `out` through `copy(begin, end)`: the comma escaping of both directions.
template <typename OnRun>
absl::Status ForEachCommaRunBetweenDigits(absl::string_view text, std::string* out, OnRun on_run) {
  size_t copied = 0;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] != ',' || !IsAsciiDigit(text[i - 1])) continue;
    size_t j = i;
    while (j < text.size() && text[j] == ',') ++j;
    if (j < text.size() && IsAsciiDigit(text[j])) {
      absl::StrAppend(out, text.substr(copied, i - copied));
      RETURN_IF_ERROR(on_run(i, j));
      copied = j;
    }
    i = j;
  }
  absl::StrAppend(out, text.substr(copied));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> GroupRightToLeft(absl::string_view text) {
  // Commas already between digits: doubled, so that no grouping comma (always single) can be
  // mistaken for one.
  std::string escaped;
  escaped.reserve(text.size() + text.size() / 8);
  RETURN_IF_ERROR(ForEachCommaRunBetweenDigits(text, &escaped, [&](size_t b, size_t e) {
    escaped.append(2 * (e - b), ',');
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(const std::vector<NumberSpan> spans, RewrittenNumbers(escaped));
  std::string out;
  out.reserve(escaped.size() + escaped.size() / 4);
  size_t copied = 0;
  for (const NumberSpan& s : spans) {
    const auto [b, e] = IntegerPart(escaped, s);
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

}  // namespace xval::text
