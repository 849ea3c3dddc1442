#include "model/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace xval::model {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// Copies `size` bytes of the file mapping `file` into fresh anonymous memory whose start is
// aligned to a huge page and advised MADV_HUGEPAGE, 16 MiB at a time, dropping each piece of
// the file mapping from the process as soon as it is copied, so that resident memory grows by
// the file's size only. On success *base/*len is the anonymous mapping and the copy starts at
// *copy; the file mapping is left to the caller to unmap.
absl::Status CopyToHugePages(const std::string& path, const uint8_t* file, size_t size,
                             void** base, size_t* len, const uint8_t** copy) {
  *len = size + kHugePage;  // room to align the start
  void* a = ::mmap(nullptr, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path, ": no memory to copy its ", size, " bytes to huge pages"));
  }
  const uintptr_t start = (reinterpret_cast<uintptr_t>(a) + kHugePage - 1) & ~(kHugePage - 1);
  uint8_t* dst = reinterpret_cast<uint8_t*>(start);
  ::madvise(dst, size, MADV_HUGEPAGE);  // fails harmlessly where there are no huge pages
  constexpr size_t kPiece = size_t{16} << 20;
  for (size_t off = 0; off < size; off += kPiece) {
    const size_t n = std::min(kPiece, size - off);
    std::memcpy(dst + off, file + off, n);
    ::madvise(const_cast<uint8_t*>(file) + off, n, MADV_DONTNEED);
  }
  ::mprotect(dst, size, PROT_READ);  // weights are read-only, as the file mapping was
  *base = a;
  *copy = dst;
  return absl::OkStatus();
}

// Maps the file read-only at an address aligned to a huge page, advised MADV_HUGEPAGE. Where the
// kernel caches files in large folios (Linux 6.18 on ext4 here), the pages a decode sweeps are
// then mapped 2 MiB at a time instead of 4 KiB, as copy_to_huge_pages gives, with no copy:
// nearly all of the benchmark model read after this advice was mapped in 2 MiB pieces
// (docs/design-measurements.md, "Model files: huge pages without a copy"). A file
// the page cache already holds in 4 KiB pages (one written just before) stays in them;
// elsewhere the advice does nothing and this is a plain mapping.
void* MapAligned(int fd, size_t size) {
  // Reserve room to slide the start to a huge-page boundary, then map the file over it.
  const size_t reserve = size + kHugePage;
  void* r = ::mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (r == MAP_FAILED) return ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const uintptr_t begin = reinterpret_cast<uintptr_t>(r);
  const uintptr_t start = (begin + kHugePage - 1) & ~(kHugePage - 1);
  void* p = ::mmap(reinterpret_cast<void*>(start), size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
  if (p == MAP_FAILED) {
    const int err = errno;
    ::munmap(r, reserve);
    errno = err;
    return MAP_FAILED;
  }
  // Return the reservation's slack before and after the file's pages.
  if (start > begin) ::munmap(r, start - begin);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t end = start + (size + page - 1) / page * page;
  if (begin + reserve > end) ::munmap(reinterpret_cast<void*>(end), begin + reserve - end);
  ::madvise(p, size, MADV_HUGEPAGE);  // fails harmlessly where there are no huge pages
  return p;
}

}  // namespace

void AdviseSparseReads(const void* p, size_t bytes) {
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) / page * page;
  if (end <= begin) return;
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_NOHUGEPAGE);
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_RANDOM);
}

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path,
                                                              bool copy_to_huge_pages) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot open: ", std::strerror(err)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  const uint8_t* data = nullptr;
  void* map_base = nullptr;
  size_t map_len = size;
  if (size > 0) {
    // MAP_PRIVATE + PROT_READ: pages come from the page cache and are shared between processes
    // that map the same checkpoint; nothing is read until a layer touches it.
    void* p = MapAligned(fd, size);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return absl::InvalidArgumentError(absl::StrCat(path, ": mmap failed: ", std::strerror(err)));
    }
    data = static_cast<const uint8_t*>(p);
    map_base = p;
    if (copy_to_huge_pages) {
      const absl::Status copied = CopyToHugePages(path, data, size, &map_base, &map_len, &data);
      ::munmap(p, size);
      if (!copied.ok()) {
        ::close(fd);
        return copied;
      }
    }
  }
  ::close(fd);
  return std::unique_ptr<MappedFile>(new MappedFile(path, data, size, map_base, map_len));
}

MappedFile::~MappedFile() {
  if (map_base_ != nullptr) ::munmap(map_base_, map_len_);
}

}  // namespace xval::model
