// Transparent huge pages where they pay: for tables read at random, built once (at load), a
// cold lookup is then one cache miss without a TLB miss. Arrays written once in order (a
// call's output) stay on 4 KiB pages: on a virtual machine that hands freed memory back to
// its host, a huge page's first touch can fault in 2 MiB from the host
// (docs/benchmarks-bytelevel.md, "first calls and the host's memory").
#ifndef XVAL_UTIL_HUGE_RESERVE_H_
#define XVAL_UTIL_HUGE_RESERVE_H_

#include <cstddef>

#include "xval/encoding.h"

namespace xval::util {

// Advises MADV_HUGEPAGE for the 2 MiB pages wholly inside [p, p + bytes); advice only.
void AdviseHugePages(void* p, size_t bytes);

// n copies of `value`, on huge pages where the array is large (the advice given before the
// first write, which is when the kernel picks the page size).
template <class T>
LargeArray<T> HugePageArray(size_t n, const T& value) {
  LargeArray<T> a;
  a.reserve(n);
  AdviseHugePages(a.data(), n * sizeof(T));
  a.assign(n, value);
  return a;
}

}  // namespace xval::util

#endif  // XVAL_UTIL_HUGE_RESERVE_H_
