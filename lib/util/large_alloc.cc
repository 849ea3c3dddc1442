#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

#include "xval/encoding.h"

namespace xval::internal {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// Large arrays are mapped and unmapped directly rather than through malloc: freeing a large
// malloc'ed block raises glibc's dynamic mmap threshold, after which blocks of that size come
// from the heap and the process keeps their pages (resident memory climbed for the first passes
// of a batch loop, docs/reliability.md). A mapping is returned whole when freed.
bool Mapped(size_t bytes) { return bytes >= kHugePage; }

size_t Rounded(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

}  // namespace

void* AllocateLarge(size_t bytes) {
  if (!Mapped(bytes)) {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  // Map one huge page more than needed and trim both ends, so that the array starts on a
  // 2 MiB boundary and can be backed by transparent huge pages.
  const size_t rounded = Rounded(bytes);
  void* raw = mmap(nullptr, rounded + kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + rounded + kHugePage;
  if (end > aligned + rounded)
    munmap(reinterpret_cast<void*>(aligned + rounded), end - aligned - rounded);
  void* p = reinterpret_cast<void*>(aligned);
  madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure is harmless
  return p;
}

void FreeLarge(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (Mapped(bytes)) {
    munmap(p, Rounded(bytes));
  } else {
    std::free(p);
  }
}

}  // namespace xval::internal

namespace xval::util {

void AdviseHugePages(void* p, size_t bytes) {
  constexpr uintptr_t kHugePageSize = uintptr_t{2} << 20;
  const uintptr_t start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t begin = (start + kHugePageSize - 1) / kHugePageSize * kHugePageSize;
  const uintptr_t end = (start + bytes) / kHugePageSize * kHugePageSize;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace xval::util
