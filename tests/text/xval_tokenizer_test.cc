// XvalTokenizer over the Llama SentencePiece, cl100k and xVal-paper bases: the space before a
// number, offsets, BOS/EOS, out-of-range policies, transforms, exact and shortest decoding on
// the whole corpus, and the reference code's ids and values on planets-style records.
#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "support/corpus.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace {

std::string LlamaPath() { return testing::DataDir() + "/tokenizers/llama2/tokenizer.model"; }
std::string PaperPath() { return testing::DataDir() + "/tokenizers/xval/tokenizer.json"; }

std::unique_ptr<XvalTokenizer> Load(const std::string& path, XvalOptions options = {}) {
  TokenizerOptions t;
  t.data_dir = testing::DataDir();
  absl::StatusOr<std::unique_ptr<XvalTokenizer>> tok = LoadXvalTokenizer(path, t, options);
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? *std::move(tok) : nullptr;
}

std::vector<std::string> Pieces(const Tokenizer& tok, const Encoding& e) {
  std::vector<std::string> out;
  for (int32_t id : e.ids) out.push_back(*tok.IdToPiece(id));
  return out;
}

bool SameFloat(float a, float b) { return std::memcmp(&a, &b, sizeof(a)) == 0; }

// Offsets inside the text and never going back; values finite.
void ExpectWellFormed(const Encoding& e, absl::string_view text) {
  ASSERT_EQ(e.ids.size(), e.values.size());
  ASSERT_EQ(e.ids.size(), e.offsets.size());
  uint32_t last = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    EXPECT_TRUE(std::isfinite(e.values[i])) << text;
    EXPECT_LE(e.offsets[i].begin, e.offsets[i].end) << text;
    EXPECT_LE(e.offsets[i].end, text.size()) << text;
    EXPECT_LE(last, e.offsets[i].begin) << text;
    last = std::max(last, e.offsets[i].begin);
  }
}

TEST(XvalTokenizerTest, LlamaKeepsTheSpaceBeforeANumber) {
  auto tok = Load(LlamaPath());
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->num_id(), 32000);
  const std::string text = "The cost is 3 dollars, not -2.5e3";
  absl::StatusOr<Encoding> e = tok->Encode(text);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Pieces(*tok, *e), (std::vector<std::string>{"▁The", "▁cost", "▁is", "▁", "[NUM]",
                                                         "▁dollars", ",", "▁not", "▁",
                                                         "[NUM]"}));
  EXPECT_EQ(e->values[4], 3.0f);
  EXPECT_EQ(e->values[9], -2500.0f);
  EXPECT_EQ(e->offsets[4], (Offset{12, 13}));
  EXPECT_EQ(e->offsets[9], (Offset{27, 33}));
  for (size_t i = 0; i < e->size(); ++i) {
    if (e->ids[i] != tok->num_id()) {
      EXPECT_EQ(e->values[i], 1.0f);
    }
  }
  EXPECT_EQ(*tok->DecodeWithValues(e->ids, e->values), "The cost is 3 dollars, not -2500");
  EXPECT_EQ(*tok->DecodeExact(*e, text), text);
  EXPECT_EQ(*tok->Decode(e->ids), "The cost is [NUM] dollars, not [NUM]");
}

TEST(XvalTokenizerTest, TextAfterANumberIsAContinuation) {
  auto tok = Load(LlamaPath());
  ASSERT_NE(tok, nullptr);
  absl::StatusOr<Encoding> e = tok->Encode("42 apples");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ids[0], tok->num_id());
  EXPECT_EQ(*tok->DecodeWithValues(e->ids, e->values), "42 apples");
  EncodeOptions bos_eos;
  bos_eos.add_bos = bos_eos.add_eos = true;
  e = tok->Encode("7", bos_eos);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ids, (std::vector<int32_t>{1, 32000, 2}));
  EXPECT_EQ(e->offsets[2], (Offset{1, 1}));
  e = tok->Encode("", bos_eos);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ids, (std::vector<int32_t>{1, 2}));
}

// The base tokenizer's BOS/EOS flags and padding token carry over (a GGUF vocabulary with a
// padding token: phi-3's, llama.cpp's llama_vocab_pad 32000).
TEST(XvalTokenizerTest, KeepsTheBasePaddingToken) {
  const std::string path = testing::DataDir() + "/tokenizers/gguf/ggml-vocab-phi-3.gguf";
  auto base = LoadTokenizer(path);
  ASSERT_TRUE(base.ok()) << base.status();
  ASSERT_EQ((*base)->pad_id(), 32000);
  const auto tok = Load(path);
  EXPECT_EQ(tok->pad_id(), 32000);
  EXPECT_EQ(tok->special_adds_bos(), (*base)->special_adds_bos());
}

TEST(XvalTokenizerTest, LiteralNumTokenIsText) {
  auto tok = Load(LlamaPath());
  const std::string text = "a [NUM] costs 3 [NUM]";
  absl::StatusOr<Encoding> e = tok->Encode(text);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(std::count(e->ids.begin(), e->ids.end(), tok->num_id()), 1);
  EXPECT_EQ(*tok->DecodeExact(*e, text), text);
  EXPECT_EQ(*tok->DecodeWithValues(e->ids, e->values), text);
}

TEST(XvalTokenizerTest, OutOfRangePolicies) {
  const std::string text = "big 1e400 small 1e-400 long 123456789012345678901234567890";
  XvalOptions options;
  auto as_text = Load(LlamaPath(), options);
  ASSERT_NE(as_text, nullptr);
  std::vector<NumberValue> values;
  ASSERT_TRUE(as_text->FindValues(text, &values).ok());
  ASSERT_EQ(values.size(), 3u);
  EXPECT_FALSE(values[0].as_num);
  EXPECT_TRUE(values[1].as_num);
  EXPECT_EQ(values[1].value, 0.0f);
  EXPECT_TRUE(values[2].as_num);
  absl::StatusOr<Encoding> e = as_text->Encode(text);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(std::count(e->ids.begin(), e->ids.end(), 32000), 2);
  EXPECT_EQ(*as_text->DecodeExact(*e, text), text);

  options.out_of_range = OutOfRangePolicy::kSaturate;
  auto saturate = Load(LlamaPath(), options);
  e = saturate->Encode(text);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(std::count(e->ids.begin(), e->ids.end(), 32000), 3);
  const size_t first_num = std::find(e->ids.begin(), e->ids.end(), 32000) - e->ids.begin();
  EXPECT_EQ(e->values[first_num], std::numeric_limits<float>::max());  // not inf

  options.out_of_range = OutOfRangePolicy::kError;
  auto error = Load(LlamaPath(), options);
  Encoding out;
  out.Append(5, Offset{0, 0});
  const absl::Status s = error->EncodeInto(text, {}, 0, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("byte 4"), std::string::npos) << s;
  EXPECT_EQ(out.size(), 1u);  // left as it was

  options.max_significant_digits = 9;
  options.out_of_range = OutOfRangePolicy::kText;
  auto digits = Load(LlamaPath(), options);
  values.clear();
  ASSERT_TRUE(digits->FindValues(text, &values).ok());
  EXPECT_FALSE(values[2].as_num);
}

TEST(XvalTokenizerTest, TransformsDecodeBackToTheNumbers) {
  const std::string record = "{'planet0': {'m': 0.00012, 'e': 0.05}, 'data': [[1.5, -2.25]]}";
  XvalOptions options;
  absl::StatusOr<ValueTransform> t = ValueTransform::Parse("fields:m=1e5,e=20");
  ASSERT_TRUE(t.ok());
  options.transform = *t;
  auto tok = Load(LlamaPath(), options);
  ASSERT_NE(tok, nullptr);
  absl::StatusOr<Encoding> e = tok->Encode(record);
  ASSERT_TRUE(e.ok());
  std::vector<float> values;
  for (size_t i = 0; i < e->size(); ++i) {
    if (e->ids[i] == tok->num_id()) values.push_back(e->values[i]);
  }
  EXPECT_EQ(values, (std::vector<float>{static_cast<float>(0.00012 * 1e5),
                                        static_cast<float>(0.05 * 20), 1.5f, -2.25f}));
  EXPECT_EQ(*tok->DecodeWithValues(e->ids, e->values), record);

  for (const char* spec : {"slog", "affine:0.01:-3", "scale:1e-3+clip:-5:5"}) {
    options = XvalOptions();
    options.transform = *ValueTransform::Parse(spec);
    tok = Load(LlamaPath(), options);
    const std::string text = "a 123.25 b -7 c 0.5 d 4000";
    e = tok->Encode(text);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(*tok->DecodeWithValues(e->ids, e->values), text) << spec;
  }
  // Clipping is lossy outside its range: the bound comes back.
  options.transform = *ValueTransform::Parse("clip:-5:5");
  tok = Load(LlamaPath(), options);
  e = tok->Encode("x 7");
  EXPECT_EQ(*tok->DecodeWithValues(e->ids, e->values), "x 5");
}

TEST(XvalTokenizerTest, DecodePrintsShortestAndExactKeepsDigits) {
  auto tok = Load(LlamaPath());
  const std::string text = "x = 1.50 and 1e5 or 00012 or 0.1 or 16777217";
  absl::StatusOr<Encoding> e = tok->Encode(text);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*tok->DecodeWithValues(e->ids, e->values),
            "x = 1.5 and 100000 or 12 or 0.1 or 16777216");
  EXPECT_EQ(*tok->DecodeExact(*e, text), text);
  // A value changed after encoding (a model's output) is printed from the value.
  Encoding changed = *e;
  for (size_t i = 0; i < changed.size(); ++i) {
    if (changed.ids[i] == tok->num_id()) changed.values[i] += 1;
  }
  // 16777217 + 1 is the same float: the source digits still fit it.
  EXPECT_EQ(*tok->DecodeExact(changed, text), "x = 2.5 and 100001 or 13 or 1.1 or 16777217");
  // Where the text after a number would extend a shorter rendering (".5", "e5"), the
  // scientific form keeps the number apart (found by tests/fuzz/xval_codec_fuzz.cc).
  const std::string context = "a 5e3.5 and 15e-1e5 and 1.0.5";
  absl::StatusOr<Encoding> c = tok->Encode(context);
  ASSERT_TRUE(c.ok());
  const std::string shortest = *tok->DecodeWithValues(c->ids, c->values);
  EXPECT_EQ(shortest, "a 5e+03.5 and 1.5e+00e5 and 1e+00.5");
  EXPECT_EQ(tok->Encode(shortest)->ids, c->ids);
  EXPECT_EQ(tok->Encode(shortest)->values, c->values);
  std::vector<float> bad(e->size(), 1.0f);
  bad[std::find(e->ids.begin(), e->ids.end(), tok->num_id()) - e->ids.begin()] = NAN;
  EXPECT_FALSE(tok->DecodeWithValues(e->ids, bad).ok());
  EXPECT_FALSE(tok->DecodeWithValues(e->ids, absl::MakeSpan(bad).subspan(1)).ok());
}

// Every corpus line, for a base: well formed, DecodeExact gives the line back wherever the
// base itself decodes it exactly, and the shortest decode encodes to the same ids and values.
void CorpusRoundTrip(const std::string& path) {
  auto tok = Load(path);
  ASSERT_NE(tok, nullptr);
  absl::StatusOr<std::vector<std::string>> lines = testing::LoadCorpus(testing::DataDir());
  ASSERT_TRUE(lines.ok()) << lines.status();
  size_t exact = 0, base_exact = 0, numbers = 0;
  for (const std::string& line : *lines) {
    absl::StatusOr<Encoding> e = tok->Encode(line);
    ASSERT_TRUE(e.ok()) << line;
    ExpectWellFormed(*e, line);
    numbers += std::count(e->ids.begin(), e->ids.end(), tok->num_id());
    absl::StatusOr<Encoding> plain = tok->base().Encode(line);
    if (*tok->base().Decode(plain->ids) != line) continue;
    ++base_exact;
    const std::string decoded = *tok->DecodeExact(*e, line);
    EXPECT_EQ(decoded, line);
    exact += decoded == line;
    const std::string shortest = *tok->DecodeWithValues(e->ids, e->values);
    absl::StatusOr<Encoding> again = tok->Encode(shortest);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->ids, e->ids) << line << "\n" << shortest;
    ASSERT_EQ(again->values.size(), e->values.size());
    for (size_t i = 0; i < e->size(); ++i) {
      EXPECT_TRUE(SameFloat(again->values[i], e->values[i])) << line << "\n" << shortest;
    }
  }
  EXPECT_GT(numbers, 100000u);
  EXPECT_EQ(exact, base_exact);
  EXPECT_GT(base_exact, lines->size() * 99 / 100);
}

// The standard encoding spelled out with the public API, a base call per stretch: the text
// between numbers through the base (BOS with the first stretch, EOS with the last, continuation
// after the first), a literal [NUM] as its own stretch without special tokens, and [NUM] with
// its value for each stored number. XvalTokenizer must give exactly this however it calls the
// base (it hands a SentencePiece base the whole text at once).
Encoding StretchByStretch(const XvalTokenizer& tok, const std::string& text,
                          const EncodeOptions& options) {
  std::vector<NumberValue> numbers;
  EXPECT_TRUE(tok.FindValues(text, &numbers).ok());
  Encoding out;
  bool first = true;
  auto plain = [&](size_t b, size_t e, bool last, bool parse_special) {
    EncodeOptions o = options;
    o.add_bos = first && options.add_bos;
    o.add_eos = last && options.add_eos;
    o.continuation = first ? options.continuation : true;
    o.parse_special = parse_special;
    if (b == e && !o.add_bos && !o.add_eos) return;
    first = false;
    EXPECT_TRUE(tok.base().EncodeInto(absl::string_view(text).substr(b, e - b), o,
                                      static_cast<uint32_t>(b), &out).ok());
  };
  const std::string literal = tok.options().num_token;
  auto stretch = [&](size_t b, size_t e, bool last) {
    for (size_t at; options.parse_special &&
                    (at = absl::string_view(text).substr(0, e).find(literal, b)) !=
                        absl::string_view::npos;) {
      plain(b, at, false, true);
      b = at + literal.size();
      plain(at, b, false, false);
    }
    plain(b, e, last, options.parse_special);
  };
  size_t cursor = 0;
  for (const NumberValue& n : numbers) {
    if (!n.as_num) continue;
    stretch(cursor, n.span.begin, false);
    first = false;
    out.Append(tok.num_id(), Offset{n.span.begin, n.span.end}, n.value);
    cursor = n.span.end;
  }
  stretch(cursor, text.size(), true);
  return out;
}

void ExpectSameEncoding(const Encoding& got, const Encoding& want, const std::string& text) {
  ASSERT_EQ(got.ids, want.ids) << text;
  ASSERT_EQ(got.offsets, want.offsets) << text;
  ASSERT_EQ(got.values.size(), want.values.size()) << text;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_TRUE(SameFloat(got.values[i], want.values[i])) << text << " token " << i;
  }
}

void MatchesStretchByStretch(const std::string& path) {
  auto tok = Load(path);
  ASSERT_NE(tok, nullptr);
  std::vector<EncodeOptions> all_options(16);
  for (int bits = 0; bits < 16; ++bits) {
    all_options[bits].add_bos = bits & 1;
    all_options[bits].add_eos = bits & 2;
    all_options[bits].parse_special = !(bits & 4);
    all_options[bits].continuation = bits & 8;
  }
  const std::vector<std::string> texts = {
      "", "7", "42 apples", " 42", "a [NUM] costs 3 [NUM]", "[NUM]12[NUM]", "x=-1.5e3, y=2",
      "<s>1</s> 2 <unk>", "  3  4  ", "1e400 and 1e-400", "\xE2\x96\x81" "5\xE2\x96\x81x",
      "(1,2) [3.5] 1-2 2024-04-04 v1.2 x2 \xD9\xA1\xD9\xA2 \xFF" "9"};
  for (const std::string& text : texts) {
    for (const EncodeOptions& o : all_options) {
      Encoding got;
      if (o.add_bos && tok->bos_id() < 0) continue;
      if (o.add_eos && tok->eos_id() < 0) continue;
      ASSERT_TRUE(tok->EncodeInto(text, o, 0, &got).ok()) << text;
      ExpectSameEncoding(got, StretchByStretch(*tok, text, o), text);
    }
  }
  absl::StatusOr<std::vector<std::string>> lines = testing::LoadCorpus(testing::DataDir());
  ASSERT_TRUE(lines.ok()) << lines.status();
  for (const std::string& line : *lines) {
    Encoding got;
    ASSERT_TRUE(tok->EncodeInto(line, {}, 0, &got).ok()) << line;
    ExpectSameEncoding(got, StretchByStretch(*tok, line, {}), line);
  }
}

TEST(XvalTokenizerTest, MatchesStretchByStretchLlama) { MatchesStretchByStretch(LlamaPath()); }
TEST(XvalTokenizerTest, MatchesStretchByStretchCl100k) { MatchesStretchByStretch("cl100k_base"); }

TEST(XvalTokenizerTest, CorpusRoundTripLlama) { CorpusRoundTrip(LlamaPath()); }
TEST(XvalTokenizerTest, CorpusRoundTripCl100k) { CorpusRoundTrip("cl100k_base"); }

TEST(XvalTokenizerTest, PaperTokenizerJson) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> base = LoadBaseTokenizer(PaperPath());
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ((*base)->vocab_size(), 27);
  EXPECT_EQ(*(*base)->PieceToId("[NUM]"), 3);
  absl::StatusOr<Encoding> e = (*base)->Encode("{'planet0':x[[");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ids, (std::vector<int32_t>{4, 26, 12}));  // 'x' has no token: dropped
  EXPECT_EQ(*(*base)->Decode(e->ids), "{'planet0':[[");
  EXPECT_FALSE((*base)->Decode({27}).ok());
}

// The reference code's ids and values (tests/tools/gen_xval_paper_golden.py).
TEST(XvalTokenizerTest, PaperModeMatchesTheReferenceCode) {
  auto tok = Load(PaperPath(), XvalOptions::Paper());
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->num_id(), 3);
  std::ifstream in(testing::SourceDir() + "/tests/golden/xval/paper_planets.jsonl");
  ASSERT_TRUE(in) << "golden file missing";
  simdjson::dom::parser parser;
  std::string line;
  size_t records = 0;
  while (std::getline(in, line)) {
    simdjson::dom::element root = parser.parse(line).value();
    const std::string_view text_sv = root["text"].get_string().value();
    const std::string text(text_sv);
    std::vector<int32_t> ids;
    std::vector<float> values;
    // Arrays bound to variables first: iterating a temporary result dangles.
    simdjson::dom::array id_array = root["ids"].get_array().value();
    simdjson::dom::array value_array = root["values"].get_array().value();
    for (simdjson::dom::element id : id_array) {
      ids.push_back(static_cast<int32_t>(id.get_int64().value()));
    }
    for (simdjson::dom::element v : value_array) {
      values.push_back(static_cast<float>(v.get_double().value()));
    }
    absl::StatusOr<Encoding> e = tok->Encode(text);
    ASSERT_TRUE(e.ok()) << text;
    EXPECT_EQ(e->ids, ids) << text;
    ASSERT_EQ(e->values.size(), values.size()) << text;
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_TRUE(SameFloat(e->values[i], values[i])) << text << " token " << i;
    }
    ExpectWellFormed(*e, text);
    ++records;
  }
  EXPECT_EQ(records, 45u);
}

TEST(XvalTokenizerTest, PaperModeOffsetsAndDecode) {
  auto tok = Load(PaperPath(), XvalOptions::Paper());
  const std::string text = "{'data': [[1, -2.5], [3, 1e5]]}";
  absl::StatusOr<Encoding> e = tok->Encode(text);
  ASSERT_TRUE(e.ok());
  std::vector<Offset> num_offsets;
  for (size_t i = 0; i < e->size(); ++i) {
    if (e->ids[i] == 3) num_offsets.push_back(e->offsets[i]);
  }
  EXPECT_EQ(num_offsets, (std::vector<Offset>{{11, 12}, {14, 18}, {22, 23}, {25, 28}}));
  EXPECT_EQ(e->values.back() == 1.0f, true);
  // float16 saturates where numpy would store inf.
  EXPECT_EQ(std::count(e->values.begin(), e->values.end(), 65504.0f), 1);
  EXPECT_EQ(*tok->DecodeWithValues(e->ids, e->values),
            "{'data':[[1, -2.5],[3, 65500]]}");  // shortest float16 decimal
}

}  // namespace
}  // namespace xval
