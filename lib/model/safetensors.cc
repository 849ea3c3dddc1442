// The safetensors format (github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {...}}, then the tensor bytes, offsets relative to the end of the header.
#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kernels/quant_blocks.h"
#include "model/tensor_store.h"
#include "simdjson.h"
#include "util/file.h"
#include "util/status_macros.h"

namespace xval::model {
namespace {

// simdjson speaks std::string_view; Debian's Abseil has its own string_view.
std::string Str(std::string_view s) { return std::string(s.data(), s.size()); }

absl::StatusOr<WeightType> ParseDtype(const std::string& file, const std::string& name,
                                      std::string_view dtype) {
  if (dtype == "F32") return WeightType::kF32;
  if (dtype == "F16") return WeightType::kF16;
  if (dtype == "BF16") return WeightType::kBF16;
  return absl::InvalidArgumentError(absl::StrCat(file, ": tensor ", name, ": dtype ", Str(dtype),
                                                 " is not supported (F32, F16, BF16)"));
}

}  // namespace

size_t WeightBytes(WeightType type, size_t count) {
  return count / kernels::BlockFormatOf(type).weights * kernels::BlockFormatOf(type).bytes;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

absl::Status CheckRangesDisjoint(const std::string& path, std::vector<TensorRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const TensorRange& a, const TensorRange& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].begin < ranges[i - 1].end) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": tensors ", ranges[i - 1].name, " and ", ranges[i].name,
                       " overlap (bytes ", ranges[i].begin, "..", ranges[i - 1].end, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status LoadSafetensorsFile(const std::string& path, TensorStore* store,
                                 bool copy_to_huge_pages) {
  ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::Open(path, copy_to_huge_pages));
  const uint8_t* bytes = file->data();
  const size_t size = file->size();
  if (size < 8) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": truncated safetensors file (", size, " bytes, no header length)"));
  }
  uint64_t header_len;
  std::memcpy(&header_len, bytes, 8);  // little-endian, as every supported host
  if (header_len > size - 8) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": truncated safetensors file: header of ",
                                                   header_len, " bytes, file of ", size));
  }
  const uint8_t* data_begin = bytes + 8 + header_len;
  const size_t data_size = size - 8 - header_len;

  simdjson::dom::parser parser;
  simdjson::padded_string json(reinterpret_cast<const char*>(bytes + 8), header_len);
  simdjson::dom::element root;
  if (auto err = parser.parse(json).get(root)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": safetensors header is not JSON: ", simdjson::error_message(err)));
  }
  simdjson::dom::object obj;
  if (root.get(obj)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": safetensors header is not an object"));
  }
  std::vector<TensorRange> ranges;
  for (auto field : obj) {
    const std::string name = Str(field.key);
    if (name == "__metadata__") continue;
    const std::string where = absl::StrCat(path, ": tensor ", name);
    std::string_view dtype_str;
    simdjson::dom::array shape_arr, offsets;
    if (field.value["dtype"].get(dtype_str) || field.value["shape"].get(shape_arr) ||
        field.value["data_offsets"].get(offsets)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": needs dtype, shape and data_offsets"));
    }
    TensorInfo info;
    info.name = name;
    info.file = path;
    ASSIGN_OR_RETURN(info.type, ParseDtype(path, name, dtype_str));
    uint64_t count = 1;
    for (auto d : shape_arr) {
      int64_t dim;
      if (d.get(dim) || dim < 0 || dim > (int64_t{1} << 40)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": bad shape entry"));
      }
      info.shape.push_back(dim);
      // Checked before the product, which could wrap around 2^64 to a small count.
      if (dim != 0 && count > (uint64_t{1} << 42) / static_cast<uint64_t>(dim)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": shape too large"));
      }
      count *= static_cast<uint64_t>(dim);
      if (count > (uint64_t{1} << 42)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": shape too large"));
      }
    }
    uint64_t begin = 0, end = 0;
    if (offsets.size() != 2 || offsets.at(0).get(begin) || offsets.at(1).get(end) ||
        begin > end) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": bad data_offsets"));
    }
    if (end - begin != WeightBytes(info.type, count)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": data_offsets span ", end - begin,
                                                     " bytes, shape ", ShapeString(info.shape),
                                                     " needs ", WeightBytes(info.type, count)));
    }
    if (end > data_size) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": data ends at byte ", 8 + header_len + end,
                       " past the end of the file (", size, " bytes): truncated file"));
    }
    info.data = data_begin + begin;
    info.nbytes = end - begin;
    if (end > begin) ranges.push_back(TensorRange{begin, end, name});
    if (!store->tensors.emplace(name, std::move(info)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": appears twice (in this file or in another shard)"));
    }
  }
  RETURN_IF_ERROR(CheckRangesDisjoint(path, std::move(ranges)));
  store->files.push_back(std::move(file));
  return absl::OkStatus();
}

absl::StatusOr<HfCheckpoint> LoadHfCheckpoint(const std::string& dir, bool copy_to_huge_pages) {
  HfCheckpoint ckpt;
  ASSIGN_OR_RETURN(ckpt.config_json, util::ReadFile(dir + "/config.json"));
  const std::string single = dir + "/model.safetensors";
  const std::string index_path = dir + "/model.safetensors.index.json";
  auto index = util::ReadFile(index_path);
  if (!index.ok()) {
    if (!absl::IsNotFound(index.status())) return index.status();
    RETURN_IF_ERROR(LoadSafetensorsFile(single, &ckpt.store, copy_to_huge_pages));
    return ckpt;
  }
  simdjson::dom::parser parser;
  simdjson::padded_string json(*index);
  simdjson::dom::object weight_map;
  if (parser.parse(json)["weight_map"].get(weight_map)) {
    return absl::InvalidArgumentError(absl::StrCat(index_path, ": no weight_map object"));
  }
  std::set<std::string> shards;
  std::vector<std::pair<std::string, std::string>> expected;  // (tensor, shard)
  for (auto field : weight_map) {
    std::string_view shard;
    if (field.value.get(shard) || shard.find('/') != std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(index_path, ": weight_map entry ", Str(field.key), " is not a file name"));
    }
    shards.insert(Str(shard));
    expected.emplace_back(Str(field.key), Str(shard));
  }
  for (const std::string& shard : shards) {
    RETURN_IF_ERROR(LoadSafetensorsFile(dir + "/" + shard, &ckpt.store, copy_to_huge_pages));
  }
  for (const auto& [tensor, shard] : expected) {
    const TensorInfo* info = ckpt.store.Find(tensor);
    if (info == nullptr || info->file != dir + "/" + shard) {
      return absl::InvalidArgumentError(absl::StrCat(index_path, ": tensor ", tensor,
                                                     " is listed in ", shard, " but not found there"));
    }
  }
  return ckpt;
}

}  // namespace xval::model
