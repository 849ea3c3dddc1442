// GGUF (llama.cpp's ggml/docs/gguf.md), version 2 and 3: "GGUF", version, tensor count,
// metadata count, metadata key/value pairs, tensor infos (name, dims innermost first, ggml
// type, offset), then the tensor data at general.alignment. Every read is bounds-checked, so
// a truncated or corrupt file is an error naming the file and what was being read.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kernels/quant_blocks.h"
#include "model/config_fields.h"
#include "model/llama_model.h"
#include "util/gguf_metadata.h"
#include "util/status_macros.h"

namespace xval::model {
namespace {

// The ggml_type values (ggml.h) that load, and what they load as.
struct GgmlType {
  uint32_t id;
  WeightType type;
};
constexpr GgmlType kGgmlTypes[] = {
    {0, WeightType::kF32},   {1, WeightType::kF16},   {2, WeightType::kQ4_0},
    {8, WeightType::kQ8_0},  {12, WeightType::kQ4_K}, {13, WeightType::kQ5_K},
    {14, WeightType::kQ6_K}, {30, WeightType::kBF16},
};
using Value = util::GgufValue;
using Reader = util::GgufReader;
using Metadata = util::GgufMetadata;
using util::kArray;
using util::kString;

class ConfigReader {
 public:
  ConfigReader(const std::string& path, const Metadata& md) : path_(path), md_(md) {}
  // A number; absent keeps *out unless required.
  template <typename T>
  absl::Status Get(const std::string& key, T* out, bool required) const {
    auto it = md_.find(key);
    if (it == md_.end() || it->second.type == kString || it->second.type == kArray) {
      if (!required && it == md_.end()) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat(path_, ": metadata ", key, it == md_.end() ? " is missing" : " is not a number"));
    }
    const double v = it->second.number;
    if constexpr (std::is_integral_v<T>) {
      // A count or id: integral and inside T (a cast of anything else is undefined).
      if (!(v == std::floor(v) && v >= static_cast<double>(std::numeric_limits<T>::min()) &&
            v <= static_cast<double>(std::numeric_limits<T>::max()))) {
        return absl::InvalidArgumentError(
            absl::StrCat(path_, ": metadata ", key, ": ", v, " is not an integer in range"));
      }
    }
    *out = static_cast<T>(v);
    return absl::OkStatus();
  }
  const Value* Find(const std::string& key) const {
    auto it = md_.find(key);
    return it == md_.end() ? nullptr : &it->second;
  }

 private:
  const std::string& path_;
  const Metadata& md_;
};

absl::StatusOr<LlamaConfig> ConfigFromMetadata(const std::string& path, const Metadata& md,
                                               const TensorStore& store) {
  const ConfigReader r(path, md);
  const Value* arch = r.Find("general.architecture");
  if (arch == nullptr || arch->type != kString) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": metadata general.architecture is missing"));
  }
  LlamaConfig c;
  if (arch->str == "qwen2") {
    c.model_type = ModelFamily::kQwen2;
    c.attention_qkv_bias = true;
  } else if (arch->str != "llama") {  // llama.cpp writes Mistral as llama
    return absl::InvalidArgumentError(absl::StrCat(path, ": metadata general.architecture is \"",
                                                   arch->str, "\", not llama or qwen2"));
  }
  c.num_key_value_heads = kUnset;
  c.head_dim = kUnset;
  // The vocabulary size: {arch}.vocab_size, else the token list, else the embedding's rows.
  c.vocab_size = 0;
  if (const Value* tokens = r.Find("tokenizer.ggml.tokens")) c.vocab_size = tokens->strings.size();
  if (const TensorInfo* embed = store.Find("token_embd.weight");
      c.vocab_size == 0 && embed != nullptr && embed->shape.size() == 2) {
    c.vocab_size = embed->shape[0] <= std::numeric_limits<int>::max()
                       ? static_cast<int>(embed->shape[0])
                       : -1;  // refused by CheckLlamaConfig
  }
  for (const ConfigField& f : LlamaConfigFields()) {
    const std::string key = GgufKey(f, arch->str);
    if (f.float_member != nullptr) {
      RETURN_IF_ERROR(r.Get(key, &(c.*f.float_member), f.gguf_required));
    } else {
      RETURN_IF_ERROR(r.Get(key, &(c.*f.int_member), f.gguf_required));
      // kUnset marks "absent"; as a stored value it is out of range, not absent.
      if (c.*f.int_member == kUnset && r.Find(key) != nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": metadata ", key, ": ", kUnset, " is not in range"));
      }
    }
  }
  ApplyDerivedDefaults(&c);
  // The window's layers: {arch}.attention.sliding_window_pattern (llama.cpp's per-layer
  // booleans) when given, else all of them (the count is checked by CheckLlamaConfig).
  if (c.sliding_window > 0 && c.num_hidden_layers > 0 && c.num_hidden_layers <= kMaxConfigSize) {
    const std::string pattern_key = arch->str + ".attention.sliding_window_pattern";
    if (const Value* pattern = r.Find(pattern_key); pattern != nullptr) {
      if (pattern->type != kArray || !pattern->strings.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": metadata ", pattern_key, " is not an array of booleans"));
      }
      for (double v : pattern->numbers) c.sliding_layers.push_back(v != 0);
    } else {
      c.sliding_layers.assign(static_cast<size_t>(c.num_hidden_layers), true);
    }
  }
  const std::string scaling = arch->str + ".rope.scaling.type";
  if (const Value* type = r.Find(scaling); type != nullptr) {
    if (type->str == "linear") {
      c.rope_scaling.rope_type = RopeType::kLinear;
      RETURN_IF_ERROR(r.Get(arch->str + ".rope.scaling.factor", &c.rope_scaling.factor, true));
    } else if (type->str != "none") {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": metadata ", scaling, " \"", type->str, "\" is not supported"));
    }
  }
  c.tie_word_embeddings = store.Find("output.weight") == nullptr;
  if (const Value* head = r.Find("xval.number_head"); head != nullptr) {
    if (head->str == "linear") {
      c.xval_number_head = NumberHeadType::kLinear;
    } else if (head->str == "mlp") {
      c.xval_number_head = NumberHeadType::kMlp;
    } else if (head->str != "none") {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": metadata xval.number_head \"", head->str, "\" is not supported"));
    }
  }
  RETURN_IF_ERROR(CheckLlamaConfig(c, ConfigSource::kGguf, path));
  return c;
}

}  // namespace

absl::StatusOr<GgufCheckpoint> LoadGgufCheckpoint(const std::string& path,
                                                  bool copy_to_huge_pages) {
  ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::Open(path, copy_to_huge_pages));
  Reader r(path, file->data(), file->size());
  uint64_t tensor_count = 0;
  Metadata md;
  RETURN_IF_ERROR(util::ReadGgufMetadata(r, path, file->data(), file->size(), &tensor_count, &md));
  struct RawTensor {
    TensorInfo info;
    uint64_t offset;
  };
  std::vector<RawTensor> raw(tensor_count);
  for (auto& t : raw) {
    RETURN_IF_ERROR(r.ReadString(&t.info.name, "a tensor name"));
    const char* what = t.info.name.c_str();
    uint32_t n_dims, type;
    RETURN_IF_ERROR(r.Read(&n_dims, what));
    if (n_dims == 0 || n_dims > 4) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": tensor ", t.info.name, ": ", n_dims, " dimensions"));
    }
    std::vector<int64_t> ne(n_dims);  // innermost first, as ggml
    uint64_t count = 1;
    for (auto& d : ne) {
      uint64_t v;
      RETURN_IF_ERROR(r.Read(&v, what));
      if (v > (uint64_t{1} << 40)) return r.Truncated(what);
      d = static_cast<int64_t>(v);
      // Checked before the product, which could wrap around 2^64 to a small count.
      if (v != 0 && count > (uint64_t{1} << 42) / v) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": tensor ", t.info.name, ": too large"));
      }
      count *= v;
      if (count > (uint64_t{1} << 42)) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": tensor ", t.info.name, ": too large"));
      }
    }
    t.info.shape.assign(ne.rbegin(), ne.rend());  // PyTorch order
    RETURN_IF_ERROR(r.Read(&type, what));
    RETURN_IF_ERROR(r.Read(&t.offset, what));
    const GgmlType* known = nullptr;
    for (const GgmlType& g : kGgmlTypes) known = g.id == type ? &g : known;
    if (known == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": tensor ", t.info.name, ": ggml type ", type,
                       " is not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K)"));
    }
    t.info.type = known->type;
    if (const size_t block = BlockFormatOf(t.info.type).weights; ne[0] % block != 0) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor ", t.info.name, ": ",
                                                     WeightTypeName(t.info.type), " row of ", ne[0],
                                                     " is not whole blocks of ", block));
    }
    t.info.nbytes = WeightBytes(t.info.type, count);
    t.info.file = path;
  }
  uint32_t alignment = 32;
  if (auto it = md.find("general.alignment"); it != md.end()) {
    const double v = it->second.number;
    alignment = v >= 1 && v <= (1 << 30) ? static_cast<uint32_t>(v) : 0;
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment != v) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": metadata general.alignment ", alignment, " is not a power of two"));
    }
  }
  const size_t data_start = (r.pos() + alignment - 1) / alignment * alignment;
  GgufCheckpoint ckpt;
  std::vector<TensorRange> ranges;
  for (auto& t : raw) {
    if (t.offset % alignment != 0) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor ", t.info.name, ": offset ",
                                                     t.offset, " is not a multiple of the ",
                                                     alignment, "-byte alignment"));
    }
    if (t.offset > file->size() || data_start > file->size() - t.offset ||
        t.info.nbytes > file->size() - data_start - t.offset) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": tensor ", t.info.name, ": data runs past the end of the file (",
          file->size(), " bytes): truncated file"));
    }
    t.info.data = file->data() + data_start + t.offset;
    const std::string name = t.info.name;
    if (t.info.nbytes > 0) ranges.push_back(TensorRange{t.offset, t.offset + t.info.nbytes, name});
    if (!ckpt.store.tensors.emplace(name, std::move(t.info)).second) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor ", name, " appears twice"));
    }
  }
  RETURN_IF_ERROR(CheckRangesDisjoint(path, std::move(ranges)));
  ckpt.store.files.push_back(std::move(file));
  ASSIGN_OR_RETURN(ckpt.config, ConfigFromMetadata(path, md, ckpt.store));

  if (const Value* tokens = ConfigReader(path, md).Find("tokenizer.ggml.tokens")) {
    ckpt.vocab.tokens = tokens->strings;
    if (auto it = md.find("tokenizer.ggml.model"); it != md.end()) ckpt.vocab.model = it->second.str;
    if (auto it = md.find("tokenizer.ggml.scores"); it != md.end()) {
      ckpt.vocab.scores.assign(it->second.numbers.begin(), it->second.numbers.end());
    }
    if (auto it = md.find("tokenizer.ggml.token_type"); it != md.end()) {
      ckpt.vocab.token_types.assign(it->second.numbers.begin(), it->second.numbers.end());
    }
    ckpt.vocab.bos_id = ckpt.config.bos_token_id;
    ckpt.vocab.eos_id = ckpt.config.eos_token_id;
  }
  return ckpt;
}

}  // namespace xval::model
