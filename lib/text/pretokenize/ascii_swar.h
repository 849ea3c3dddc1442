// ASCII character classes of eight bytes at once (SWAR: SIMD within a 64-bit register), for
// the scanners' run loops. A byte loop ends each run with a mispredicted branch at a place
// that varies from word to word; with eight bytes classed at once, a run shorter than eight
// bytes (most words and numbers) ends with one count of trailing zeros and no data-dependent
// branch. Plain 64-bit arithmetic, so it needs no SIMD dispatch on baseline x86-64.
//
// Each mask has bit 7 of a byte set when that byte is in the class; bytes >= 0x80 are in none.
// The classes are fixed ASCII ranges that must equal AsciiFlagTable() (which derives them from
// the Unicode tables); tests/text/bytelevel_pretokenizer_test.cc checks every byte.
#ifndef XVAL_TEXT_PRETOKENIZE_ASCII_SWAR_H_
#define XVAL_TEXT_PRETOKENIZE_ASCII_SWAR_H_

#include <cstdint>
#include <cstring>

#include "absl/numeric/bits.h"

namespace xval::text::swar {

// Eight bytes from p, the first in the lowest byte whatever the machine's byte order.
inline uint64_t Load8(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  w = __builtin_bswap64(w);
#endif
  return w;
}

inline constexpr uint64_t kOnes = 0x0101010101010101ull;
inline constexpr uint64_t kHigh = 0x8080808080808080ull;  // bit 7 of every byte
inline constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;

// Bit 7 set in the bytes of w in [lo, hi] (ASCII bytes only). Adding 0x80 - lo to the low seven
// bits of a byte sets its bit 7 exactly when it is >= lo, and never carries into the next byte
// (0x7F + 0x80 - lo < 0x100 for lo >= 1).
inline constexpr uint64_t InRange(uint64_t w, uint8_t lo, uint8_t hi) {
  const uint64_t low7 = w & kLow7;
  const uint64_t ge_lo = low7 + (0x80 - lo) * kOnes;
  const uint64_t gt_hi = low7 + (0x80 - hi - 1) * kOnes;
  return ge_lo & ~gt_hi & ~w & kHigh;
}

inline constexpr uint64_t Upper(uint64_t w) { return InRange(w, 'A', 'Z'); }
inline constexpr uint64_t Lower(uint64_t w) { return InRange(w, 'a', 'z'); }
inline constexpr uint64_t Letter(uint64_t w) { return InRange(w | (0x20 * kOnes), 'a', 'z'); }
inline constexpr uint64_t Digit(uint64_t w) { return InRange(w, '0', '9'); }

}  // namespace xval::text::swar

#endif  // XVAL_TEXT_PRETOKENIZE_ASCII_SWAR_H_
