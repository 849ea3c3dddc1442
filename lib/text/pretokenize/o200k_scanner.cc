// tiktoken's o200k_base pattern as a hand-written scanner. Its alternatives, in order:
//   A  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...)?
//   B  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...)?
//   C  \p{N}{1,3}
//   D   ?[^\s\p{L}\p{N}]+[\r\n/]*
//   E  \s*[\r\n]+
//   F  \s+(?!\S)
//   G  \s+
// These are not possessive, so the order in which a backtracking engine tries them matters:
// A with its optional prefix, then A without it (which differs only when the prefix character
// is a mark, itself in both letter classes), then B likewise. ASCII text goes 64 bytes at a time
// through the block path (block_cuts.cc); this scanner takes each piece the blocks leave
// undecided.
#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "text/pretokenize/block_cuts.h"
#include "text/pretokenize/pretokenizer.h"
#include "text/pretokenize/scanner_cursor.h"

namespace xval::text {
namespace {

constexpr size_t kNoMatch = ~size_t{0};

class O200kScanner : public PreTokenizer {
 public:
  // Every alternative of the pattern matches from where the last piece ended, without looking
  // back, and none crosses a space that follows a letter or digit.
  bool CutsAtSpacedWords() const override { return true; }
  void Split(absl::string_view text, std::vector<uint32_t>* ends) const override {
    const ScanCursor cur(text, tables_);
    const size_t n = cur.size();
    auto emit = [ends](size_t end) { ends->push_back(static_cast<uint32_t>(end)); };
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    size_t pos = 0;
    size_t blocks_from = 0;  // where the 64-byte block path may take over again
    while (pos < n) {
      CutBlocksFrom(BlockRules::kO200k, bytes, n, &pos, &blocks_from, ends);
      if (pos >= n) break;
      // ASCII first: one flag load picks the alternative; the Unicode path below takes any
      // piece that starts at a non-ASCII byte.
      const uint8_t f = cur.Flags(pos);
      size_t end;
      if ((f & kASpace) && cur.byte(pos) == ' ' &&
          (cur.Flags(pos + 1) & (kALetter | kADigit | kAPunct))) {
        // The common case of SpaceAt, one space before an ASCII non-space: the prefix of a
        // word, the space of D, or G alone before a digit.
        const uint8_t g = cur.Flags(pos + 1);
        end = (g & kALetter)  ? AsciiWord(cur, pos + 1)
              : (g & kAPunct) ? PunctRun(cur, pos + 1)
                              : pos + 1;
      } else if (f & kALetter) {
        end = AsciiWord(cur, pos);
      } else if (f & kADigit) {
        end = cur.Digits(pos, 3);
      } else if (f & kAPunct) {
        // A or B with the character as prefix, else D.
        const uint8_t g = cur.Flags(pos + 1);
        if (g & kALetter) {
          end = AsciiWord(cur, pos + 1);
        } else if (g & kANonAscii) {
          end = MatchA(cur, pos + 1);
          if (end == kNoMatch) end = MatchB(cur, pos + 1);
          if (end == kNoMatch) end = PunctRun(cur, pos);
        } else {
          end = PunctRun(cur, pos);
        }
      } else {
        const ScannedChar c = cur.At(pos);
        const uint32_t bit = 1u << c.cls;
        if (bit & kLetterBits) {
          end = MatchA(cur, pos);
          if (end == kNoMatch) end = MatchB(cur, pos);
        } else if (bit & Bit(kNumber)) {
          end = cur.NumberRun(pos, 3);
        } else if (bit & kPunctBits) {
          const size_t next = pos + c.len;
          end = MatchA(cur, next);
          if (end == kNoMatch && c.cls == kMark) end = MatchA(cur, pos);
          if (end == kNoMatch) end = MatchB(cur, next);
          if (end == kNoMatch) end = PunctRun(cur, pos);
        } else {
          pos = SpaceAt(cur, pos, ends);
          continue;
        }
      }
      emit(end);
      pos = end;
    }
  }

 private:
  // A or B from s, an ASCII letter (so one of them matches). In ASCII, [upper] is A-Z and
  // [lower] is a-z: A matches when a lowercase run follows the uppercase run (which gives
  // nothing back, having no Lm/Lo/M), else B takes the uppercase run. A word that reaches a
  // non-ASCII byte goes to MatchA and MatchB.
  // Inlined: it is the path of most pieces; the rare cases are calls.
  ABSL_ATTRIBUTE_ALWAYS_INLINE static size_t AsciiWord(const ScanCursor& cur, size_t s) {
    size_t k = WordInEight(cur, s);
    if (ABSL_PREDICT_FALSE(k == kNoMatch)) k = LongAsciiWord(cur, s);
    const uint8_t f = cur.Flags(k);
    if (ABSL_PREDICT_FALSE(f & kANonAscii)) return UnicodeWord(cur, s);
    if (ABSL_PREDICT_FALSE(k < cur.size() && cur.byte(k) == '\'')) {
      return cur.Contraction(k, /*fold=*/true);
    }
    return k;
  }
  ABSL_ATTRIBUTE_NOINLINE static size_t LongAsciiWord(const ScanCursor& cur, size_t s) {
    return cur.Skip<kALower>(cur.Skip<kAUpper>(s));
  }
  ABSL_ATTRIBUTE_NOINLINE static size_t UnicodeWord(const ScanCursor& cur, size_t s) {
    const size_t end = MatchA(cur, s);
    return end != kNoMatch ? end : MatchB(cur, s);
  }

  // The end of [A-Z]*[a-z]* from s, from one load when the uppercase run ends within the eight
  // bytes at s (most words); else kNoMatch.
  ABSL_ATTRIBUTE_ALWAYS_INLINE static size_t WordInEight(const ScanCursor& cur, size_t s) {
    uint64_t w;
    if (!cur.Load8(s, &w)) return kNoMatch;
    const uint64_t not_upper = ~swar::Upper(w) & swar::kHigh;
    if (not_upper == 0) return kNoMatch;
    // Bit 8 * lane + 7 of the first lane that is not uppercase: keep the lanes from it on.
    const int j = absl::countr_zero(not_upper);
    const uint64_t not_lower = ~swar::Lower(w) & swar::kHigh & (~uint64_t{0} << (j - 7));
    // Lowercase from lane j to the last: the run goes on past the eight bytes.
    if (not_lower == 0) return cur.Skip<kALower>(s + 8);
    return s + (absl::countr_zero(not_lower) >> 3);
  }

  // A after its optional prefix, from s: the end of the match or kNoMatch.
  static size_t MatchA(const ScanCursor& cur, size_t s) {
    // [upper]* greedy, then [lower]+; on failure the engine gives back upper-run characters
    // one at a time, so the match ends after the last character of the run that is also in
    // [lower] (Lm, Lo, M).
    size_t j = s;
    size_t last_lower_end = kNoMatch;
    while (j < cur.size()) {
      const ScannedChar c = cur.At(j);
      const uint32_t bit = 1u << c.cls;
      if (!(bit & kUpperBits)) break;
      j += c.len;
      if (bit & kLowerBits) last_lower_end = j;
    }
    size_t end;
    if (cur.BitAt(j) & kLowerBits) {
      end = cur.RunWhile(j, kLowerBits);
    } else if (last_lower_end != kNoMatch) {
      end = last_lower_end;
    } else {
      return kNoMatch;
    }
    return cur.Contraction(end, /*fold=*/true);
  }

  // B after its optional prefix, from s.
  static size_t MatchB(const ScanCursor& cur, size_t s) {
    const size_t j = cur.RunWhile(s, kUpperBits);
    if (j == s) return kNoMatch;
    return cur.Contraction(cur.RunWhile(j, kLowerBits), /*fold=*/true);
  }

  // D from its first punctuation character.
  static size_t PunctRun(const ScanCursor& cur, size_t pos) {
    pos = cur.Run<kAPunct>(pos, kPunctBits);
    while (pos < cur.size() && (IsCrLf(cur.byte(pos)) || cur.byte(pos) == '/')) ++pos;
    return pos;
  }

  // Whitespace at pos: emits its pieces, and the piece that takes its last character as a
  // prefix if any, and returns where scanning goes on.
  static size_t SpaceAt(const ScanCursor& cur, size_t pos, std::vector<uint32_t>* ends) {
    const size_t n = cur.size();
    const ScanCursor::SpaceRun run = cur.Spaces(pos);
    while (pos < run.end) {
      if (pos == run.last_start && run.end < n) {
        // One whitespace character before a non-space: a prefix for A or B (unless \r or \n),
        // the space of D, or E / G alone.
        const unsigned char b = cur.byte(pos);
        size_t end = kNoMatch;
        if (!IsCrLf(b)) {
          end = MatchA(cur, run.end);
          if (end == kNoMatch) end = MatchB(cur, run.end);
        }
        if (end == kNoMatch && b == ' ' && (cur.BitAt(run.end) & kPunctBits)) {
          end = PunctRun(cur, run.end);
        }
        if (end == kNoMatch) end = run.end;
        ends->push_back(static_cast<uint32_t>(end));
        return end;
      }
      if (run.newline_end > pos) {
        pos = run.newline_end;  // E
      } else if (run.end == n) {
        pos = n;  // F at the end of the text
      } else {
        pos = run.last_start;  // F: all but the last
      }
      ends->push_back(static_cast<uint32_t>(pos));
    }
    return pos;
  }

  const ScanTables tables_{};
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeO200kScanner() { return std::make_unique<O200kScanner>(); }

}  // namespace xval::text
