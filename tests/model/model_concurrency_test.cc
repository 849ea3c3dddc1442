// Two sessions on one loaded model generating at once (issue 16): a LlamaModel is shared
// read-only, each session owns its cache and activations, and the forward passes of both
// share the thread pool. Each thread's generations must equal the serial one exactly. The
// `tsan` preset runs this under ThreadSanitizer.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "model/model_test_util.h"
#include "xval/model.h"

namespace xval::model {
namespace {

using ::xval::testing::ModelDir;
using ::xval::testing::Reference;

Generated GenerateOnce(const LlamaModel& model, const std::vector<int32_t>& prompt,
                       const std::vector<float>& values, int32_t num_id, uint64_t seed) {
  auto session = model.NewSession(64, 16);
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return {};
  GenerateOptions options;
  options.max_new_tokens = 24;
  options.stop_at_eos = false;
  options.sampling.temperature = seed == 0 ? 0.0f : 0.8f;
  options.sampling.seed = seed;
  auto g = Generate(session->get(), prompt, values, num_id, -1, options);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *std::move(g) : Generated{};
}

class ModelConcurrencyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelConcurrencyTest, TwoSessionsGenerateAtOnce) {
  auto ref = Reference::Load(GetParam());
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto model = LlamaModel::Load(ModelDir(GetParam()));
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<int32_t> all_ids = ref->Ids();
  const std::vector<float> all_values = ref->Get("values");
  const int32_t num_id = (*model)->config().xval_num_token_id;
  // Two prompts of different lengths (so the sessions are at different positions), greedy
  // and sampled.
  const std::vector<int32_t> prompts[2] = {{all_ids.begin(), all_ids.begin() + 16},
                                           {all_ids.begin() + 3, all_ids.begin() + 12}};
  const std::vector<float> values[2] = {{all_values.begin(), all_values.begin() + 16},
                                        {all_values.begin() + 3, all_values.begin() + 12}};
  Generated serial[2];
  for (int p = 0; p < 2; ++p) {
    serial[p] = GenerateOnce(**model, prompts[p], values[p], num_id, p);
    ASSERT_EQ(serial[p].ids.size(), 24u);
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 4; ++round) {
        const int p = (t + round) % 2;
        const Generated g = GenerateOnce(**model, prompts[p], values[p], num_id, p);
        if (g.ids != serial[p].ids || g.values != serial[p].values) wrong.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(TinyModels, ModelConcurrencyTest,
                         ::testing::Values("gqa_untied", "xval_mlp"));

}  // namespace
}  // namespace xval::model
