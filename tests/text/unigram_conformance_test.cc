// SentencePiece `.model` files of type UNIGRAM, and models with a precompiled character map
// (nmt_nfkc), against libsentencepiece: ids and Decode on every corpus string, the seeded
// property strings and the edge list. The models are trained by tests/tools/make_unigram_models.py.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "support/spm_reference.h"
#include "text/bytelevel_corpus.h"
#include "util/file.h"
#include "xval/tokenizer.h"

namespace xval {
namespace {

std::string ModelPath(const std::string& name) {
  return testing::SourceDir() + "/tests/golden/unigram/" + name + ".model";
}

// Every string the tests feed: the corpus, the property strings of the byte-level tests (the
// pool of characters that hit every class), and the edge list.
std::vector<std::string> Strings() {
  std::vector<std::string> out;
  for (const std::string& file : testing::CorpusFiles()) {
    auto lines = testing::CorpusStrings(file);
    EXPECT_TRUE(lines.ok()) << lines.status();
    if (lines.ok()) out.insert(out.end(), lines->begin(), lines->end());
  }
  auto golden = util::ReadFile(testing::SourceDir() + "/tests/golden/bytelevel/gpt2.json");
  EXPECT_TRUE(golden.ok()) << golden.status();
  simdjson::dom::parser parser;
  simdjson::padded_string json(*golden);
  simdjson::dom::element root;
  EXPECT_FALSE(parser.parse(json).get(root));
  std::vector<char32_t> pool;
  for (simdjson::dom::element c : root["property"]["pool"].get_array()) {
    pool.push_back(static_cast<char32_t>(int64_t(c)));
  }
  const auto prop = testing::PropertyStrings(uint64_t(root["property"]["seed"]),
                                             uint64_t(root["property"]["count"]), pool);
  out.insert(out.end(), prop.begin(), prop.end());
  auto edge = util::ReadFile(testing::SourceDir() + "/tests/golden/gguf/edge_strings.json");
  EXPECT_TRUE(edge.ok()) << edge.status();
  simdjson::padded_string edge_json(*edge);
  simdjson::dom::parser edge_parser;
  simdjson::dom::element edge_root;
  EXPECT_FALSE(edge_parser.parse(edge_json).get(edge_root));
  for (simdjson::dom::element s : edge_root["strings"].get_array()) {
    out.emplace_back(std::string_view(s));
  }
  return out;
}

class UnigramConformance : public ::testing::TestWithParam<const char*> {};

TEST_P(UnigramConformance, IdsAndDecodeMatchSentencepiece) {
  ASSERT_FALSE(testing::DataDir().empty()) << "XVAL_DATA_DIR is not set";
  std::string error;
  auto reference = testing::SpmReference::Load(ModelPath(GetParam()), &error);
  ASSERT_NE(reference, nullptr) << error;
  auto tok = LoadTokenizer(ModelPath(GetParam()));
  ASSERT_TRUE(tok.ok()) << tok.status();
  const std::vector<std::string> strings = Strings();
  ASSERT_GT(strings.size(), 80000u);
  size_t mismatches = 0;
  for (const std::string& s : strings) {
    const std::vector<int> want = reference->Encode(s);
    auto ours = (*tok)->Encode(s);
    ASSERT_TRUE(ours.ok()) << ours.status();
    const std::vector<int> got(ours->ids.begin(), ours->ids.end());
    EXPECT_EQ(got, want) << GetParam() << " \"" << s << "\"";
    auto decoded = (*tok)->Decode(ours->ids);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, reference->Decode(want)) << GetParam() << " \"" << s << "\"";
    uint32_t prev_end = 0;
    for (const Offset& o : ours->offsets) {
      EXPECT_LE(o.begin, o.end);
      EXPECT_LE(o.end, s.size());
      EXPECT_GE(o.end, prev_end);
      prev_end = o.end;
    }
    if (got != want || *decoded != reference->Decode(want)) ++mismatches;
    ASSERT_LT(mismatches, 10u) << "stopping after 10 mismatching strings";
  }
}

INSTANTIATE_TEST_SUITE_P(Models, UnigramConformance,
                         ::testing::Values("unigram_nfkc", "unigram_bytes", "bpe_nfkc"));

}  // namespace
}  // namespace xval
