// The reversible number rewrites (number_rewrites.h): names, and each rewrite and its inverse
// (one file each, see number_rewrite_steps.h).
#include "xval/number_rewrites.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "text/numbers/number_rewrite_steps.h"
#include "util/status_macros.h"

namespace xval {
namespace text {

absl::StatusOr<std::vector<NumberSpan>> RewrittenNumbers(absl::string_view text) {
  std::vector<NumberSpan> spans;
  RETURN_IF_ERROR(FindNumbers(text, NumberScanOptions{}, &spans));
  return spans;
}

std::pair<size_t, size_t> IntegerPart(absl::string_view text, NumberSpan span) {
  size_t b = span.begin;
  if (text[b] == '-' || text[b] == '+') ++b;
  size_t e = b;
  while (e < span.end && IsAsciiDigit(text[e])) ++e;
  return {b, e};
}

}  // namespace text

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
      return text::ReverseDigits(text);
    case NumberRewrite::kRightToLeftGroups:
      return text::GroupRightToLeft(text);
    case NumberRewrite::kDigitCountPrefix:
      return text::PrefixDigitCounts(text);
  }
  return absl::InvalidArgumentError("unknown number rewrite");
}

absl::StatusOr<std::string> UndoNumberRewrite(NumberRewrite rewrite, absl::string_view text) {
  switch (rewrite) {
    case NumberRewrite::kNone:
      return std::string(text);
    case NumberRewrite::kReverseDigits:
      return text::ReverseDigits(text);
    case NumberRewrite::kRightToLeftGroups:
      return text::UngroupRightToLeft(text);
    case NumberRewrite::kDigitCountPrefix:
      return text::StripDigitCounts(text);
  }
  return absl::InvalidArgumentError("unknown number rewrite");
}

}  // namespace xval
