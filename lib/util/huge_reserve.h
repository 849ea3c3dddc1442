// Reserving a large std::vector on transparent huge pages: a first call that writes megabytes of
// output into fresh memory otherwise takes a page fault per 4 KiB, and growing by doubling
// writes (and faults) twice the memory it keeps.
#ifndef XVAL_UTIL_HUGE_RESERVE_H_
#define XVAL_UTIL_HUGE_RESERVE_H_

#include <cstddef>
#include <vector>

namespace xval::util {

// Advises MADV_HUGEPAGE for the 2 MiB pages wholly inside [p, p + bytes); advice only.
void AdviseHugePages(void* p, size_t bytes);

// Reserves room for `n` elements; when that takes a new block of at least a few huge pages, the
// block is advised onto huge pages before its new part is first written.
template <class T, class A>
void ReserveOnHugePages(std::vector<T, A>& v, size_t n) {
  if (n <= v.capacity()) return;
  v.reserve(n);
  if (n * sizeof(T) >= (size_t{4} << 20)) AdviseHugePages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace xval::util

#endif  // XVAL_UTIL_HUGE_RESERVE_H_
