// Page advice (lib/util/page_advice.h): PrefaultAhead faults in a fresh array's room ahead of
// its writes, a chunk at a time, and leaves an array alone once it finds it mapped (reused
// from an earlier call); HugePageArray and PrefaultedCopy hold what they were given.
#include "util/page_advice.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "xval/encoding.h"

namespace xval::util {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kMiB = size_t{1} << 20;

// Whether the page holding p is mapped (resident) in this process.
bool Resident(const void* p) {
  const auto page = reinterpret_cast<uintptr_t>(p) & ~uintptr_t{kPage - 1};
  unsigned char v = 0;
  EXPECT_EQ(mincore(reinterpret_cast<void*>(page), kPage, &v), 0);
  return v & 1;
}

// Whether this kernel takes MADV_POPULATE_WRITE (Linux 5.14 and later); PrefaultAhead is
// advice only and changes nothing where it does not.
bool KernelPopulates() {
  void* p = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  const bool ok = madvise(p, kPage, 23 /* MADV_POPULATE_WRITE */) == 0;
  munmap(p, kPage);
  return ok;
}

TEST(PrefaultAheadTest, FaultsInAFreshArraysRoomAheadOfItsWrites) {
  if (!KernelPopulates()) GTEST_SKIP() << "the kernel has no MADV_POPULATE_WRITE";
  LargeArray<char> a;
  a.reserve(8 * kMiB);  // a fresh mapping: nothing of it mapped yet
  char* base = a.data();
  ASSERT_FALSE(Resident(base));
  PrefaultAhead prefault;
  prefault.Reach(base, a.capacity(), kMiB);
  for (size_t at = 0; at < kMiB; at += kPage) ASSERT_TRUE(Resident(base + at)) << at;
  EXPECT_FALSE(Resident(base + 2 * kMiB)) << "faulted in far past what was asked";
  // Further on, a chunk at a time; never past the capacity.
  prefault.Reach(base, a.capacity(), 3 * kMiB + 1);
  EXPECT_TRUE(Resident(base + 3 * kMiB));
  prefault.Reach(base, a.capacity(), 100 * kMiB);
  EXPECT_TRUE(Resident(base + a.capacity() - 1));
  // Faulted-in pages read as zero and take writes.
  for (size_t at = 0; at < a.capacity(); at += kPage) ASSERT_EQ(base[at], 0);
  a.resize(a.capacity(), 'x');
  EXPECT_EQ(a.back(), 'x');
}

TEST(PrefaultAheadTest, LeavesAnArrayAloneOnceItFindsItMapped) {
  if (!KernelPopulates()) GTEST_SKIP() << "the kernel has no MADV_POPULATE_WRITE";
  // Sizes unlike the test above's: a freed array's mapping is kept for the next of its size.
  LargeArray<char> a;
  a.reserve(20 * kMiB);
  char* base = a.data();
  std::memset(base, 1, kMiB);  // as an array reused from an earlier call
  PrefaultAhead prefault;
  prefault.Reach(base, a.capacity(), 4 * kMiB);
  EXPECT_FALSE(Resident(base + 2 * kMiB)) << "took a system call per chunk of a mapped array";
  // Another array starts again.
  LargeArray<char> b;
  b.reserve(12 * kMiB);
  prefault.Reach(b.data(), b.capacity(), kMiB);
  EXPECT_TRUE(Resident(b.data() + kMiB - 1));
}

TEST(PageAdviceTest, HugePageArrayAndPrefaultedCopyHoldWhatTheyWereGiven) {
  const LargeArray<uint64_t> table = HugePageArray(size_t{1} << 20, uint64_t{7});  // 8 MiB
  ASSERT_EQ(table.size(), size_t{1} << 20);
  for (const uint64_t v : table) ASSERT_EQ(v, 7u);
  LargeArray<uint64_t> from(size_t{1} << 19);
  for (size_t i = 0; i < from.size(); ++i) from[i] = i * 3;
  const LargeArray<uint64_t> copy = PrefaultedCopy(from);
  EXPECT_EQ(std::vector<uint64_t>(copy.begin(), copy.end()),
            std::vector<uint64_t>(from.begin(), from.end()));
  EXPECT_TRUE(PrefaultedCopy(LargeArray<uint64_t>()).empty());
}

}  // namespace
}  // namespace xval::util
