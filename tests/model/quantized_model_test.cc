// A tiny model quantized by llama.cpp's own llama-quantize into the mixes people download
// (Q4_K_M, Q5_K_M, Q4_0; tests/golden/model/q4k_gqa, from tests/tools/make_tiny_llama.py):
// every tensor dequantized bit for bit as the gguf package does, and the logits against
// transformers on those weights (f32 activations, as xval computes) and against llama.cpp on the
// same file (whose products round the activations to 8 bits).
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "kernels/quant_blocks.h"
#include "model/llama_model.h"
#include "model/model_test_util.h"
#include "xval/model.h"

namespace xval::model {
namespace {

using ::xval::testing::MaxRelError;
using ::xval::testing::ModelDir;
using ::xval::testing::Reference;

constexpr char kModel[] = "q4k_gqa";
constexpr size_t kPrefill = 64;

uint64_t Fnv1a64(const void* data, size_t size) {
  uint64_t h = 0xCBF29CE484222325ull;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 0x100000001B3ull;
  return h;
}

struct Expected {
  std::string ggml_type;  // "Q4_K", "F32", ...
  std::string hash;
};

// mix -> tensor -> what the gguf package made of it.
std::map<std::string, std::map<std::string, Expected>> ReadHashes() {
  std::map<std::string, std::map<std::string, Expected>> out;
  std::ifstream in(ModelDir(kModel) + "/dequantized.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string mix, tensor;
    Expected e;
    fields >> mix >> tensor >> e.ggml_type >> e.hash;
    out[mix][tensor] = e;
  }
  return out;
}

class QuantizedModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantizedModelTest, EveryTensorDequantizesAsTheGgufPackage) {
  const std::string mix = GetParam();
  const auto hashes = ReadHashes();
  ASSERT_TRUE(hashes.count(mix)) << "no hashes for " << mix;
  auto ckpt = LoadGgufCheckpoint(ModelDir(kModel) + "/model-" + mix + ".gguf");
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  const auto& want = hashes.at(mix);
  EXPECT_EQ(ckpt->store.tensors.size(), want.size());
  for (const auto& [name, t] : ckpt->store.tensors) {
    ASSERT_TRUE(want.count(name)) << name;
    const Expected& e = want.at(name);
    std::string type = WeightTypeName(t.type);
    for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(type, e.ggml_type) << name;
    const size_t cols = static_cast<size_t>(t.shape.back());
    const size_t rows = t.nbytes / QuantRowBytes(t.type, cols);
    const WeightMatrix w{t.type, t.data, rows, cols, cols};
    std::vector<float> all(rows * cols);
    for (size_t r = 0; r < rows; ++r) DequantizeRow(w, r, all.data() + r * cols);
    EXPECT_EQ(absl::StrFormat("%016x", Fnv1a64(all.data(), all.size() * sizeof(float))), e.hash)
        << name << " (" << e.ggml_type << ")";
  }
}

TEST_P(QuantizedModelTest, LogitsMatchTransformersAndLlamaCpp) {
  const std::string mix = GetParam();
  auto ref = Reference::Load(kModel);
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto model = LlamaModel::Load(ModelDir(kModel) + "/model-" + mix + ".gguf");
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<int32_t> ids = ref->Ids();
  auto session = (*model)->NewSession(ids.size(), kPrefill, WeightType::kF32);
  ASSERT_TRUE(session.ok()) << session.status();
  // A prefill then one token at a time: the batched and the matrix-vector products.
  ForwardOutput out;
  ASSERT_TRUE((*session)->Forward(absl::MakeSpan(ids).subspan(0, kPrefill), {}, true, &out).ok());
  std::vector<float> logits = out.logits;
  for (size_t t = kPrefill; t < ids.size(); ++t) {
    ASSERT_TRUE((*session)->Forward(absl::MakeSpan(ids).subspan(t, 1), {}, false, &out).ok());
    logits.insert(logits.end(), out.logits.begin(), out.logits.end());
  }
  const std::vector<float> exact = ref->Get(mix + "_logits");
  const std::vector<float> llama = ref->Get(mix + "_llamacpp_logits");
  ASSERT_FALSE(exact.empty());
  ASSERT_FALSE(llama.empty());
  // f32 activations on the same weights: transformers' logits up to rounding.
  EXPECT_LE(MaxRelError(logits, exact), 1e-4);
  // llama.cpp rounds the activations to 8 bits in its products (about 3 % of the logits' scale
  // on this model); xval is as close to it as the exact computation is.
  const double exact_to_llama = MaxRelError(exact, llama);
  EXPECT_LE(exact_to_llama, 0.05);
  EXPECT_LE(MaxRelError(logits, llama), exact_to_llama * 1.01 + 1e-4);
}

// LoadOptions::q8_activations: decode's products round the activations to 8 bits as llama.cpp's
// do; the decode positions' logits stay as close to llama.cpp's as the exact computation's
// (the prefill's are the exact ones: it keeps f32 activations).
TEST_P(QuantizedModelTest, Q8ActivationsStayNearLlamaCpp) {
  const std::string mix = GetParam();
  auto ref = Reference::Load(kModel);
  ASSERT_TRUE(ref.ok()) << ref.status();
  LoadOptions q8;
  q8.q8_activations = true;
  auto model = LlamaModel::Load(ModelDir(kModel) + "/model-" + mix + ".gguf", q8);
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<int32_t> ids = ref->Ids();
  auto session = (*model)->NewSession(ids.size(), kPrefill, WeightType::kF32);
  ASSERT_TRUE(session.ok()) << session.status();
  ForwardOutput out;
  ASSERT_TRUE((*session)->Forward(absl::MakeSpan(ids).subspan(0, kPrefill), {}, true, &out).ok());
  std::vector<float> logits, exact, llama;
  const std::vector<float> all_exact = ref->Get(mix + "_logits");
  const std::vector<float> all_llama = ref->Get(mix + "_llamacpp_logits");
  const size_t vocab = all_exact.size() / ids.size();
  for (size_t t = kPrefill; t < ids.size(); ++t) {
    ASSERT_TRUE((*session)->Forward(absl::MakeSpan(ids).subspan(t, 1), {}, false, &out).ok());
    logits.insert(logits.end(), out.logits.begin(), out.logits.end());
    exact.insert(exact.end(), all_exact.begin() + t * vocab, all_exact.begin() + (t + 1) * vocab);
    llama.insert(llama.end(), all_llama.begin() + t * vocab, all_llama.begin() + (t + 1) * vocab);
  }
  // The 8-bit activations round differently from llama.cpp's in detail (per-block sums in
  // another order), so they need not be closer to its logits than the exact ones; within half
  // again the exact ones' distance.
  const double exact_to_llama = MaxRelError(exact, llama);
  EXPECT_LE(MaxRelError(logits, llama), 1.5 * exact_to_llama);
  EXPECT_LE(MaxRelError(logits, exact), 0.05);
  // Every mix has Q6_K tensors (llama-quantize keeps output.weight Q6_K even in Q4_0), so every
  // mix's decode logits move.
  EXPECT_GT(MaxRelError(logits, exact), 1e-4);
  RecordProperty("exact_to_llamacpp", std::to_string(exact_to_llama));
  RecordProperty("q8_to_llamacpp", std::to_string(MaxRelError(logits, llama)));
}

INSTANTIATE_TEST_SUITE_P(LlamaQuantizeMixes, QuantizedModelTest,
                         ::testing::Values("q4_k_m", "q5_k_m", "q4_0"));

}  // namespace
}  // namespace xval::model
