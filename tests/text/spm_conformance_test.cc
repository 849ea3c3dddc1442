// Our SentencePiece BPE against libsentencepiece on every line of the math corpus: the same ids
// from the .model file and from the tokenizer.json of the same vocabulary, and the same decoded
// text.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "support/spm_reference.h"
#include "xval/tokenizer.h"

namespace xval {
namespace {

class SpmConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::DataDir() + "/tokenizers/llama2/";
    std::string error;
    reference_ = testing::SpmReference::Load(dir + "tokenizer.model", &error).release();
    ASSERT_NE(reference_, nullptr) << error;
    auto model = LoadTokenizer(dir + "tokenizer.model");
    ASSERT_TRUE(model.ok()) << model.status();
    from_model_ = model->release();
    // Made from tokenizer.model by tests/tools/make_llama_tokenizer_json.py (the tokenizer.json
    // in ../shared/data is another vocabulary's; see that script).
    auto json = LoadTokenizer(testing::SourceDir() + "/tests/golden/llama2_tokenizer.json");
    ASSERT_TRUE(json.ok()) << json.status();
    from_json_ = json->release();
  }
  static void TearDownTestSuite() {
    delete reference_;
    delete from_model_;
    delete from_json_;
  }
  static testing::SpmReference* reference_;
  static Tokenizer* from_model_;
  static Tokenizer* from_json_;
};

testing::SpmReference* SpmConformanceTest::reference_ = nullptr;
Tokenizer* SpmConformanceTest::from_model_ = nullptr;
Tokenizer* SpmConformanceTest::from_json_ = nullptr;

TEST_P(SpmConformanceTest, IdsAndDecodeMatchSentencepiece) {
  auto lines = testing::LoadCorpusLines(testing::DataDir() + "/corpus/" + GetParam());
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_GT(lines->size(), 100u);
  size_t mismatches = 0;
  for (const std::string& line : *lines) {
    const std::vector<int> want = reference_->Encode(line);
    auto ours = from_model_->Encode(line);
    ASSERT_TRUE(ours.ok());
    const std::vector<int> got(ours->ids.begin(), ours->ids.end());
    auto json = from_json_->Encode(line);
    ASSERT_TRUE(json.ok());
    const std::vector<int> got_json(json->ids.begin(), json->ids.end());
    EXPECT_EQ(got, want) << "line: " << line;
    EXPECT_EQ(got_json, want) << "tokenizer.json, line: " << line;
    auto decoded = from_model_->Decode(ours->ids);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, reference_->Decode(want)) << "line: " << line;
    // Offsets cover the input in order.
    uint32_t prev_end = 0;
    for (const Offset& o : ours->offsets) {
      EXPECT_LE(o.begin, o.end);
      EXPECT_LE(o.end, line.size());
      EXPECT_GE(o.end, prev_end);
      prev_end = o.end;
    }
    if (got != want || got_json != want) ++mismatches;
    ASSERT_LT(mismatches, 10u) << "stopping after 10 mismatching lines";
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, SpmConformanceTest, ::testing::ValuesIn(testing::CorpusFiles()),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace xval
