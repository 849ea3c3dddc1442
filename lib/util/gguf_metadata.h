// Reading GGUF files (llama.cpp's ggml/docs/gguf.md), version 2 and 3: "GGUF", version, tensor
// count, metadata count, then the metadata key/value pairs, which the model loader (tensors
// follow) and the tokenizer loader (tokenizer.ggml.*) both read. Every read is bounds-checked, so
// a truncated or corrupt file is an error naming the file and what was being read.
#ifndef XVAL_UTIL_GGUF_METADATA_H_
#define XVAL_UTIL_GGUF_METADATA_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "util/status_macros.h"

namespace xval::util {

// gguf_type values.
enum GgufType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

// A metadata value: a number, a string, or an array of either.
struct GgufValue {
  GgufType type = kU8;
  double number = 0;
  std::string str;
  std::vector<double> numbers;
  std::vector<std::string> strings;
};

class GgufReader {
 public:
  GgufReader(const std::string& path, const uint8_t* data, size_t size)
      : path_(path), data_(data), size_(size) {}

  // *out is zeroed first, so that a caller's variable is defined whatever the outcome.
  template <typename T>
  absl::Status Read(T* out, const char* what) {
    *out = T{};
    if (size_ - pos_ < sizeof(T)) return Truncated(what);
    std::memcpy(out, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return absl::OkStatus();
  }
  absl::Status ReadString(std::string* out, const char* what) {
    uint64_t len = 0;
    RETURN_IF_ERROR(Read(&len, what));
    if (size_ - pos_ < len) return Truncated(what);
    out->assign(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
    return absl::OkStatus();
  }
  // The width of a scalar type, 0 for strings, arrays and unknown types.
  static size_t ScalarBytes(uint32_t type) {
    switch (type) {
      case kU8:
      case kI8:
      case kBool:
        return 1;
      case kU16:
      case kI16:
        return 2;
      case kU32:
      case kI32:
      case kF32:
        return 4;
      case kU64:
      case kI64:
      case kF64:
        return 8;
      default:
        return 0;
    }
  }
  absl::Status Scalar(GgufType type, double* out, const std::string& key) {
    const char* what = key.c_str();
    switch (type) {
      case kU8: {
        uint8_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      case kI8: {
        int8_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      case kU16: {
        uint16_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      case kI16: {
        int16_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      case kU32: {
        uint32_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      case kI32: {
        int32_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      case kF32: {
        float v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      case kBool: {
        uint8_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      case kU64: {
        uint64_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = static_cast<double>(v);
        return absl::OkStatus();
      }
      case kI64: {
        int64_t v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = static_cast<double>(v);
        return absl::OkStatus();
      }
      case kF64: {
        double v = 0;
        RETURN_IF_ERROR(Read(&v, what));
        *out = v;
        return absl::OkStatus();
      }
      default:
        return absl::InvalidArgumentError(
            absl::StrCat(path_, ": metadata ", key, ": unknown value type ", type));
    }
  }
  absl::Status ReadValue(const std::string& key, GgufValue* v) {
    uint32_t type;
    RETURN_IF_ERROR(Read(&type, key.c_str()));
    v->type = static_cast<GgufType>(type);
    if (type == kString) return ReadString(&v->str, key.c_str());
    if (type != kArray) return Scalar(v->type, &v->number, key);
    uint32_t elem_type;
    uint64_t count;
    RETURN_IF_ERROR(Read(&elem_type, key.c_str()));
    RETURN_IF_ERROR(Read(&count, key.c_str()));
    // Sized from what the rest of the file can hold (a string takes at least its 8-byte
    // length; a number its width) before anything is allocated.
    const size_t min_bytes = elem_type == kString ? 8 : ScalarBytes(elem_type);
    if (min_bytes == 0 && elem_type != kArray) {
      return absl::InvalidArgumentError(
          absl::StrCat(path_, ": metadata ", key, ": unknown array element type ", elem_type));
    }
    if (min_bytes > 0 && count > (size_ - pos_) / min_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(path_, ": metadata ", key, ": ", count,
                                                     " elements do not fit in the ", size_ - pos_,
                                                     " bytes left (truncated or corrupt)"));
    }
    if (elem_type == kString) {
      v->strings.resize(count);
      for (auto& s : v->strings) RETURN_IF_ERROR(ReadString(&s, key.c_str()));
    } else if (elem_type == kArray) {
      return absl::InvalidArgumentError(
          absl::StrCat(path_, ": metadata ", key, ": nested arrays are not supported"));
    } else {
      v->numbers.resize(count);
      for (auto& d : v->numbers) {
        RETURN_IF_ERROR(Scalar(static_cast<GgufType>(elem_type), &d, key));
      }
    }
    return absl::OkStatus();
  }
  size_t pos() const { return pos_; }
  absl::Status Truncated(const char* what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": truncated GGUF file while reading ", what, " at byte ", pos_));
  }

 private:
  const std::string& path_;
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

using GgufMetadata = absl::flat_hash_map<std::string, GgufValue>;

// Reads the header and the metadata of the GGUF file in `data` (named `path` in messages),
// leaving `reader` at the first tensor info. Fails on a bad magic, an unsupported version,
// counts the file cannot hold, and any truncated or malformed pair.
absl::Status ReadGgufMetadata(GgufReader& reader, const std::string& path, const uint8_t* data,
                              size_t size, uint64_t* tensor_count, GgufMetadata* metadata);

// True when `data` starts with GGUF's magic.
inline bool IsGguf(absl::string_view data) { return data.substr(0, 4) == "GGUF"; }

}  // namespace xval::util

#endif  // XVAL_UTIL_GGUF_METADATA_H_
