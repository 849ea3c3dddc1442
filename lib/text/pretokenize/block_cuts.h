// cl100k's and o200k's patterns (and Llama 3's and Qwen2's, which cut as cl100k's away from the
// end of the text) on ASCII text, 64 bytes at a time: SIMD classifies a block into one bit mask
// per byte class, and where pieces start is bit arithmetic on those masks (block_cuts.cc). The
// hand-written scanners (cl100k_scanner.cc, o200k_scanner.cc) call it and go on byte by byte
// where it stops; the tests compare them with PCRE2 on every Highway target.
#ifndef XVAL_TEXT_PRETOKENIZE_BLOCK_CUTS_H_
#define XVAL_TEXT_PRETOKENIZE_BLOCK_CUTS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xval::text {

enum class BlockRules {
  kCl100k,  // cl100k and Llama 3: digits in threes
  kQwen2,   // cl100k's with single digits
  kO200k,
};

// From `pos`, where a piece starts, appends to *ends the ends of the pieces that the blocks
// decide, and returns where the first undecided piece starts (pos when none is decided).
// *stop is set to a position the caller should scan byte by byte past before calling again: the
// first byte >= 0x80 (whose class the masks do not hold), or the end of a block the blocks
// could not cut (one piece of 64 bytes or more). Whitespace at the end of the text, where the
// cl100k family's patterns differ, is left to the caller.
size_t SplitAsciiBlocks(BlockRules rules, const unsigned char* s, size_t n, size_t pos,
                        std::vector<uint32_t>* ends, size_t* stop);

// The scanners' loop head: once *pos has passed *resume, the blocks cut from *pos (a piece
// start) and *resume is set past where they stopped: the stop byte, or 32 bytes further when
// they cut nothing (text in another script, or a piece of 64 bytes and more).
inline void CutBlocksFrom(BlockRules rules, const unsigned char* s, size_t n, size_t* pos,
                          size_t* resume, std::vector<uint32_t>* ends) {
  if (*pos < *resume) return;
  size_t stop = n;
  const size_t from = *pos;
  *pos = SplitAsciiBlocks(rules, s, n, *pos, ends, &stop);
  *resume = stop + (*pos == from ? 32 : 1);
}

// For tests: the name of the Highway target in use (util/highway_targets.h lists and pins them).
const char* BlockCutTargetName();

}  // namespace xval::text

#endif  // XVAL_TEXT_PRETOKENIZE_BLOCK_CUTS_H_
