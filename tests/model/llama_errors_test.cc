// Bad input: every error names the tensor, field or file, and nothing aborts.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/model_test_util.h"
#include "util/file.h"
#include "xval/model.h"

namespace xval::model {
namespace {

using ::testing::HasSubstr;
using ::xval::testing::ModelDir;
namespace fs = std::filesystem;

std::string TempDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/xval_model_errors_" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

std::string ReadBytes(const std::string& path) {
  auto s = util::ReadFile(path);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : "";
}

// A safetensors file of f32 tensors (zeros): name -> shape.
void WriteSafetensors(const std::string& path,
                      const std::map<std::string, std::vector<int64_t>>& tensors) {
  std::string header = "{";
  size_t offset = 0;
  for (const auto& [name, shape] : tensors) {
    size_t count = 1;
    for (int64_t d : shape) count *= d;
    absl::StrAppend(&header, header.size() > 1 ? "," : "", "\"", name,
                    "\":{\"dtype\":\"F32\",\"shape\":[", absl::StrJoin(shape, ","),
                    "],\"data_offsets\":[", offset, ",", offset + count * 4, "]}");
    offset += count * 4;
  }
  header += "}";
  const uint64_t len = header.size();
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &len, 8);
  bytes += header;
  bytes += std::string(offset, '\0');
  WriteBytes(path, bytes);
}

constexpr char kConfig[] = R"({"model_type": "llama", "hidden_size": 8, "intermediate_size": 16,
  "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
  "vocab_size": 10, "tie_word_embeddings": true})";

// The tensors kConfig asks for.
std::map<std::string, std::vector<int64_t>> Tensors() {
  return {{"model.embed_tokens.weight", {10, 8}},
          {"model.norm.weight", {8}},
          {"model.layers.0.input_layernorm.weight", {8}},
          {"model.layers.0.post_attention_layernorm.weight", {8}},
          {"model.layers.0.self_attn.q_proj.weight", {8, 8}},
          {"model.layers.0.self_attn.k_proj.weight", {4, 8}},
          {"model.layers.0.self_attn.v_proj.weight", {4, 8}},
          {"model.layers.0.self_attn.o_proj.weight", {8, 8}},
          {"model.layers.0.mlp.gate_proj.weight", {16, 8}},
          {"model.layers.0.mlp.up_proj.weight", {16, 8}},
          {"model.layers.0.mlp.down_proj.weight", {8, 16}}};
}

absl::Status LoadWith(const std::string& name, const std::string& config,
                      const std::map<std::string, std::vector<int64_t>>& tensors) {
  const std::string dir = TempDir(name);
  WriteBytes(dir + "/config.json", config);
  WriteSafetensors(dir + "/model.safetensors", tensors);
  return LlamaModel::Load(dir).status();
}

TEST(ModelErrorsTest, HandWrittenCheckpointLoads) {
  EXPECT_TRUE(LoadWith("ok", kConfig, Tensors()).ok());
}

TEST(ModelErrorsTest, MissingTensorIsNamed) {
  auto tensors = Tensors();
  tensors.erase("model.layers.0.mlp.up_proj.weight");
  const absl::Status s = LoadWith("missing", kConfig, tensors);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("missing tensor model.layers.0.mlp.up_proj.weight"));
}

TEST(ModelErrorsTest, WrongShapeIsNamed) {
  auto tensors = Tensors();
  tensors["model.layers.0.self_attn.k_proj.weight"] = {8, 8};  // as if num_key_value_heads 2
  const absl::Status s = LoadWith("shape", kConfig, tensors);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("model.layers.0.self_attn.k_proj.weight has shape [8, 8]"));
  EXPECT_THAT(s.message(), HasSubstr("num_key_value_heads"));
}

TEST(ModelErrorsTest, ConfigDisagreeingWithWeights) {
  std::string config = kConfig;
  config.replace(config.find("\"vocab_size\": 10"), 16, "\"vocab_size\": 12");
  absl::Status s = LoadWith("vocab", config, Tensors());
  EXPECT_THAT(s.message(), HasSubstr("model.embed_tokens.weight has shape [10, 8]"));
  EXPECT_THAT(s.message(), HasSubstr("vocab_size"));

  config = kConfig;
  config.replace(config.find("\"num_hidden_layers\": 1"), 22, "\"num_hidden_layers\": 2");
  s = LoadWith("layers", config, Tensors());
  EXPECT_THAT(s.message(), HasSubstr("missing tensor model.layers.1."));

  // Weights for a layer the config does not have.
  auto tensors = Tensors();
  tensors["model.layers.1.input_layernorm.weight"] = {8};
  s = LoadWith("extra", kConfig, tensors);
  EXPECT_THAT(s.message(), HasSubstr("model.layers.1.input_layernorm.weight"));

  // Untied in the config, no lm_head.weight in the file.
  config = kConfig;
  config.replace(config.find("true"), 4, "false");
  s = LoadWith("untied", config, Tensors());
  EXPECT_THAT(s.message(), HasSubstr("missing tensor lm_head.weight"));
}

TEST(ModelErrorsTest, ConfigFieldsAreNamed) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"num_attention_heads": 4, "num_key_value_heads": 3})", "num_key_value_heads"},
      {R"({"model_type": "gpt2"})", "model_type"},
      {R"({"hidden_act": "gelu"})", "hidden_act"},
      {R"({"hidden_size": "big"})", "hidden_size"},
      {R"({"hidden_size": 0})", "hidden_size"},
      {R"({"head_dim": 7})", "head_dim"},
      {R"({"rope_scaling": {"rope_type": "yarn", "factor": 2}})", "rope_scaling.rope_type"},
      {R"({"attention_bias": true})", "attention_bias"},
      {R"({"xval_number_head": "mlp"})", "xval_number_head_intermediate_size"},
      {R"({"vocab_size": 10, "xval_num_token_id": 10})", "xval_num_token_id"},
      {R"([1, 2])", "not an object"},
      {R"({"hidden_size": )", "not JSON"},
      {R"({"model_type": "gemma"})", "llama, mistral or qwen2"},
      {R"({"model_type": "mistral", "sliding_window": -5})", "sliding_window"},
      {R"({"model_type": "mistral", "attention_bias": true})", "attention_bias"},
      {R"({"model_type": "qwen2", "num_hidden_layers": 2, "use_sliding_window": true,
           "layer_types": ["full_attention", "local"]})",
       "layer_types"},
      {R"({"model_type": "qwen2", "num_hidden_layers": 3, "use_sliding_window": true,
           "layer_types": ["full_attention", "sliding_attention"]})",
       "layer_types"},
  };
  for (const Case& c : cases) {
    auto config = ParseLlamaConfig(c.json);
    EXPECT_FALSE(config.ok()) << c.json;
    EXPECT_THAT(config.status().message(), HasSubstr(c.field)) << c.json;
  }
}

TEST(ModelErrorsTest, LegacyLlemmaConfigParses) {
  // llemma_7b's keys (rope_theta and rope_scaling at the top level, as before transformers 5).
  auto c = ParseLlamaConfig(R"({"architectures": ["LlamaForCausalLM"], "bos_token_id": 1,
    "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 11008,
    "max_position_embeddings": 4096, "model_type": "llama", "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 32, "rms_norm_eps": 1e-05,
    "rope_scaling": null, "rope_theta": 10000, "tie_word_embeddings": false,
    "torch_dtype": "bfloat16", "vocab_size": 32016})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->head_dim, 128);
  EXPECT_EQ(c->vocab_size, 32016);
  EXPECT_FLOAT_EQ(c->rope_theta, 10000.0f);
  EXPECT_FLOAT_EQ(c->rms_norm_eps, 1e-5f);
  EXPECT_FALSE(c->tie_word_embeddings);
  auto scaled = ParseLlamaConfig(R"({"rope_theta": 500000.0, "rope_scaling": {"factor": 8.0,
    "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192,
    "rope_type": "llama3"}})");
  ASSERT_TRUE(scaled.ok()) << scaled.status();
  EXPECT_EQ(scaled->rope_scaling.rope_type, RopeType::kLlama3);
  EXPECT_FLOAT_EQ(scaled->rope_theta, 500000.0f);
}

// The families' own defaults, and which layers their windows cover, as transformers decides.
TEST(ModelErrorsTest, FamilyConfigsFollowTransformers) {
  auto mistral = ParseLlamaConfig(R"({"model_type": "mistral"})");
  ASSERT_TRUE(mistral.ok()) << mistral.status();
  EXPECT_EQ(mistral->model_type, ModelFamily::kMistral);
  EXPECT_EQ(mistral->intermediate_size, 14336);
  EXPECT_EQ(mistral->num_key_value_heads, 8);
  EXPECT_EQ(mistral->sliding_window, 4096);
  EXPECT_EQ(mistral->sliding_layers, std::vector<bool>(32, true));
  EXPECT_FALSE(mistral->attention_qkv_bias);
  // Mistral v0.2 and later: "sliding_window": null, no window.
  auto v02 = ParseLlamaConfig(R"({"model_type": "mistral", "sliding_window": null})");
  ASSERT_TRUE(v02.ok()) << v02.status();
  EXPECT_EQ(v02->sliding_window, 0);
  EXPECT_TRUE(v02->sliding_layers.empty());
  // null for num_key_value_heads is transformers' None: as many as the heads, not the default.
  auto none = ParseLlamaConfig(
      R"({"model_type": "mistral", "num_attention_heads": 16, "num_key_value_heads": null})");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->num_key_value_heads, 16);
  // Qwen2: biases always; a window only with use_sliding_window, from max_window_layers up.
  auto qwen2 = ParseLlamaConfig(R"({"model_type": "qwen2", "num_hidden_layers": 4})");
  ASSERT_TRUE(qwen2.ok()) << qwen2.status();
  EXPECT_TRUE(qwen2->attention_qkv_bias);
  EXPECT_EQ(qwen2->vocab_size, 151936);
  EXPECT_EQ(qwen2->sliding_window, 0);
  auto windowed = ParseLlamaConfig(R"({"model_type": "qwen2", "num_hidden_layers": 4,
    "use_sliding_window": true, "sliding_window": 64, "max_window_layers": 2})");
  ASSERT_TRUE(windowed.ok()) << windowed.status();
  EXPECT_EQ(windowed->sliding_window, 64);
  EXPECT_EQ(windowed->sliding_layers, (std::vector<bool>{false, false, true, true}));
  // Llama's config class has no window: the key is ignored, as transformers ignores it.
  auto llama = ParseLlamaConfig(R"({"model_type": "llama", "sliding_window": 16})");
  ASSERT_TRUE(llama.ok()) << llama.status();
  EXPECT_EQ(llama->sliding_window, 0);
}

TEST(ModelErrorsTest, TruncatedSafetensors) {
  const std::string dir = TempDir("truncated");
  fs::copy_file(ModelDir("mha_tied") + "/config.json", dir + "/config.json");
  const std::string bytes = ReadBytes(ModelDir("mha_tied") + "/model.safetensors");
  for (size_t keep : {bytes.size() - 100, size_t{100}, size_t{4}}) {
    WriteBytes(dir + "/model.safetensors", bytes.substr(0, keep));
    for (bool copy : {false, true}) {  // mapped in place, or copied to huge pages first
      LoadOptions options;
      options.copy_to_huge_pages = copy;
      const absl::Status s = LlamaModel::Load(dir, options).status();
      EXPECT_FALSE(s.ok());
      EXPECT_THAT(s.message(), HasSubstr("truncated")) << keep;
      EXPECT_THAT(s.message(), HasSubstr("model.safetensors")) << keep;
    }
  }
  WriteBytes(dir + "/model.safetensors", bytes.substr(0, bytes.size() - 100));
  EXPECT_THAT(LlamaModel::Load(dir).status().message(), HasSubstr("tensor "));
}

TEST(ModelErrorsTest, MissingFiles) {
  EXPECT_TRUE(absl::IsNotFound(LlamaModel::Load("/nonexistent/xval/model").status()));
  const std::string dir = TempDir("noweights");
  fs::copy_file(ModelDir("mha_tied") + "/config.json", dir + "/config.json");
  const absl::Status s = LlamaModel::Load(dir).status();
  EXPECT_THAT(s.message(), HasSubstr("model.safetensors"));
  // A shard index naming a tensor its shard lacks.
  fs::copy_file(ModelDir("mha_tied") + "/model.safetensors", dir + "/model.safetensors");
  WriteBytes(dir + "/model.safetensors.index.json",
             R"({"weight_map": {"model.norm.weight": "model.safetensors",
                 "model.extra.weight": "model.safetensors"}})");
  EXPECT_THAT(LlamaModel::Load(dir).status().message(), HasSubstr("model.extra.weight"));
}

TEST(ModelErrorsTest, BadGguf) {
  const std::string dir = TempDir("gguf");
  const std::string bytes = ReadBytes(ModelDir("mha_tied") + "/model.gguf");
  ASSERT_GT(bytes.size(), 1000u);

  std::string bad = bytes;
  bad[3] = 'X';
  WriteBytes(dir + "/magic.gguf", bad);
  absl::Status s = LlamaModel::Load(dir + "/magic.gguf").status();
  EXPECT_THAT(s.message(), HasSubstr("bad magic"));
  EXPECT_THAT(s.message(), HasSubstr("magic.gguf"));

  bad = bytes;
  bad[4] = 1;  // version 1
  WriteBytes(dir + "/version.gguf", bad);
  EXPECT_THAT(LlamaModel::Load(dir + "/version.gguf").status().message(),
              HasSubstr("GGUF version 1 is not supported"));

  for (size_t keep : {bytes.size() - 64, bytes.size() / 2, size_t{30}, size_t{2}}) {
    WriteBytes(dir + "/short.gguf", bytes.substr(0, keep));
    s = LlamaModel::Load(dir + "/short.gguf").status();
    EXPECT_FALSE(s.ok()) << keep;
    EXPECT_THAT(s.message(), HasSubstr("truncated")) << keep;
  }
  // The GGUF tensor that is too short for the config is named.
  WriteBytes(dir + "/short.gguf", bytes.substr(0, bytes.size() - 64));
  EXPECT_THAT(LlamaModel::Load(dir + "/short.gguf").status().message(), HasSubstr("tensor "));
}

TEST(ModelErrorsTest, ForwardRejectsBadInputAndKeepsState) {
  auto model = LlamaModel::Load(ModelDir("mha_tied"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto session = (*model)->NewSession(8);
  ASSERT_TRUE(session.ok());
  ForwardOutput out;
  const std::vector<int32_t> ok_ids = {1, 2, 3};
  ASSERT_TRUE((*session)->Forward(ok_ids, {}, true, &out).ok());
  const std::vector<float> first = out.logits;
  EXPECT_EQ((*session)->position(), 3u);

  const std::vector<int32_t> bad_id = {5, 96};
  EXPECT_TRUE(absl::IsOutOfRange((*session)->Forward(bad_id, {}, true, &out)));
  const std::vector<int32_t> negative = {-1};
  EXPECT_TRUE(absl::IsOutOfRange((*session)->Forward(negative, {}, true, &out)));
  const std::vector<float> two_values = {1.0f, 2.0f};
  EXPECT_TRUE(absl::IsInvalidArgument((*session)->Forward(ok_ids, two_values, true, &out)));
  const std::vector<int32_t> too_long(6, 1);
  EXPECT_TRUE(absl::IsOutOfRange((*session)->Forward(too_long, {}, true, &out)));
  EXPECT_TRUE(absl::IsInvalidArgument((*session)->Forward({}, {}, true, &out)));
  EXPECT_EQ((*session)->position(), 3u);

  // Rewinding and re-running gives the same logits.
  ASSERT_TRUE((*session)->Rewind(0).ok());
  ASSERT_TRUE((*session)->Forward(ok_ids, {}, true, &out).ok());
  EXPECT_EQ(out.logits, first);
  EXPECT_FALSE((*session)->Rewind(4).ok());
  EXPECT_FALSE((*model)->NewSession(0).ok());
  EXPECT_FALSE((*model)->NewSession(size_t{1} << 40).ok());
  // KV caches are f32 or f16 only.
  EXPECT_TRUE(absl::IsInvalidArgument((*model)->NewSession(8, 8, WeightType::kBF16).status()));
  EXPECT_TRUE(absl::IsInvalidArgument((*model)->NewSession(8, 8, WeightType::kQ8_0).status()));
  EXPECT_TRUE((*model)->NewSession(8, 8, WeightType::kF16).ok());
}

}  // namespace
}  // namespace xval::model
