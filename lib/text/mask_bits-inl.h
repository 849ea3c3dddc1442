// MaskBits: a Highway mask of 16, 32 or 64 byte lanes as an integer, lane i in bit i; shared by
// the 64-byte block classifiers (text/numbers/block_scanner.cc, text/pretokenize/block_cuts.cc).
// A per-target header: included after foreach_target.h, once per target (Highway's -inl.h
// convention; the guard flips with HWY_TARGET_TOGGLE).
#if defined(XVAL_TEXT_MASK_BITS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef XVAL_TEXT_MASK_BITS_INL_H_
#undef XVAL_TEXT_MASK_BITS_INL_H_
#else
#define XVAL_TEXT_MASK_BITS_INL_H_
#endif

#include <cstdint>
#include <cstring>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace xval::text {
namespace HWY_NAMESPACE {

#if HWY_TARGET != HWY_SCALAR
// StoreMaskBits writes the bits in lane order, least significant bit first in each byte;
// copying them into an integer right away lets the compiler keep them in a register (one
// movemask or kmov on x86).
template <class D>
HWY_INLINE uint64_t MaskBits(D d, hwy::HWY_NAMESPACE::Mask<D> mask) {
  namespace hn = hwy::HWY_NAMESPACE;
  uint8_t bytes[16];  // StoreMaskBits may write 8 bytes
  hn::StoreMaskBits(d, mask, bytes);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  uint64_t bits = 0;
  for (size_t j = 0; j < hn::Lanes(d) / 8; ++j) bits |= static_cast<uint64_t>(bytes[j]) << (8 * j);
  return bits;
#else
  if (hn::Lanes(d) == 16) {
    uint16_t bits;
    std::memcpy(&bits, bytes, sizeof(bits));
    return bits;
  }
  if (hn::Lanes(d) == 32) {
    uint32_t bits;
    std::memcpy(&bits, bytes, sizeof(bits));
    return bits;
  }
  uint64_t bits;
  std::memcpy(&bits, bytes, sizeof(bits));
  return bits;
#endif
}
#endif

}  // namespace HWY_NAMESPACE
}  // namespace xval::text
HWY_AFTER_NAMESPACE();

#endif  // XVAL_TEXT_MASK_BITS_INL_H_
