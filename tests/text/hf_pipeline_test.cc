// The general tokenizer.json pipeline (lib/text/hf): what the whole-corpus comparison with
// Hugging Face tokenizers (tests/python/test_hf_pipeline.py) does not show: offsets through
// normalizers that rewrite the text, the Oniguruma translation, errors that name the field,
// many threads on one tokenizer, and stream decoding through ByteFallback.
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "text/hf/regex.h"
#include "xval/tokenizer.h"

namespace xval {
namespace {

// A WordLevel tokenizer.json over `words`, with the given normalizer, pre-tokenizer and decoder
// JSON.
std::string WordLevelJson(const std::vector<std::string>& words, const std::string& normalizer,
                          const std::string& pre_tokenizer = R"({"type":"Whitespace"})",
                          const std::string& decoder = "null") {
  std::string vocab;
  for (size_t i = 0; i < words.size(); ++i) {
    absl::StrAppend(&vocab, i ? "," : "", "\"", words[i], "\":", i);
  }
  return absl::StrCat(
      R"({"normalizer":)", normalizer, R"(,"pre_tokenizer":)", pre_tokenizer, R"(,"decoder":)",
      decoder, R"(,"model":{"type":"WordLevel","unk_token":"[UNK]","vocab":{)", vocab, "}}}");
}

std::unique_ptr<Tokenizer> Load(const std::string& json) {
  auto t = LoadTokenizerFromMemory(json, "test.json");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(*t) : nullptr;
}

TEST(HfPipelineTest, OffsetsPointIntoTheInputThroughNormalizers) {
  // NFD splits é into e + U+0301, StripAccents drops the mark, Lowercase maps É and W.
  auto t = Load(WordLevelJson(
      {"[UNK]", "hello", "world", "!"},
      R"({"type":"Sequence","normalizers":[{"type":"NFD"},{"type":"StripAccents"},{"type":"Lowercase"}]})"));
  ASSERT_NE(t, nullptr);
  const std::string text = "HÉllo  WORLD!";
  auto e = t->Encode(text);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->ids, (std::vector<int32_t>{1, 2, 3}));
  ASSERT_EQ(e->offsets.size(), 3u);
  EXPECT_EQ(text.substr(e->offsets[0].begin, e->offsets[0].end - e->offsets[0].begin), "HÉllo");
  EXPECT_EQ(text.substr(e->offsets[1].begin, e->offsets[1].end - e->offsets[1].begin), "WORLD");
  EXPECT_EQ(text.substr(e->offsets[2].begin, e->offsets[2].end - e->offsets[2].begin), "!");
}

TEST(HfPipelineTest, OnigurumaHexDigitIsTranslated) {
  EXPECT_EQ(*text::hf::TranslateOniguruma(R"(\h+)"), "[0-9a-fA-F]+");
  EXPECT_EQ(*text::hf::TranslateOniguruma(R"([\h_]+)"), "[0-9a-fA-F_]+");
  EXPECT_EQ(*text::hf::TranslateOniguruma(R"(\H)"), "[^0-9a-fA-F]");
  EXPECT_EQ(*text::hf::TranslateOniguruma(R"([[:alpha:]]\d)"), R"([[:alpha:]]\d)");
  EXPECT_FALSE(text::hf::TranslateOniguruma(R"([\H])").ok());
  // As a Split pattern: "c0ffee" is one piece of hex digits.
  auto t = Load(WordLevelJson(
      {"[UNK]", "c0ffee", "xyz"}, "null",
      R"({"type":"Split","pattern":{"Regex":"\\h+"},"behavior":"Isolated","invert":false})"));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("c0ffeexyz")->ids, (std::vector<int32_t>{1, 2}));
}

TEST(HfPipelineTest, ErrorsNameTheFileAndTheField) {
  struct Case {
    std::string json, expect;
  };
  const std::vector<Case> cases = {
      {WordLevelJson({"[UNK]"}, R"({"type":"NFQ"})"),
       "test.json: normalizer.type: normalizer \"NFQ\" is not supported (NFC, NFD"},
      {WordLevelJson({"[UNK]"}, "null", R"({"type":"Sequence","pretokenizers":[{"type":"X"}]})"),
       "test.json: pre_tokenizer.pretokenizers[0].type: pre-tokenizer \"X\""},
      {WordLevelJson({"[UNK]"}, "null",
                     R"({"type":"Split","pattern":{"Regex":"(a"},"behavior":"Isolated"})"),
       "test.json: pre_tokenizer.pattern: pattern rejected"},
      {WordLevelJson({"[UNK]"}, "null",
                     R"({"type":"Split","pattern":{"Regex":"a"},"behavior":"Sideways"})"),
       "test.json: pre_tokenizer.behavior: expected Removed"},
      {WordLevelJson({"a"}, "null"),
       "test.json: model.unk_token: \"[UNK]\" is not in the vocabulary"},
      {R"({"model":{"type":"Unigram","unk_id":5,"vocab":[["a",-1.0]]}})",
       "test.json: model.unk_id: expected an id of the vocabulary"},
      {R"({"model":{"type":"Unigram","unk_id":0,"vocab":[["a"]]}})",
       "test.json: model.vocab[0]: expected [piece, score]"},
      {R"({"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}},"decoder":{"type":"Strip","content":" "}})",
       "test.json: decoder: expected a content character and start and stop counts"},
      {R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["a a"]}})",
       "test.json: model.merges[0]: \"aa\" is not in the vocabulary"},
      {R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[],"dropout":0.1}})",
       "test.json: model.dropout: BPE dropout"},
      {R"({"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}},"normalizer":{"type":"Precompiled","precompiled_charsmap":"@@@"}})",
       "test.json: normalizer.precompiled_charsmap: not valid base64"},
  };
  for (const Case& c : cases) {
    auto t = LoadTokenizerFromMemory(c.json, "test.json");
    ASSERT_FALSE(t.ok()) << c.expect;
    EXPECT_TRUE(absl::StrContains(t.status().message(), c.expect))
        << t.status() << "\nexpected: " << c.expect;
  }
}

TEST(HfPipelineTest, ManyThreadsGetTheSameIds) {
  auto t = Load(
      WordLevelJson({"[UNK]", "hello", "world", "!"},
                    R"({"type":"Sequence","normalizers":[{"type":"NFKC"},{"type":"Lowercase"}]})"));
  ASSERT_NE(t, nullptr);
  const std::string text = "Hello ＷＯＲＬＤ! hello, world";
  const auto want = t->Encode(text)->ids;
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 500; ++i) wrong[k] += t->Encode(text)->ids != want;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
  EXPECT_EQ(want, (std::vector<int32_t>{1, 2, 3, 1, 0, 2}));
}

TEST(HfPipelineTest, StreamDecodeWaitsForTheEndOfAByteRun) {
  // tokenizers' ByteFallback: a run of <0xXX> tokens that is not UTF-8 as a whole prints one
  // U+FFFD per token, so a finished character can turn into U+FFFD when a stray byte follows;
  // the stream decoder holds a run's text until a token ends it.
  auto t = Load(
      WordLevelJson({"[UNK]", "a", "b", "<0xC3>", "<0xA9>", "<0xE2>", "<0x96>", "<0x81>", "<0x41>"},
                    "null", R"({"type":"Whitespace"})",
                    R"({"type":"Sequence","decoders":[{"type":"ByteFallback"},{"type":"Fuse"}]})"));
  ASSERT_NE(t, nullptr);
  const std::string kFffd = "\xEF\xBF\xBD";
  const std::vector<std::pair<std::vector<int32_t>, std::string>> cases = {
      {{1, 3, 4, 2},
       "a\xC3\xA9"
       "b"},                                                            // é, whole
      {{1, 3, 4, 5, 8, 2}, "a" + kFffd + kFffd + kFffd + kFffd + "b"},  // é then a stray run
      {{5, 6, 7, 1, 3},
       "\xE2\x96\x81"
       "a" +
           kFffd},  // ▁, then a cut-off é
      {{3, 4, 3, 4, 5, 6, 7}, "\xC3\xA9\xC3\xA9\xE2\x96\x81"}};
  for (const auto& [ids, want] : cases) {
    EXPECT_EQ(*t->Decode(ids), want);
    auto stream = t->NewStreamDecoder();
    std::string text;
    for (const int32_t id : ids) ASSERT_TRUE(stream->Push(id, &text).ok());
    ASSERT_TRUE(stream->Flush(&text).ok());
    EXPECT_EQ(text, want);
  }
}

}  // namespace
}  // namespace xval
