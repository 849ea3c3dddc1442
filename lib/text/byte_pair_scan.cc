// FindBytePair: per vector of bytes, the lanes equal to a pair's first byte whose next byte
// (the same bytes loaded one further) equals its second, for each pair; the first such lane.
//
// Structure follows block_cuts.cc: compiled once per target through foreach_target.h, and
// dispatched at run time.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "text/byte_pair_scan.cc"
#include "text/byte_pair_scan.h"

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace xval::text {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The first i in [from, n - 1) where a pair starts, searched with vectors of tag D's lanes:
// whole vectors while the one-further load stays inside the text, then one more that ends at
// the text's last byte (overlapping the ones before: its lanes before `from`'s progress are
// masked). Returns n when there is none, and n + 1 when the text has too few bytes after
// `from` for one vector (the caller searches those some other way).
template <class D>
size_t FindWithVectors(D d, const unsigned char* s, size_t n, size_t from, const BytePairs& pairs) {
  const size_t lanes = hn::Lanes(d);
  // The lanes of `here` that start a pair (`next`: the bytes one further).
  auto pairs_at = [&](hn::Vec<D> here, hn::Vec<D> next) {
    auto hit = hn::And(hn::Eq(here, hn::Set(d, pairs.first[0])),
                       hn::Eq(next, hn::Set(d, pairs.second[0])));
    for (size_t k = 1; k < pairs.count; ++k) {
      hit = hn::Or(hit, hn::And(hn::Eq(here, hn::Set(d, pairs.first[k])),
                                hn::Eq(next, hn::Set(d, pairs.second[k]))));
    }
    return hit;
  };
  if (n < lanes + 1) return n + 1;
  size_t i = from;
  for (; i + lanes + 1 <= n; i += lanes) {
    const auto hit = pairs_at(hn::LoadU(d, s + i), hn::LoadU(d, s + i + 1));
    if (!hn::AllFalse(d, hit)) return i + hn::FindKnownFirstTrue(d, hit);
  }
  if (i + 1 >= n) return n;
  const size_t last = n - 1 - lanes;  // < i
  const auto hit = hn::AndNot(hn::FirstN(d, i - last),
                              pairs_at(hn::LoadU(d, s + last), hn::LoadU(d, s + last + 1)));
  return hn::AllFalse(d, hit) ? n : last + hn::FindKnownFirstTrue(d, hit);
}

size_t FindBytePairImpl(const unsigned char* s, size_t n, size_t from, const BytePairs& pairs) {
  if (n < 2 || from + 1 >= n) return n;
  // Full vectors; a shorter text (most lines of a batch) in vectors of 16 bytes; one shorter
  // than 17 bytes a byte at a time. (Copying a short text into a buffer to search it as one
  // vector stalled on the copy's stores.)
  size_t found = FindWithVectors(hn::ScalableTag<uint8_t>(), s, n, from, pairs);
  if (found <= n) return found;
  found = FindWithVectors(hn::CappedTag<uint8_t, 16>(), s, n, from, pairs);
  if (found <= n) return found;
  for (size_t i = from; i + 1 < n; ++i) {
    for (size_t k = 0; k < pairs.count; ++k) {
      if (s[i] == pairs.first[k] && s[i + 1] == pairs.second[k]) return i;
    }
  }
  return n;
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::text
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::text {

HWY_EXPORT(FindBytePairImpl);

size_t FindBytePair(const unsigned char* s, size_t n, size_t from, const BytePairs& pairs) {
  return HWY_DYNAMIC_DISPATCH(FindBytePairImpl)(s, n, from, pairs);
}

}  // namespace xval::text
#endif  // HWY_ONCE
