// Character-level helpers shared by the hand-written pattern scanners: class tests with an
// ASCII fast path, runs of a class set, whitespace runs and the contraction suffixes.
#ifndef XVAL_TEXT_PRETOKENIZE_SCANNER_CURSOR_H_
#define XVAL_TEXT_PRETOKENIZE_SCANNER_CURSOR_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "text/pretokenize/unicode_classes.h"

namespace xval::text {

// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls, invalid bytes.
inline constexpr uint32_t kPunctBits = Bit(kOther) | Bit(kMark);

class ScanCursor {
 public:
  explicit ScanCursor(absl::string_view text)
      : s_(reinterpret_cast<const unsigned char*>(text.data())),
        n_(text.size()),
        table_(UnicodeClassTable()) {}

  size_t size() const { return n_; }
  unsigned char byte(size_t pos) const { return s_[pos]; }

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
};

inline bool IsCrLf(unsigned char b) { return b == '\r' || b == '\n'; }

}  // namespace xval::text

#endif  // XVAL_TEXT_PRETOKENIZE_SCANNER_CURSOR_H_
