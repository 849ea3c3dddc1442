// tiktoken's r50k/gpt2 pattern as a hand-written scanner:
//   '(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s
// At each position the first alternative that matches wins (leftmost-first, as in the regex).
#include "text/pretokenize/pretokenizer.h"
#include "text/pretokenize/scanner_cursor.h"

namespace xval::text {
namespace {

class Gpt2Scanner : public PreTokenizer {
 public:
  // Every alternative of the pattern matches from where the last piece ended, without looking
  // back, and none crosses a space that follows a letter or digit.
  bool CutsAtSpacedWords() const override { return true; }
  void Split(absl::string_view text, std::vector<uint32_t>* ends) const override {
    const ScanCursor cur(text, tables_);
    const size_t n = cur.size();
    auto emit = [ends](size_t end) { ends->push_back(static_cast<uint32_t>(end)); };
    // ` ?\p{L}++`, ` ?\p{N}++` and ` ?[^\s\p{L}\p{N}]++` after the optional space: the run of
    // the class of the character at pos (a non-space), by its ASCII flags when it has them.
    auto class_run = [&](size_t pos) {
      const uint8_t f = cur.Flags(pos);
      if (f & kALetter) return cur.Run<kALetter>(pos + 1, kLetterBits);
      if (f & kADigit) return cur.Run<kADigit>(pos + 1, Bit(kNumber));
      if (f & kAPunct) return cur.Run<kAPunct>(pos + 1, kPunctBits);
      const uint32_t bit = cur.BitAt(pos);
      if (bit & kLetterBits) return cur.RunWhile(pos, kLetterBits);
      if (bit & Bit(kNumber)) return cur.RunWhile(pos, Bit(kNumber));
      return cur.RunWhile(pos, kPunctBits);
    };
    size_t pos = 0;
    while (pos < n) {
      const unsigned char b = cur.byte(pos);
      if (b == '\'') {
        const size_t end = cur.Contraction(pos, /*fold=*/false);
        if (end != pos) {
          emit(end);
          pos = end;
          continue;
        }
      }
      const uint8_t f = cur.Flags(pos);
      if (!(f & kASpace) && ((f & kANonAscii) == 0 || !(cur.BitAt(pos) & Bit(kSpace)))) {
        pos = class_run(pos);
        emit(pos);
        continue;
      }
      if (b == ' ' && (cur.Flags(pos + 1) & (kALetter | kADigit | kAPunct))) {
        pos = class_run(pos + 1);  // the common case: " ?X" after one space
        emit(pos);
        continue;
      }
      const ScanCursor::SpaceRun run = cur.Spaces(pos);
      if (run.end == n) {  // \s++$
        emit(n);
        pos = n;
        continue;
      }
      // \s+(?!\S): all but the last whitespace character, which a non-space follows.
      if (run.last_start > pos) emit(run.last_start);
      pos = run.last_start;
      if (cur.byte(pos) == ' ') {
        pos = class_run(pos + 1);  // " ?X" with its space
      } else {
        pos = run.end;  // \s
      }
      emit(pos);
    }
  }

 private:
  const ScanTables tables_{};
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeGpt2Scanner() { return std::make_unique<Gpt2Scanner>(); }

}  // namespace xval::text
