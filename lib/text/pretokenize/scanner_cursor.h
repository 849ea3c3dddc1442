// Character-level helpers shared by the hand-written pattern scanners: class tests with an
// ASCII fast path, runs of a class set, whitespace runs and the contraction suffixes.
#ifndef XVAL_TEXT_PRETOKENIZE_SCANNER_CURSOR_H_
#define XVAL_TEXT_PRETOKENIZE_SCANNER_CURSOR_H_

#include <cstddef>
#include <cstdint>

#include "absl/numeric/bits.h"
#include "absl/strings/string_view.h"
#include "text/pretokenize/ascii_swar.h"
#include "text/pretokenize/unicode_classes.h"

namespace xval::text {

// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls, invalid bytes.
inline constexpr uint32_t kPunctBits = Bit(kOther) | Bit(kMark);

// Flags of one byte for the ASCII fast paths. Most text is ASCII, where a character's class is
// one load from a 256-entry table and a run of a class is a tight loop over bytes; the scanners
// go to the Unicode path (ScanChar) only at a byte >= 0x80, which has kANonAscii alone.
enum AsciiFlag : uint8_t {
  kALetter = 1,     // in kLetterBits (A-Z, a-z)
  kAUpper = 2,      // in kUpperBits (o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]: A-Z)
  kALower = 4,      // in kLowerBits (o200k's [\p{Ll}\p{Lm}\p{Lo}\p{M}]: a-z)
  kADigit = 8,      // kNumber (0-9)
  kASpace = 16,     // kSpace
  kAPunct = 32,     // in kPunctBits: `[^\s\p{L}\p{N}]`
  kANonAscii = 64,  // a byte >= 0x80: the Unicode path decides
  kACrLf = 128,     // \r or \n
};
// The flags of every byte, derived from UnicodeClassTable() so that an ASCII flag and its
// class set can never disagree.
const uint8_t* AsciiFlagTable();

// The SWAR class mask (ascii_swar.h) of an AsciiFlag.
template <uint8_t kFlag>
inline uint64_t SwarClass(uint64_t w) {
  static_assert(kFlag == kALetter || kFlag == kAUpper || kFlag == kALower || kFlag == kADigit);
  if constexpr (kFlag == kALetter) return swar::Letter(w);
  if constexpr (kFlag == kAUpper) return swar::Upper(w);
  if constexpr (kFlag == kALower) return swar::Lower(w);
  return swar::Digit(w);
}

// The two tables a cursor reads, looked up once by a scanner object rather than once per text
// (each lookup is a call and a thread-safe-static guard).
struct ScanTables {
  const uint8_t* classes = UnicodeClassTable();
  const uint8_t* flags = AsciiFlagTable();
};

class ScanCursor {
 public:
  explicit ScanCursor(absl::string_view text, const ScanTables& tables = ScanTables())
      : s_(reinterpret_cast<const unsigned char*>(text.data())),
        n_(text.size()),
        table_(tables.classes),
        flags_(tables.flags) {}

  size_t size() const { return n_; }
  unsigned char byte(size_t pos) const { return s_[pos]; }
  // The AsciiFlag set of the byte at pos; 0 at the end of the text.
  uint8_t Flags(size_t pos) const { return pos < n_ ? flags_[s_[pos]] : 0; }

  // The eight bytes from pos into *w (the byte at pos lowest), if the text has them.
  bool Load8(size_t pos, uint64_t* w) const {
    if (pos + 8 > n_) return false;
    *w = swar::Load8(s_ + pos);
    return true;
  }

  // The end of the run of bytes with kFlag from pos, eight bytes at a time (see ascii_swar.h).
  template <uint8_t kFlag>
  size_t Skip(size_t pos) const {
    if constexpr (kFlag == kAPunct) {
      // Punctuation runs are mostly one or two bytes, and an eight-byte mask of punctuation
      // takes some 40 instructions: a byte loop is cheaper.
      while (pos < n_ && (flags_[s_[pos]] & kFlag)) ++pos;
      return pos;
    } else {
      while (pos + 8 <= n_) {
        const uint64_t stop = ~SwarClass<kFlag>(swar::Load8(s_ + pos)) & swar::kHigh;
        if (stop != 0) return pos + (absl::countr_zero(stop) >> 3);
        pos += 8;
      }
      if (pos >= n_ || n_ < 8) {
        while (pos < n_ && (flags_[s_[pos]] & kFlag)) ++pos;
        return pos;
      }
      // The last 8 bytes of the text, shifted so that byte 0 is the one at pos; the zero
      // bytes shifted in stand beyond the end, so the run stops at n_ at the latest.
      const uint64_t w = swar::Load8(s_ + n_ - 8) >> (8 * (pos + 8 - n_));
      const uint64_t stop = ~SwarClass<kFlag>(w) & swar::kHigh;
      const size_t end = stop != 0 ? pos + (absl::countr_zero(stop) >> 3) : pos + 8;
      return end < n_ ? end : n_;
    }
  }
  // RunWhile(pos, mask) where kFlag marks the ASCII members of `mask`: the byte loop, then the
  // Unicode loop only if the run reaches a non-ASCII byte.
  template <uint8_t kFlag>
  size_t Run(size_t pos, uint32_t mask) const {
    pos = Skip<kFlag>(pos);
    if (pos < n_ && s_[pos] >= 0x80) pos = RunWhile(pos, mask);
    return pos;
  }
  // Up to `max` (at most 8) characters of class kNumber from pos, ASCII digits first. Only
  // the first `max` characters are looked at, so cutting a long digit run stays linear.
  size_t Digits(size_t pos, int max) const {
    size_t k = 0;
    if (pos + 8 <= n_) {
      const uint64_t stop = ~swar::Digit(swar::Load8(s_ + pos)) & swar::kHigh;
      k = stop != 0 ? absl::countr_zero(stop) >> 3 : 8;
      if (k > static_cast<size_t>(max)) k = max;
    } else {
      while (k < static_cast<size_t>(max) && pos + k < n_ && (flags_[s_[pos + k]] & kADigit)) ++k;
    }
    pos += k;
    const int left = max - static_cast<int>(k);
    if (left > 0 && pos < n_ && s_[pos] >= 0x80) pos = NumberRun(pos, left);
    return pos;
  }

  ScannedChar At(size_t pos) const { return ScanChar(table_, s_ + pos, n_ - pos); }
  // The class bit of the character at pos; 0 at the end of the text.
  uint32_t BitAt(size_t pos) const {
    if (pos >= n_) return 0;
    if (s_[pos] < 0x80) return 1u << table_[s_[pos]];
    return 1u << At(pos).cls;
  }

  // The end of the run of characters whose class is in `mask`, starting at pos.
  size_t RunWhile(size_t pos, uint32_t mask) const {
    while (pos < n_) {
      const unsigned char b = s_[pos];
      if (b < 0x80) {
        if (!((mask >> table_[b]) & 1)) break;
        ++pos;
      } else {
        const ScannedChar c = At(pos);
        if (!((mask >> c.cls) & 1)) break;
        pos += c.len;
      }
    }
    return pos;
  }

  // Up to `max` characters of class kNumber from pos.
  size_t NumberRun(size_t pos, int max) const {
    for (int i = 0; i < max && pos < n_; ++i) {
      const ScannedChar c = At(pos);
      if (c.cls != kNumber) break;
      pos += c.len;
    }
    return pos;
  }

  struct SpaceRun {
    size_t end;          // the first byte after the run
    size_t last_start;   // where the run's last character starts
    size_t newline_end;  // just after the run's last \r or \n; 0 when it has none
  };
  // The run of whitespace starting at pos (which must be whitespace).
  SpaceRun Spaces(size_t pos) const {
    SpaceRun run{pos, pos, 0};
    while (run.end < n_) {
      const unsigned char b = s_[run.end];
      size_t len = 1;
      if (b < 0x80) {
        if (table_[b] != kSpace) break;
        if (b == '\r' || b == '\n') run.newline_end = run.end + 1;
      } else {
        const ScannedChar c = At(run.end);
        if (c.cls != kSpace) break;
        len = c.len;
      }
      run.last_start = run.end;
      run.end += len;
    }
    return run;
  }

  // At `'`: the end of `'(?:[sdmt]|ll|ve|re)` (or its `(?i:...)` form when `fold`), or pos when
  // it does not match. Case-insensitive matching in tiktoken's engine also folds U+017F (ſ) to s.
  size_t Contraction(size_t pos, bool fold) const {
    if (pos >= n_ || s_[pos] != '\'' || pos + 1 >= n_) return pos;
    const unsigned char lower = fold ? 0x20 : 0;
    const unsigned char a = s_[pos + 1] | lower;
    if (a == 's' || a == 'd' || a == 'm' || a == 't') return pos + 2;
    if (fold && s_[pos + 1] == 0xC5 && pos + 2 < n_ && s_[pos + 2] == 0xBF) return pos + 3;
    if (pos + 2 >= n_) return pos;
    const unsigned char b = s_[pos + 2] | lower;
    if ((a == 'l' && b == 'l') || (a == 'v' && b == 'e') || (a == 'r' && b == 'e')) {
      return pos + 3;
    }
    return pos;
  }

 private:
  const unsigned char* s_;
  size_t n_;
  const uint8_t* table_;
  const uint8_t* flags_;
};

inline bool IsCrLf(unsigned char b) { return b == '\r' || b == '\n'; }

}  // namespace xval::text

#endif  // XVAL_TEXT_PRETOKENIZE_SCANNER_CURSOR_H_
