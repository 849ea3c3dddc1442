// Parity with transformers' LlamaForCausalLM on the committed tiny checkpoints: a 64-token
// prefill then 32 one-token decode steps through the KV cache, plain and xVal inputs, from
// safetensors and GGUF. References come from tests/tools/make_tiny_llama.py.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "model/model_test_util.h"
#include "xval/model.h"

namespace xval::model {
namespace {

using ::xval::testing::MaxRelError;
using ::xval::testing::ModelDir;
using ::xval::testing::NormRelError;
using ::xval::testing::Reference;

constexpr size_t kPrefill = 64;
constexpr size_t kTotal = 96;

struct RunResult {
  std::vector<float> logits;   // (96, vocab)
  std::vector<float> numbers;  // (96) when the model has a number head
};

// Prefill 64 positions in one call (chunked by max_batch), then decode one at a time.
RunResult RunModel(const LlamaModel& model, const std::vector<int32_t>& ids,
                   const std::vector<float>& values, size_t max_batch = 64,
                   WeightType kv_cache_type = WeightType::kF32) {
  RunResult r;
  auto session = model.NewSession(kTotal, max_batch, kv_cache_type);
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return r;
  ForwardOutput out;
  const absl::Span<const int32_t> all_ids(ids);
  const absl::Span<const float> all_values(values);
  absl::Status s = (*session)->Forward(
      all_ids.subspan(0, kPrefill), values.empty() ? all_values : all_values.subspan(0, kPrefill),
      /*all_positions=*/true, &out);
  EXPECT_TRUE(s.ok()) << s;
  r.logits = out.logits;
  r.numbers = out.number_values;
  for (size_t t = kPrefill; t < ids.size(); ++t) {
    s = (*session)->Forward(all_ids.subspan(t, 1),
                            values.empty() ? all_values : all_values.subspan(t, 1),
                            /*all_positions=*/false, &out);
    EXPECT_TRUE(s.ok()) << s;
    r.logits.insert(r.logits.end(), out.logits.begin(), out.logits.end());
    r.numbers.insert(r.numbers.end(), out.number_values.begin(), out.number_values.end());
  }
  EXPECT_EQ((*session)->position(), ids.size());
  return r;
}

class ParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParityTest, SafetensorsMatchesTransformers) {
  const std::string name = GetParam();
  auto ref = Reference::Load(name);
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto model = LlamaModel::Load(ModelDir(name));
  ASSERT_TRUE(model.ok()) << model.status();
  const bool bf16 = (*model)->weight_type() == WeightType::kBF16;
  const std::vector<int32_t> ids = ref->Ids();
  ASSERT_EQ(ids.size(), kTotal);

  const RunResult plain = RunModel(**model, ids, {});
  const RunResult xval = RunModel(**model, ids, ref->Get("values"));
  if (bf16) {
    // bf16 weights, f32 activations on both sides: the bound, and the f32 one.
    EXPECT_LE(NormRelError(plain.logits, ref->Get("logits")), 1e-2);
    EXPECT_LE(NormRelError(xval.logits, ref->Get("xval_logits")), 1e-2);
    EXPECT_LE(MaxRelError(plain.logits, ref->Get("logits")), 1e-4);
    EXPECT_LE(MaxRelError(xval.logits, ref->Get("xval_logits")), 1e-4);
    // transformers run in bf16 end to end rounds every activation to 8 bits of mantissa; on
    // this model that moves its logits by about 1.6% from any f32-activation result.
    const double bf16_run = NormRelError(plain.logits, ref->Get("bf16_run_logits"));
    EXPECT_LE(bf16_run, 3e-2);
    EXPECT_LE(NormRelError(xval.logits, ref->Get("bf16_run_xval_logits")), 3e-2);
    RecordProperty("bf16_run_norm_rel_error", std::to_string(bf16_run));
  } else {
    EXPECT_LE(MaxRelError(plain.logits, ref->Get("logits")), 1e-4);
    EXPECT_LE(MaxRelError(xval.logits, ref->Get("xval_logits")), 1e-4);
  }
  // The values change the result: the xVal path is not the plain one.
  EXPECT_GT(MaxRelError(xval.logits, plain.logits), 1e-3);
  const std::vector<float> numbers = ref->Get("numbers");
  if (!numbers.empty()) {
    ASSERT_EQ(xval.numbers.size(), kTotal);
    EXPECT_LE(MaxRelError(xval.numbers, numbers), 1e-4);
  } else {
    EXPECT_TRUE(xval.numbers.empty());
  }
}

// Chunked prefill (7 tokens at a time) gives the logits of one 64-token batch.
TEST_P(ParityTest, ChunkedPrefillMatches) {
  const std::string name = GetParam();
  auto ref = Reference::Load(name);
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto model = LlamaModel::Load(ModelDir(name));
  ASSERT_TRUE(model.ok()) << model.status();
  const RunResult whole = RunModel(**model, ref->Ids(), ref->Get("values"), 64);
  const RunResult chunked = RunModel(**model, ref->Ids(), ref->Get("values"), 7);
  EXPECT_LE(MaxRelError(chunked.logits, whole.logits), 1e-5);
}

// A batch that starts after cached positions and spans several attention blocks (10 tokens,
// then 86 at once: blocks of 64 and 22 rows, the batched attention path) matches transformers.
TEST_P(ParityTest, BatchAfterCacheMatchesTransformers) {
  const std::string name = GetParam();
  auto ref = Reference::Load(name);
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto model = LlamaModel::Load(ModelDir(name));
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<int32_t> ids = ref->Ids();
  const std::vector<float> values = ref->Get("values");
  auto session = (*model)->NewSession(kTotal, kTotal);
  ASSERT_TRUE(session.ok()) << session.status();
  std::vector<float> logits;  // (kTotal, vocab)
  for (const auto& [begin, end] : {std::pair<size_t, size_t>{0, 10}, {10, kTotal}}) {
    ForwardOutput out;
    const absl::Status s = (*session)->Forward(
        absl::Span<const int32_t>(ids).subspan(begin, end - begin),
        absl::Span<const float>(values).subspan(begin, end - begin), /*all_positions=*/true, &out);
    ASSERT_TRUE(s.ok()) << s;
    logits.insert(logits.end(), out.logits.begin(), out.logits.end());
  }
  EXPECT_LE(MaxRelError(logits, ref->Get("xval_logits")), 1e-4);
}

// An f16 KV cache (llama.cpp's default) rounds each stored key and value by at most 2^-11 of
// itself; through the 64-token batch (batched attention) and the 32 decode steps the logits stay
// within 2e-3 of transformers' (relative to their scale), and they are not the f32 cache's.
TEST_P(ParityTest, F16KvCacheStaysNearTransformers) {
  const std::string name = GetParam();
  auto ref = Reference::Load(name);
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto model = LlamaModel::Load(ModelDir(name));
  ASSERT_TRUE(model.ok()) << model.status();
  const RunResult f16 = RunModel(**model, ref->Ids(), ref->Get("values"), 64, WeightType::kF16);
  const RunResult f32 = RunModel(**model, ref->Ids(), ref->Get("values"), 64, WeightType::kF32);
  const double error = MaxRelError(f16.logits, ref->Get("xval_logits"));
  RecordProperty("f16_kv_max_rel_error", std::to_string(error));
  EXPECT_LE(error, 2e-3);
  EXPECT_GT(MaxRelError(f16.logits, f32.logits), 1e-7);
  if (!f16.numbers.empty()) EXPECT_LE(MaxRelError(f16.numbers, ref->Get("numbers")), 2e-3);
}

// The comparisons above fail on a NaN or infinity anywhere in the output or the reference
// (std::max would drop a NaN and report a matching all-NaN output as error 0).
TEST_P(ParityTest, ComparisonsCatchNaN) {
  auto ref = Reference::Load(GetParam());
  ASSERT_TRUE(ref.ok()) << ref.status();
  const std::vector<float> logits = ref->Get("logits");
  ASSERT_FALSE(logits.empty());
  ASSERT_EQ(MaxRelError(logits, logits), 0.0);
  std::vector<std::vector<float>> broken;
  broken.push_back(std::vector<float>(logits.size(), NAN));  // all NaN
  broken.push_back(logits);
  broken.back()[logits.size() / 2] = NAN;  // one NaN
  broken.push_back(logits);
  broken.back()[0] = INFINITY;
  broken.push_back(std::vector<float>(logits.begin(), logits.end() - 1));  // one short
  for (const std::vector<float>& b : broken) {
    EXPECT_GT(MaxRelError(b, logits), 1.0);
    EXPECT_GT(MaxRelError(logits, b), 1.0);
    EXPECT_GT(NormRelError(b, logits), 1.0);
    EXPECT_GT(NormRelError(logits, b), 1.0);
  }
}

INSTANTIATE_TEST_SUITE_P(TinyModels, ParityTest,
                         ::testing::Values("mha_tied", "gqa_untied", "odd_heads", "llama3_rope",
                                           "xval_mlp", "xval_linear_bf16", "mistral_window",
                                           "qwen2_bias"));

class GgufParityTest : public ::testing::TestWithParam<std::string> {};

// The GGUF copy (llama.cpp layout: permuted q/k rows, reversed dims) gives the logits of the
// safetensors folder, and both match transformers.
TEST_P(GgufParityTest, GgufMatchesSafetensors) {
  const std::string name = GetParam();
  auto ref = Reference::Load(name);
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto hf = LlamaModel::Load(ModelDir(name));
  ASSERT_TRUE(hf.ok()) << hf.status();
  auto gguf = LlamaModel::Load(ModelDir(name) + "/model.gguf");
  ASSERT_TRUE(gguf.ok()) << gguf.status();
  EXPECT_EQ((*gguf)->config().num_key_value_heads, (*hf)->config().num_key_value_heads);
  EXPECT_EQ((*gguf)->config().head_dim, (*hf)->config().head_dim);
  EXPECT_EQ((*gguf)->config().tie_word_embeddings, (*hf)->config().tie_word_embeddings);
  EXPECT_EQ((*gguf)->gguf_vocab().tokens.size(), static_cast<size_t>((*hf)->config().vocab_size));
  const std::vector<float> values = ref->Get("values");
  const RunResult a = RunModel(**hf, ref->Ids(), values);
  const RunResult b = RunModel(**gguf, ref->Ids(), values);
  EXPECT_LE(MaxRelError(b.logits, a.logits), 1e-5);
  EXPECT_LE(MaxRelError(b.logits, ref->Get("xval_logits")), 1e-4);
  EXPECT_EQ(a.numbers.size(), b.numbers.size());
  if (!a.numbers.empty()) EXPECT_LE(MaxRelError(b.numbers, a.numbers), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(TinyModels, GgufParityTest,
                         ::testing::Values("mha_tied", "gqa_untied", "odd_heads", "xval_mlp",
                                           "mistral_window", "qwen2_bias"));

// LoadOptions::copy_to_huge_pages changes where the weights live, not what they are: the
// logits are bit for bit the mapped files' ones, for a sharded safetensors folder, GGUF, Q8_0.
TEST(HugePagesTest, CopiedWeightsGiveTheMappedLogits) {
  const std::pair<std::string, std::string> models[] = {
      {"gqa_untied", ""}, {"gqa_untied", "/model.gguf"}, {"mha_tied", "/model-q8_0.gguf"},
      {"xval_mlp", ""}};
  for (const auto& [name, file] : models) {
    const std::string path = ModelDir(name) + file;
    auto ref = Reference::Load(name);
    ASSERT_TRUE(ref.ok()) << ref.status();
    LoadOptions copy;
    copy.copy_to_huge_pages = true;
    auto mapped = LlamaModel::Load(path);
    auto copied = LlamaModel::Load(path, copy);
    ASSERT_TRUE(mapped.ok()) << mapped.status();
    ASSERT_TRUE(copied.ok()) << copied.status();
    const RunResult a = RunModel(**mapped, ref->Ids(), ref->Get("values"));
    const RunResult b = RunModel(**copied, ref->Ids(), ref->Get("values"));
    EXPECT_EQ(a.logits, b.logits) << path;
    EXPECT_EQ(a.numbers, b.numbers) << path;
  }
}

// Q8_0 weights: transformers on the dequantized weights is the reference.
TEST(GgufQ8Test, MatchesTransformersOnDequantizedWeights) {
  auto ref = Reference::Load("mha_tied");
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto model = LlamaModel::Load(ModelDir("mha_tied") + "/model-q8_0.gguf");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->weight_type(), WeightType::kQ8_0);
  const RunResult r = RunModel(**model, ref->Ids(), {});
  EXPECT_LE(MaxRelError(r.logits, ref->Get("gguf_q8_logits")), 1e-4);
  // and Q8_0 really is a different model from the f32 one
  EXPECT_GT(MaxRelError(r.logits, ref->Get("logits")), 1e-4);
}

}  // namespace
}  // namespace xval::model
