// The header and metadata of a GGUF file (gguf_metadata.h).
#include "util/gguf_metadata.h"

#include "absl/strings/str_format.h"

namespace xval::util {

absl::Status ReadGgufMetadata(GgufReader& r, const std::string& path, const uint8_t* data,
                              size_t size, uint64_t* tensor_count, GgufMetadata* md) {
  uint32_t magic, version;
  RETURN_IF_ERROR(r.Read(&magic, "the magic"));
  if (size < 4 || std::memcmp(data, "GGUF", 4) != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: bad magic 0x%08x: not a GGUF file (expected \"GGUF\")", path, magic));
  }
  RETURN_IF_ERROR(r.Read(&version, "the version"));
  if (version != 2 && version != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": GGUF version ", version, " is not supported (2 or 3)"));
  }
  uint64_t kv_count;
  RETURN_IF_ERROR(r.Read(tensor_count, "the tensor count"));
  RETURN_IF_ERROR(r.Read(&kv_count, "the metadata count"));
  // Each tensor info takes at least 32 bytes (name length, dimension count, one dimension,
  // type, offset) and each metadata pair 13 (key length, type, a one-byte value): counts the
  // file cannot hold are refused before anything is sized from them.
  const size_t left = size - r.pos();
  if (*tensor_count > left / 32 || kv_count > left / 13) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": header: ", *tensor_count, " tensors and ", kv_count,
        " metadata pairs do not fit in the file (", size, " bytes): truncated or corrupt"));
  }
  for (uint64_t i = 0; i < kv_count; ++i) {
    std::string key;
    RETURN_IF_ERROR(r.ReadString(&key, "a metadata key"));
    GgufValue v;
    RETURN_IF_ERROR(r.ReadValue(key, &v));
    (*md)[key] = std::move(v);
  }
  return absl::OkStatus();
}

}  // namespace xval::util
