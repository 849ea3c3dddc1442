// Advice to the kernel about large arrays' pages. Transparent huge pages where they pay: for
// tables read at random, built once (at load), a cold lookup is then one cache miss without a
// TLB miss. Arrays written once in order (a call's output) stay on 4 KiB pages: on a virtual
// machine that hands freed memory back to its host, a huge page's first touch can fault in
// 2 MiB from the host (docs/benchmarks-bytelevel.md, "first calls and the host's memory"); their
// fresh pages are faulted in ahead of the writes a chunk at a time (PrefaultAhead).
#ifndef XVAL_UTIL_PAGE_ADVICE_H_
#define XVAL_UTIL_PAGE_ADVICE_H_

#include <cstddef>
#include <cstdint>

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

// Faults in the room of an array written from front to back ahead of its writes, a chunk at a
// time and only where the memory is fresh: one system call per chunk instead of a page fault
// per 4 KiB (which costs twice as much). Once a chunk's last page is found mapped already (an
// array reused from an earlier call), the array is taken as mapped and left alone. Advice
// only: nothing changes if it fails.
class PrefaultAhead {
 public:
  // Bytes [0, want) of the `capacity` bytes at `base` faulted in (as far as chunks go; the
  // array may move, and then starts again).
  void Reach(void* base, size_t capacity, size_t want);

 private:
  uintptr_t base_ = 0;
  size_t done_ = 0;  // bytes from base_ seen to
  bool reused_ = false;
};

// A copy of `from` in fresh memory faulted in whole before it is written (PrefaultAhead).
template <class T>
LargeArray<T> PrefaultedCopy(const LargeArray<T>& from) {
  LargeArray<T> to;
  to.reserve(from.size());
  PrefaultAhead().Reach(to.data(), from.size() * sizeof(T), from.size() * sizeof(T));
  to.assign(from.begin(), from.end());
  return to;
}

}  // namespace xval::util

#endif  // XVAL_UTIL_PAGE_ADVICE_H_
