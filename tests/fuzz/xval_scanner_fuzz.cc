// libFuzzer target: the number scanners (both modes, every grammar option) and the parser.
// The first input byte picks the options; the rest is the text. Checks: no crash, spans inside
// the text and in order, every span parses, values finite unless flagged as overflow.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_checks.h"
#include "xval/numbers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  xval::NumberScanOptions options;
  options.mode = (flags & 1) ? xval::NumberMode::kPaper : xval::NumberMode::kStandard;
  xval::NumberGrammar& g = options.grammar;
  g.plus_sign = flags & 2;
  g.leading_dot = flags & 4;
  g.trailing_dot = flags & 8;
  g.group_separators = flags & 16;
  g.unicode_digits = flags & 32;
  g.binary_minus_as_sign = flags & 64;
  g.exponent = !(flags & 128);
  std::vector<xval::NumberSpan> spans;
  FUZZ_CHECK(xval::FindNumbers(text, options, &spans).ok());
  uint32_t last = 0;
  for (const xval::NumberSpan& s : spans) {
    FUZZ_CHECK(last <= s.begin && s.begin < s.end && s.end <= text.size());
    last = s.end;
    const std::string number = text.substr(s.begin, s.end - s.begin);
    absl::StatusOr<xval::ParsedNumber> p = xval::ParseNumber(number);
    FUZZ_CHECK(p.ok());
    FUZZ_CHECK(!std::isnan(p->value) && !std::isnan(p->value32));
    FUZZ_CHECK(std::isfinite(p->value) || p->overflow);
    FUZZ_CHECK(std::isfinite(p->value32) || p->overflow32);
    (void)xval::RoundTripsThroughFloat32(number);
  }
  // The parser on arbitrary text: an error or a value, never a crash.
  (void)xval::ParseNumber(text);
  return 0;
}
