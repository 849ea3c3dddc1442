// EncodeOptions::ids_only: the ids-only batch (EncodeBatchFlat), EncodeBatch and Encode give
// the same ids as the full encoding, with values and offsets empty, on 1 and 2 threads, for
// byte-level BPE (cl100k, o200k: their own no-offsets loop) and for tokenizers through the
// generic path (the Llama SentencePiece, xVal over the paper's tokenizer and over Llama).
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace {

std::vector<std::string> Texts() {
  std::vector<std::string> texts;
  auto corpus = testing::LoadCorpus(testing::DataDir());
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  if (corpus.ok()) {
    // Every 7th line up to 3,000 of them: a dozen blocks of 256, so both threads take some.
    for (size_t i = 0; i < corpus->size() && texts.size() < 3000; i += 7) {
      texts.push_back((*corpus)[i]);
    }
  }
  // Empty texts first, last and between; special tokens, numbers, invalid UTF-8, a long piece.
  texts.insert(texts.begin(), "");
  texts.insert(texts.begin() + texts.size() / 2, "");
  texts.push_back("<|endoftext|>x<s> [NUM] 3.14 -2e5 1234567 \xff\xfe héllo  \n\n\t!");
  texts.push_back(std::string(5000, 'z'));
  texts.push_back("");
  texts.push_back("");
  return texts;
}

void ExpectIdsOnlyMatches(const Tokenizer& tok, const EncodeOptions& base) {
  const std::vector<std::string> strings = Texts();
  const std::vector<absl::string_view> texts(strings.begin(), strings.end());
  EncodeOptions ids_only = base;
  ids_only.ids_only = true;
  // 0: every thread, several taking blocks from the back where XVAL_NUM_THREADS says more than
  // two (this test runs again with four, tests/text/CMakeLists.txt).
  for (const size_t threads : {size_t{1}, size_t{2}, size_t{0}}) {
    SCOPED_TRACE(::testing::Message() << threads << " threads");
    absl::StatusOr<BatchEncoding> full = tok.EncodeBatchFlat(texts, base, threads);
    absl::StatusOr<BatchEncoding> ids = tok.EncodeBatchFlat(texts, ids_only, threads);
    ASSERT_TRUE(full.ok()) << full.status();
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(ids->row_splits, full->row_splits);
    EXPECT_TRUE(ids->ids == full->ids);
    EXPECT_TRUE(ids->values.empty());
    EXPECT_TRUE(ids->offsets.empty());
    ASSERT_EQ(ids->num_texts(), texts.size());
    absl::StatusOr<std::vector<Encoding>> batch = tok.EncodeBatch(texts, ids_only, threads);
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (size_t i = 0; i < texts.size(); ++i) {
      absl::StatusOr<Encoding> one = tok.Encode(texts[i], base);
      ASSERT_TRUE(one.ok()) << one.status();
      const std::vector<int32_t> row(ids->ids.begin() + ids->row_splits[i],
                                     ids->ids.begin() + ids->row_splits[i + 1]);
      ASSERT_EQ(row, one->ids) << "text " << i << ": " << texts[i];
      EXPECT_EQ((*batch)[i].ids, one->ids) << "text " << i;
      EXPECT_TRUE((*batch)[i].values.empty());
      EXPECT_TRUE((*batch)[i].offsets.empty());
      absl::StatusOr<Encoding> one_ids = tok.Encode(texts[i], ids_only);
      ASSERT_TRUE(one_ids.ok()) << one_ids.status();
      EXPECT_EQ(one_ids->ids, one->ids) << "text " << i;
      EXPECT_TRUE(one_ids->values.empty());
      EXPECT_TRUE(one_ids->offsets.empty());
      std::vector<int32_t> appended = {7};  // EncodeIdsInto appends
      ASSERT_TRUE(tok.EncodeIdsInto(texts[i], base, &appended).ok());
      ASSERT_EQ(appended.size(), one->ids.size() + 1);
      EXPECT_TRUE(std::equal(one->ids.begin(), one->ids.end(), appended.begin() + 1));
    }
  }
  // Only empty texts, and no texts.
  const std::vector<absl::string_view> empties(3, absl::string_view());
  absl::StatusOr<BatchEncoding> e = tok.EncodeBatchFlat(empties, ids_only, 2);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->row_splits.size(), 4u);
  EXPECT_EQ(e->ids.size(), (base.add_bos ? 3u : 0u) + (base.add_eos ? 3u : 0u));
  absl::StatusOr<BatchEncoding> none = tok.EncodeBatchFlat({}, ids_only, 2);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->num_texts(), 0u);
  EXPECT_TRUE(none->ids.empty());
}

TokenizerOptions Options() {
  TokenizerOptions options;
  options.data_dir = testing::DataDir();
  return options;
}

std::unique_ptr<Tokenizer> Load(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(path, Options());
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? *std::move(tok) : nullptr;
}

std::string LlamaPath() { return testing::DataDir() + "/tokenizers/llama2/tokenizer.model"; }

// The ids-only batch reserves room for about one token per two bytes, and threads copy their
// blocks into it as they finish: a batch whose tokens outgrow that room (cl100k writes "1 1 1"
// as one token per byte), after texts that fit, keeps every block in its place.
TEST(BatchIdsOnlyTest, TokensOutgrowTheReservedRoom) {
  auto tok = Load("cl100k_base");
  ASSERT_NE(tok, nullptr);
  std::vector<std::string> strings = Texts();
  strings.resize(600);
  std::string ones;
  for (int i = 0; i < 2000; ++i) ones += "1 ";
  for (int i = 0; i < 200; ++i) strings.push_back(ones);
  strings.push_back("tail");
  const std::vector<absl::string_view> texts(strings.begin(), strings.end());
  EncodeOptions ids_only;
  ids_only.ids_only = true;
  size_t bytes = 0;
  for (const auto& t : strings) bytes += t.size();
  for (const size_t threads : {size_t{1}, size_t{2}}) {
    absl::StatusOr<BatchEncoding> ids = tok->EncodeBatchFlat(texts, ids_only, threads);
    ASSERT_TRUE(ids.ok()) << ids.status();
    ASSERT_GT(ids->ids.size(), bytes / 2 + 4 * texts.size() + 64);  // the room was outgrown
    for (size_t i = 0; i < texts.size(); ++i) {
      absl::StatusOr<Encoding> one = tok->Encode(texts[i], {});
      ASSERT_TRUE(one.ok()) << one.status();
      const std::vector<int32_t> row(ids->ids.begin() + ids->row_splits[i],
                                     ids->ids.begin() + ids->row_splits[i + 1]);
      ASSERT_EQ(row, one->ids) << threads << " threads, text " << i;
    }
  }
}

// Offsets and piece ends are 32-bit: a text of 4 GiB or more is refused by Encode and
// EncodeBatchFlat (ids only or not, any thread count, alone or in a batch of 40,000) with an
// error, before a byte of it is read (the view below covers a short buffer; nothing may touch
// past it).
TEST(BatchIdsOnlyTest, TextsOf4GiBAreAnError) {
  auto tok = Load("cl100k_base");
  ASSERT_NE(tok, nullptr);
  const std::string small = "four gigabytes";
  const absl::string_view huge(small.data(), size_t{1} << 32);
  EncodeOptions ids_only;
  ids_only.ids_only = true;
  for (const EncodeOptions& options : {EncodeOptions{}, ids_only}) {
    absl::StatusOr<Encoding> one = tok->Encode(huge, options);
    ASSERT_FALSE(one.ok());
    EXPECT_EQ(one.status().code(), absl::StatusCode::kInvalidArgument) << one.status();
    const std::vector<absl::string_view> texts = {"fine", huge};
    // A batch long enough that its sizes are checked on several threads, the long text among
    // its last ones (in a chunk a thread other than the caller may check).
    std::vector<absl::string_view> many(40000, "fine");
    many[39990] = huge;
    for (const size_t threads : {size_t{1}, size_t{2}, size_t{0}}) {
      for (const std::vector<absl::string_view>* batch_texts : {&texts, &std::as_const(many)}) {
        absl::StatusOr<BatchEncoding> batch = tok->EncodeBatchFlat(*batch_texts, options, threads);
        ASSERT_FALSE(batch.ok());
        EXPECT_NE(batch.status().message().find("4 GiB"), absl::string_view::npos)
            << batch.status();
      }
    }
  }
}

TEST(BatchIdsOnlyTest, ByteLevel) {
  for (const char* name : {"cl100k_base", "o200k_base"}) {
    SCOPED_TRACE(name);
    auto tok = Load(name);
    ASSERT_NE(tok, nullptr);
    ExpectIdsOnlyMatches(*tok, {});
    EncodeOptions ordinary;  // encode_ordinary: special tokens are text
    ordinary.parse_special = false;
    ExpectIdsOnlyMatches(*tok, ordinary);
    // No BOS in tiktoken's vocabularies: the same error with ids only, nothing half-done.
    EncodeOptions bos;
    bos.add_bos = true;
    bos.ids_only = true;
    EXPECT_FALSE(tok->EncodeBatchFlat({"a", "b"}, bos, 2).ok());
    EXPECT_FALSE(tok->Encode("a", bos).ok());
    std::vector<int32_t> ids = {1, 2};
    EXPECT_FALSE(tok->EncodeIdsInto("a", bos, &ids).ok());
    EXPECT_EQ(ids, (std::vector<int32_t>{1, 2}));
  }
}

TEST(BatchIdsOnlyTest, LlamaSentencePiece) {
  // SpmTokenizer's own ids-only path (raw words cut further where no merge crosses, one table
  // probe per unit), with special tokens parsed and not, and with xVal's digit groups (which
  // turn the cuts inside words off); Mistral's and Llama's tokenizer.json through the same.
  for (const std::string& path :
       {LlamaPath(), testing::DataDir() + "/tokenizers/llama2/tokenizer.json",
        testing::DataDir() + "/tokenizers/mistral7b/tokenizer.json"}) {
    SCOPED_TRACE(path);
    auto tok = Load(path);
    ASSERT_NE(tok, nullptr);
    ExpectIdsOnlyMatches(*tok, {});
    EncodeOptions bos_eos;
    bos_eos.add_bos = true;
    bos_eos.add_eos = true;
    ExpectIdsOnlyMatches(*tok, bos_eos);
    EncodeOptions ordinary;
    ordinary.parse_special = false;
    ExpectIdsOnlyMatches(*tok, ordinary);
  }
  TokenizerOptions grouped = Options();
  grouped.digits = *DigitSplit::Parse("rtl3");
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(LlamaPath(), grouped);
  ASSERT_TRUE(tok.ok()) << tok.status();
  ExpectIdsOnlyMatches(**tok, {});
}

TEST(BatchIdsOnlyTest, Xval) {
  for (const std::string& path :
       {testing::DataDir() + "/tokenizers/xval/tokenizer.json", LlamaPath()}) {
    SCOPED_TRACE(path);
    absl::StatusOr<std::unique_ptr<XvalTokenizer>> tok = LoadXvalTokenizer(path, Options(), {});
    ASSERT_TRUE(tok.ok()) << tok.status();
    ExpectIdsOnlyMatches(**tok, {});
  }
}

}  // namespace
}  // namespace xval
