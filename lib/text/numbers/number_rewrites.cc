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

namespace {

using RewriteFn = absl::StatusOr<std::string> (*)(absl::string_view);

absl::StatusOr<std::string> Unchanged(absl::string_view text) { return std::string(text); }

// The registry: each rewrite's name, its function and its inverse (a new rewrite is a file and
// an entry here).
struct RewriteEntry {
  NumberRewrite rewrite;
  const char* name;
  RewriteFn apply;
  RewriteFn undo;
};
constexpr RewriteEntry kRewrites[] = {
    {NumberRewrite::kNone, "none", Unchanged, Unchanged},
    {NumberRewrite::kReverseDigits, "reverse", text::ReverseDigits, text::ReverseDigits},
    {NumberRewrite::kRightToLeftGroups, "rtl_commas", text::GroupRightToLeft,
     text::UngroupRightToLeft},
    {NumberRewrite::kDigitCountPrefix, "numerologic", text::PrefixDigitCounts,
     text::StripDigitCounts},
};

const RewriteEntry* Find(NumberRewrite rewrite) {
  for (const RewriteEntry& e : kRewrites) {
    if (e.rewrite == rewrite) return &e;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<NumberRewrite> ParseNumberRewrite(absl::string_view name) {
  for (const RewriteEntry& e : kRewrites) {
    if (name == e.name) return e.rewrite;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("number rewrite \"", name, "\": none, reverse, rtl_commas or numerologic"));
}

const char* NumberRewriteName(NumberRewrite rewrite) {
  const RewriteEntry* e = Find(rewrite);
  return e != nullptr ? e->name : "none";
}

absl::StatusOr<std::string> ApplyNumberRewrite(NumberRewrite rewrite, absl::string_view text) {
  const RewriteEntry* e = Find(rewrite);
  if (e == nullptr) return absl::InvalidArgumentError("unknown number rewrite");
  return e->apply(text);
}

absl::StatusOr<std::string> UndoNumberRewrite(NumberRewrite rewrite, absl::string_view text) {
  const RewriteEntry* e = Find(rewrite);
  if (e == nullptr) return absl::InvalidArgumentError("unknown number rewrite");
  return e->undo(text);
}

}  // namespace xval
