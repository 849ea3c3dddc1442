// The tensors of a checkpoint, by name, pointing into memory-mapped files.
#ifndef XVAL_MODEL_TENSOR_STORE_H_
#define XVAL_MODEL_TENSOR_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "model/mapped_file.h"
#include "xval/model.h"

namespace xval::model {

// Bytes of `count` elements of `type` (count a multiple of the block's weights for the
// quantized types; quant_blocks.h).
size_t WeightBytes(WeightType type, size_t count);

struct TensorInfo {
  std::string name;
  WeightType type = WeightType::kF32;
  std::vector<int64_t> shape;  // PyTorch order: outermost first, the last one contiguous
  const uint8_t* data = nullptr;  // (nbytes)
  size_t nbytes = 0;
  std::string file;  // for error messages
};

// "[a, b]".
std::string ShapeString(const std::vector<int64_t>& shape);

// The bytes [begin, end) of one file that a tensor's data takes.
struct TensorRange {
  uint64_t begin, end;
  std::string name;
};
// An error naming `path` and two tensors whose data overlap (a file that gives two tensors
// the same bytes is corrupt: writing one would change the other); OK when none do.
absl::Status CheckRangesDisjoint(const std::string& path, std::vector<TensorRange> ranges);

struct TensorStore {
  std::vector<std::unique_ptr<MappedFile>> files;
  absl::flat_hash_map<std::string, TensorInfo> tensors;

  const TensorInfo* Find(const std::string& name) const {
    auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : &it->second;
  }
};

// Reads one .safetensors file into `store`. Errors name the file and the tensor.
// copy_to_huge_pages: as LoadOptions says (MappedFile::Open).
absl::Status LoadSafetensorsFile(const std::string& path, TensorStore* store,
                                 bool copy_to_huge_pages = false);

// A Hugging Face folder: config.json text plus model.safetensors or the shards listed in
// model.safetensors.index.json.
struct HfCheckpoint {
  std::string config_json;
  TensorStore store;
};
absl::StatusOr<HfCheckpoint> LoadHfCheckpoint(const std::string& dir,
                                              bool copy_to_huge_pages = false);

}  // namespace xval::model

#endif  // XVAL_MODEL_TENSOR_STORE_H_
