// UTF-8 from code points stored in arrays of 1, 2 or 4 bytes each: the three forms CPython keeps
// a str in (Latin-1, UCS-2 without surrogate pairs, UCS-4), so that the Python package reads a
// str's UTF-8 bytes without CPython's one-character-at-a-time encoder. Runs of ASCII go a vector
// at a time (utf8_encode.cc); the rest character by character. Dispatched at run time with
// Highway.
#ifndef XVAL_TEXT_UTF8_ENCODE_H_
#define XVAL_TEXT_UTF8_ENCODE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xval::text {

// The most bytes `n` code points of `bytes_per_unit` (1, 2 or 4) bytes each can take in UTF-8.
inline size_t MaxUtf8Bytes(size_t n, int bytes_per_unit) {
  return n * (bytes_per_unit == 1 ? 2 : bytes_per_unit == 2 ? 3 : 4);
}

// Writes the UTF-8 form of in[0, n) to `out` (room for MaxUtf8Bytes) and sets *written to its
// length. Returns false, with *written unset, when a code point has no UTF-8 form: a surrogate
// (U+D800..U+DFFF, which a str may hold alone) or one above U+10FFFF; str.encode("utf-8")
// raises then.
bool EncodeUtf8(const uint8_t* in, size_t n, char* out, size_t* written);
bool EncodeUtf8(const uint16_t* in, size_t n, char* out, size_t* written);
bool EncodeUtf8(const uint32_t* in, size_t n, char* out, size_t* written);

// The bytes EncodeUtf8 writes for in[0, n) when it succeeds (a code point it refuses is counted
// as if it had a form: EncodeUtf8 reports it). Lets several threads encode stretches of one
// text, each in its place.
size_t Utf8Length(const uint8_t* in, size_t n);
size_t Utf8Length(const uint16_t* in, size_t n);
size_t Utf8Length(const uint32_t* in, size_t n);

// For tests: the name of the Highway target in use (util/highway_targets.h lists and pins them).
const char* Utf8EncodeTargetName();

}  // namespace xval::text

#endif  // XVAL_TEXT_UTF8_ENCODE_H_
