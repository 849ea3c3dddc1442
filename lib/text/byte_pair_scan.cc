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

size_t FindBytePairImpl(const unsigned char* s, size_t n, size_t from, const BytePairs& pairs) {
  if (n < 2) return n;
  const hn::ScalableTag<uint8_t> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = from;
  // Whole vectors while the one-further load stays inside the text.
  for (; i + lanes + 1 <= n; i += lanes) {
    const auto here = hn::LoadU(d, s + i);
    const auto next = hn::LoadU(d, s + i + 1);
    auto hit = hn::And(hn::Eq(here, hn::Set(d, pairs.first[0])),
                       hn::Eq(next, hn::Set(d, pairs.second[0])));
    for (size_t k = 1; k < pairs.count; ++k) {
      hit = hn::Or(hit, hn::And(hn::Eq(here, hn::Set(d, pairs.first[k])),
                                hn::Eq(next, hn::Set(d, pairs.second[k]))));
    }
    if (!hn::AllFalse(d, hit)) return i + hn::FindKnownFirstTrue(d, hit);
  }
  for (; i + 1 < n; ++i) {
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
