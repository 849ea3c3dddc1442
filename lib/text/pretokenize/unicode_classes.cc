#include "text/pretokenize/unicode_classes.h"

#include <array>
#include <memory>

#include "text/pretokenize/scanner_cursor.h"

namespace xval::text {
namespace {

struct Range {
  char32_t first, last;
  uint8_t cls;
};

constexpr Range kRanges[] = {
#include "text/pretokenize/unicode_classes_data.inc"
};

// A flat table (1.1 MB) rather than a two-level one: one load per character, and text in a
// given script touches only a few of its pages.
std::unique_ptr<uint8_t[]> BuildTable() {
  auto table = std::make_unique<uint8_t[]>(0x110000);
  for (char32_t c = 0; c < 0x110000; ++c) table[c] = kOther;
  for (const Range& r : kRanges) {
    for (char32_t c = r.first; c <= r.last; ++c) table[c] = r.cls;
  }
  return table;
}

}  // namespace

const uint8_t* UnicodeClassTable() {
  static const std::unique_ptr<uint8_t[]> table = BuildTable();
  return table.get();
}

const uint8_t* AsciiFlagTable() {
  static const std::array<uint8_t, 256> flags = [] {
    std::array<uint8_t, 256> f{};
    const uint8_t* table = UnicodeClassTable();
    for (int b = 0; b < 256; ++b) {
      if (b >= 0x80) {
        f[b] = kANonAscii;
        continue;
      }
      const uint32_t bit = 1u << table[b];
      f[b] = ((bit & kLetterBits) ? kALetter : 0) | ((bit & kUpperBits) ? kAUpper : 0) |
             ((bit & kLowerBits) ? kALower : 0) | ((bit & Bit(kNumber)) ? kADigit : 0) |
             ((bit & Bit(kSpace)) ? kASpace : 0) | ((bit & kPunctBits) ? kAPunct : 0) |
             ((b == '\r' || b == '\n') ? kACrLf : 0);
    }
    return f;
  }();
  return flags.data();
}

}  // namespace xval::text
