// The standard grammar on ASCII text (no Unicode digits, no digit groups, no dots at the edges:
// the default options) found 64 bytes at a time: SIMD classifies each block into bit masks and
// numbers are read off the masks with bit arithmetic (block_scanner.cc). The result is exactly
// that of NumberScanner's byte-at-a-time path, which the tests compare it with on every target.
#ifndef XVAL_TEXT_NUMBERS_BLOCK_SCANNER_H_
#define XVAL_TEXT_NUMBERS_BLOCK_SCANNER_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "xval/numbers.h"

namespace xval::text {

// The options of NumberGrammar that the block scanner honours; the rest must be off.
struct AsciiGrammar {
  bool plus_sign = false;
  bool exponent = true;
  bool binary_minus_as_sign = false;
};

// Appends the numbers of `text` (under 4 GiB) to `out`, offsets plus `base`.
void ScanAsciiBlocks(absl::string_view text, uint32_t base, const AsciiGrammar& grammar,
                     std::vector<NumberSpan>* out);

// For tests: the name of the Highway target ScanAsciiBlocks dispatches to now
// (util/highway_targets.h lists and pins them).
const char* BlockScannerTargetName();

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_BLOCK_SCANNER_H_
