// The C ABI's thread-safety promise (xval.h): one xval_tokenizer shared by four threads, each
// encoding, batch-encoding, decoding and streaming through its own xval_stream, every result
// compared with the serial one, and each thread's xval_last_error its own. Label concurrency:
// the tsan preset runs it under ThreadSanitizer.
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "xval/xval.h"

namespace xval {
namespace {

struct Result {
  std::vector<int32_t> ids;
  std::vector<size_t> splits;
  std::string decoded;
  std::string streamed;
};

Result RunAll(const xval_tokenizer* tok, const std::vector<std::string>& texts) {
  Result r;
  std::vector<const char*> ptrs;
  std::vector<size_t> lengths;
  for (const std::string& t : texts) {
    ptrs.push_back(t.data());
    lengths.push_back(t.size());
  }
  r.splits.resize(texts.size() + 1);
  size_t n = 0;
  std::vector<int32_t> ids(1 << 16);
  EXPECT_EQ(xval_encode_batch(tok, ptrs.data(), lengths.data(), texts.size(), nullptr, 2,
                              ids.data(), nullptr, nullptr, ids.size(), r.splits.data(), &n),
            XVAL_OK);
  ids.resize(n);
  r.ids = ids;
  for (const std::string& t : texts) {
    std::vector<int32_t> one(t.size() + 8);
    size_t m = 0;
    EXPECT_EQ(
        xval_encode(tok, t.data(), t.size(), nullptr, one.data(), nullptr, nullptr, one.size(), &m),
        XVAL_OK);
    one.resize(m);
    std::vector<char> text(4 * t.size() + 16);
    size_t length = 0;
    EXPECT_EQ(xval_decode(tok, one.data(), m, text.data(), text.size(), &length), XVAL_OK);
    r.decoded.append(text.data(), length);
  }
  xval_stream* stream = nullptr;
  EXPECT_EQ(xval_stream_new(tok, &stream), XVAL_OK);
  const char* piece = nullptr;
  size_t length = 0;
  for (int32_t id : r.ids) {
    EXPECT_EQ(xval_stream_push(stream, id, 1.0f, &piece, &length), XVAL_OK);
    r.streamed.append(piece, length);
  }
  EXPECT_EQ(xval_stream_flush(stream, &piece, &length), XVAL_OK);
  r.streamed.append(piece, length);
  xval_stream_free(stream);
  return r;
}

TEST(CApiConcurrency, FourThreadsShareOneTokenizer) {
  xval_tokenizer_options options;
  xval_tokenizer_options_init(&options);
  options.numbers = XVAL_NUMBERS_XVAL;
  xval_tokenizer* tok = nullptr;
  const std::string path = testing::DataDir() + "/tokenizers/llama2/tokenizer.model";
  ASSERT_EQ(xval_tokenizer_load(path.c_str(), &options, &tok), XVAL_OK) << xval_last_error();
  auto corpus = testing::LoadCorpus(testing::DataDir());
  ASSERT_TRUE(corpus.ok());
  std::vector<std::string> texts;
  for (size_t i = 0; i < corpus->size() && texts.size() < 200; i += 211)
    texts.push_back((*corpus)[i]);
  const Result serial = RunAll(tok, texts);
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 5; ++round) {
        const Result r = RunAll(tok, texts);
        wrong[k] += r.ids != serial.ids || r.splits != serial.splits ||
                    r.decoded != serial.decoded || r.streamed != serial.streamed;
        // An error on this thread is this thread's message.
        const int32_t bad = 1 << 30;
        size_t length = 0;
        char text[8];
        EXPECT_EQ(xval_decode(tok, &bad, 1, text, sizeof(text), &length), XVAL_OUT_OF_RANGE);
        EXPECT_NE(std::string(xval_last_error()).find(std::to_string(bad)), std::string::npos)
            << xval_last_error();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int k = 0; k < 4; ++k) EXPECT_EQ(wrong[k], 0) << "thread " << k;
  xval_tokenizer_free(tok);
}

// One model shared by four threads, each with its own session: the same logits as alone.
TEST(CApiConcurrency, FourSessionsShareOneModel) {
  xval_model* model = nullptr;
  const std::string dir = testing::SourceDir() + "/tests/golden/model/xval_mlp";
  ASSERT_EQ(xval_model_load(dir.c_str(), 1, &model), XVAL_OK) << xval_last_error();
  const std::vector<int32_t> ids = {4, 17, 8, 3, 5, 20, 3, 6};
  const std::vector<float> values = {1, 1, 1, 2.5f, 1, 1, -0.75f, 1};
  auto run = [&](std::vector<float>* logits) {
    xval_session* session = nullptr;
    EXPECT_EQ(xval_session_new(model, 64, &session), XVAL_OK);
    logits->assign(ids.size() * 27, 0.0f);
    EXPECT_EQ(xval_session_forward(session, ids.data(), values.data(), ids.size(), 1,
                                   logits->data(), logits->size(), nullptr, nullptr),
              XVAL_OK)
        << xval_last_error();
    xval_session_free(session);
  };
  std::vector<float> alone;
  run(&alone);
  std::vector<std::vector<float>> got(4);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 5; ++round) run(&got[k]);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int k = 0; k < 4; ++k) EXPECT_EQ(got[k], alone) << "thread " << k;
  xval_model_free(model);
}

}  // namespace
}  // namespace xval
