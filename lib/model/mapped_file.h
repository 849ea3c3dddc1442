// A read-only memory-mapped file: weights are used in place, never copied.
#ifndef XVAL_MODEL_MAPPED_FILE_H_
#define XVAL_MODEL_MAPPED_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace xval::model {

class MappedFile {
 public:
  // NotFound when the file does not exist, InvalidArgument when it cannot be mapped.
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }  // (size) bytes; null when size is 0
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_;
  size_t size_;
};

}  // namespace xval::model

#endif  // XVAL_MODEL_MAPPED_FILE_H_
