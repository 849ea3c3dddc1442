// DescribeNumbers: the numbers of a text (FindNumbers), each read digit by digit, and the
// tokens of an encoding matched to them by their byte spans.
#include "xval/number_info.h"

#include <algorithm>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "text/numbers/number_scanner.h"
#include "text/numbers/unicode_digits.h"
#include "util/status_macros.h"

namespace xval {
namespace {

// One mantissa digit of a number: its bytes, value and places.
struct DigitSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  int8_t value = 0;
  int16_t place = 0;
  int16_t place_from_top = 0;
};

int16_t ClampPlace(int64_t place) {
  return static_cast<int16_t>(std::clamp<int64_t>(place, -32767, 32767));
}

// Reads the number at `span` of `text` into `record` and appends its mantissa digits to
// `digits`. The grammar's separators are skipped (and, in paper mode, the spaces the reference
// deletes before it looks for numbers); the value is parsed from the digits rewritten in ASCII,
// so digits of any script and any separator give strtod's value.
absl::Status ReadNumber(absl::string_view text, NumberSpan span, const NumberScanOptions& scan,
                        NumberRecord* record, std::vector<DigitSpan>* digits) {
  const bool paper = scan.mode == NumberMode::kPaper;
  const bool unicode = paper || scan.grammar.unicode_digits;
  const char separator =
      !paper && scan.grammar.group_separators ? scan.grammar.group_separator : '\0';
  const size_t first_digit = digits->size();
  std::string exponent_text;  // "e-12" when written, in ASCII
  enum class Part { kInteger, kFraction, kExponent } part = Part::kInteger;
  bool exponent_negative = false;
  int64_t exponent = 0;
  record->span = span;
  size_t i = span.begin;
  const auto skip_spaces = [&] {
    while (paper && i < span.end && text[i] == ' ') ++i;
  };
  skip_spaces();
  if (i < span.end && (text[i] == '-' || text[i] == '+')) {
    record->negative = text[i] == '-';
    ++i;
  }
  while (i < span.end) {
    skip_spaces();
    if (i >= span.end) break;
    const char c = text[i];
    const text::DigitAt d = text::ReadAnyDigit(text.data() + i, span.end - i, unicode);
    if (d.value >= 0) {
      if (part == Part::kExponent) {
        exponent_text.push_back(static_cast<char>('0' + d.value));
        exponent = std::min<int64_t>(exponent * 10 + d.value, 100000);
      } else {
        DigitSpan digit;
        digit.begin = static_cast<uint32_t>(i);
        digit.end = static_cast<uint32_t>(i + d.len);
        digit.value = static_cast<int8_t>(d.value);
        digits->push_back(digit);
        ++(part == Part::kInteger ? record->integer_digits : record->fraction_digits);
      }
      i += d.len;
    } else if (c == '.' && part == Part::kInteger) {
      part = Part::kFraction;
      ++i;
    } else if ((c == 'e' || c == 'E') && part != Part::kExponent) {
      part = Part::kExponent;
      exponent_text.push_back('e');
      ++i;
      skip_spaces();
      if (i < span.end && (text[i] == '+' || text[i] == '-')) {
        exponent_negative = text[i] == '-';
        exponent_text.push_back(text[i]);
        ++i;
      }
    } else if (c == separator && separator != '\0' && part == Part::kInteger) {
      ++i;
    } else {
      return absl::InternalError(
          absl::StrCat("byte ", i, " of the number at ", span.begin, " is not part of a number"));
    }
  }
  if (record->integer_digits + record->fraction_digits == 0) {
    return absl::InternalError(absl::StrCat("the number at ", span.begin, " has no digits"));
  }
  // The number in ParseNumber's plain ASCII grammar: -?d+(.d+)?(e[+-]?d+)?
  std::string ascii = record->negative ? "-" : "";
  if (record->integer_digits == 0) ascii.push_back('0');
  for (size_t k = first_digit; k < digits->size(); ++k) {
    if (k - first_digit == static_cast<size_t>(record->integer_digits)) ascii.push_back('.');
    ascii.push_back(static_cast<char>('0' + (*digits)[k].value));
  }
  ascii += exponent_text;
  record->exponent = static_cast<int32_t>(exponent_negative ? -exponent : exponent);
  ASSIGN_OR_RETURN(const ParsedNumber parsed, ParseNumber(ascii));
  record->value = parsed.value;      // +-inf on overflow, as strtod
  record->value32 = parsed.value32;  // likewise for float32
  const int64_t integer_digits = record->integer_digits;
  for (size_t k = first_digit; k < digits->size(); ++k) {
    const int64_t index = static_cast<int64_t>(k - first_digit);  // 0 = the first written
    DigitSpan& digit = (*digits)[k];
    digit.place_from_top = ClampPlace(index + 1);
    digit.place =
        ClampPlace(index < integer_digits ? integer_digits - index : integer_digits - index - 1);
  }
  return absl::OkStatus();
}

// The numbers of `text` under `scan`; in paper mode found in the text without spaces, as the
// reference code deletes them first, and mapped back to the original bytes.
absl::Status FindNumberSpans(absl::string_view text, const NumberScanOptions& scan,
                             std::vector<NumberSpan>* spans) {
  if (scan.mode != NumberMode::kPaper) return FindNumbers(text, scan, spans);
  std::string compact;
  std::vector<uint32_t> to_text;
  text::DeleteSpaces(text, &compact, &to_text);
  RETURN_IF_ERROR(FindNumbers(compact, scan, spans));
  for (NumberSpan& s : *spans) s = NumberSpan{to_text[s.begin], to_text[s.end - 1] + 1};
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<NumberInfo> DescribeNumbers(absl::string_view text, const Encoding& encoding,
                                           const NumberScanOptions& scan) {
  for (size_t t = 0; t < encoding.offsets.size(); ++t) {
    const Offset o = encoding.offsets[t];
    if (o.begin > o.end || o.end > text.size()) {
      return absl::InvalidArgumentError(absl::StrCat("token ", t, " spans bytes [", o.begin, ", ",
                                                     o.end, ") of a text of ", text.size()));
    }
  }
  if (encoding.offsets.size() != encoding.ids.size()) {
    return absl::InvalidArgumentError(absl::StrCat("the encoding has ", encoding.ids.size(),
                                                   " ids but ", encoding.offsets.size(),
                                                   " offsets (ids_only encodings have none)"));
  }
  std::vector<NumberSpan> spans;
  RETURN_IF_ERROR(FindNumberSpans(text, scan, &spans));
  NumberInfo info;
  info.numbers.resize(spans.size());
  std::vector<DigitSpan> digits;  // every number's mantissa digits, in text order
  std::vector<size_t> digits_from(spans.size() + 1, 0);  // number n: [from[n], from[n + 1])
  for (size_t n = 0; n < spans.size(); ++n) {
    digits_from[n] = digits.size();
    RETURN_IF_ERROR(ReadNumber(text, spans[n], scan, &info.numbers[n], &digits));
  }
  digits_from[spans.size()] = digits.size();

  const size_t tokens = encoding.size();
  info.number_index.assign(tokens, -1);
  info.digit.assign(tokens, -1);
  info.place.assign(tokens, 0);
  info.place_from_top.assign(tokens, 0);
  for (size_t t = 0; t < tokens; ++t) {
    const Offset o = encoding.offsets[t];
    if (o.begin == o.end) continue;
    // The first number that ends after the token begins; it overlaps when it begins before the
    // token ends.
    const auto number = std::partition_point(spans.begin(), spans.end(),
                                             [&](const NumberSpan& s) { return s.end <= o.begin; });
    if (number == spans.end() || number->begin >= o.end) continue;
    const size_t n = static_cast<size_t>(number - spans.begin());
    info.number_index[t] = static_cast<int32_t>(n);
    const auto first =
        std::partition_point(digits.begin() + digits_from[n], digits.begin() + digits_from[n + 1],
                             [&](const DigitSpan& d) { return d.begin < o.begin; });
    auto last = first;  // one past the last digit that starts inside the token
    while (last != digits.begin() + digits_from[n + 1] && last->begin < o.end) ++last;
    if (first == last) continue;
    if (last - first == 1) info.digit[t] = first->value;
    info.place[t] = (last - 1)->place;
    info.place_from_top[t] = first->place_from_top;
  }
  return info;
}

}  // namespace xval
