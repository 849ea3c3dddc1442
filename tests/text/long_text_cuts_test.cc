// One long text cut into parts (Tokenizer::SafeCut, EncodeBatchFlat's parts): on 1 and 2
// threads the batch of one long text gives the ids, offsets and values of Encode on the whole text,
// for every kind of tokenizer (those that cut and those that never do), with special tokens inside
// and BOS/EOS around; and the cuts are only where the rule allows.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "support/corpus.h"
#include "support/tokenizer_kinds.h"
#include "text/spaced_word_cuts.h"
#include "xval/tokenizer.h"

namespace xval {
namespace {

// About 1.5 MB of the corpus joined with newlines (several parts on 2 threads), with special
// tokens of several vocabularies, numbers and invalid UTF-8 spread through it.
const std::string& LongText() {
  static const std::string* text = [] {
    auto corpus = testing::LoadCorpus(testing::DataDir());
    EXPECT_TRUE(corpus.ok()) << corpus.status();
    auto* t = new std::string;
    for (size_t i = 0; corpus.ok() && i < corpus->size() && t->size() < 1500000; ++i) {
      *t += (*corpus)[i];
      *t += i % 997 == 0 ? " <|endoftext|> the <s> [NUM] x 1,234.5 \xff end\n" : "\n";
    }
    return t;
  }();
  return *text;
}

void ExpectWholeEqualsParts(const Tokenizer& tok, const EncodeOptions& options) {
  const std::string& text = LongText();
  absl::StatusOr<Encoding> whole = tok.Encode(text, options);
  ASSERT_TRUE(whole.ok()) << whole.status();
  const std::vector<absl::string_view> one = {text};
  for (const size_t threads : {size_t{1}, size_t{2}}) {
    SCOPED_TRACE(::testing::Message() << threads << " threads");
    absl::StatusOr<BatchEncoding> parts = tok.EncodeBatchFlat(one, options, threads);
    ASSERT_TRUE(parts.ok()) << parts.status();
    ASSERT_EQ(parts->row_splits, (std::vector<size_t>{0, whole->ids.size()}));
    ASSERT_EQ(parts->ids.size(), whole->ids.size());
    for (size_t i = 0; i < whole->ids.size(); ++i) {
      ASSERT_EQ(parts->ids[i], whole->ids[i]) << "token " << i;
      ASSERT_EQ(parts->offsets[i], whole->offsets[i]) << "token " << i;
      ASSERT_EQ(parts->values[i], whole->values[i]) << "token " << i;
    }
    EncodeOptions ids_only = options;
    ids_only.ids_only = true;
    absl::StatusOr<BatchEncoding> ids = tok.EncodeBatchFlat(one, ids_only, threads);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_TRUE(ids->ids == parts->ids);
    // Beside short texts, in one batch: each row its own.
    const std::vector<absl::string_view> mixed = {"a b", text, "",
                                                  absl::string_view(text).substr(0, 300000), "c"};
    absl::StatusOr<BatchEncoding> batch = tok.EncodeBatchFlat(mixed, ids_only, threads);
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (size_t i = 0; i < mixed.size(); ++i) {
      absl::StatusOr<Encoding> e = tok.Encode(mixed[i], ids_only);
      ASSERT_TRUE(e.ok()) << e.status();
      ASSERT_TRUE(std::equal(e->ids.begin(), e->ids.end(),
                             batch->ids.begin() + batch->row_splits[i],
                             batch->ids.begin() + batch->row_splits[i + 1]))
          << "text " << i;
    }
  }
}

class LongTextCutsTest : public ::testing::TestWithParam<testing::Kind> {};

TEST_P(LongTextCutsTest, PartsGiveTheWhole) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = GetParam().make();
  ASSERT_TRUE(tok.ok()) << tok.status();
  ExpectWholeEqualsParts(**tok, {});
  EncodeOptions special;
  special.add_special_tokens = true;  // BOS (and EOS) where the file says so
  special.parse_special = false;
  ExpectWholeEqualsParts(**tok, special);
  if ((*tok)->bos_id() >= 0 && (*tok)->eos_id() >= 0) {
    EncodeOptions both;
    both.add_bos = both.add_eos = true;
    ExpectWholeEqualsParts(**tok, both);
  }
}

std::vector<testing::Kind> Kinds() {
  std::vector<testing::Kind> kinds = testing::TokenizerKinds();
  // llama.cpp's byte-level vocabularies: Llama 3's and Qwen2's scanners, GPT-2's.
  for (const char* family : {"llama-bpe", "qwen2", "gpt-2"}) {
    std::string name = absl::StrCat("gguf_", family);
    std::replace(name.begin(), name.end(), '-', '_');
    kinds.push_back({name, [family] {
                       return LoadTokenizer(absl::StrCat(
                           testing::DataDir(), "/tokenizers/gguf/ggml-vocab-", family, ".gguf"));
                     }});
  }
  return kinds;
}

INSTANTIATE_TEST_SUITE_P(AllKinds, LongTextCutsTest, ::testing::ValuesIn(Kinds()),
                         [](const auto& info) { return info.param.name; });

std::unique_ptr<Tokenizer> Load(const std::string& name) {
  TokenizerOptions options;
  options.data_dir = testing::DataDir();
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(name, options);
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? *std::move(tok) : nullptr;
}
std::unique_ptr<Tokenizer> Cl100k() { return Load("cl100k_base"); }

// Both kinds that cut: byte-level BPE and SentencePiece (Llama 2's vocabulary proves it).
class SafeCutKindsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SafeCutKindsTest, OnlyBeforeASpacedWord) {
  auto tok = Load(GetParam());
  ASSERT_NE(tok, nullptr);
  const std::string& text = LongText();
  size_t cuts = 0;
  for (size_t from = 0; from < text.size(); from += 4096) {
    const size_t p = tok->SafeCut(text, from, 4096);
    if (p == absl::string_view::npos) continue;
    ++cuts;
    ASSERT_GE(p, from);
    ASSERT_LT(p, from + 4096);
    EXPECT_EQ(text[p], ' ');
    EXPECT_TRUE(absl::ascii_isalnum(static_cast<unsigned char>(text[p - 1]))) << p;
    EXPECT_TRUE(absl::ascii_isalpha(static_cast<unsigned char>(text[p + 1]))) << p;
  }
  EXPECT_GT(cuts, text.size() / 4096 / 2);  // the corpus is prose: most windows have one
  EXPECT_EQ(tok->SafeCut("ab cd", 0, 100), 2u);
  EXPECT_EQ(tok->SafeCut("ab  cd", 0, 100), absl::string_view::npos);  // two spaces
  EXPECT_EQ(tok->SafeCut("a. cd", 0, 100), absl::string_view::npos);
  EXPECT_EQ(tok->SafeCut("ab 1d", 0, 100), absl::string_view::npos);
  EXPECT_EQ(tok->SafeCut("ab c", 0, 100), 2u);
  EXPECT_EQ(tok->SafeCut("ab ", 0, 100), absl::string_view::npos);
  EXPECT_EQ(tok->SafeCut("", 0, 100), absl::string_view::npos);
  EXPECT_EQ(tok->SafeCut("xx, ab cd", 0, 3), absl::string_view::npos);  // past max_scan
}

INSTANTIATE_TEST_SUITE_P(Cutting, SafeCutKindsTest,
                         ::testing::Values("cl100k_base", testing::DataDir() +
                                                              "/tokenizers/llama2/tokenizer.model"),
                         [](const auto& info) { return info.index == 0 ? "cl100k" : "llama2"; });

TEST(SafeCutTest, NoneWhereAnAddedTokenCouldSpanIt) {
  for (const AddedToken& token : {AddedToken{"my word", -1}, AddedToken{"<x>", -1, false, false,
                                                                        /*rstrip=*/true}}) {
    SCOPED_TRACE(token.content);
    auto tok = Cl100k();
    ASSERT_NE(tok, nullptr);
    ASSERT_TRUE(tok->AddTokens({token}).ok());
    EXPECT_EQ(tok->SafeCut("ab my word cd", 0, 100), absl::string_view::npos);
  }
  auto tok = Cl100k();
  ASSERT_NE(tok, nullptr);
  ASSERT_TRUE(tok->AddTokens({AddedToken{"<x>", -1}}).ok());
  EXPECT_EQ(tok->SafeCut("ab cd", 0, 100), 2u);
}

// The stretches a long text is encoded (and spread over threads) in: a stretch with no cut
// (Chinese without spaces) longer than the search window makes one longer stretch, and the
// text after it is cut again (it was one stretch to the end, which left one thread the rest of
// the text); no stretch is a tiny or a doubled tail.
TEST(ForEachStretchTest, CutsAgainAfterAStretchWithoutCuts) {
  auto tok = Cl100k();
  ASSERT_NE(tok, nullptr);
  std::string prose;
  while (prose.size() < 20000) prose += "the cat sat on a mat ";
  std::string no_cut;
  while (no_cut.size() < 9000) no_cut += "\xe6\x95\xb0\xe5\xad\xa6";  // "数学"
  const std::string text = prose + no_cut + prose;
  constexpr size_t kSize = 1000;
  std::vector<std::pair<size_t, size_t>> stretches;
  text::ForEachStretch(*tok, text, kSize,
                       [&](size_t begin, size_t end) { stretches.emplace_back(begin, end); });
  ASSERT_FALSE(stretches.empty());
  EXPECT_EQ(stretches.front().first, 0u);
  EXPECT_EQ(stretches.back().second, text.size());
  size_t after_no_cut = 0;
  for (size_t i = 0; i < stretches.size(); ++i) {
    const auto [begin, end] = stretches[i];
    if (i > 0) {
      EXPECT_EQ(begin, stretches[i - 1].second);
    }
    if (i + 1 < stretches.size()) {
      EXPECT_GE(end - begin, kSize);
      EXPECT_EQ(tok->SafeCut(text, end, 1), end) << "not a safe cut: " << end;
    }
    EXPECT_LE(end - begin, no_cut.size() + 2 * kSize) << begin;
    if (end - begin < no_cut.size()) {
      EXPECT_LE(end - begin, 2 * kSize) << begin;
    }
    if (begin >= prose.size() + no_cut.size()) ++after_no_cut;
  }
  EXPECT_GE(after_no_cut, prose.size() / (2 * kSize));
  // A text no cut is allowed in is one stretch.
  stretches.clear();
  text::ForEachStretch(*tok, no_cut, kSize,
                       [&](size_t begin, size_t end) { stretches.emplace_back(begin, end); });
  EXPECT_EQ(stretches, (std::vector<std::pair<size_t, size_t>>{{0, no_cut.size()}}));
}

}  // namespace
}  // namespace xval
