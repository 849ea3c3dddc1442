// EncodeUtf8: code points (1, 2 or 4 bytes each) to UTF-8. A vector of code points that are all
// ASCII is narrowed to bytes and stored at once (most text, even text in other scripts, is
// mostly ASCII: spaces, digits, punctuation, markup); a vector with any other code point is
// encoded one code point at a time, as CPython's encoder does everywhere.
//
// Structure follows block_cuts.cc: compiled once per target through foreach_target.h, and
// dispatched at run time.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "text/utf8_encode.cc"
#include "text/utf8_encode.h"

#include <cstddef>
#include <cstdint>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#ifndef XVAL_TEXT_UTF8_ENCODE_ONCE_
#define XVAL_TEXT_UTF8_ENCODE_ONCE_
namespace xval::text::utf8_encode_internal {

// Writes code point c at *out and moves *out past it; false when c has no UTF-8 form.
inline bool PutCodePoint(uint32_t c, unsigned char** out) {
  unsigned char* o = *out;
  if (c < 0x80) {
    o[0] = static_cast<unsigned char>(c);
    *out = o + 1;
  } else if (c < 0x800) {
    o[0] = static_cast<unsigned char>(0xC0 | (c >> 6));
    o[1] = static_cast<unsigned char>(0x80 | (c & 0x3F));
    *out = o + 2;
  } else if (c < 0x10000) {
    if (c >= 0xD800 && c <= 0xDFFF) return false;
    o[0] = static_cast<unsigned char>(0xE0 | (c >> 12));
    o[1] = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
    o[2] = static_cast<unsigned char>(0x80 | (c & 0x3F));
    *out = o + 3;
  } else {
    if (c > 0x10FFFF) return false;
    o[0] = static_cast<unsigned char>(0xF0 | (c >> 18));
    o[1] = static_cast<unsigned char>(0x80 | ((c >> 12) & 0x3F));
    o[2] = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
    o[3] = static_cast<unsigned char>(0x80 | (c & 0x3F));
    *out = o + 4;
  }
  return true;
}

}  // namespace xval::text::utf8_encode_internal
#endif  // XVAL_TEXT_UTF8_ENCODE_ONCE_

HWY_BEFORE_NAMESPACE();
namespace xval::text {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using utf8_encode_internal::PutCodePoint;

template <typename T>
bool EncodeUnits(const T* in, size_t n, char* out, size_t* written) {
  const hn::ScalableTag<T> d;
  const hn::Rebind<uint8_t, decltype(d)> d8;  // one byte per code point of a vector
  const hn::RebindToSigned<decltype(d)> di;   // narrowed from signed lanes (every target has it)
  const size_t lanes = hn::Lanes(d);
  const auto ascii_end = hn::Set(d, T{0x80});
  auto* o = reinterpret_cast<unsigned char*>(out);
  size_t i = 0;
  while (i + lanes <= n) {
    const auto v = hn::LoadU(d, in + i);
    if (hn::AllTrue(d, hn::Lt(v, ascii_end))) {
      if constexpr (sizeof(T) == 1) {
        hn::StoreU(v, d, o);
      } else {
        hn::StoreU(hn::DemoteTo(d8, hn::BitCast(di, v)), d8, o);
      }
      o += lanes;
      i += lanes;
      continue;
    }
    for (const size_t end = i + lanes; i < end; ++i) {
      if (!PutCodePoint(in[i], &o)) return false;
    }
  }
  for (; i < n; ++i) {
    if (!PutCodePoint(in[i], &o)) return false;
  }
  *written = static_cast<size_t>(o - reinterpret_cast<unsigned char*>(out));
  return true;
}

// n, plus one for each code point from U+0080, one more from U+0800 and one more from U+10000:
// a mask count per vector.
template <typename T>
size_t CountUtf8Bytes(const T* in, size_t n) {
  const hn::ScalableTag<T> d;
  const size_t lanes = hn::Lanes(d);
  size_t total = n;
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto v = hn::LoadU(d, in + i);
    total += lanes - hn::CountTrue(d, hn::Lt(v, hn::Set(d, T{0x80})));
    if constexpr (sizeof(T) > 1) {
      total += lanes - hn::CountTrue(d, hn::Lt(v, hn::Set(d, T{0x800})));
    }
    if constexpr (sizeof(T) > 2) {
      total += lanes - hn::CountTrue(d, hn::Lt(v, hn::Set(d, T{0x10000})));
    }
  }
  for (; i < n; ++i) {
    const uint32_t c = in[i];
    total += (c >= 0x80) + (c >= 0x800) + (c >= 0x10000);
  }
  return total;
}

size_t Utf8LengthOf1Byte(const uint8_t* in, size_t n) { return CountUtf8Bytes(in, n); }
size_t Utf8LengthOf2Bytes(const uint16_t* in, size_t n) { return CountUtf8Bytes(in, n); }
size_t Utf8LengthOf4Bytes(const uint32_t* in, size_t n) { return CountUtf8Bytes(in, n); }

bool Utf8From1Byte(const uint8_t* in, size_t n, char* out, size_t* written) {
  return EncodeUnits(in, n, out, written);
}
bool Utf8From2Bytes(const uint16_t* in, size_t n, char* out, size_t* written) {
  return EncodeUnits(in, n, out, written);
}
bool Utf8From4Bytes(const uint32_t* in, size_t n, char* out, size_t* written) {
  return EncodeUnits(in, n, out, written);
}

const char* EncoderTargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace xval::text
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::text {

HWY_EXPORT(Utf8From1Byte);
HWY_EXPORT(Utf8From2Bytes);
HWY_EXPORT(Utf8From4Bytes);
HWY_EXPORT(EncoderTargetName);
HWY_EXPORT(Utf8LengthOf1Byte);
HWY_EXPORT(Utf8LengthOf2Bytes);
HWY_EXPORT(Utf8LengthOf4Bytes);

bool EncodeUtf8(const uint8_t* in, size_t n, char* out, size_t* written) {
  return HWY_DYNAMIC_DISPATCH(Utf8From1Byte)(in, n, out, written);
}
bool EncodeUtf8(const uint16_t* in, size_t n, char* out, size_t* written) {
  return HWY_DYNAMIC_DISPATCH(Utf8From2Bytes)(in, n, out, written);
}
bool EncodeUtf8(const uint32_t* in, size_t n, char* out, size_t* written) {
  return HWY_DYNAMIC_DISPATCH(Utf8From4Bytes)(in, n, out, written);
}

size_t Utf8Length(const uint8_t* in, size_t n) {
  return HWY_DYNAMIC_DISPATCH(Utf8LengthOf1Byte)(in, n);
}
size_t Utf8Length(const uint16_t* in, size_t n) {
  return HWY_DYNAMIC_DISPATCH(Utf8LengthOf2Bytes)(in, n);
}
size_t Utf8Length(const uint32_t* in, size_t n) {
  return HWY_DYNAMIC_DISPATCH(Utf8LengthOf4Bytes)(in, n);
}

const char* Utf8EncodeTargetName() { return HWY_DYNAMIC_DISPATCH(EncoderTargetName)(); }

}  // namespace xval::text
#endif  // HWY_ONCE
