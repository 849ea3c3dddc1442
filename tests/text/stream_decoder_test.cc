// Streaming decode (issue 17): for every corpus line and every kind of tokenizer, the texts
// that StreamDecoder returns, pushed one id at a time and then flushed, concatenate to the full
// decode of the ids (DecodeWithValues for xVal). Also random id sequences (byte tokens that
// leave characters unfinished, control tokens), the SentencePiece leading space after a
// prompt, and errors that leave the decoder unchanged.
#include "xval/stream_decoder.h"

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "support/tokenizer_kinds.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace {

using testing::Kind;

// The full decode the stream must equal.
absl::StatusOr<std::string> FullDecode(const Tokenizer& tok, const std::vector<int32_t>& ids,
                                       const std::vector<float>& values) {
  if (const auto* x = dynamic_cast<const XvalTokenizer*>(&tok)) {
    return x->DecodeWithValues(ids, values);
  }
  return tok.Decode(ids);
}

// Pushes the ids one at a time; the concatenation, or the first error.
absl::StatusOr<std::string> Streamed(StreamDecoder& decoder, const std::vector<int32_t>& ids,
                                     const std::vector<float>& values) {
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    absl::Status s = decoder.Push(ids[i], values[i], &text);
    if (!s.ok()) return s;
  }
  absl::Status s = decoder.Flush(&text);
  if (!s.ok()) return s;
  return text;
}

class StreamDecoderTest : public ::testing::TestWithParam<Kind> {};

TEST_P(StreamDecoderTest, EveryCorpusLineEqualsTheFullDecode) {
  auto tok = GetParam().make();
  ASSERT_TRUE(tok.ok()) << tok.status();
  auto corpus = testing::LoadCorpus(testing::DataDir());
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  std::vector<std::string> texts = *corpus;
  texts.push_back("x = -1.5e3, [1,2] 00012 1,000 .5 3. 1e400 <s> [NUM] \xff héllo  \n\t!");
  texts.push_back("5.5 5e5 1 .5 2e 3E+1 4 e5 7..5 8e0e-88888 9, 10, 11");
  texts.push_back("The orbit takes 365.25 days; 😀 ½ ² 中文 عربى");
  auto decoder = (*tok)->NewStreamDecoder();  // one decoder, reused: Flush starts over
  size_t checked = 0, wrong = 0;
  for (const std::string& text : texts) {
    auto e = (*tok)->Encode(text);
    ASSERT_TRUE(e.ok()) << e.status();
    auto expected = FullDecode(**tok, e->ids, e->values);
    ASSERT_TRUE(expected.ok()) << expected.status();
    auto got = Streamed(*decoder, e->ids, e->values);
    ASSERT_TRUE(got.ok()) << got.status();
    ++checked;
    if (*got != *expected && ++wrong <= 5) {
      ADD_FAILURE() << GetParam().name << ": \"" << text << "\"\n  full:   \"" << *expected
                    << "\"\n  stream: \"" << *got << "\"";
    }
  }
  EXPECT_EQ(wrong, 0u) << "of " << checked;
  EXPECT_GT(checked, 1000u);
}

// Ids a model could produce: any id, byte tokens among them, numbers with any value.
TEST_P(StreamDecoderTest, RandomIdsEqualTheFullDecode) {
  auto tok = GetParam().make();
  ASSERT_TRUE(tok.ok()) << tok.status();
  const auto* x = dynamic_cast<const XvalTokenizer*>(tok->get());
  std::mt19937 rng(17);
  std::vector<int32_t> bytes;  // ids whose piece is one byte, to end sequences unfinished
  for (int32_t id = 0; id < (*tok)->vocab_size() && bytes.size() < 512; ++id) {
    auto piece = (*tok)->IdToPiece(id);
    if (piece.ok() && (piece->size() == 1 || (piece->size() == 6 && piece->rfind("<0x", 0) == 0))) {
      bytes.push_back(id);
    }
  }
  auto decoder = (*tok)->NewStreamDecoder();
  int checked = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<int32_t> ids;
    std::vector<float> values;
    const int length = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < length; ++i) {
      const uint32_t pick = rng() % 8;
      int32_t id;
      if (pick < 3 && !bytes.empty()) {
        id = bytes[rng() % bytes.size()];
      } else if (pick == 3 && x != nullptr) {
        id = x->num_id();
      } else {
        id = static_cast<int32_t>(rng() % static_cast<uint32_t>((*tok)->vocab_size()));
      }
      ids.push_back(id);
      values.push_back(std::ldexp(static_cast<float>(rng() % 20001) - 10000.0f,
                                  static_cast<int>(rng() % 13) - 6));
    }
    auto expected = FullDecode(**tok, ids, values);
    if (!expected.ok()) continue;  // ids the vocabulary leaves undecodable (holes)
    auto got = Streamed(*decoder, ids, values);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(*got, *expected) << GetParam().name << " round " << round;
    ++checked;
  }
  EXPECT_GT(checked, 250);
}

TEST_P(StreamDecoderTest, AnErrorLeavesTheDecoderUnchanged) {
  auto tok = GetParam().make();
  ASSERT_TRUE(tok.ok()) << tok.status();
  auto e = (*tok)->Encode("The orbit takes 365 days and 6 hours.");
  ASSERT_TRUE(e.ok());
  auto decoder = (*tok)->NewStreamDecoder();
  std::string text;
  for (size_t i = 0; i < e->ids.size(); ++i) {
    if (i == 2) {
      std::string ignored;
      EXPECT_EQ(decoder->Push((*tok)->vocab_size() + 5, 1.0f, &ignored).code(),
                absl::StatusCode::kOutOfRange);
      EXPECT_EQ(decoder->Push(-1, 1.0f, &ignored).code(), absl::StatusCode::kOutOfRange);
      EXPECT_EQ(ignored, "");
    }
    ASSERT_TRUE(decoder->Push(e->ids[i], e->values[i], &text).ok());
  }
  ASSERT_TRUE(decoder->Flush(&text).ok());
  EXPECT_EQ(text, *FullDecode(**tok, e->ids, e->values));
}

INSTANTIATE_TEST_SUITE_P(AllKinds, StreamDecoderTest,
                         ::testing::ValuesIn(testing::TokenizerKinds()),
                         [](const auto& info) { return info.param.name; });

// The bug that made streaming necessary: decoding the new tokens on their own drops
// SentencePiece's leading space ("takesFrederick").
TEST(StreamDecoder, KeepsTheSpaceAfterAPrompt) {
  auto tok = LoadTokenizer(testing::DataDir() + "/tokenizers/llama2/tokenizer.model");
  ASSERT_TRUE(tok.ok()) << tok.status();
  auto prompt = (*tok)->Encode("The orbit takes");
  auto reply = (*tok)->Encode(" Frederick", {.continuation = true});
  ASSERT_TRUE(prompt.ok() && reply.ok());
  auto decoder = (*tok)->NewStreamDecoder();
  std::string text;
  for (int32_t id : prompt->ids) ASSERT_TRUE(decoder->Push(id, &text).ok());
  EXPECT_EQ(text, "The orbit takes");
  std::string continuation;
  for (int32_t id : reply->ids) ASSERT_TRUE(decoder->Push(id, &continuation).ok());
  ASSERT_TRUE(decoder->Flush(&continuation).ok());
  EXPECT_EQ(continuation, " Frederick");
}

// More control tokens in a row than the context window holds: the word after them keeps its
// space (SentencePiece drops it only at the start of the text).
TEST(StreamDecoder, ManyControlTokensInARow) {
  auto tok = LoadTokenizer(testing::DataDir() + "/tokenizers/llama2/tokenizer.model");
  ASSERT_TRUE(tok.ok()) << tok.status();
  for (int32_t control : {1, 2}) {
    std::vector<int32_t> ids = (*tok)->Encode("The orbit")->ids;
    ids.insert(ids.end(), 20, control);
    const Encoding reply = *(*tok)->Encode(" Frederick", {.continuation = true});
    ids.insert(ids.end(), reply.ids.begin(), reply.ids.end());
    ids.insert(ids.end(), 9, control);
    ids.push_back(*(*tok)->PieceToId("<0xE2>"));
    ids.push_back(*(*tok)->PieceToId("<0x82>"));
    ids.push_back(*(*tok)->PieceToId("<0xAC>"));
    auto decoder = (*tok)->NewStreamDecoder();
    auto got = Streamed(*decoder, ids, std::vector<float>(ids.size(), 1.0f));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, *(*tok)->Decode(ids)) << control;
  }
}

// A long run of stray bytes (each leaving the text unfinished), then a character completed
// across many tokens, then text: all as the full decode prints them.
TEST(StreamDecoder, LongRunOfStrayBytes) {
  for (const char* path :
       {"/tokenizers/llama2/tokenizer.model", "/tokenizers/tiktoken/cl100k_base.tiktoken"}) {
    auto tok = LoadTokenizer(testing::DataDir() + path);
    ASSERT_TRUE(tok.ok()) << tok.status();
    auto byte = [&](int b) -> int32_t {
      if (std::string(path).find("llama2") != std::string::npos) {
        char piece[8];
        std::snprintf(piece, sizeof(piece), "<0x%02X>", b);
        return *(*tok)->PieceToId(piece);
      }
      return (*tok)->Encode(std::string(1, static_cast<char>(b)))->ids.at(0);
    };
    std::vector<int32_t> ids = (*tok)->Encode("x")->ids;
    for (int i = 0; i < 100; ++i) ids.push_back(byte(0x80 + i % 16));
    ids.push_back(byte(0xE2));
    for (int i = 0; i < 70; ++i) ids.push_back(byte(0x80));
    ids.push_back(byte(0xF0));
    ids.push_back(byte(0x9F));
    ids.push_back(byte(0x98));
    ids.push_back(byte(0x80));
    const Encoding words = *(*tok)->Encode(" and then words");
    ids.insert(ids.end(), words.ids.begin(), words.ids.end());
    auto decoder = (*tok)->NewStreamDecoder();
    auto got = Streamed(*decoder, ids, std::vector<float>(ids.size(), 1.0f));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, *(*tok)->Decode(ids)) << path;
  }
}

// An unfinished character is held back, not printed as U+FFFD first.
TEST(StreamDecoder, HoldsBackAnUnfinishedCharacter) {
  auto tok = LoadTokenizer(testing::DataDir() + "/tokenizers/llama2/tokenizer.model");
  ASSERT_TRUE(tok.ok()) << tok.status();
  auto decoder = (*tok)->NewStreamDecoder();
  std::string text;
  for (const char* piece : {"<0xF0>", "<0x9F>", "<0x98>"}) {
    auto id = (*tok)->PieceToId(piece);
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(decoder->Push(*id, &text).ok());
    EXPECT_EQ(text, "") << piece;
  }
  ASSERT_TRUE(decoder->Push(*(*tok)->PieceToId("<0x80>"), &text).ok());
  EXPECT_EQ(text, "\xF0\x9F\x98\x80");
}

// A number waits for the text after it: "5e+03" before ".5", "5000" otherwise.
TEST(StreamDecoder, XvalNumberWaitsForItsForm) {
  auto base = LoadTokenizer(testing::DataDir() + "/tokenizers/llama2/tokenizer.model");
  ASSERT_TRUE(base.ok());
  auto tok = XvalTokenizer::Create(*std::move(base), {});
  ASSERT_TRUE(tok.ok());
  auto decoder = (*tok)->NewStreamDecoder();
  std::string text;
  ASSERT_TRUE(decoder->Push((*tok)->num_id(), 5000.0f, &text).ok());
  EXPECT_EQ(text, "");
  auto dot5 = (*tok)->base().Encode(".5", {.continuation = true});
  ASSERT_TRUE(dot5.ok());
  for (int32_t id : dot5->ids) ASSERT_TRUE(decoder->Push(id, &text).ok());
  ASSERT_TRUE(decoder->Flush(&text).ok());
  EXPECT_EQ(text, "5e+03.5");
  // One byte after it settles the form: printed then, not at the end.
  std::string early;
  ASSERT_TRUE(decoder->Push((*tok)->num_id(), 5000.0f, &early).ok());
  auto days = (*tok)->base().Encode(" days", {.continuation = true});
  ASSERT_TRUE(days.ok());
  for (int32_t id : days->ids) ASSERT_TRUE(decoder->Push(id, &early).ok());
  EXPECT_EQ(early, "5000 days");
  ASSERT_TRUE(decoder->Flush(&early).ok());
  EXPECT_EQ(early, "5000 days");
  std::string alone;
  ASSERT_TRUE(decoder->Push((*tok)->num_id(), 5000.0f, &alone).ok());
  ASSERT_TRUE(decoder->Flush(&alone).ok());
  EXPECT_EQ(alone, "5000");
  EXPECT_EQ(decoder->Push((*tok)->num_id(), NAN, &alone).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace xval
