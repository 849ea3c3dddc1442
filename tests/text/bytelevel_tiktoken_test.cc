// Conformance with tiktoken: our ids equal tiktoken's (the golden files written by
// tests/tools/gen_bytelevel_golden.py) on every corpus string and every property-test string,
// for gpt2, cl100k_base and o200k_base.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "text/bytelevel_corpus.h"
#include "text/bytelevel/tiktoken_loader.h"
#include "util/file.h"

namespace xval::text {
namespace {

using simdjson::dom::element;

// simdjson without exceptions: a field's value, or a test failure and a default.
template <typename T, typename R>
T Must(R&& result) {
  T v{};
  if (auto err = std::forward<R>(result).get(v)) ADD_FAILURE() << simdjson::error_message(err);
  return v;
}

std::string Str(element e) {
  return std::string(Must<std::string_view>(e.get_string()));
}

std::vector<int32_t> Ids(element e) {
  std::vector<int32_t> ids;
  for (element x : Must<simdjson::dom::array>(e.get_array())) {
    ids.push_back(static_cast<int32_t>(Must<int64_t>(x.get_int64())));
  }
  return ids;
}

std::string Show(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) absl::StrAppend(&s, " ", id);
  return s;
}

class TiktokenConformance : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::DataDir().empty()) << "XVAL_DATA_DIR is not set";
    auto data = util::ReadFile(absl::StrCat(testing::GoldenDir(), "/", GetParam(), ".json"));
    ASSERT_TRUE(data.ok()) << data.status();
    json_ = simdjson::padded_string(*data);
    ASSERT_FALSE(parser_.parse(json_).get(golden_));
    auto tok = LoadTiktoken(GetParam(), testing::TiktokenOptions());
    ASSERT_TRUE(tok.ok()) << tok.status();
    tokenizer_ = std::move(*tok);
  }

  // Checks every string's ids against the golden hash and sampled ids.
  void Check(const std::string& what, const std::vector<std::string>& strings, element golden,
             int64_t every) {
    const auto sample = Must<simdjson::dom::array>(golden["sample"].get_array());
    testing::IdHash hash;
    int64_t tokens = 0;
    size_t sampled = 0;
    int reported = 0;
    for (size_t i = 0; i < strings.size(); ++i) {
      std::vector<int32_t> ids;
      tokenizer_->EncodeOrdinary(strings[i], &ids);
      hash.Add(ids);
      tokens += static_cast<int64_t>(ids.size());
      if (static_cast<int64_t>(i) % every == 0 && sampled < sample.size()) {
        const std::vector<int32_t> want = Ids(Must<element>(sample.at(sampled++)));
        if (want != ids && reported++ < 5) {
          ADD_FAILURE() << what << " string " << i << " \"" << strings[i] << "\"\n  tiktoken:"
                        << Show(want) << "\n  ours:    " << Show(ids);
        }
      }
    }
    EXPECT_EQ(tokens, Must<int64_t>(golden["tokens"].get_int64())) << what;
    EXPECT_EQ(hash.Hex(), Str(Must<element>(golden["fnv1a"]))) << what << ": ids differ from tiktoken's";
  }

  simdjson::padded_string json_;
  simdjson::dom::parser parser_;
  element golden_;
  std::unique_ptr<ByteLevelTokenizer> tokenizer_;
};

TEST_P(TiktokenConformance, EveryCorpusString) {
  for (const std::string& file : testing::CorpusFiles()) {
    auto strings = testing::CorpusStrings(file);
    ASSERT_TRUE(strings.ok()) << strings.status();
    const element g = Must<element>(golden_["corpus"][file]);
    ASSERT_EQ(static_cast<int64_t>(strings->size()), Must<int64_t>(g["strings"].get_int64()))
        << file;
    Check(file, *strings, g, Must<int64_t>(golden_["sample_every"].get_int64()));
  }
}

TEST_P(TiktokenConformance, PropertyStrings) {
  const element p = Must<element>(golden_["property"]);
  std::vector<char32_t> pool;
  for (element c : Must<simdjson::dom::array>(p["pool"].get_array())) {
    pool.push_back(static_cast<char32_t>(Must<int64_t>(c.get_int64())));
  }
  const auto strings = testing::PropertyStrings(Must<uint64_t>(p["seed"].get_uint64()),
                                                Must<uint64_t>(p["count"].get_uint64()), pool);
  Check("property", strings, p, 1);
}

INSTANTIATE_TEST_SUITE_P(Encodings, TiktokenConformance,
                         ::testing::Values("gpt2", "cl100k_base", "o200k_base"));

}  // namespace
}  // namespace xval::text
