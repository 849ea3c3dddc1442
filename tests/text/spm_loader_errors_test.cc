// Bad tokenizer files: every one gives an error that names the file and what is wrong, and
// none crashes (truncation at every point of the file's first kilobytes included).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "support/corpus.h"
#include "xval/tokenizer.h"

namespace xval {
namespace {

std::string ModelPath() { return testing::DataDir() + "/tokenizers/llama2/tokenizer.model"; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class LoaderErrorsTest : public ::testing::Test {
 protected:
  // Writes `content` to a temporary file and loads it.
  absl::Status LoadContent(const std::string& content, const std::string& suffix) {
    // One path per test: ctest runs the tests of this suite in parallel processes, and a file
    // another test rewrites mid-read fails with a different error.
    path_ = ::testing::TempDir() + "/xval_bad_tokenizer_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + suffix;
    std::ofstream(path_, std::ios::binary) << content;
    return LoadTokenizer(path_).status();
  }
  void ExpectError(const absl::Status& status, absl::string_view what) {
    EXPECT_FALSE(status.ok());
    EXPECT_TRUE(absl::StrContains(status.message(), path_)) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), what)) << status;
  }
  std::string path_;
};

TEST_F(LoaderErrorsTest, MissingFile) {
  const absl::Status s = LoadTokenizer("/nonexistent/tokenizer.model").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(s.message(), "/nonexistent/tokenizer.model")) << s;
}

TEST_F(LoaderErrorsTest, EmptyModel) { ExpectError(LoadContent("", ".model"), "empty"); }

TEST_F(LoaderErrorsTest, TruncatedModel) {
  const std::string model = ReadAll(ModelPath());
  ASSERT_GT(model.size(), 400000u);
  // Every cut in the first two kilobytes, then a few further in; all must fail cleanly.
  for (size_t cut = 1; cut < 2048; ++cut) {
    const absl::Status s = LoadContent(model.substr(0, cut), ".model");
    ASSERT_FALSE(s.ok()) << "cut at " << cut;
  }
  ExpectError(LoadContent(model.substr(0, model.size() / 2 + 1), ".model"),
              "not a valid SentencePiece model");
  ExpectError(LoadContent(model.substr(0, model.size() - 7), ".model"), "at byte");
}

TEST_F(LoaderErrorsTest, CorruptModel) {
  ExpectError(LoadContent("this is not a protobuf at all, just text", ".model"),
              "not a valid SentencePiece model");
  std::string model = ReadAll(ModelPath());
  // A piece whose text length runs past the end of its message.
  model[2] = static_cast<char>(0x7F);
  EXPECT_FALSE(LoadContent(model, ".model").ok());
  // Random bytes never crash the loader.
  std::string garbage(4096, '\0');
  uint32_t x = 12345;
  for (int trial = 0; trial < 200; ++trial) {
    for (char& c : garbage) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    EXPECT_FALSE(LoadContent(garbage, ".model").ok());
  }
}

TEST_F(LoaderErrorsTest, MalformedTokenizerJson) {
  ExpectError(LoadContent("{\"model\": {\"type\": \"BPE\", ", ".json"), "JSON");
  ExpectError(LoadContent("{}", ".json"), "model");
  ExpectError(LoadContent(R"({"model": {"type": "WordPiece", "vocab": {}}})", ".json"),
              "model.unk_token");  // WordPiece is read; its [UNK] is missing
  ExpectError(LoadContent(R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 0},
                                         "merges": []}})",
                          ".json"),
              "model.vocab");
  ExpectError(LoadContent(R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2},
                                         "merges": ["a c"], "byte_fallback": true},
                              "normalizer": {"type": "Replace", "pattern": {"String": " "},
                                             "content": "\u2581"}})",
                          ".json"),
              "model.merges[0]");
  ExpectError(LoadContent(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": 5}})", ".json"),
              "model.merges");
  ExpectError(LoadContent("not json", ".json"), "JSON");
}

}  // namespace
}  // namespace xval
