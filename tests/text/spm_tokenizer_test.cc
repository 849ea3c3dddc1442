// The SentencePiece tokenizer on edge cases (golden files from sentencepiece and Hugging Face
// tokenizers, see tests/tools/make_spm_golden.py), against libsentencepiece live on long and
// random inputs, digit splitting, batch encoding, added tokens and decoding.
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "support/corpus.h"
#include "support/spm_reference.h"
#include "xval/tokenizer.h"

namespace xval {
namespace {

std::string ModelPath() { return testing::DataDir() + "/tokenizers/llama2/tokenizer.model"; }
std::string JsonPath() { return testing::SourceDir() + "/tests/golden/llama2_tokenizer.json"; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct GoldenCase {
  std::string input;
  std::vector<int32_t> ids;
};

// llama.cpp's test-tokenizer-0 format: inputs split by "\n__ggml_vocab_test__\n", one output
// line per input with each id preceded by a space.
std::vector<GoldenCase> ReadGolden(const std::string& prefix) {
  const std::string inp = ReadAll(prefix + ".inp");
  const std::string out = ReadAll(prefix + ".out");
  std::vector<std::string> inputs = absl::StrSplit(inp, "\n__ggml_vocab_test__\n");
  std::vector<std::string> outputs = absl::StrSplit(out, '\n');
  EXPECT_EQ(outputs.size(), inputs.size() + 1) << prefix;  // the file ends with a newline
  std::vector<GoldenCase> cases;
  for (size_t i = 0; i < inputs.size() && i < outputs.size(); ++i) {
    GoldenCase c{inputs[i], {}};
    for (absl::string_view id : absl::StrSplit(outputs[i], ' ', absl::SkipEmpty())) {
      c.ids.push_back(std::stoi(std::string(id)));
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

std::unique_ptr<Tokenizer> Load(const std::string& path, const TokenizerOptions& options = {}) {
  auto tok = LoadTokenizer(path, options);
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? std::move(*tok) : nullptr;
}

std::unique_ptr<testing::SpmReference> Reference() {
  std::string error;
  auto ref = testing::SpmReference::Load(ModelPath(), &error);
  EXPECT_NE(ref, nullptr) << error;
  return ref;
}

std::vector<int> Ids(const Tokenizer& tok, const std::string& text) {
  auto e = tok.Encode(text);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? std::vector<int>(e->ids.begin(), e->ids.end()) : std::vector<int>{};
}

TEST(SpmGoldenTest, EdgeCasesMatchSentencepiece) {
  const auto cases = ReadGolden(testing::SourceDir() + "/tests/golden/llama2_edge");
  ASSERT_GE(cases.size(), 60u);
  auto ref = Reference();
  for (const std::string& path : {ModelPath(), JsonPath()}) {
    auto tok = Load(path);
    ASSERT_NE(tok, nullptr);
    // sentencepiece reads "<s>" in text as text; the tokenizer.json loader does so too when
    // asked (Hugging Face's split_special_tokens).
    EncodeOptions as_text;
    as_text.parse_special = false;
    for (const GoldenCase& c : cases) {
      auto e = tok->Encode(c.input, as_text);
      ASSERT_TRUE(e.ok());
      EXPECT_EQ(e->ids, c.ids) << path << " input: \"" << c.input << "\"";
      // The golden files were made by the Python package; the C++ library agrees.
      EXPECT_EQ(std::vector<int>(c.ids.begin(), c.ids.end()), ref->Encode(c.input));
      auto decoded = tok->Decode(e->ids);
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(*decoded, ref->Decode(std::vector<int>(c.ids.begin(), c.ids.end())));
    }
  }
}

TEST(SpmGoldenTest, AddedTokensMatchHuggingFace) {
  const auto cases = ReadGolden(testing::SourceDir() + "/tests/golden/llama2_edge_added");
  ASSERT_GE(cases.size(), 10u);
  for (const std::string& path : {ModelPath(), JsonPath()}) {
    auto tok = Load(path);
    ASSERT_NE(tok, nullptr);
    ASSERT_TRUE(tok->AddTokens({AddedToken{"[NUM]", -1, true}}).ok());
    if (path == ModelPath()) {
      // The .model loader matches no special token in text (as sentencepiece); Hugging Face
      // matches <s> and </s>, so add them as the tokenizer.json does.
      ASSERT_TRUE(tok->AddTokens({{"<s>", -1, true}, {"</s>", -1, true}}).ok());
    }
    EXPECT_EQ(tok->vocab_size(), 32001);
    EXPECT_EQ(*tok->PieceToId("[NUM]"), 32000);
    for (const GoldenCase& c : cases) {
      auto e = tok->Encode(c.input);
      ASSERT_TRUE(e.ok());
      EXPECT_EQ(e->ids, c.ids) << path << " input: \"" << c.input << "\"";
    }
  }
}

TEST(SpmTokenizerTest, ParseSpecialOffReadsSpecialTokensAsText) {
  auto json = Load(JsonPath());
  auto model = Load(ModelPath());
  ASSERT_TRUE(json && model);
  EncodeOptions plain;
  plain.parse_special = false;
  const std::string text = "<s>hello</s> <unk>";
  EXPECT_EQ(json->Encode(text, plain)->ids, model->Encode(text)->ids);
  EXPECT_NE(json->Encode(text)->ids, model->Encode(text)->ids);
}

TEST(SpmTokenizerTest, BosEosAndOffsets) {
  auto tok = Load(ModelPath());
  ASSERT_NE(tok, nullptr);
  EncodeOptions options;
  options.add_bos = true;
  options.add_eos = true;
  const std::string text = "The cost is 12 \xF0\x9F\x98\x80.";
  auto e = tok->Encode(text, options);
  ASSERT_TRUE(e.ok());
  ASSERT_GE(e->size(), 3u);
  EXPECT_EQ(e->ids.front(), 1);
  EXPECT_EQ(e->ids.back(), 2);
  EXPECT_EQ(e->offsets.front(), (Offset{0, 0}));
  const uint32_t n = static_cast<uint32_t>(text.size());
  EXPECT_EQ(e->offsets.back(), (Offset{n, n}));
  for (float v : e->values) EXPECT_EQ(v, 1.0f);
  // "▁The" covers "The"; the emoji's four byte tokens each cover the emoji's four bytes.
  EXPECT_EQ(e->offsets[1], (Offset{0, 3}));
  size_t emoji_tokens = 0;
  for (size_t i = 0; i < e->size(); ++i) {
    if (e->offsets[i] == Offset{15, 19}) ++emoji_tokens;
  }
  EXPECT_EQ(emoji_tokens, 4u);
}

// The bytes of the GSM8K corpus's lines that keep(c) keeps, in order, until there are more than
// `at_least` (fewer only when the corpus runs out); empty when it cannot be read.
template <class Keep>
std::string CorpusBytes(Keep keep, size_t at_least) {
  auto corpus = testing::LoadCorpusLines(testing::DataDir() + "/corpus/gsm8k_test.jsonl");
  std::string out;
  if (!corpus.ok()) return out;
  for (const std::string& line : *corpus) {
    for (char c : line) {
      if (keep(c)) out.push_back(c);
    }
    if (out.size() > at_least) break;
  }
  return out;
}

TEST(SpmTokenizerTest, LongInputsMatchSentencepiece) {
  // The worst cases for naive BPE: one megabyte without a space, and of one repeated byte.
  auto tok = Load(ModelPath());
  auto ref = Reference();
  ASSERT_TRUE(tok && ref);
  std::string no_spaces = CorpusBytes([](char c) { return c != ' '; }, 1 << 20);
  ASSERT_FALSE(no_spaces.empty()) << "the corpus could not be read";
  no_spaces.resize(1 << 20);  // the corpus's 0.57 MB without spaces, then zero bytes
  EXPECT_EQ(Ids(*tok, no_spaces), ref->Encode(no_spaces));
  for (char c : {'a', ' ', '7'}) {
    const std::string repeated(1 << 20, c);
    EXPECT_EQ(Ids(*tok, repeated), ref->Encode(repeated)) << "1 MB of '" << c << "'";
  }
}

TEST(SpmTokenizerTest, WordsAroundTheShortMergeLengthMatchSentencepiece) {
  // BpeMerger scans arrays for words of up to 64 symbols and uses a heap above: words of every
  // length from 1 to 80 characters, of the corpus's letters and digits and of one repeated
  // character (equal ranks everywhere, the leftmost merging first), on both sides of it.
  auto tok = Load(ModelPath());
  auto ref = Reference();
  ASSERT_TRUE(tok && ref);
  const std::string letters =
      CorpusBytes([](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }, 100000);
  ASSERT_GT(letters.size(), 100000u);
  for (size_t len = 1; len <= 80; ++len) {
    for (size_t from = 0; from < 40 * len; from += 7 * len) {
      const std::string word = letters.substr(from, len);
      EXPECT_EQ(Ids(*tok, word), ref->Encode(word)) << word;
    }
    for (const char c : {'a', 'e', '0'}) {
      const std::string repeated(len, c);
      EXPECT_EQ(Ids(*tok, repeated), ref->Encode(repeated)) << repeated;
    }
  }
}

TEST(SpmTokenizerTest, DecodeOfRandomIdsMatchesSentencepiece) {
  auto tok = Load(ModelPath());
  auto ref = Reference();
  ASSERT_TRUE(tok && ref);
  std::mt19937 rng(20261126);
  // Mostly the special and byte ids, where decoding has its rules, and some ordinary pieces.
  std::uniform_int_distribution<int> low(0, 300), any(0, 31999), len(0, 12), pick(0, 2);
  for (int trial = 0; trial < 5000; ++trial) {
    std::vector<int> ids(len(rng));
    for (int& id : ids) id = pick(rng) == 0 ? any(rng) : (pick(rng) == 0 ? 29871 : low(rng));
    auto ours = tok->Decode(std::vector<int32_t>(ids.begin(), ids.end()));
    ASSERT_TRUE(ours.ok());
    ASSERT_EQ(*ours, ref->Decode(ids)) << "trial " << trial;
  }
  EXPECT_EQ(tok->Decode({32000}).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(tok->Decode({-1}).status().code(), absl::StatusCode::kOutOfRange);
}

// The ids-only path (EncodeIdsInto: units found from pairs of bytes, the word table probed a
// group at a time) against libsentencepiece on texts made of the fragments where units start or
// not: spaces and literal "▁" after each other and after other characters, characters that end
// in the byte "▁" ends in (0x81) before a space, other characters that start with 0xE2 (math
// symbols, dashes), a "▁" cut short, digits and punctuation; texts long enough for several
// stretches too. Digit groups on (no cuts inside words) as well.
TEST(SpmTokenizerTest, IdsOnlyUnitsMatchSentencepiece) {
  auto ref = Reference();
  ASSERT_NE(ref, nullptr);
  const std::vector<std::string> fragments = {" ",
                                              "  ",
                                              "\xE2\x96\x81",
                                              "\xE2\x96",
                                              "\xE2",
                                              "a",
                                              "the",
                                              "x",
                                              "12",
                                              "7",
                                              "+",
                                              "=",
                                              ".",
                                              "(",
                                              "\xC4\x81" /* U+0101 ends in 0x81 */,
                                              "\xE3\x81\x81",
                                              "\xE2\x89\xA4",
                                              "\xE2\x80\x94",
                                              "\xE2\x96\x80",
                                              "\n",
                                              "\t",
                                              "\xF0\x9F\x98\x80",
                                              "$",
                                              "\\frac"};
  std::mt19937 rng(5);
  std::vector<std::string> texts = {"",
                                    " ",
                                    "\xE2\x96\x81",
                                    "a\xE2\x96\x81"
                                    "b",
                                    " \xE2\x96\x81x",
                                    "\xE2\x96\x81 x",
                                    "\xC4\x81 b",
                                    "x \xE2\x96\x81"};
  for (int i = 0; i < 3000; ++i) {
    std::string t;
    const int parts = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < parts; ++k) t += fragments[rng() % fragments.size()];
    texts.push_back(t);
  }
  std::string long_text;
  while (long_text.size() < 100000) long_text += fragments[rng() % fragments.size()];
  texts.push_back(long_text);
  EncodeOptions ids_only;
  ids_only.ids_only = true;
  ids_only.parse_special = false;
  for (const char* digits : {"none", "individual"}) {
    TokenizerOptions options;
    options.digits = *DigitSplit::Parse(digits);
    auto tok = Load(ModelPath(), options);
    ASSERT_NE(tok, nullptr);
    for (int pass = 0; pass < 2; ++pass) {  // the second with the word table filled
      for (const std::string& text : texts) {
        auto e = tok->Encode(text, ids_only);
        ASSERT_TRUE(e.ok()) << e.status();
        ASSERT_EQ(std::vector<int>(e->ids.begin(), e->ids.end()), ref->Encode(text))
            << digits << " pass " << pass << ": \"" << text.substr(0, 200) << "\"";
      }
    }
  }
}

TEST(SpmTokenizerTest, BatchEqualsSerial) {
  auto tok = Load(ModelPath());
  ASSERT_NE(tok, nullptr);
  auto corpus = testing::LoadCorpusLines(testing::DataDir() + "/corpus/ocw_test.jsonl");
  ASSERT_TRUE(corpus.ok());
  std::vector<absl::string_view> texts(corpus->begin(), corpus->end());
  auto batch = tok->EncodeBatch(texts);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    auto e = tok->Encode(texts[i]);
    ASSERT_EQ((*batch)[i].ids, e->ids) << i;
    ASSERT_EQ((*batch)[i].offsets, e->offsets) << i;
  }
  auto flat = tok->EncodeBatchFlat(texts);
  ASSERT_TRUE(flat.ok());
  ASSERT_EQ(flat->num_texts(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const size_t b = flat->row_splits[i], e = flat->row_splits[i + 1];
    const Encoding& want = (*batch)[i];
    ASSERT_EQ(std::vector<int32_t>(flat->ids.begin() + b, flat->ids.begin() + e), want.ids) << i;
    ASSERT_EQ(std::vector<Offset>(flat->offsets.begin() + b, flat->offsets.begin() + e),
              want.offsets)
        << i;
    ASSERT_EQ(std::vector<float>(flat->values.begin() + b, flat->values.begin() + e), want.values)
        << i;
  }
  auto one_thread = tok->EncodeBatchFlat(texts, {}, 1);
  ASSERT_TRUE(one_thread.ok());
  EXPECT_EQ(one_thread->ids, flat->ids);
  EXPECT_EQ(one_thread->row_splits, flat->row_splits);
}

TEST(SpmTokenizerTest, ContinuationHasNoDummyPrefix) {
  auto tok = Load(ModelPath());
  ASSERT_NE(tok, nullptr);
  EncodeOptions more;
  more.continuation = true;
  // "cost 3 each" in two pieces decodes back to the whole when the second continues the first.
  Encoding e;
  ASSERT_TRUE(tok->EncodeInto("cost 3", {}, 0, &e).ok());
  ASSERT_TRUE(tok->EncodeInto(" each", more, 6, &e).ok());
  EXPECT_EQ(*tok->Decode(e.ids), "cost 3 each");
  EXPECT_EQ(e.offsets.back(), (Offset{6, 11}));
  EXPECT_EQ(tok->Encode("each", more)->ids, (std::vector<int32_t>{4204}));  // "each", no "▁"
  EXPECT_EQ(tok->Encode("each")->ids, (std::vector<int32_t>{1269}));        // "▁each"
}

TEST(SpmTokenizerTest, DigitSplittingKeepsLlamaExact) {
  // Llama's vocabulary already splits digits, so digit groups must not change its ids.
  auto ref = Reference();
  ASSERT_NE(ref, nullptr);
  for (const char* mode : {"individual", "ltr3", "rtl3"}) {
    TokenizerOptions options;
    options.digits = *DigitSplit::Parse(mode);
    auto tok = Load(ModelPath(), options);
    ASSERT_NE(tok, nullptr);
    for (const std::string text : {"1234567 apples", "x12y 3.14159", "  99 bottles", "a1b2c3"}) {
      EXPECT_EQ(Ids(*tok, text), ref->Encode(text)) << mode << ": " << text;
    }
  }
}

TEST(SpmTokenizerTest, IdToPieceAndPieceToId) {
  auto tok = Load(ModelPath());
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->vocab_size(), 32000);
  EXPECT_EQ(*tok->IdToPiece(1), "<s>");
  EXPECT_EQ(*tok->IdToPiece(29871), "\xE2\x96\x81");
  EXPECT_EQ(*tok->PieceToId("<0x0A>"), 13);
  EXPECT_EQ(tok->IdToPiece(32000).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(tok->PieceToId("no such piece").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tok->bos_id(), 1);
  EXPECT_EQ(tok->eos_id(), 2);
  EXPECT_EQ(tok->unk_id(), 0);
}

}  // namespace
}  // namespace xval
