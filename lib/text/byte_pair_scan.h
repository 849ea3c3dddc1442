// Where the next of a few two-byte pairs starts in a text, a Highway vector at a time: the
// added-token matcher's search for the start of a special token ("<|" for tiktoken's and
// Llama 3's), whose first byte alone ('<') math text holds thousands of times per megabyte;
// searching for that byte stopped at each one.
#ifndef XVAL_TEXT_BYTE_PAIR_SCAN_H_
#define XVAL_TEXT_BYTE_PAIR_SCAN_H_

#include <cstddef>
#include <cstdint>

namespace xval::text {

struct BytePairs {
  static constexpr size_t kMax = 4;
  unsigned char first[kMax] = {};
  unsigned char second[kMax] = {};
  size_t count = 0;  // 1..kMax
};

// The first i in [from, n - 1) with (s[i], s[i + 1]) one of `pairs`, or n when there is none.
size_t FindBytePair(const unsigned char* s, size_t n, size_t from, const BytePairs& pairs);

}  // namespace xval::text

#endif  // XVAL_TEXT_BYTE_PAIR_SCAN_H_
