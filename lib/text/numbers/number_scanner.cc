// NumberScanner's set-up and the public FindNumbers.
#include "text/numbers/number_scanner.h"

#include <cstdint>
#include <cstring>
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
  const NumberGrammar& g = options.grammar;
  ascii_fast_ = options.mode == NumberMode::kStandard && !unicode_ && !g.group_separators &&
                !g.leading_dot && !g.trailing_dot;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  // '-' stands in for an unused extra: it is looked for anyway.
  extra_byte1_ = kOnes * (start_['+'] ? '+' : '-');
  extra_byte2_ = kOnes * (start_['.'] ? '.' : '-');
}

size_t NumberScanner::SkipToStart(const unsigned char* s, size_t pos, size_t n) const {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kLow7 = kOnes * 0x7F;
  constexpr uint64_t kHigh = kOnes * 0x80;
  // High bit of each byte of x that is zero (exact: no carry crosses bytes).
  auto zero_bytes = [](uint64_t x) { return ~(((x & kLow7) + kLow7) | x | kLow7); };
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  const bool little_endian = false;  // the lowest flagged byte would be the wrong one
#else
  const bool little_endian = true;
#endif
  while (little_endian && pos + 8 <= n) {
    uint64_t v;
    std::memcpy(&v, s + pos, 8);
    // Bytes in '0'..'9' (Bit Twiddling Hacks' hasbetween, exact for bounds under 128).
    const uint64_t low = v & kLow7;
    uint64_t hits = ((kOnes * (127 + ':') - low) & ~v & (low + kOnes * (127 - '/'))) & kHigh;
    hits |= zero_bytes(v ^ (kOnes * '-')) | zero_bytes(v ^ extra_byte1_) |
            zero_bytes(v ^ extra_byte2_);
    if (unicode_) hits |= v & kHigh;  // a possible digit lead: the table decides
    if (hits != 0) {
      // The lowest flagged byte in memory order (little-endian load); then the exact table.
      const size_t at = pos + (__builtin_ctzll(hits) >> 3);
      if (start_[s[at]]) return at;
      pos = at + 1;
      continue;
    }
    pos += 8;
  }
  while (pos < n && !start_[s[pos]]) ++pos;
  return pos;
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

namespace text {

void DeleteSpaces(absl::string_view text, std::string* compact, std::vector<uint32_t>* to_text) {
  compact->clear();
  to_text->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') continue;
    compact->push_back(text[i]);
    to_text->push_back(static_cast<uint32_t>(i));
  }
  to_text->push_back(static_cast<uint32_t>(text.size()));
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
