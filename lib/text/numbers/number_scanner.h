// The hand-written number scanners behind xval::FindNumbers: the standard grammar
// (standard_scanner.cc) and the xVal reference regex (paper_scanner.cc). Both make one pass
// with a byte-table skip to the next byte that can start a number. The standard grammar with
// its default shape (ASCII digits, no groups, no dots at the edges) goes through the SIMD block
// scanner instead (block_scanner.cc), which finds the same numbers.
#ifndef XVAL_TEXT_NUMBERS_NUMBER_SCANNER_H_
#define XVAL_TEXT_NUMBERS_NUMBER_SCANNER_H_

#include <array>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "xval/numbers.h"

namespace xval::text {

// The xVal reference code's sample.replace(" ", ""), which paper mode applies before it looks
// for numbers: `text` without its spaces into `compact`, and into `to_text` the byte of `text`
// each byte of `compact` came from, then text.size(). Both are cleared first.
void DeleteSpaces(absl::string_view text, std::string* compact, std::vector<uint32_t>* to_text);

// InvalidArgument for options the scanner cannot honour (a group separator that is a digit...).
absl::Status ValidateScanOptions(const NumberScanOptions& options);

// Construct with options that ValidateScanOptions accepts.
class NumberScanner {
 public:
  explicit NumberScanner(const NumberScanOptions& options);

  // Appends the numbers of `text` (under 4 GiB) to `out`, offsets plus `base`.
  void Scan(absl::string_view text, uint32_t base, std::vector<NumberSpan>* out) const {
    if (options_.mode == NumberMode::kPaper) {
      ScanPaper(text, base, out);
    } else {
      ScanStandard(text, base, out, /*blocks=*/true);
    }
  }

  // As Scan, but the standard grammar always byte at a time: the reference that the block
  // scanner is tested against.
  void ByteAtATimeForTest(absl::string_view text, uint32_t base,
                          std::vector<NumberSpan>* out) const {
    if (options_.mode == NumberMode::kPaper) {
      ScanPaper(text, base, out);
    } else {
      ScanStandard(text, base, out, /*blocks=*/false);
    }
  }

  const NumberScanOptions& options() const { return options_; }

 private:
  void ScanStandard(absl::string_view text, uint32_t base, std::vector<NumberSpan>* out,
                    bool blocks) const;
  void ScanPaper(absl::string_view text, uint32_t base, std::vector<NumberSpan>* out) const;
  // Standard grammar: the end of the number whose mantissa starts at `pos` (after any sign),
  // or kNoMatch; *skip_to is then where scanning resumes (past the digits looked at).
  static constexpr size_t kNoMatch = ~size_t{0};
  size_t MatchStandard(absl::string_view text, size_t pos, size_t* skip_to) const;

  // The first byte at or after pos that can start a number (n when none): eight bytes at a
  // time (SWAR, exact per byte), then the table.
  size_t SkipToStart(const unsigned char* s, size_t pos, size_t n) const;

  NumberScanOptions options_;
  bool unicode_ = false;  // digits of any script
  bool ascii_fast_ = false;  // standard grammar without scripts, groups or edge dots
  uint64_t extra_byte1_ = 0, extra_byte2_ = 0;  // '+' and '.' (broadcast) when they can start
  // Bytes that can start a number (digits, signs, '.', non-ASCII digit leads): the fast skip.
  std::array<bool, 256> start_{};
};

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_NUMBER_SCANNER_H_
