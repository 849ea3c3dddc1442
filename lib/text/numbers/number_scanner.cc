// NumberScanner's set-up and the public FindNumbers.
#include "text/numbers/number_scanner.h"

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "text/numbers/unicode_digits.h"

namespace xval {
namespace text {

NumberScanner::NumberScanner(const NumberScanOptions& options) : options_(options) {
  unicode_ = options.mode == NumberMode::kPaper || options.grammar.unicode_digits;
  for (int c = '0'; c <= '9'; ++c) start_[c] = true;
  start_['-'] = true;
  if (options.mode == NumberMode::kStandard) {
    if (options.grammar.plus_sign) start_['+'] = true;
    if (options.grammar.leading_dot) start_['.'] = true;
  }
  if (unicode_) {
    for (int c = 0x80; c < 256; ++c) start_[c] = IsNonAsciiDigitLead(static_cast<unsigned char>(c));
  }
}

absl::Status ValidateScanOptions(const NumberScanOptions& options) {
  const auto sep = static_cast<unsigned char>(options.grammar.group_separator);
  if (options.mode == NumberMode::kStandard && options.grammar.group_separators &&
      (sep >= 0x80 || sep == 0 || (sep >= '0' && sep <= '9') || sep == '-' || sep == '+' ||
       sep == '.' || sep == 'e' || sep == 'E')) {
    return absl::InvalidArgumentError(absl::StrCat(
        "group separator byte ", static_cast<int>(sep),
        ": must be ASCII and not a digit, sign, '.', 'e' or 'E'"));
  }
  return absl::OkStatus();
}

}  // namespace text

absl::Status FindNumbers(absl::string_view text, const NumberScanOptions& options,
                         std::vector<NumberSpan>* out) {
  if (text.size() >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("text of ", text.size(), " bytes: offsets are 32-bit"));
  }
  const absl::Status valid = text::ValidateScanOptions(options);
  if (!valid.ok()) return valid;
  text::NumberScanner(options).Scan(text, 0, out);
  return absl::OkStatus();
}

}  // namespace xval
