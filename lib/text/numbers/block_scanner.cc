// ScanAsciiBlocks: the standard grammar on ASCII digits, 64 bytes at a time.
//
// The byte-at-a-time scanner pays a few mispredicted branches per number (where a digit run
// ends, whether a fraction or exponent follows, whether a digit sits inside a word); on math
// text, with a number every ~22 bytes, those dominate. Here each 64-byte block is classified
// with SIMD compares into one bit mask per byte class (digit, word byte, '.', 'e'/'E', '-',
// '+'; bit i is byte i), and then:
//  - a digit may start a number unless the byte before it is a word byte, or a '.' after a
//    word byte (the grammar's "not inside a word"): digit & ~inside_word, for all 64 at once;
//  - a sign may start one when a digit follows it (and, for '+', not inside a word); whether a
//    '-' is a sign looks at one byte before it, checked per candidate;
//  - the end of a digit run from bit x is x + ctz(~digit >> x), so a number's end (digits,
//    then a fraction if '.' and a digit follow, then a whole exponent) is three such steps
//    with conditional moves instead of byte loops.
// Candidates are taken lowest first; a number clears the candidates it covers. A number whose
// end the block cannot tell (it runs to within two bytes of the block's end) is finished byte
// by byte and the next block starts after it. Blocks are loaded unaligned at any offset; the
// last partial block is copied into a zero-filled buffer (zero is in no class).
//
// Structure follows Highway's skeleton example: this file is compiled once per target through
// foreach_target.h, and ScanAsciiBlocks dispatches at run time.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "text/numbers/block_scanner.cc"
#include "text/numbers/block_scanner.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "text/mask_bits-inl.h"

#ifndef XVAL_TEXT_NUMBERS_BLOCK_SCANNER_ONCE_
#define XVAL_TEXT_NUMBERS_BLOCK_SCANNER_ONCE_
namespace xval::text::block_internal {

// The classes of the 64 bytes of one block: bit i is byte i.
struct BlockMasks {
  uint64_t digit = 0, word = 0, dot = 0, e = 0, minus = 0, plus = 0;
};

inline bool IsDigit(unsigned char c) { return static_cast<unsigned char>(c - '0') < 10; }

inline bool IsWordByte(unsigned char c) {
  return IsDigit(c) || static_cast<unsigned char>((c | 0x20) - 'a') < 26 || c == '_';
}

// As in standard_scanner.cc: after these a '-' is a binary minus, not a sign.
inline bool EndsOperand(unsigned char c) {
  return IsWordByte(c) || c == ')' || c == ']' || c == '}' || c == '.' || c == '%' ||
         c == '\'' || c == '"';
}

// The end of the number whose mantissa starts at digit m, byte by byte (for numbers that run
// past their block): digits, a fraction when '.' and a digit follow, a whole exponent.
inline size_t ScalarEnd(const unsigned char* s, size_t m, size_t n, bool exponent) {
  size_t i = m;
  while (i < n && IsDigit(s[i])) ++i;
  if (i + 1 < n && s[i] == '.' && IsDigit(s[i + 1])) {
    i += 2;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (exponent && i + 1 < n && (s[i] | 0x20) == 'e') {
    size_t j = i + 1;
    if (s[j] == '+' || s[j] == '-') ++j;
    if (j < n && IsDigit(s[j])) {
      i = j + 1;
      while (i < n && IsDigit(s[i])) ++i;
    }
  }
  return i;
}

// The numbers starting in the block at text offset w whose masks are k; returns where the
// next block starts (w + 64, or past a number that ran beyond this block).
// Always inlined into each target's loop (it is outside the per-target namespace, and a call
// per block would cost more than the block's arithmetic).
__attribute__((always_inline)) inline size_t ScanBlock(const unsigned char* s, size_t n,
                                                       size_t w, const BlockMasks& k,
                                                       uint32_t base, const AsciiGrammar& g,
                                                       std::vector<NumberSpan>* out) {
  constexpr uint64_t kOne = 1;
  // Context from before the block: is byte w-1 a word byte, or a '.' after one.
  const uint64_t prev_word = w > 0 && IsWordByte(s[w - 1]);
  const uint64_t prev_dot_after_word = w > 1 && s[w - 1] == '.' && IsWordByte(s[w - 2]);
  const uint64_t next_digit = w + 64 < n && IsDigit(s[w + 64]);
  const uint64_t word_before = (k.word << 1) | prev_word;  // bit i: byte i-1 is a word byte
  const uint64_t inside_word = word_before | ((k.dot & word_before) << 1) | prev_dot_after_word;
  const uint64_t digit_next = (k.digit >> 1) | (next_digit << 63);  // bit i: byte i+1 a digit
  uint64_t candidates = (k.digit & ~inside_word) | (k.minus & digit_next);
  if (g.plus_sign) candidates |= k.plus & digit_next & ~inside_word;
  const uint64_t sign = k.minus | k.plus;
  // Bit 63 counts as a non-digit so that every run ends inside the block; an end found at
  // bit 62 or 63 may be wrong, and those numbers are finished byte by byte.
  const uint64_t non_digit = ~k.digit | (kOne << 63);
  auto run_end = [non_digit](unsigned x) {
    return x + static_cast<unsigned>(__builtin_ctzll(non_digit >> x));
  };
  while (candidates != 0) {
    const unsigned p = static_cast<unsigned>(__builtin_ctzll(candidates));
    if (((k.minus >> p) & 1) && !g.binary_minus_as_sign && w + p > 0 &&
        EndsOperand(s[w + p - 1])) {
      candidates &= candidates - 1;  // a binary minus; the digit after it is a candidate
      continue;
    }
    const unsigned m = p + static_cast<unsigned>((sign >> p) & 1);  // the mantissa
    unsigned end = 64;  // not known within the block
    if (m < 62) {
      const unsigned int_end = run_end(m);
      if (int_end < 62) {
        const bool fraction = (k.dot >> int_end) & (k.digit >> (int_end + 1)) & 1;
        const unsigned frac_end = fraction ? run_end(int_end + 1) : int_end;
        if (frac_end < 62) {
          unsigned exp_end = frac_end;
          if (g.exponent) {
            const unsigned at = frac_end + 1 + static_cast<unsigned>((sign >> (frac_end + 1)) & 1);
            const bool exponent = (k.e >> frac_end) & (k.digit >> at) & 1;
            exp_end = exponent ? run_end(at) : frac_end;
          }
          if (exp_end < 62) end = exp_end;
        }
      }
    }
    if (end < 62) {
      out->push_back(NumberSpan{base + static_cast<uint32_t>(w + p),
                                base + static_cast<uint32_t>(w + end)});
      candidates &= ~uint64_t{0} << end;
      continue;
    }
    const size_t text_end = ScalarEnd(s, w + m, n, g.exponent);
    out->push_back(
        NumberSpan{base + static_cast<uint32_t>(w + p), base + static_cast<uint32_t>(text_end)});
    if (text_end >= w + 64) return text_end;
    candidates &= ~uint64_t{0} << (text_end - w);
  }
  return w + 64;
}

}  // namespace xval::text::block_internal
#endif  // XVAL_TEXT_NUMBERS_BLOCK_SCANNER_ONCE_

HWY_BEFORE_NAMESPACE();
namespace xval::text {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using block_internal::BlockMasks;

// The masks of the 64 bytes at p.
HWY_INLINE void Classify(const unsigned char* p, BlockMasks* k) {
#if HWY_TARGET == HWY_SCALAR
  // One lane: no mask bits to pack; classify byte by byte.
  *k = BlockMasks{};
  for (unsigned i = 0; i < 64; ++i) {
    const unsigned char c = p[i];
    const uint64_t bit = uint64_t{1} << i;
    if (block_internal::IsDigit(c)) k->digit |= bit;
    if (block_internal::IsWordByte(c)) k->word |= bit;
    if (c == '.') k->dot |= bit;
    if ((c | 0x20) == 'e') k->e |= bit;
    if (c == '-') k->minus |= bit;
    if (c == '+') k->plus |= bit;
  }
#else
  const hn::CappedTag<uint8_t, 64> d;  // 16, 32 or 64 lanes; StoreMaskBits packs 8 per byte
  const size_t lanes = hn::Lanes(d);
  *k = BlockMasks{};
  const auto zero = hn::Set(d, uint8_t{'0'});
  const auto ten = hn::Set(d, uint8_t{10});
  const auto a = hn::Set(d, uint8_t{'a'});
  const auto letters = hn::Set(d, uint8_t{26});
  const auto case_bit = hn::Set(d, uint8_t{0x20});
  for (size_t i = 0; i < 64; i += lanes) {
    const auto v = hn::LoadU(d, p + i);
    const auto lower = hn::Or(v, case_bit);
    const auto digit = hn::Lt(hn::Sub(v, zero), ten);
    const auto alpha = hn::Lt(hn::Sub(lower, a), letters);
    const auto word = hn::Or(hn::Or(digit, alpha), hn::Eq(v, hn::Set(d, uint8_t{'_'})));
    k->digit |= MaskBits(d, digit) << i;
    k->word |= MaskBits(d, word) << i;
    k->dot |= MaskBits(d, hn::Eq(v, hn::Set(d, uint8_t{'.'}))) << i;
    k->e |= MaskBits(d, hn::Eq(lower, hn::Set(d, uint8_t{'e'}))) << i;
    k->minus |= MaskBits(d, hn::Eq(v, hn::Set(d, uint8_t{'-'}))) << i;
    k->plus |= MaskBits(d, hn::Eq(v, hn::Set(d, uint8_t{'+'}))) << i;
  }
#endif
}

void ScanBlocks(const unsigned char* s, size_t n, uint32_t base, const AsciiGrammar& grammar,
                std::vector<NumberSpan>* out) {
  const AsciiGrammar g = grammar;  // a copy the compiler may keep in registers
  BlockMasks k;
  size_t w = 0;
  for (; w + 64 <= n;) {
    Classify(s + w, &k);
    w = block_internal::ScanBlock(s, n, w, k, base, g, out);
  }
  if (w == n) return;
  if (n >= 64) {
    // The last 64 bytes of the text, shifted so that bit 0 is byte w; bits past the end are 0.
    Classify(s + n - 64, &k);
    const unsigned shift = static_cast<unsigned>(w + 64 - n);  // 1..63
    for (uint64_t* mask : {&k.digit, &k.word, &k.dot, &k.e, &k.minus, &k.plus}) *mask >>= shift;
  } else {
    // A short text: copied into a zero-filled block (zero is in no class).
    alignas(64) unsigned char tail[64] = {};
    std::memcpy(tail, s + w, n - w);
    Classify(tail, &k);
  }
  block_internal::ScanBlock(s, n, w, k, base, g, out);
}

const char* TargetNameForBlocks() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace xval::text
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::text {

HWY_EXPORT(ScanBlocks);
HWY_EXPORT(TargetNameForBlocks);

void ScanAsciiBlocks(absl::string_view text, uint32_t base, const AsciiGrammar& grammar,
                     std::vector<NumberSpan>* out) {
  HWY_DYNAMIC_DISPATCH(ScanBlocks)
  (reinterpret_cast<const unsigned char*>(text.data()), text.size(), base, grammar, out);
}

const char* BlockScannerTargetName() { return HWY_DYNAMIC_DISPATCH(TargetNameForBlocks)(); }

}  // namespace xval::text
#endif  // HWY_ONCE
