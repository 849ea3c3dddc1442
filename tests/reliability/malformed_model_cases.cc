// Malformed checkpoint files for the malformed-input table: GGUF, safetensors, shard indexes and
// config.json, each a real file with one field broken.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "malformed_cases.h"

namespace xval::malformed {

// --- GGUF -----------------------------------------------------------------------------------

namespace {

// The byte offsets of a GGUF file's structures, read the way the format is laid out.
struct GgufLayout {
  size_t tensor_count_at = 8, kv_count_at = 16;
  std::vector<size_t> key_at;    // each metadata key's length field
  std::vector<size_t> value_at;  // each value's type field
  std::vector<std::string> keys;
  std::vector<size_t> tensor_at;         // each tensor info's name length field
  std::vector<size_t> tensor_offset_at;  // each tensor info's offset field
  std::vector<size_t> tensor_dims_at;    // each tensor info's first dimension
  size_t data_at = 0;
};

uint64_t U64(const std::string& s, size_t at) {
  uint64_t v = 0;
  std::memcpy(&v, s.data() + at, 8);
  return v;
}
uint32_t U32(const std::string& s, size_t at) {
  uint32_t v = 0;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

size_t SkipGgufValue(const std::string& s, size_t pos, uint32_t type) {
  static const size_t kWidth[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
  if (type == 8) return pos + 8 + U64(s, pos);
  if (type == 9) {
    const uint32_t elem = U32(s, pos);
    const uint64_t n = U64(s, pos + 4);
    pos += 12;
    for (uint64_t i = 0; i < n; ++i) pos = SkipGgufValue(s, pos, elem);
    return pos;
  }
  return pos + kWidth[type];
}

GgufLayout ReadGgufLayout(const std::string& s) {
  GgufLayout l;
  const uint64_t tensors = U64(s, 8), kvs = U64(s, 16);
  size_t pos = 24;
  for (uint64_t i = 0; i < kvs; ++i) {
    l.key_at.push_back(pos);
    const uint64_t len = U64(s, pos);
    l.keys.push_back(s.substr(pos + 8, len));
    pos += 8 + len;
    l.value_at.push_back(pos);
    const uint32_t type = U32(s, pos);
    pos = SkipGgufValue(s, pos + 4, type);
  }
  for (uint64_t i = 0; i < tensors; ++i) {
    l.tensor_at.push_back(pos);
    pos += 8 + U64(s, pos);
    const uint32_t dims = U32(s, pos);
    l.tensor_dims_at.push_back(pos + 4);
    pos += 4 + 8 * dims;
    pos += 4;  // type
    l.tensor_offset_at.push_back(pos);
    pos += 8;
  }
  l.data_at = (pos + 31) / 32 * 32;
  return l;
}

size_t KeyIndex(const GgufLayout& l, const std::string& key) {
  for (size_t i = 0; i < l.keys.size(); ++i) {
    if (l.keys[i] == key) return i;
  }
  ADD_FAILURE() << "no metadata key " << key;
  return 0;
}

}  // namespace

std::vector<Case> GgufCases() {
  const std::string file = Read(Golden("model/mha_tied/model.gguf"));
  const GgufLayout l = ReadGgufLayout(file);
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"gguf",
                     std::move(name),
                     Loader::kModelFile,
                     "model.gguf",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  // Truncation at each structural boundary: the header fields, every metadata key and value,
  // every tensor info, and the data.
  for (size_t at : {size_t{0}, size_t{3}, size_t{4}, size_t{8}, size_t{16}, size_t{24}}) {
    add(absl::StrCat("cut_in_header_at_", at), file.substr(0, at), "");
  }
  for (size_t i = 0; i < l.key_at.size(); i += 3) {
    add(absl::StrCat("cut_in_key_", l.keys[i]), file.substr(0, l.key_at[i] + 4), "truncated");
    add(absl::StrCat("cut_in_value_", l.keys[i]), file.substr(0, l.value_at[i] + 5), "truncated");
  }
  for (size_t i = 0; i < l.tensor_at.size(); i += 4) {
    add(absl::StrCat("cut_in_tensor_info_", i), file.substr(0, l.tensor_offset_at[i] + 3),
        "truncated");
  }
  add("cut_in_data", file.substr(0, (l.data_at + file.size()) / 2), "past the end");
  // Huge declared sizes.
  add("tensor_count_2^60", Put<uint64_t>(file, l.tensor_count_at, uint64_t{1} << 60),
      "tensors and");
  add("kv_count_2^60", Put<uint64_t>(file, l.kv_count_at, uint64_t{1} << 60), "metadata pairs");
  add("key_length_2^63", Put<uint64_t>(file, l.key_at[0], uint64_t{1} << 63), "truncated");
  {
    const size_t tokens = KeyIndex(l, "tokenizer.ggml.tokens");
    // The array's element count, then its first string's length.
    add("string_array_count_2^60", Put<uint64_t>(file, l.value_at[tokens] + 8, uint64_t{1} << 60),
        "elements do not fit");
    add("string_length_2^63", Put<uint64_t>(file, l.value_at[tokens] + 16, uint64_t{1} << 63),
        "truncated");
    add("array_element_type_99", Put<uint32_t>(file, l.value_at[tokens] + 4, 99), "element type");
  }
  {
    const size_t scores = KeyIndex(l, "tokenizer.ggml.scores");
    add("number_array_count_2^40", Put<uint64_t>(file, l.value_at[scores] + 8, uint64_t{1} << 40),
        "elements do not fit");
  }
  add("value_type_99", Put<uint32_t>(file, l.value_at[0], 99), "unknown value type");
  add("nested_array", Put<uint32_t>(file, l.value_at[KeyIndex(l, "tokenizer.ggml.tokens")] + 4, 9),
      "nested arrays");
  add("version_1", Put<uint32_t>(file, 4, 1), "GGUF version 1");
  add("version_4", Put<uint32_t>(file, 4, 4), "GGUF version 4");
  add("magic", Put<uint8_t>(file, 0, 'X'), "bad magic");
  // Tensor infos: dimensions, types, offsets.
  const size_t n_dims_at = l.tensor_dims_at[0] - 4;
  add("tensor_dims_0", Put<uint32_t>(file, n_dims_at, 0), "dimensions");
  add("tensor_dims_5", Put<uint32_t>(file, n_dims_at, 5), "dimensions");
  add("tensor_dim_2^41", Put<uint64_t>(file, l.tensor_dims_at[0], uint64_t{1} << 41), "");
  add("tensor_dim_product_2^78",
      Put<uint64_t>(Put<uint64_t>(file, l.tensor_dims_at[0], uint64_t{1} << 39),
                    l.tensor_dims_at[0] + 8, uint64_t{1} << 39),
      "too large");
  add("tensor_type_99", Put<uint32_t>(file, l.tensor_offset_at[0] - 4, 99), "ggml type 99");
  add("tensor_type_q4_1", Put<uint32_t>(file, l.tensor_offset_at[0] - 4, 3), "is not supported");
  // Q4_K, whose blocks are 256 weights, for a first tensor whose rows are shorter.
  add("tensor_type_q4_k_partial_block", Put<uint32_t>(file, l.tensor_offset_at[0] - 4, 12),
      "not whole blocks of 256");
  add("tensor_offset_past_end", Put<uint64_t>(file, l.tensor_offset_at[0], file.size()),
      "past the end");
  add("tensor_offset_2^63", Put<uint64_t>(file, l.tensor_offset_at[0], uint64_t{1} << 63), "");
  add("tensor_offset_unaligned",
      Put<uint64_t>(file, l.tensor_offset_at[1], U64(file, l.tensor_offset_at[1]) + 4),
      "alignment");
  add("tensors_overlap",
      Put<uint64_t>(file, l.tensor_offset_at[1], U64(file, l.tensor_offset_at[0])), "overlap");
  add("tensor_name_twice",
      Replace(file, file.substr(l.tensor_at[1] + 8, U64(file, l.tensor_at[1])),
              file.substr(l.tensor_at[0] + 8, U64(file, l.tensor_at[0]))),
      "");
  // Metadata values the configuration check refuses.
  auto f32_value = [&](const std::string& key, float v) {
    return Put<float>(file, l.value_at[KeyIndex(l, key)] + 4, v);
  };
  auto u32_value = [&](const std::string& key, uint32_t v) {
    return Put<uint32_t>(file, l.value_at[KeyIndex(l, key)] + 4, v);
  };
  add("rms_eps_nan", f32_value("llama.attention.layer_norm_rms_epsilon", NAN),
      "llama.attention.layer_norm_rms_epsilon");
  add("rms_eps_negative", f32_value("llama.attention.layer_norm_rms_epsilon", -1.0f),
      "llama.attention.layer_norm_rms_epsilon");
  add("rope_theta_inf", f32_value("llama.rope.freq_base", INFINITY), "llama.rope.freq_base");
  add("rope_theta_zero", f32_value("llama.rope.freq_base", 0.0f), "llama.rope.freq_base");
  add("heads_0", u32_value("llama.attention.head_count", 0), "llama.attention.head_count");
  add("kv_heads_3", u32_value("llama.attention.head_count_kv", 3), "llama.attention.head_count_kv");
  add("layers_2^31", u32_value("llama.block_count", 0x80000000u), "llama.block_count");
  add("embedding_length_2^30", u32_value("llama.embedding_length", 1u << 30),
      "llama.embedding_length");
  add("bos_outside_vocab", u32_value("tokenizer.ggml.bos_token_id", 100000),
      "tokenizer.ggml.bos_token_id");
  add("architecture_gpt2", Replace(file, "llama.", "gpt2."), "");
  add("not_gguf", "GGUG", "");
  // The same metadata read for its vocabulary (LoadTokenizer, which stops before the tensor
  // infos): each case up to there is an error for it too, and so are vocabularies it refuses.
  std::vector<Case> vocab;
  for (const Case& c : cases) {
    for (const char* prefix :
         {"cut_in_header", "cut_in_key", "cut_in_value", "tensor_count", "kv_count", "key_length",
          "string_array", "string_length", "array_element", "number_array", "value_type",
          "nested_array", "version_", "bos_outside_vocab"}) {
      if (absl::StartsWith(c.name, prefix)) {
        vocab.push_back(c);
        vocab.back().format = "gguf_vocab";
        vocab.back().loader = Loader::kTokenizer;
        break;
      }
    }
  }
  auto add_vocab = [&](std::string name, std::string bytes, std::string expect) {
    vocab.push_back({"gguf_vocab",
                     std::move(name),
                     Loader::kTokenizer,
                     "model.gguf",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  std::string header("GGUF", 4);
  header +=
      std::string("\x03\0\0\0", 4) + std::string(16, '\0');  // version 3, no tensors, no pairs
  add_vocab("no_vocabulary", header, "without a vocabulary");
  const size_t types = KeyIndex(l, "tokenizer.ggml.token_type");
  add_vocab("token_type_7", Put<int32_t>(file, l.value_at[types] + 16, 7), "token type");
  const size_t model = KeyIndex(l, "tokenizer.ggml.model");
  add_vocab("model_wordpiece", Put<char>(file, l.value_at[model] + 12, 'X'),
            "tokenizer.ggml.model");
  cases.insert(cases.end(), vocab.begin(), vocab.end());
  return cases;
}

// --- safetensors ----------------------------------------------------------------------------

std::vector<Case> SafetensorsCases() {
  const std::string dir = Golden("model/mha_tied");
  const std::string file = Read(dir + "/model.safetensors");
  const std::string config = Read(dir + "/config.json");
  const uint64_t header_len = U64(file, 0);
  const std::string header = file.substr(8, header_len);
  const std::string data = file.substr(8 + header_len);
  std::vector<Case> cases;
  auto with_header = [&](const std::string& h) {
    std::string out(8, '\0');
    const uint64_t n = h.size();
    std::memcpy(&out[0], &n, 8);
    return out + h + data;
  };
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"safetensors",
                     std::move(name),
                     Loader::kModelDir,
                     "model.safetensors",
                     std::move(bytes),
                     std::move(expect),
                     {{"config.json", config}}});
  };
  add("empty", "", "truncated");
  add("cut_in_length", file.substr(0, 5), "truncated");
  add("cut_in_header", file.substr(0, 8 + header_len / 2), "truncated");
  add("cut_in_data", file.substr(0, file.size() - 100), "past the end");
  add("header_length_2^63", Put<uint64_t>(file, 0, uint64_t{1} << 63), "truncated");
  add("header_length_past_file", Put<uint64_t>(file, 0, file.size()), "truncated");
  add("header_length_short", Put<uint64_t>(file, 0, header_len - 10), "not JSON");
  add("header_not_object", with_header("[1,2,3]"), "not an object");
  // The first tensor's fields.
  const size_t dtype_at = header.find("\"dtype\":\"F32\"");
  EXPECT_NE(dtype_at, std::string::npos);
  add("dtype_i64", with_header(Replace(header, "\"dtype\":\"F32\"", "\"dtype\":\"I64\"")),
      "dtype I64");
  add("dtype_number", with_header(Replace(header, "\"dtype\":\"F32\"", "\"dtype\":7")),
      "needs dtype");
  const size_t offsets_at = header.find("\"data_offsets\":[");
  const size_t offsets_end = header.find(']', offsets_at);
  const std::string offsets = header.substr(offsets_at, offsets_end + 1 - offsets_at);
  add("offsets_reversed", with_header(Replace(header, offsets, "\"data_offsets\":[100,0]")),
      "bad data_offsets");
  add("offsets_three", with_header(Replace(header, offsets, "\"data_offsets\":[0,1,2]")),
      "bad data_offsets");
  add("offsets_negative", with_header(Replace(header, offsets, "\"data_offsets\":[-4,0]")),
      "bad data_offsets");
  add("offsets_past_data",
      with_header(Replace(header, offsets,
                          absl::StrCat("\"data_offsets\":[", data.size(), ",",
                                       data.size() + (offsets_end - offsets_at), "]"))),
      "");
  add("offsets_2^64",
      with_header(Replace(header, offsets, "\"data_offsets\":[0,18446744073709551615]")), "");
  add("shape_mismatch", with_header(Replace(header, "\"shape\":[", "\"shape\":[3,")),
      "data_offsets span");
  add("shape_negative", with_header(Replace(header, "\"shape\":[", "\"shape\":[-1,")),
      "bad shape entry");
  add("shape_huge",
      with_header(Replace(header, "\"shape\":[", "\"shape\":[1099511627776,1099511627776,")),
      "too large");
  {
    // Two tensors on the same bytes: the second tensor's offsets set to the first's.
    const size_t second_at = header.find("\"data_offsets\":[", offsets_end);
    const size_t second_end = header.find(']', second_at);
    std::string h = header;
    h.replace(second_at, second_end + 1 - second_at, offsets);
    add("tensors_overlap", with_header(h), "");
  }
  add("invalid_utf8_name", with_header(Replace(header, "\"model.", "\"\xff\xfe.")), "not JSON");
  return cases;
}

// --- model.safetensors.index.json (a sharded checkpoint) ----------------------------------

std::vector<Case> ShardIndexCases() {
  const std::string dir = Golden("model/gqa_untied");
  const std::string index = Read(dir + "/model.safetensors.index.json");
  std::map<std::string, std::string> beside;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name != "model.safetensors.index.json" && name != "reference.safetensors" &&
        name.find(".gguf") == std::string::npos) {
      beside[name] = Read(entry.path().string());
    }
  }
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"safetensors_index", std::move(name), Loader::kModelDir,
                     "model.safetensors.index.json", std::move(bytes), std::move(expect), beside});
  };
  add("not_json", index.substr(0, index.size() / 2), "weight_map");
  add("no_weight_map", Replace(index, "\"weight_map\"", "\"weight_mop\""), "weight_map");
  add("shard_outside_folder",
      Replace(index, "\"model-00011-of-00012.safetensors\"",
              "\"../model-00011-of-00012.safetensors\""),
      "is not a file name");
  add("shard_not_a_string", Replace(index, "\"model-00011-of-00012.safetensors\"", "11"),
      "is not a file name");
  add("tensor_in_the_wrong_shard",
      Replace(index, "\"lm_head.weight\": \"model-00011-of-00012.safetensors\"",
              "\"lm_head.weight\": \"model-00001-of-00012.safetensors\""),
      "lm_head.weight is listed in model-00001-of-00012.safetensors but not found there");
  return cases;
}

// --- config.json ----------------------------------------------------------------------------

std::vector<Case> ConfigCases() {
  const std::string dir = Golden("model/mha_tied");
  const std::string config = Read(dir + "/config.json");
  const std::string weights = Read(dir + "/model.safetensors");
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"config_json",
                     std::move(name),
                     Loader::kModelDir,
                     "config.json",
                     std::move(bytes),
                     std::move(expect),
                     {{"model.safetensors", weights}}});
  };
  auto set = [&](const std::string& key, const std::string& value) {
    const size_t at = config.find("\"" + key + "\":");
    EXPECT_NE(at, std::string::npos) << key;
    const size_t end = config.find_first_of(",\n}", at);
    std::string out = config;
    out.replace(at, end - at, "\"" + key + "\": " + value);
    return out;
  };
  add("empty", "", "config.json");
  add("cut", config.substr(0, config.size() / 2), "not JSON");
  add("not_object", "[]", "not an object");
  add("rms_eps_nan", set("rms_norm_eps", "NaN"), "not JSON");
  add("rms_eps_infinity", set("rms_norm_eps", "Infinity"), "not JSON");
  add("rms_eps_1e400", set("rms_norm_eps", "1e400"), "");
  add("rms_eps_1e39", set("rms_norm_eps", "1e39"), "rms_norm_eps");
  add("rms_eps_negative", set("rms_norm_eps", "-1e-6"), "rms_norm_eps");
  add("rms_eps_string", set("rms_norm_eps", "\"small\""), "rms_norm_eps");
  add("rope_theta_zero", Replace(config, "\"rope_theta\": 10000.0", "\"rope_theta\": 0"),
      "rope_theta");
  add("rope_theta_negative", Replace(config, "\"rope_theta\": 10000.0", "\"rope_theta\": -5"),
      "rope_theta");
  add("rope_type_yarn", Replace(config, "\"rope_type\": \"default\"", "\"rope_type\": \"yarn\""),
      "rope_type");
  add("hidden_size_0", set("hidden_size", "0"), "hidden_size");
  add("hidden_size_2^31", set("hidden_size", "2147483648"), "hidden_size");
  add("hidden_size_float", set("hidden_size", "32.5"), "hidden_size");
  add("heads_0", set("num_attention_heads", "0"), "num_attention_heads");
  add("kv_heads_3", set("num_key_value_heads", "3"), "num_key_value_heads");
  add("head_dim_odd", set("head_dim", "7"), "head_dim");
  add("vocab_negative", set("vocab_size", "-5"), "vocab_size");
  add("layers_2^30", set("num_hidden_layers", "1073741824"), "num_hidden_layers");
  add("bos_outside_vocab", set("bos_token_id", "4294967303"), "bos_token_id");
  add("eos_outside_vocab", set("eos_token_id", "96"), "eos_token_id");
  add("model_type_gpt2", set("model_type", "\"gpt2\""), "model_type");
  add("hidden_act_gelu", set("hidden_act", "\"gelu\""), "hidden_act");
  add("attention_bias", set("attention_bias", "true"), "attention_bias");
  add("tie_string", set("tie_word_embeddings", "\"yes\""), "tie_word_embeddings");
  add("num_token_outside_vocab",
      Replace(config, "\"vocab_size\": 96", "\"vocab_size\": 96, \"xval_num_token_id\": 96"),
      "xval_num_token_id");
  add("number_head_unknown",
      Replace(config, "\"vocab_size\": 96", "\"vocab_size\": 96, \"xval_number_head\": \"deep\""),
      "xval_number_head");
  add("duplicate_key",
      Replace(config, "\"vocab_size\": 96", "\"vocab_size\": 96, \"vocab_size\": 0"),
      "vocab_size: 0 is not in");  // the last value, as transformers reads it
  return cases;
}

}  // namespace xval::malformed
