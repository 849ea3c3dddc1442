// The Nd table (unicode_digits_data.inc) and the lead bytes derived from it.
#include "text/numbers/unicode_digits.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <string>

#include "util/utf8.h"

namespace xval::text {
namespace {

constexpr char32_t kZeros[] = {
#include "text/numbers/unicode_digits_data.inc"
};

// Lead bytes of the UTF-8 forms of every non-ASCII Nd digit, computed once from kZeros.
std::array<bool, 256> MakeLeads() {
  std::array<bool, 256> leads{};
  for (char32_t zero : kZeros) {
    if (zero < 0x80) continue;
    for (char32_t c = zero; c < zero + 10; ++c) {
      std::string utf8;
      util::AppendUtf8(c, &utf8);
      leads[static_cast<unsigned char>(utf8[0])] = true;
    }
  }
  return leads;
}

const std::array<bool, 256>& Leads() {
  static const std::array<bool, 256> leads = MakeLeads();
  return leads;
}

}  // namespace

bool IsNonAsciiDigitLead(unsigned char byte) { return Leads()[byte]; }

char32_t UnicodeDigitZero(char32_t c) {
  const char32_t* it = std::upper_bound(std::begin(kZeros), std::end(kZeros), c);
  if (it == std::begin(kZeros)) return 0;
  const char32_t zero = *(it - 1);
  return c - zero < 10 ? zero : 0;
}

DigitAt ReadUnicodeDigit(const char* s, size_t n) {
  size_t len = 1;
  const char32_t c = util::DecodeUtf8(s, n, &len);
  if (c == util::kReplacementChar) return DigitAt{};
  const char32_t zero = UnicodeDigitZero(c);
  if (zero == 0) return DigitAt{};
  return DigitAt{static_cast<int>(c - zero), zero, static_cast<uint32_t>(len)};
}

}  // namespace xval::text
