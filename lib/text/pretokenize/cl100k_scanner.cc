// tiktoken's cl100k_base pattern as a hand-written scanner:
//   '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|
//   \s++$|\s*[\r\n]|\s+(?!\S)|\s
// At each position the first alternative that matches wins (leftmost-first, as in the regex).
// Llama 3's pattern has \s*[\r\n]+ where this has \s++$|\s*[\r\n]: the same pieces, but for
// whitespace that ends the text with a newline inside, which cl100k keeps whole and Llama 3 cuts
// after the last newline. Qwen2's is Llama 3's with \p{N} for \p{N}{1,3}: single digits.
// ASCII text goes 64 bytes at a time through the block path (block_cuts.cc); this scanner
// takes each piece the blocks leave undecided.
#include "text/pretokenize/block_cuts.h"
#include "text/pretokenize/pretokenizer.h"
#include "text/pretokenize/scanner_cursor.h"

namespace xval::text {
namespace {

class Cl100kScanner : public PreTokenizer {
 public:
  Cl100kScanner(int max_digits, bool whole_final_space)
      : max_digits_(max_digits), whole_final_space_(whole_final_space) {}
  // Every alternative of the pattern matches from where the last piece ended, without looking
  // back, and none crosses a space that follows a letter or digit.
  bool CutsAtSpacedWords() const override { return true; }
  void Split(absl::string_view text, std::vector<uint32_t>* ends) const override {
    const ScanCursor cur(text, tables_);
    const size_t n = cur.size();
    auto emit = [ends](size_t end) { ends->push_back(static_cast<uint32_t>(end)); };
    // ` ?[^\s\p{L}\p{N}]++[\r\n]*+` from the first punctuation character.
    auto punct_run = [&](size_t pos) {
      pos = cur.Run<kAPunct>(pos, kPunctBits);
      while (pos < n && IsCrLf(cur.byte(pos))) ++pos;
      return pos;
    };
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    size_t pos = 0;
    size_t blocks_from = 0;  // where the 64-byte block path may take over again
    while (pos < n) {
      CutBlocksFrom(max_digits_ == 1 ? BlockRules::kQwen2 : BlockRules::kCl100k, bytes, n, &pos,
                    &blocks_from, ends);
      if (pos >= n) break;
      // ASCII first: one flag load picks the alternative, and runs are byte loops that turn
      // to the Unicode path only at a non-ASCII byte.
      const uint8_t f = cur.Flags(pos);
      if (f & kASpace) {
        // The common case, one space before an ASCII non-space, is what SpaceAt does for it:
        // the space prefixes a word or a punctuation run, or stands alone before a digit.
        const uint8_t g = cur.Flags(pos + 1);
        if (cur.byte(pos) != ' ' || !(g & (kALetter | kADigit | kAPunct))) {
          pos = SpaceAt(cur, pos, ends, punct_run);
          continue;
        }
        if (g & kALetter) {
          pos = cur.Run<kALetter>(pos + 2, kLetterBits);
        } else if (g & kAPunct) {
          pos = punct_run(pos + 1);
        } else {
          pos = pos + 1;
        }
      } else if (f & kALetter) {
        pos = cur.Run<kALetter>(pos + 1, kLetterBits);
      } else if (f & kADigit) {
        pos = cur.Digits(pos, max_digits_);
      } else if (f & kAPunct) {
        if (cur.byte(pos) == '\'') {
          const size_t end = cur.Contraction(pos, /*fold=*/true);
          if (end != pos) {
            emit(end);
            pos = end;
            continue;
          }
        }
        // [^\r\n\p{L}\p{N}]?+\p{L}++ with the character as prefix, else the punctuation run.
        const uint8_t g = cur.Flags(pos + 1);
        if (g & kALetter) {
          pos = cur.Run<kALetter>(pos + 2, kLetterBits);
        } else if ((g & kANonAscii) && (cur.BitAt(pos + 1) & kLetterBits)) {
          pos = cur.RunWhile(pos + 1, kLetterBits);
        } else {
          pos = punct_run(pos);
        }
      } else {
        const ScannedChar c = cur.At(pos);
        const uint32_t bit = 1u << c.cls;
        if (bit & kLetterBits) {
          pos = cur.RunWhile(pos + c.len, kLetterBits);
        } else if (bit & Bit(kNumber)) {
          pos = cur.NumberRun(pos, max_digits_);
        } else if (bit & kPunctBits) {
          const size_t next = pos + c.len;
          pos = (cur.BitAt(next) & kLetterBits) ? cur.RunWhile(next, kLetterBits) : punct_run(pos);
        } else {
          pos = SpaceAt(cur, pos, ends, punct_run);
          continue;
        }
      }
      emit(pos);
    }
  }

 private:
  // Whitespace at pos: emits its pieces up to where the next non-space piece starts (or the
  // end of a piece that took the following word) and returns that position.
  template <typename PunctRun>
  size_t SpaceAt(const ScanCursor& cur, size_t pos, std::vector<uint32_t>* ends,
                 const PunctRun& punct_run) const {
    const size_t n = cur.size();
    const ScanCursor::SpaceRun run = cur.Spaces(pos);
    if (run.end == n) {  // \s++$; Llama 3: \s*[\r\n]+ to the last newline, then \s+(?!\S)
      if (!whole_final_space_ && run.newline_end > pos && run.newline_end < n) {
        ends->push_back(static_cast<uint32_t>(run.newline_end));
      }
      ends->push_back(static_cast<uint32_t>(n));
      return n;
    }
    while (pos < run.end) {
      if (pos == run.last_start) {
        // One whitespace character, then a non-space: as the prefix of a word, the space of a
        // punctuation run, or alone (\s*[\r\n] or \s).
        const unsigned char b = cur.byte(pos);
        const uint32_t next = cur.BitAt(run.end);
        size_t end = run.end;
        if (!IsCrLf(b) && (next & kLetterBits)) {
          end = cur.Run<kALetter>(run.end, kLetterBits);
        } else if (b == ' ' && (next & kPunctBits)) {
          end = punct_run(run.end);
        }
        ends->push_back(static_cast<uint32_t>(end));
        return end;
      }
      // \s*[\r\n]: up to the last newline of the run; else \s+(?!\S): all but the last.
      pos = run.newline_end > pos ? run.newline_end : run.last_start;
      ends->push_back(static_cast<uint32_t>(pos));
    }
    return pos;
  }

  const int max_digits_;          // the longest number piece, in characters
  const bool whole_final_space_;  // cl100k's \s++$
  const ScanTables tables_{};
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeCl100kScanner() {
  return std::make_unique<Cl100kScanner>(3, true);
}
std::unique_ptr<PreTokenizer> MakeLlama3Scanner() {
  return std::make_unique<Cl100kScanner>(3, false);
}
std::unique_ptr<PreTokenizer> MakeQwen2Scanner() {
  return std::make_unique<Cl100kScanner>(1, false);
}

}  // namespace xval::text
