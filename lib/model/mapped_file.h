// A read-only file in memory: memory-mapped at a huge-page boundary and advised MADV_HUGEPAGE,
// its bytes used in place; or copied once into anonymous memory on transparent huge pages
// (LoadOptions::copy_to_huge_pages).
#ifndef XVAL_MODEL_MAPPED_FILE_H_
#define XVAL_MODEL_MAPPED_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace xval::model {

// Advises the whole pages inside [p, p + bytes) of a file mapping for sparse reads: no huge
// pages and no readahead (MADV_NOHUGEPAGE, MADV_RANDOM), so that a fault reads the page it
// needs rather than the 2 MiB around it. For an untied embedding table, of which a forward pass
// reads one row a token: on the mapped file only the rows used become resident. Harmless on
// anonymous memory (a copy) and where the advice is not supported.
void AdviseSparseReads(const void* p, size_t bytes);

class MappedFile {
 public:
  // NotFound when the file does not exist, InvalidArgument when it cannot be mapped,
  // ResourceExhausted when the copy to huge pages gets no memory.
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path,
                                                          bool copy_to_huge_pages = false);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }  // (size) bytes; null when size is 0
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size, void* map_base, size_t map_len)
      : path_(std::move(path)), data_(data), size_(size), map_base_(map_base), map_len_(map_len) {}
  std::string path_;
  const uint8_t* data_;
  size_t size_;
  void* map_base_;  // the mapping to unmap: the file's, or the anonymous copy's (from before
  size_t map_len_;  // data_, which is aligned to a huge page)
};

}  // namespace xval::model

#endif  // XVAL_MODEL_MAPPED_FILE_H_
