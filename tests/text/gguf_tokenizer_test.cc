// GGUF vocabularies against llama.cpp: for every vocabulary in ../shared/data/tokenizers/gguf/,
// LoadTokenizer builds a tokenizer whose ids equal llama.cpp's own (tests/golden/gguf, written
// by tests/tools/gen_gguf_golden.py from libllama) on every corpus string, the seeded property
// strings and the edge list, with and without add_special_tokens and parse_special.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "text/bytelevel_corpus.h"
#include "util/file.h"
#include "xval/tokenizer.h"

namespace xval {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;

template <typename T, typename R>
T Must(R&& result) {
  T v{};
  if (auto err = std::forward<R>(result).get(v)) ADD_FAILURE() << simdjson::error_message(err);
  return v;
}

std::vector<int32_t> Ids(element e) {
  std::vector<int32_t> ids;
  for (element x : Must<array>(e.get_array())) {
    ids.push_back(static_cast<int32_t>(Must<int64_t>(x.get_int64())));
  }
  return ids;
}

std::string Show(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) absl::StrAppend(&s, " ", id);
  return s;
}

std::string GoldenDir() { return testing::SourceDir() + "/tests/golden/gguf"; }
std::string VocabPath(const std::string& family) {
  return absl::StrCat(testing::DataDir(), "/tokenizers/gguf/ggml-vocab-", family, ".gguf");
}

// Every family in ../shared/data/tokenizers/gguf/ (models "llama", "gpt2", "t5", "bert",
// "gemma4"). Other models are refused by name (tests/reliability/malformed_input_test.cc).
const char* const kSupported[] = {
    "aquila",    "baichuan",       "command-r", "deepseek-coder", "deepseek-llm",
    "falcon",    "gpt-2",          "gpt-neox",  "llama-bpe",      "llama-spm",
    "mpt",       "phi-3",          "qwen2",     "qwen35",         "refact",
    "starcoder", "nomic-bert-moe", "bert-bge",  "gemma-4",
};

class GgufConformance : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::DataDir().empty()) << "XVAL_DATA_DIR is not set";
    auto data = util::ReadFile(absl::StrCat(GoldenDir(), "/", GetParam(), ".json"));
    ASSERT_TRUE(data.ok()) << data.status();
    json_ = simdjson::padded_string(*data);
    ASSERT_FALSE(parser_.parse(json_).get(golden_));
    auto tok = LoadTokenizer(VocabPath(GetParam()));
    ASSERT_TRUE(tok.ok()) << tok.status();
    tokenizer_ = std::move(*tok);
  }

  std::vector<int32_t> Encode(const std::string& text, bool add_special, bool parse_special) {
    EncodeOptions options;
    options.add_special_tokens = add_special;
    options.parse_special = parse_special;
    auto e = tokenizer_->Encode(text, options);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? e->ids : std::vector<int32_t>{};
  }

  // Every string's ids against the golden hash and sampled ids.
  void Check(const std::string& what, const std::vector<std::string>& strings, element golden,
             int64_t every, bool add_special) {
    const auto sample = Must<array>(golden["sample"].get_array());
    testing::IdHash hash;
    int64_t tokens = 0;
    size_t sampled = 0;
    int reported = 0;
    for (size_t i = 0; i < strings.size(); ++i) {
      const std::vector<int32_t> ids = Encode(strings[i], add_special, true);
      hash.Add(ids);
      tokens += static_cast<int64_t>(ids.size());
      if (static_cast<int64_t>(i) % every == 0 && sampled < sample.size()) {
        const std::vector<int32_t> want = Ids(Must<element>(sample.at(sampled++)));
        if (want != ids && reported++ < 5) {
          ADD_FAILURE() << GetParam() << " " << what << " string " << i << " \"" << strings[i]
                        << "\"\n  llama.cpp:" << Show(want) << "\n  xval:     " << Show(ids);
        }
      }
    }
    EXPECT_EQ(tokens, Must<int64_t>(golden["tokens"].get_int64())) << what;
    EXPECT_EQ(hash.Hex(), std::string(Must<std::string_view>(golden["fnv1a"].get_string())))
        << GetParam() << " " << what << ": ids differ from llama.cpp's";
  }

  simdjson::padded_string json_;
  simdjson::dom::parser parser_;
  element golden_;
  std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_P(GgufConformance, EveryCorpusString) {
  for (const std::string& file : testing::CorpusFiles()) {
    auto strings = testing::CorpusStrings(file);
    ASSERT_TRUE(strings.ok()) << strings.status();
    const element g = Must<element>(golden_["corpus"][file]);
    ASSERT_EQ(static_cast<int64_t>(strings->size()), Must<int64_t>(g["strings"].get_int64()));
    Check(file, *strings, g, Must<int64_t>(golden_["sample_every"].get_int64()), true);
  }
}

TEST_P(GgufConformance, PropertyStrings) {
  const element p = Must<element>(golden_["property"]);
  std::vector<char32_t> pool;
  for (element c : Must<array>(p["pool"].get_array())) {
    pool.push_back(static_cast<char32_t>(Must<int64_t>(c.get_int64())));
  }
  const auto strings = testing::PropertyStrings(Must<uint64_t>(p["seed"].get_uint64()),
                                                Must<uint64_t>(p["count"].get_uint64()), pool);
  Check("property", strings, p, 1, false);
}

TEST_P(GgufConformance, EdgeStringsInEveryMode) {
  auto data = util::ReadFile(GoldenDir() + "/edge_strings.json");
  ASSERT_TRUE(data.ok()) << data.status();
  simdjson::padded_string json(*data);
  simdjson::dom::parser parser;
  element root;
  ASSERT_FALSE(parser.parse(json).get(root));
  std::vector<std::string> strings;
  for (element s : Must<array>(root["strings"].get_array())) {
    strings.emplace_back(Must<std::string_view>(s.get_string()));
  }
  ASSERT_GE(strings.size(), 60u);
  struct Mode {
    const char* key;
    bool add_special, parse_special;
  };
  for (const Mode mode : {Mode{"special_parse", true, true}, Mode{"parse", false, true},
                          Mode{"plain", false, false}}) {
    const auto want = Must<array>(golden_["edge"][mode.key].get_array());
    ASSERT_EQ(want.size(), strings.size());
    for (size_t i = 0; i < strings.size(); ++i) {
      const std::vector<int32_t> expected = Ids(Must<element>(want.at(i)));
      EXPECT_EQ(Encode(strings[i], mode.add_special, mode.parse_special), expected)
          << GetParam() << " " << mode.key << " \"" << strings[i] << "\"";
    }
  }
}

// BOS, EOS and the padding token as llama.cpp reports them (llama_vocab_bos, _eos, _pad:
// special_ids.json, written by gen_gguf_golden.py --specials). BERT's EOS is the exception:
// llama.cpp has none and appends [SEP] as the separator; xval's eos_id is that [SEP].
TEST_P(GgufConformance, SpecialIdsEqualLlamaCpp) {
  auto data = util::ReadFile(GoldenDir() + "/special_ids.json");
  ASSERT_TRUE(data.ok()) << data.status();
  simdjson::padded_string json(*data);
  simdjson::dom::parser parser;
  element root;
  ASSERT_FALSE(parser.parse(json).get(root));
  const element ids = Must<element>(root["ids"][GetParam()]);
  EXPECT_EQ(tokenizer_->bos_id(), Must<int64_t>(ids["bos"].get_int64())) << GetParam();
  EXPECT_EQ(tokenizer_->pad_id(), Must<int64_t>(ids["pad"].get_int64())) << GetParam();
  const int64_t eos = Must<int64_t>(ids["eos"].get_int64());
  EXPECT_EQ(tokenizer_->eos_id(), eos >= 0 ? eos : Must<int64_t>(ids["sep"].get_int64()))
      << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Families, GgufConformance, ::testing::ValuesIn(kSupported),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// Options a model cannot honour are refused, never ignored.
TEST(GgufTokenizer, DigitSplittingIsRefusedWhereNotSupported) {
  TokenizerOptions options;
  options.digits.direction = DigitSplit::Direction::kLeftToRight;
  options.digits.group_size = 1;
  for (const char* family : {"nomic-bert-moe", "bert-bge", "gemma-4"}) {
    auto tok = LoadTokenizer(VocabPath(family), options);
    ASSERT_FALSE(tok.ok()) << family;
    EXPECT_EQ(tok.status().code(), absl::StatusCode::kUnimplemented) << tok.status();
  }
  EXPECT_TRUE(LoadTokenizer(VocabPath("llama-bpe"), options).ok());
}

}  // namespace
}  // namespace xval
