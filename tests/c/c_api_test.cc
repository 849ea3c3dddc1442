// The C ABI (include/xval/xval.h) against the C++ API it wraps and the references behind that:
// encode, batch, decode, ids and pieces, streaming, errors (codes and the per-thread message),
// buffer-size queries, the embedding kernel, and a model forward pass and generation on a tiny
// checkpoint checked against transformers' logits. Runs under ASan and UBSan too (sanitize).
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "model/model_test_util.h"
#include "support/corpus.h"
#include "xval/tokenizer.h"
#include "xval/xval.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace {

std::string Llama() { return testing::DataDir() + "/tokenizers/llama2/tokenizer.model"; }

// A loaded tokenizer, freed at the end of the test.
struct Tok {
  xval_tokenizer* t = nullptr;
  ~Tok() { xval_tokenizer_free(t); }
};

std::vector<int32_t> Encode(const xval_tokenizer* t, const std::string& text) {
  size_t n = 0;  // a size query: capacity 0
  const xval_status query =
      xval_encode(t, text.data(), text.size(), nullptr, nullptr, nullptr, nullptr, 0, &n);
  EXPECT_EQ(query, n == 0 ? XVAL_OK : XVAL_BUFFER_TOO_SMALL);
  std::vector<int32_t> ids(n);
  EXPECT_EQ(xval_encode(t, text.data(), text.size(), nullptr, ids.data(), nullptr, nullptr,
                        ids.size(), &n),
            XVAL_OK);
  return ids;
}

std::string Decode(const xval_tokenizer* t, const std::vector<int32_t>& ids) {
  size_t length = 0;
  EXPECT_EQ(xval_decode(t, ids.data(), ids.size(), nullptr, 0, &length),
            ids.empty() ? XVAL_OK : XVAL_BUFFER_TOO_SMALL);
  std::string text(length + 1, '\0');
  EXPECT_EQ(xval_decode(t, ids.data(), ids.size(), text.data(), text.size(), &length), XVAL_OK);
  text.resize(length);
  return text;
}

// Ids and values of `text`, with room for 64 tokens.
void EncodeWithValues(const xval_tokenizer* t, const std::string& text, std::vector<int32_t>* ids,
                      std::vector<float>* values) {
  ids->assign(64, 0);
  values->assign(64, 0.0f);
  size_t n = 0;
  ASSERT_EQ(xval_encode(t, text.data(), text.size(), nullptr, ids->data(), values->data(), nullptr,
                        ids->size(), &n),
            XVAL_OK);
  ids->resize(n);
  values->resize(n);
}

TEST(CApi, VersionAndStatusNames) {
  EXPECT_STREQ(xval_version(), XVAL_VERSION_STRING);
  EXPECT_STREQ(Version(), XVAL_VERSION_STRING);
  EXPECT_STREQ(xval_status_name(XVAL_OUT_OF_RANGE), "OUT_OF_RANGE");
  EXPECT_STREQ(xval_status_name(XVAL_BUFFER_TOO_SMALL), "BUFFER_TOO_SMALL");
}

TEST(CApi, PadIdOfAFileThatNamesOne) {
  // phi-3's GGUF vocabulary: tokenizer.ggml.padding_token_id 32000, as llama.cpp reads it
  // (tests/golden/gguf/special_ids.json); Llama 2's names none (-1, checked below).
  Tok tok;
  const std::string path = testing::DataDir() + "/tokenizers/gguf/ggml-vocab-phi-3.gguf";
  ASSERT_EQ(xval_tokenizer_load(path.c_str(), nullptr, &tok.t), XVAL_OK) << xval_last_error();
  EXPECT_EQ(xval_pad_id(tok.t), 32000);
}

TEST(CApi, DecodeKeepingSpecialEqualsTheCppApi) {
  // The text itself is checked against transformers in tests/python/test_hf_conventions.py.
  Tok tok;
  ASSERT_EQ(xval_tokenizer_load(Llama().c_str(), nullptr, &tok.t), XVAL_OK) << xval_last_error();
  auto cpp = LoadTokenizer(Llama());
  ASSERT_TRUE(cpp.ok());
  const std::vector<int32_t> ids = {1, 0, 15043, 3186, 2};  // <s> <unk> ▁Hello ▁world </s>
  auto expected = (*cpp)->DecodeKeepingSpecial(ids);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(*expected, "<s><unk> Hello world</s>");
  char text[64];
  size_t length = 0;
  ASSERT_EQ(xval_decode_keeping_special(tok.t, ids.data(), ids.size(), text, sizeof(text), &length),
            XVAL_OK);
  EXPECT_EQ(std::string(text, length), *expected);
  EXPECT_EQ(xval_decode_keeping_special(tok.t, ids.data(), ids.size(), text, 3, &length),
            XVAL_BUFFER_TOO_SMALL);
  EXPECT_EQ(xval_decode_keeping_special(nullptr, ids.data(), ids.size(), text, 3, &length),
            XVAL_INVALID_ARGUMENT);
}

TEST(CApi, EncodeDecodeEqualTheCppApiOnTheCorpus) {
  Tok tok;
  ASSERT_EQ(xval_tokenizer_load(Llama().c_str(), nullptr, &tok.t), XVAL_OK) << xval_last_error();
  auto cpp = LoadTokenizer(Llama());
  ASSERT_TRUE(cpp.ok());
  EXPECT_EQ(xval_vocab_size(tok.t), 32000);
  EXPECT_EQ(xval_bos_id(tok.t), 1);
  EXPECT_EQ(xval_eos_id(tok.t), 2);
  EXPECT_EQ(xval_unk_id(tok.t), 0);
  EXPECT_EQ(xval_pad_id(tok.t), -1);  // Llama 2's tokenizer_config.json: "pad_token": null
  EXPECT_EQ(xval_num_id(tok.t), -1);
  auto corpus = testing::LoadCorpus(testing::DataDir());
  ASSERT_TRUE(corpus.ok());
  for (size_t i = 0; i < corpus->size(); i += 53) {
    const std::string& text = (*corpus)[i];
    auto expected = (*cpp)->Encode(text);
    ASSERT_TRUE(expected.ok());
    size_t n = 0;
    std::vector<int32_t> ids(expected->size() + 4);
    std::vector<float> values(ids.size());
    std::vector<uint32_t> offsets(2 * ids.size());
    ASSERT_EQ(xval_encode(tok.t, text.data(), text.size(), nullptr, ids.data(), values.data(),
                          offsets.data(), ids.size(), &n),
              XVAL_OK);
    ASSERT_EQ(n, expected->size());
    ids.resize(n);
    EXPECT_EQ(ids, expected->ids) << text;
    for (size_t k = 0; k < n; ++k) {
      EXPECT_EQ(offsets[2 * k], expected->offsets[k].begin);
      EXPECT_EQ(offsets[2 * k + 1], expected->offsets[k].end);
      EXPECT_EQ(values[k], 1.0f);
    }
    EXPECT_EQ(Decode(tok.t, ids), *(*cpp)->Decode(ids));
  }
}

TEST(CApi, BatchEqualsOneByOne) {
  Tok tok;
  ASSERT_EQ(xval_tokenizer_load(Llama().c_str(), nullptr, &tok.t), XVAL_OK);
  const std::vector<std::string> texts = {"The orbit takes 365.25 days.", "", "x = -1.5e3",
                                          "中文 and 😀"};
  std::vector<const char*> ptrs;
  std::vector<size_t> lengths;
  for (const std::string& t : texts) {
    ptrs.push_back(t.data());
    lengths.push_back(t.size());
  }
  xval_encode_options options;
  xval_encode_options_init(&options);
  options.add_bos = 1;
  std::vector<size_t> splits(texts.size() + 1);
  size_t n = 0;
  ASSERT_EQ(xval_encode_batch(tok.t, ptrs.data(), lengths.data(), texts.size(), &options, 0,
                              nullptr, nullptr, nullptr, 0, splits.data(), &n),
            XVAL_BUFFER_TOO_SMALL);
  std::vector<int32_t> ids(n);
  ASSERT_EQ(xval_encode_batch(tok.t, ptrs.data(), lengths.data(), texts.size(), &options, 0,
                              ids.data(), nullptr, nullptr, ids.size(), splits.data(), &n),
            XVAL_OK);
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<int32_t> one = Encode(tok.t, texts[i]);
    one.insert(one.begin(), 1);  // add_bos
    EXPECT_EQ(std::vector<int32_t>(ids.begin() + splits[i], ids.begin() + splits[i + 1]), one);
  }
}

// A GGUF vocabulary through the C ABI, with add_special_tokens as llama.cpp's add_special and
// parse_special off: the ids llama.cpp gives (tests/golden/gguf/llama-spm.json's edge list:
// "<s> hi </s>").
TEST(CApi, GgufVocabularyAndTheMeaningOfSpecial) {
  Tok tok;
  const std::string path = testing::DataDir() + "/tokenizers/gguf/ggml-vocab-llama-spm.gguf";
  ASSERT_EQ(xval_tokenizer_load(path.c_str(), nullptr, &tok.t), XVAL_OK) << xval_last_error();
  const std::string text = "<s> hi </s>";
  auto encode = [&](int add_special_tokens, int parse_special) {
    xval_encode_options options;
    xval_encode_options_init(&options);
    EXPECT_EQ(options.add_special_tokens, 0);
    options.add_special_tokens = add_special_tokens;
    options.parse_special = parse_special;
    int32_t ids[32];
    size_t n = 0;
    EXPECT_EQ(xval_encode(tok.t, text.data(), text.size(), &options, ids, nullptr, nullptr, 32, &n),
              XVAL_OK);
    return std::vector<int32_t>(ids, ids + n);
  };
  EXPECT_EQ(encode(1, 1), (std::vector<int32_t>{1, 1, 29871, 7251, 29871, 2}));
  EXPECT_EQ(encode(0, 1), (std::vector<int32_t>{1, 29871, 7251, 29871, 2}));
  EXPECT_EQ(encode(0, 0), (std::vector<int32_t>{529, 29879, 29958, 7251, 1533, 29879, 29958}));
}

TEST(CApi, ErrorsAreCodesWithAMessageOfThisThread) {
  xval_tokenizer* t = nullptr;
  EXPECT_EQ(xval_tokenizer_load("/nonexistent/tokenizer.model", nullptr, &t), XVAL_NOT_FOUND);
  EXPECT_EQ(t, nullptr);
  EXPECT_NE(std::string(xval_last_error()).find("/nonexistent/tokenizer.model"), std::string::npos)
      << xval_last_error();
  // Another thread's error is its own.
  std::thread([] {
    EXPECT_STREQ(xval_last_error(), "");
    xval_tokenizer* u = nullptr;
    EXPECT_EQ(xval_tokenizer_load(nullptr, nullptr, &u), XVAL_INVALID_ARGUMENT);
    EXPECT_NE(std::string(xval_last_error()).find("path"), std::string::npos);
  }).join();
  EXPECT_NE(std::string(xval_last_error()).find("/nonexistent"), std::string::npos);

  Tok tok;
  ASSERT_EQ(xval_tokenizer_load(Llama().c_str(), nullptr, &tok.t), XVAL_OK);
  const int32_t bad[] = {5, 99999};
  size_t length = 0;
  char text[16];
  EXPECT_EQ(xval_decode(tok.t, bad, 2, text, sizeof(text), &length), XVAL_OUT_OF_RANGE);
  int32_t id = 0;
  EXPECT_EQ(xval_piece_to_id(tok.t, "no such piece", 13, &id), XVAL_NOT_FOUND);
  EXPECT_EQ(xval_piece_to_id(tok.t, "▁the", strlen("▁the"), &id), XVAL_OK);
  EXPECT_EQ(id, 278);
  char piece[2];
  EXPECT_EQ(xval_id_to_piece(tok.t, 278, piece, sizeof(piece), &length), XVAL_BUFFER_TOO_SMALL);
  EXPECT_EQ(length, strlen("▁the"));
  EXPECT_EQ(xval_encode(tok.t, "abc", 3, nullptr, nullptr, nullptr, nullptr, 0, nullptr),
            XVAL_INVALID_ARGUMENT);
  xval_tokenizer_options options;
  xval_tokenizer_options_init(&options);
  options.numbers = XVAL_NUMBERS_XVAL;
  options.transform = "scale:0";
  xval_tokenizer* x = nullptr;
  EXPECT_EQ(xval_tokenizer_load(Llama().c_str(), &options, &x), XVAL_INVALID_ARGUMENT);
  EXPECT_NE(std::string(xval_last_error()).find("transform"), std::string::npos);
  options.transform = nullptr;
  // An int outside the enumerators, as C code may store one (written through its bytes: in
  // C++ converting it to the enum is itself undefined; c99_test.c passes one as C does).
  const int seven = 7;
  std::memcpy(&options.numbers, &seven, sizeof(seven));
  EXPECT_EQ(xval_tokenizer_load(Llama().c_str(), &options, &x), XVAL_INVALID_ARGUMENT);
  EXPECT_NE(std::string(xval_last_error()).find("options.numbers"), std::string::npos);
  options.numbers = XVAL_NUMBERS_NONE;
  options.digits = XVAL_DIGITS_LEFT_TO_RIGHT;
  options.digit_group = 0;
  EXPECT_EQ(xval_tokenizer_load(Llama().c_str(), &options, &x), XVAL_INVALID_ARGUMENT);
  EXPECT_EQ(x, nullptr);
}

TEST(CApi, XvalNumbersDigitsAndMemoryLoading) {
  std::string bytes;
  {
    FILE* f = fopen(Llama().c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) bytes.append(buf, got);
    fclose(f);
  }
  xval_tokenizer_options options;
  xval_tokenizer_options_init(&options);
  options.numbers = XVAL_NUMBERS_XVAL;
  options.digits = XVAL_DIGITS_RIGHT_TO_LEFT;
  options.digit_group = 3;
  Tok tok;
  ASSERT_EQ(xval_tokenizer_load_from_memory(bytes.data(), bytes.size(), "tokenizer.model", &options,
                                            &tok.t),
            XVAL_OK)
      << xval_last_error();
  bytes.assign(bytes.size(), 'x');  // the tokenizer holds its own copy
  TokenizerOptions cpp_options;
  cpp_options.digits = *DigitSplit::Parse("rtl3");
  auto cpp = LoadXvalTokenizer(Llama(), cpp_options, {});
  ASSERT_TRUE(cpp.ok());
  EXPECT_EQ(xval_num_id(tok.t), (*cpp)->num_id());
  const std::string text = "The orbit takes 365.25 days, or 31557600 s; x12345 -7";
  auto expected = (*cpp)->Encode(text);
  ASSERT_TRUE(expected.ok());
  std::vector<int32_t> ids;
  std::vector<float> values;
  EncodeWithValues(tok.t, text, &ids, &values);
  const size_t n = ids.size();
  EXPECT_EQ(ids, expected->ids);
  EXPECT_EQ(values, expected->values);
  char out[256];
  size_t length = 0;
  ASSERT_EQ(xval_decode_with_values(tok.t, ids.data(), values.data(), n, out, sizeof(out), &length),
            XVAL_OK);
  EXPECT_EQ(std::string(out, length), *(*cpp)->DecodeWithValues(ids, values));
  EXPECT_EQ(out[length], '\0');
  // tiktoken from memory: the name's stem tells the encoding.
  xval_tokenizer* cl = nullptr;
  EXPECT_EQ(xval_tokenizer_load_from_memory("", 0, "mystery.tiktoken", nullptr, &cl),
            XVAL_INVALID_ARGUMENT);
  EXPECT_NE(std::string(xval_last_error()).find("mystery"), std::string::npos);
}

TEST(CApi, StreamEqualsTheFullDecode) {
  xval_tokenizer_options options;
  xval_tokenizer_options_init(&options);
  options.numbers = XVAL_NUMBERS_XVAL;
  Tok tok;
  ASSERT_EQ(xval_tokenizer_load(Llama().c_str(), &options, &tok.t), XVAL_OK);
  const std::string text = "The orbit takes 365.25 days; 5000.5 😀 ½ done";
  std::vector<int32_t> ids;
  std::vector<float> values;
  EncodeWithValues(tok.t, text, &ids, &values);
  const size_t n = ids.size();
  xval_stream* stream = nullptr;
  ASSERT_EQ(xval_stream_new(tok.t, &stream), XVAL_OK);
  std::string streamed;
  const char* piece = nullptr;
  size_t length = 0;
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(xval_stream_push(stream, ids[i], values[i], &piece, &length), XVAL_OK);
    EXPECT_EQ(strlen(piece), length);
    streamed.append(piece, length);
  }
  EXPECT_EQ(xval_stream_push(stream, 1 << 30, 1.0f, &piece, &length), XVAL_OUT_OF_RANGE);
  ASSERT_EQ(xval_stream_flush(stream, &piece, &length), XVAL_OK);
  streamed.append(piece, length);
  char full[256];
  ASSERT_EQ(
      xval_decode_with_values(tok.t, ids.data(), values.data(), n, full, sizeof(full), &length),
      XVAL_OK);
  EXPECT_EQ(streamed, std::string(full, length));
  EXPECT_EQ(streamed, text);
  xval_stream_free(stream);
}

TEST(CApi, EmbedScalesRowsByValues) {
  const size_t vocab = 5, hidden = 3;
  std::vector<float> table(vocab * hidden);
  for (size_t i = 0; i < table.size(); ++i) table[i] = 0.5f * static_cast<float>(i) - 2.0f;
  const int32_t ids[] = {4, 0, 2, 2};
  const float values[] = {1.0f, -2.5f, 0.0f, 3.0f};
  std::vector<float> out(4 * hidden, NAN);
  ASSERT_EQ(
      xval_embed(table.data(), XVAL_F32, vocab, hidden, ids, values, 4, out.data(), XVAL_F32, 1),
      XVAL_OK)
      << xval_last_error();
  for (size_t t = 0; t < 4; ++t) {
    for (size_t h = 0; h < hidden; ++h) {
      EXPECT_EQ(out[t * hidden + h], table[ids[t] * hidden + h] * values[t]);
    }
  }
  ASSERT_EQ(
      xval_embed(table.data(), XVAL_F32, vocab, hidden, ids, nullptr, 4, out.data(), XVAL_F32, 0),
      XVAL_OK);
  EXPECT_EQ(out[0], table[4 * hidden]);
  const int32_t bad[] = {5};
  EXPECT_EQ(
      xval_embed(table.data(), XVAL_F32, vocab, hidden, bad, nullptr, 1, out.data(), XVAL_F32, 0),
      XVAL_OUT_OF_RANGE);
  EXPECT_EQ(xval_embed(nullptr, XVAL_F32, vocab, hidden, ids, nullptr, 4, out.data(), XVAL_F32, 0),
            XVAL_INVALID_ARGUMENT);
}

// The forward pass through the C ABI equals transformers' logits and number head on the tiny
// xVal checkpoint (tests/golden/model/xval_mlp, made by tests/tools/make_tiny_llama.py).
TEST(CApi, ModelForwardMatchesTransformers) {
  auto ref = testing::Reference::Load("xval_mlp");
  ASSERT_TRUE(ref.ok()) << ref.status();
  xval_model* model = nullptr;
  ASSERT_EQ(xval_model_load(testing::ModelDir("xval_mlp").c_str(), 1, &model), XVAL_OK)
      << xval_last_error();
  xval_model_info info;
  xval_model_get_info(model, &info);
  EXPECT_EQ(info.vocab_size, 27);
  EXPECT_EQ(info.num_token_id, 3);
  EXPECT_EQ(info.has_number_head, 1);
  const std::vector<int32_t> ids = ref->Ids();
  const std::vector<float> values = ref->Get("values");
  xval_session* session = nullptr;
  ASSERT_EQ(xval_session_new(model, ids.size() + 16, &session), XVAL_OK);
  std::vector<float> logits(ids.size() * 27), numbers(ids.size());
  size_t n_logits = 0;
  EXPECT_EQ(xval_session_forward(session, ids.data(), values.data(), ids.size(), 1, logits.data(),
                                 logits.size() - 1, &n_logits, numbers.data()),
            XVAL_BUFFER_TOO_SMALL);
  EXPECT_EQ(n_logits, logits.size());
  EXPECT_EQ(xval_session_position(session), 0u);
  ASSERT_EQ(xval_session_forward(session, ids.data(), values.data(), ids.size(), 1, logits.data(),
                                 logits.size(), nullptr, numbers.data()),
            XVAL_OK)
      << xval_last_error();
  EXPECT_EQ(xval_session_position(session), ids.size());
  EXPECT_LE(testing::MaxRelError(logits, ref->Get("xval_logits")), 1e-4);
  EXPECT_LE(testing::MaxRelError(numbers, ref->Get("numbers")), 1e-4);
  const int32_t outside[] = {27};
  float one[27];
  EXPECT_EQ(xval_session_forward(session, outside, nullptr, 1, 0, one, 27, nullptr, nullptr),
            XVAL_OUT_OF_RANGE);

  // Generation calls back with each token; 0 stops it.
  xval_session_reset(session);
  xval_generate_options options;
  xval_generate_options_init(&options);
  options.max_new_tokens = 5;
  options.stop_at_eos = 0;
  struct Seen {
    std::vector<int32_t> ids;
  } seen;
  size_t generated = 0;
  ASSERT_EQ(xval_generate(
                session, ids.data(), values.data(), 4, &options,
                [](int32_t id, float, void* user) {
                  static_cast<Seen*>(user)->ids.push_back(id);
                  return static_cast<Seen*>(user)->ids.size() < 3 ? 1 : 0;
                },
                &seen, &generated),
            XVAL_OK)
      << xval_last_error();
  EXPECT_EQ(seen.ids.size(), 3u);
  EXPECT_EQ(generated, 3u);
  xval_session_free(session);
  xval_model_free(model);
}

TEST(CApi, NullHandlesAreErrorsNotCrashes) {
  size_t n = 0;
  EXPECT_EQ(xval_encode(nullptr, "a", 1, nullptr, nullptr, nullptr, nullptr, 0, &n),
            XVAL_INVALID_ARGUMENT);
  EXPECT_EQ(xval_vocab_size(nullptr), -1);
  EXPECT_EQ(xval_stream_new(nullptr, nullptr), XVAL_INVALID_ARGUMENT);
  xval_model* m = nullptr;
  EXPECT_EQ(xval_model_load("/nonexistent", 0, &m), XVAL_NOT_FOUND) << xval_last_error();
  xval_tokenizer_free(nullptr);
  xval_stream_free(nullptr);
  xval_model_free(nullptr);
  xval_session_free(nullptr);
}

}  // namespace
}  // namespace xval
