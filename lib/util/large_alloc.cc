#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "util/page_advice.h"
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

// The last mappings freed, kept for the next arrays of about their size (at most kKeptBytes in
// all, a new array taking one at most half again its size): a loop that encodes batch after
// batch then writes into pages it already faulted in, where a fresh mapping has the kernel
// zero every page on first touch. Bounded, unlike the heap's keeping (see above).
constexpr size_t kKeptBytes = size_t{64} << 20;

class KeptMappings {
 public:
  // A kept mapping of `rounded` to 1.5 x `rounded` bytes, or null.
  void* Take(size_t rounded) {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t best = kept_.size();
    for (size_t i = 0; i < kept_.size(); ++i) {
      const size_t size = kept_[i].bytes;
      if (size >= rounded && size <= rounded + rounded / 2 &&
          (best == kept_.size() || size < kept_[best].bytes)) {
        best = i;
      }
    }
    if (best == kept_.size()) return nullptr;
    const Mapping m = kept_[best];
    kept_.erase(kept_.begin() + static_cast<std::ptrdiff_t>(best));
    total_ -= m.bytes;
    if (m.bytes != rounded) larger_.push_back(m);  // FreeLarge will be told `rounded`
    return m.p;
  }
  // Keeps or unmaps the mapping at p that an array of `rounded` bytes used.
  void Give(void* p, size_t rounded) {
    std::vector<Mapping> drop;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Mapping m{p, rounded};
      for (size_t i = 0; i < larger_.size(); ++i) {
        if (larger_[i].p == p) {
          m = larger_[i];
          larger_.erase(larger_.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      }
      if (m.bytes > kKeptBytes) {
        drop.push_back(m);
      } else {
        kept_.push_back(m);
        total_ += m.bytes;
        while (total_ > kKeptBytes) {  // the oldest go first
          drop.push_back(kept_.front());
          total_ -= kept_.front().bytes;
          kept_.erase(kept_.begin());
        }
      }
    }
    for (const Mapping& m : drop) munmap(m.p, m.bytes);
  }

 private:
  struct Mapping {
    void* p;
    size_t bytes;
  };
  std::mutex mutex_;
  std::vector<Mapping> kept_;    // oldest first
  std::vector<Mapping> larger_;  // handed out for a smaller array
  size_t total_ = 0;
};

KeptMappings& Kept() {
  static KeptMappings* kept = new KeptMappings;  // leaked: arrays are freed during exit
  return *kept;
}

}  // namespace

void* AllocateLarge(size_t bytes) {
  if (!Mapped(bytes)) {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  // Map one huge page more than needed and trim both ends, so that the array starts on a
  // 2 MiB boundary and can be backed by transparent huge pages where its owner advises them
  // (util::HugePageArray); not by default (util/page_advice.h says why).
  const size_t rounded = Rounded(bytes);
  if (void* kept = Kept().Take(rounded)) return kept;
  void* raw = mmap(nullptr, rounded + kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + rounded + kHugePage;
  if (end > aligned + rounded)
    munmap(reinterpret_cast<void*>(aligned + rounded), end - aligned - rounded);
  return reinterpret_cast<void*>(aligned);
}

void FreeLarge(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (Mapped(bytes)) {
    Kept().Give(p, Rounded(bytes));
  } else {
    std::free(p);
  }
}

}  // namespace xval::internal

namespace xval::util {

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels refuse it, which is harmless
#endif

void PrefaultAhead::Reach(void* base, size_t capacity, size_t want) {
  constexpr uintptr_t kPage = 4096;
  constexpr size_t kChunk = size_t{256} << 10;
  const auto start = reinterpret_cast<uintptr_t>(base);
  if (start != base_) {
    base_ = start;
    done_ = 0;
    reused_ = false;
  }
  want = std::min(want, capacity);
  while (!reused_ && done_ < want) {
    const size_t end = std::min(done_ + kChunk, capacity);
    const uintptr_t first = (start + done_) & ~(kPage - 1);
    const uintptr_t last = (start + end - 1) & ~(kPage - 1);
    unsigned char resident = 0;
    if (mincore(reinterpret_cast<void*>(last), kPage, &resident) != 0 || (resident & 1)) {
      reused_ = true;  // then the rest is taken as mapped too: no system call per chunk
      return;
    }
    madvise(reinterpret_cast<void*>(first), last + kPage - first, MADV_POPULATE_WRITE);
    done_ = end;
  }
}

void AdviseHugePages(void* p, size_t bytes) {
  constexpr uintptr_t kHugePageSize = uintptr_t{2} << 20;
  const uintptr_t start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t begin = (start + kHugePageSize - 1) / kHugePageSize * kHugePageSize;
  const uintptr_t end = (start + bytes) / kHugePageSize * kHugePageSize;
  // Advice only: failure is harmless.
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace xval::util
