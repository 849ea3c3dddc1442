// Malformed files of every format the library reads (issue 16), as a table: each case mutates a
// real file (the Llama 2 .model and tokenizer.json, the xVal paper's tokenizer.json, a byte-level
// tokenizer.json, cl100k's .tiktoken, and the tiny checkpoints' GGUF, safetensors and
// config.json) and must give an error Status naming the file and the field, never a crash, and
// no single allocation larger than a small multiple of the file's size (allocations are
// counted by the operator new below): sizes read from a file are checked against the file
// before anything is sized from them.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "support/corpus.h"
#include "util/file.h"
#include "xval/model.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

// The largest single allocation since the last reset, over every thread.
namespace {
std::atomic<size_t> largest_allocation{0};
void Note(size_t n) {
  size_t seen = largest_allocation.load(std::memory_order_relaxed);
  while (n > seen && !largest_allocation.compare_exchange_weak(seen, n)) {
  }
}
}  // namespace

// GCC pairs the sized deletes below with its own new and warns; these are the only ones.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(size_t n) {
  Note(n);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  Note(n);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, std::align_val_t align) {
  Note(n);
  const size_t a = static_cast<size_t>(align);
  if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n, std::align_val_t align) { return operator new(n, align); }
// The nothrow forms (simdjson's padded_string uses them) must come from malloc too, or the
// deletes above would free what the runtime's own new allocated.
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  Note(n);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  Note(n);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new(size_t n, std::align_val_t align, const std::nothrow_t&) noexcept {
  Note(n);
  const size_t a = static_cast<size_t>(align);
  return std::aligned_alloc(a, (n + a - 1) / a * a);
}
void* operator new[](size_t n, std::align_val_t align, const std::nothrow_t& tag) noexcept {
  return operator new(n, align, tag);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace xval {
namespace {

namespace fs = std::filesystem;

std::string Read(const std::string& path) {
  auto s = util::ReadFile(path);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::string();
}

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

std::string Data(const std::string& rel) { return testing::DataDir() + "/" + rel; }
std::string Golden(const std::string& rel) { return testing::SourceDir() + "/tests/golden/" + rel; }

// How a file is loaded: the path of the (mutated) file is given.
enum class Loader { kTokenizer, kBaseTokenizer, kModelFile, kModelDir };

struct Case {
  std::string format;  // for the count by format
  std::string name;
  Loader loader;
  std::string file_name;  // the mutated file's name (the loader may need it: .model, .tiktoken)
  std::string bytes;      // its content
  std::string expect;     // a substring of the error (the field), empty: any error naming the file
  // For checkpoint folders: the other files beside it (name -> content).
  std::map<std::string, std::string> beside;
};

// --- helpers that mutate bytes ---------------------------------------------------------------

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

template <typename T>
std::string Put(std::string s, size_t at, T value) {
  if (at + sizeof(T) <= s.size()) std::memcpy(&s[at], &value, sizeof(T));
  return s;
}

// --- SentencePiece .model: walk the top-level protobuf fields -------------------------------

uint64_t Varint(const std::string& s, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; *pos < s.size() && shift < 64; shift += 7) {
    const uint8_t b = static_cast<uint8_t>(s[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}

struct ProtoField {
  size_t start, length_at, payload, end;  // the key's byte, the length's, the payload's, the end
  uint32_t number;
};

std::vector<ProtoField> TopFields(const std::string& s) {
  std::vector<ProtoField> fields;
  size_t pos = 0;
  while (pos < s.size()) {
    ProtoField f;
    f.start = pos;
    const uint64_t key = Varint(s, &pos);
    f.number = static_cast<uint32_t>(key >> 3);
    f.length_at = pos;
    const uint64_t len = Varint(s, &pos);  // every top-level field of ModelProto is a message
    f.payload = pos;
    pos += len;
    f.end = pos;
    fields.push_back(f);
  }
  return fields;
}

std::vector<Case> SpmModelCases() {
  const std::string file = Read(Data("tokenizers/llama2/tokenizer.model"));
  const std::vector<ProtoField> fields = TopFields(file);
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"spm_model",
                     std::move(name),
                     Loader::kTokenizer,
                     "tokenizer.model",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  // Truncation inside each kind of structure: inside a key, inside a length, inside a payload,
  // for the first pieces, a piece in the middle, the last piece, the trainer and normalizer
  // specs.
  std::vector<size_t> picks = {
      0, 1, 2, fields.size() / 2, fields.size() - 3, fields.size() - 2, fields.size() - 1};
  for (size_t i : picks) {
    const ProtoField& f = fields[i];
    const std::string what = absl::StrCat("field", i, "_number", f.number);
    add(what + "_cut_in_length", file.substr(0, f.length_at + 1),
        f.payload - f.length_at > 1 ? "truncated" : "");
    add(what + "_cut_in_payload", file.substr(0, f.payload + (f.end - f.payload) / 2), "");
    add(what + "_cut_before_end", file.substr(0, f.end - 1), "");
  }
  add("empty", "", "empty");
  add("one_byte", file.substr(0, 1), "truncated");
  // Lengths flipped to huge values: a 10-byte varint of 2^63 - 1 and 2^32 at the first piece.
  {
    const ProtoField& f = fields[0];
    std::string huge = file.substr(0, f.length_at) +
                       std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9) +
                       file.substr(f.payload);
    add("piece_length_2^63", huge, "past the end");
    std::string big = file.substr(0, f.length_at) + std::string("\x80\x80\x80\x80\x10", 5) +
                      file.substr(f.payload);
    add("piece_length_2^32", big, "past the end");
    add("varint_of_11_bytes",
        file.substr(0, f.length_at) + std::string(11, '\xff') + file.substr(f.payload), "varint");
  }
  // A wrong wire type at the first field, an unknown piece type, field number 0.
  add("wire_type_7", Put<uint8_t>(file, fields[0].start, (1 << 3) | 7), "wire type");
  add("field_number_0", Put<uint8_t>(file, fields[0].start, 2), "field number 0");
  {
    // The first piece's type (field 3 of SentencePiece, a varint): 9 is no type.
    std::string s = file;
    const ProtoField& f = fields[1];
    size_t pos = f.payload;
    while (pos < f.end) {
      const size_t key_at = pos;
      const uint64_t key = Varint(s, &pos);
      if ((key >> 3) == 3 && (key & 7) == 0) {
        s[pos] = 9;
        break;
      }
      if ((key & 7) == 2)
        pos += Varint(s, &pos);
      else if ((key & 7) == 5)
        pos += 4;
      else
        Varint(s, &pos);
      (void)key_at;
    }
    add("piece_type_9", s, "piece type");
  }
  // Duplicate pieces: the text of piece 3 ("<0x00>") replaced by that of piece 4.
  {
    std::string s = Replace(file, "<0x00>", "<0x01>");
    add("duplicate_piece", s, "already defined");
  }
  // No pieces at all (only the specs).
  {
    std::string s;
    for (const ProtoField& f : fields) {
      if (f.number != 1) s += file.substr(f.start, f.end - f.start);
    }
    add("no_pieces", s, "no pieces");
  }
  // No trainer_spec.
  {
    std::string s;
    for (const ProtoField& f : fields) {
      if (f.number != 2) s += file.substr(f.start, f.end - f.start);
    }
    add("no_trainer_spec", s, "trainer_spec");
  }
  // A file of another kind.
  // A GGUF file is read for its vocabulary (see GgufCases); one without is refused.
  add("a_gguf_file_without_vocabulary", std::string("GGUF\x03\0\0\0", 8) + std::string(16, '\0'),
      "without a vocabulary");
  add("text", "hello world\n", "");
  return cases;
}

// --- tokenizer.json: the Llama one, the xVal paper's, a byte-level one ----------------------

// GPT-2's bytes-to-characters alphabet.
std::string ByteChar(uint8_t b) {
  int n = 0;
  int cp = -1;
  for (int x = 0; x < 256; ++x) {
    const bool direct = (x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255);
    const int c = direct ? x : 256 + n++;
    if (x == b) cp = c;
  }
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

std::string EscapeJson(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// A small byte-level BPE tokenizer.json: the 256 bytes, "he", "ll", "hell", "hello", and
// <|endoftext|> as an added token.
std::string ByteLevelJson() {
  std::string vocab;
  for (int b = 0; b < 256; ++b) {
    absl::StrAppend(&vocab, b ? "," : "", "\"", EscapeJson(ByteChar(b)), "\":", b);
  }
  absl::StrAppend(&vocab,
                  ",\"he\":256,\"ll\":257,\"hell\":258,\"hello\":259,\"<|endoftext|>\":260");
  return absl::StrCat(
      R"({"version":"1.0","added_tokens":[{"id":260,"content":"<|endoftext|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],)",
      R"("normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},)",
      R"("post_processor":null,"decoder":{"type":"ByteLevel"},"model":{"type":"BPE","dropout":null,"unk_token":null,)",
      R"("continuing_subword_prefix":"","end_of_word_suffix":"","fuse_unk":false,"byte_fallback":false,"vocab":{)",
      vocab, R"(},"merges":["h e","l l","he ll","hell o"]}})");
}

// Truncations at JSON structural points: after each of the first `n` '{', '[', ':' and ','
// that `picks` selects (every k-th), which must all be parse errors.
void AddJsonCuts(const std::string& format, const std::string& file_name, Loader loader,
                 const std::string& json, size_t count, std::vector<Case>* cases) {
  std::vector<size_t> points;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '{' || c == '[' || c == ':' || c == ',' || c == '"') points.push_back(i);
  }
  for (size_t k = 0; k < count; ++k) {
    const size_t at = points[k * (points.size() - 1) / (count - 1)];
    cases->push_back({format,
                      absl::StrCat("cut_at_byte_", at),
                      loader,
                      file_name,
                      json.substr(0, at),
                      "JSON",
                      {}});
  }
  cases->push_back({format,
                    "cut_before_last_brace",
                    loader,
                    file_name,
                    json.substr(0, json.size() - 1),
                    "JSON",
                    {}});
}

std::vector<Case> LlamaJsonCases() {
  const std::string json = Read(Data("tokenizers/llama2/tokenizer.json"));
  std::vector<Case> cases;
  AddJsonCuts("llama_json", "tokenizer.json", Loader::kTokenizer, json, 12, &cases);
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"llama_json",
                     std::move(name),
                     Loader::kTokenizer,
                     "tokenizer.json",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  const std::string unk = R"({"id":0,"content":"<unk>")";
  add("added_id_2^32+7", Replace(json, unk, R"({"id":4294967303,"content":"<unk>")"),
      "added_tokens[0]: id 4294967303");
  add("added_id_negative", Replace(json, unk, R"({"id":-1,"content":"<unk>")"), "added_tokens[0]");
  add("added_id_past_vocab", Replace(json, unk, R"({"id":999999,"content":"<unk>")"),
      "added_tokens[0]: id 999999");
  add("added_id_float", Replace(json, unk, R"({"id":1.5,"content":"<unk>")"), "added_tokens[0]");
  add("added_id_string", Replace(json, unk, R"({"id":"0","content":"<unk>")"), "added_tokens[0]");
  add("added_content_empty", Replace(json, unk, R"({"id":0,"content":"")"), "added_tokens[0]");
  add("added_content_number", Replace(json, unk, R"({"id":0,"content":7)"), "added_tokens[0]");
  add("added_duplicate_id",
      Replace(json, R"({"id":1,"content":"<s>")", R"({"id":0,"content":"<s>")"),
      "added_tokens[1]: id 0");
  add("added_tokens_not_array", Replace(json, R"("added_tokens":[)", R"("added_tokens":{"x":[)"),
      "JSON");
  add("vocab_id_repeated", Replace(json, R"("<0x01>":4)", R"("<0x01>":3)"), "model.vocab");
  // Gaps in the ids are read (tokenizers keeps a map); an id past the vocabulary plus 2^16 is not.
  add("vocab_id_past_end", Replace(json, R"("<0x01>":4)", R"("<0x01>":4000000)"), "model.vocab");
  add("vocab_id_negative", Replace(json, R"("<0x01>":4)", R"("<0x01>":-4)"), "model.vocab");
  add("vocab_not_object", Replace(json, R"("vocab":{)", R"("vocab":[{)"), "JSON");
  add("merges_not_array", Replace(json, R"("merges":[)", R"("merges":{"a":[)"), "JSON");
  add("merge_without_space", Replace(json, R"(["▁","t"])", R"("▁t")"), "model.merges[0]");
  add("merge_unknown_part", Replace(json, R"(["▁","t"])", R"(["▁","zzzzzz"])"), "model.merges[0]");
  add("merge_number", Replace(json, R"(["▁","t"])", "17"), "model.merges[0]");
  add("merge_of_one", Replace(json, R"(["▁","t"])", R"(["▁"])"), "model.merges[0]");
  add("model_missing", Replace(json, R"("model":)", R"("modelx":)"), "");
  add("invalid_utf8_in_piece", Replace(json, "\"▁t\":", "\"\xff\xfe\":"), "JSON");
  add("nan_literal", Replace(json, R"("id":0,)", R"("id":NaN,)"), "JSON");
  add("not_json", "not json at all", "");
  add("empty", "", "");
  return cases;
}

// A BERT-shaped tokenizer.json, read by the general pipeline (lib/text/hf).
std::string PipelineJson() {
  return R"({"version":"1.0","truncation":null,"padding":null,"added_tokens":[)"
         R"({"id":0,"content":"[UNK]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},)"
         R"({"id":1,"content":"[CLS]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},)"
         R"({"id":2,"content":"[SEP]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],)"
         R"("normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},)"
         R"("pre_tokenizer":{"type":"BertPreTokenizer"},)"
         R"("post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}],)"
         R"("pair":[],"special_tokens":{"[CLS]":{"id":"[CLS]","ids":[1],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[2],"tokens":["[SEP]"]}}},)"
         R"("decoder":{"type":"WordPiece","prefix":"##","cleanup":true},)"
         R"("model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,)"
         R"("vocab":{"[UNK]":0,"[CLS]":1,"[SEP]":2,"hello":3,"world":4,"##s":5,"!":6}}})";
}

std::vector<Case> PipelineJsonCases() {
  const std::string json = PipelineJson();
  std::vector<Case> cases;
  AddJsonCuts("pipeline_json", "tokenizer.json", Loader::kTokenizer, json, 10, &cases);
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"pipeline_json",
                     std::move(name),
                     Loader::kTokenizer,
                     "tokenizer.json",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  add("normalizer_unknown", Replace(json, R"("type":"BertNormalizer")", R"("type":"NFX")"),
      "normalizer.type: normalizer \"NFX\" is not supported");
  add("normalizer_type_number", Replace(json, R"("type":"BertNormalizer")", R"("type":7)"),
      "normalizer.type: missing or not a string");
  add("pre_tokenizer_unknown", Replace(json, R"("type":"BertPreTokenizer")", R"("type":"Bert")"),
      "pre_tokenizer.type: pre-tokenizer \"Bert\"");
  add("split_bad_regex",
      Replace(json, R"({"type":"BertPreTokenizer"})",
              R"({"type":"Split","pattern":{"Regex":"(?<"},"behavior":"Isolated","invert":false})"),
      "pre_tokenizer.pattern: pattern rejected");
  add("split_no_pattern",
      Replace(json, R"({"type":"BertPreTokenizer"})", R"({"type":"Split","behavior":"Isolated"})"),
      "pre_tokenizer.pattern: missing");
  add("split_bad_behavior",
      Replace(json, R"({"type":"BertPreTokenizer"})",
              R"({"type":"Split","pattern":{"String":" "},"behavior":"Merged"})"),
      "pre_tokenizer.behavior");
  add("sequence_not_array",
      Replace(json, R"({"type":"BertPreTokenizer"})", R"({"type":"Sequence","pretokenizers":3})"),
      "pre_tokenizer.pretokenizers: expected an array");
  add("unk_not_in_vocab", Replace(json, R"("unk_token":"[UNK]")", R"("unk_token":"[NOPE]")"),
      "model.unk_token");
  add("max_chars_negative",
      Replace(json, R"("max_input_chars_per_word":100)", R"("max_input_chars_per_word":-1)"),
      "model.max_input_chars_per_word");
  add("model_unknown",
      Replace(json, R"("type":"WordPiece","unk_token")", R"("type":"Words","unk_token")"),
      "model.type: model \"Words\"");
  add("decoder_unknown",
      Replace(json, R"("type":"WordPiece","prefix")", R"("type":"Pieces","prefix")"),
      "decoder.type: decoder \"Pieces\"");
  add("template_unknown_token", Replace(json, R"("ids":[2])", R"("ids":[99])"),
      "post_processor: id 99 is outside the vocabulary");
  add("truncation_set", Replace(json, R"("truncation":null)", R"("truncation":{"max_length":4})"),
      "truncation: must be null");
  add("precompiled_bad_base64",
      Replace(json, R"("type":"BertNormalizer")",
              R"("type":"Precompiled","precompiled_charsmap":"%%")"),
      "normalizer.precompiled_charsmap: not valid base64");
  add("precompiled_truncated",
      Replace(json, R"("type":"BertNormalizer")",
              R"("type":"Precompiled","precompiled_charsmap":"AAEAAA==")"),
      "precompiled character map");
  add("unigram_vocab_not_pairs",
      Replace(json, R"("type":"WordPiece","unk_token")",
              R"("type":"Unigram","unk_id":0,"vocab":[["a"]],"x")"),
      "model.vocab[0]: expected [piece, score]");
  add("unigram_unk_out_of_range",
      Replace(json, R"("type":"WordPiece","unk_token")",
              R"("type":"Unigram","unk_id":9,"vocab":[["a",-1.0]],"x")"),
      "model.unk_id");
  add("bpe_merge_unknown",
      Replace(json, R"("type":"WordPiece","unk_token")",
              R"("type":"BPE","merges":["hello zz"],"unk_token")"),
      "model.merges[0]");
  return cases;
}

std::vector<Case> ByteLevelJsonCases() {
  const std::string json = ByteLevelJson();
  std::vector<Case> cases;
  AddJsonCuts("bytelevel_json", "tokenizer.json", Loader::kTokenizer, json, 8, &cases);
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"bytelevel_json",
                     std::move(name),
                     Loader::kTokenizer,
                     "tokenizer.json",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  const std::string eot = R"({"id":260,"content":"<|endoftext|>")";
  add("added_id_2^32+7", Replace(json, eot, R"({"id":4294967303,"content":"<|endoftext|>")"),
      "id 4294967303");
  add("added_id_2^40", Replace(json, eot, R"({"id":1099511627776,"content":"<|endoftext|>")"),
      "added_tokens[0]");
  add("added_id_past_vocab", Replace(json, eot, R"({"id":5000000,"content":"<|endoftext|>")"),
      "added_tokens[0]: id 5000000");
  add("merge_unknown", Replace(json, R"("h e")", R"("h zz")"), "model.merges[0]");
  add("merge_pair_of_three", Replace(json, R"("h e")", R"(["h","e","x"])"), "model.merges[0]");
  add("vocab_duplicate_id", Replace(json, R"("he":256)", R"("he":255)"), "model.vocab");
  add("vocab_missing_a_byte_but_merge", Replace(json, R"("hello":259)", R"("hellp":259)"),
      "model.merges[3]");
  add("pre_tokenizer_bad_regex",
      Replace(
          json,
          R"("pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true})",
          R"("pre_tokenizer":{"type":"Split","pattern":{"Regex":"(?<x"},"behavior":"Isolated","invert":false})"),
      "pre_tokenizer.pattern");
  add("pre_tokenizer_unknown_type",
      Replace(json, R"("type":"ByteLevel","add_prefix_space")",
              R"("type":"Nonesuch","add_prefix_space")"),
      "pre_tokenizer");
  return cases;
}

std::vector<Case> PaperJsonCases() {
  const std::string json = Read(Data("tokenizers/xval/tokenizer.json"));
  std::vector<Case> cases;
  AddJsonCuts("added_vocab_json", "tokenizer.json", Loader::kBaseTokenizer, json, 8, &cases);
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"added_vocab_json",
                     std::move(name),
                     Loader::kBaseTokenizer,
                     "tokenizer.json",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  // The paper's added tokens are its whole vocabulary: ids 0..26.
  const size_t at = json.find("\"id\":");
  EXPECT_NE(at, std::string::npos);
  const size_t end = json.find(',', at);
  const std::string first_id = json.substr(at, end - at);
  add("id_2^32+7", Replace(json, first_id, "\"id\":4294967303"), "id 4294967303");
  add("id_2^24", Replace(json, first_id, "\"id\":16777216"), "id 16777216");
  add("id_negative", Replace(json, first_id, "\"id\":-3"), "added_tokens[0]");
  add("id_twice", Replace(json, first_id, "\"id\":1"), "id 1");
  add("added_tokens_missing", Replace(json, "\"added_tokens\"", "\"added_tokenz\""),
      "added_tokens");
  return cases;
}

// --- .tiktoken ------------------------------------------------------------------------------

std::vector<Case> TiktokenCases() {
  const std::string file = Read(Data("tokenizers/tiktoken/cl100k_base.tiktoken"));
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"tiktoken",
                     std::move(name),
                     Loader::kTokenizer,
                     "cl100k_base.tiktoken",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  const size_t line2 = file.find('\n') + 1;
  const size_t line3 = file.find('\n', line2) + 1;
  const std::string first = file.substr(0, line2);  // "IQ== 0\n"
  add("empty", "", "no ranks");
  add("only_newlines", "\n\n\n", "no ranks");
  add("cut_mid_last_line", file.substr(0, file.size() - 3), "");
  add("cut_after_first_line", first, "");
  add("bad_base64", "!!!! 0\n" + file.substr(line2), ":1: bad base64");
  add("base64_not_multiple_of_4", "IQ= 0\n" + file.substr(line2), ":1: bad base64");
  add("no_space", "IQ==0\n" + file.substr(line2), ":1: expected");
  add("two_spaces", "IQ== 0 0\n" + file.substr(line2), ":1: expected");
  add("rank_negative", "IQ== -1\n" + file.substr(line2), ":1: bad rank");
  add("rank_plus", "IQ== +0\n" + file.substr(line2), ":1: bad rank");
  add("rank_not_number", "IQ== zero\n" + file.substr(line2), ":1: bad rank");
  add("rank_2^30", "IQ== 1073741823\n" + file.substr(line2), ":1: rank 1073741823");
  add("rank_2^40", "IQ== 1099511627776\n" + file.substr(line2), ":1: bad rank");
  add("rank_past_lines_small_file", "IQ== 1000000\n", ":1: rank 1000000");
  add("duplicate_rank", first + Replace(file.substr(line2), " 1\n", " 0\n"), "duplicate rank 0");
  add("duplicate_token", first + "IQ== 1\n" + file.substr(line3), "duplicate token");
  add("gap", file.substr(line2), "rank 0 is missing");
  add("empty_token", " 0\n" + file.substr(line2), ":1:");
  return cases;
}

// --- GGUF -----------------------------------------------------------------------------------

// The byte offsets of a GGUF file's structures, read the way the format is laid out.
struct GgufLayout {
  size_t tensor_count_at = 8, kv_count_at = 16;
  std::vector<size_t> key_at;    // each metadata key's length field
  std::vector<size_t> value_at;  // each value's type field
  std::vector<std::string> keys;
  std::vector<size_t> tensor_at;         // each tensor info's name length field
  std::vector<size_t> tensor_offset_at;  // each tensor info's offset field
  std::vector<size_t> tensor_dims_at;    // each tensor info's first dimension
  size_t data_at = 0;
};

uint64_t U64(const std::string& s, size_t at) {
  uint64_t v = 0;
  std::memcpy(&v, s.data() + at, 8);
  return v;
}
uint32_t U32(const std::string& s, size_t at) {
  uint32_t v = 0;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

size_t SkipGgufValue(const std::string& s, size_t pos, uint32_t type) {
  static const size_t kWidth[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
  if (type == 8) return pos + 8 + U64(s, pos);
  if (type == 9) {
    const uint32_t elem = U32(s, pos);
    const uint64_t n = U64(s, pos + 4);
    pos += 12;
    for (uint64_t i = 0; i < n; ++i) pos = SkipGgufValue(s, pos, elem);
    return pos;
  }
  return pos + kWidth[type];
}

GgufLayout ReadGgufLayout(const std::string& s) {
  GgufLayout l;
  const uint64_t tensors = U64(s, 8), kvs = U64(s, 16);
  size_t pos = 24;
  for (uint64_t i = 0; i < kvs; ++i) {
    l.key_at.push_back(pos);
    const uint64_t len = U64(s, pos);
    l.keys.push_back(s.substr(pos + 8, len));
    pos += 8 + len;
    l.value_at.push_back(pos);
    const uint32_t type = U32(s, pos);
    pos = SkipGgufValue(s, pos + 4, type);
  }
  for (uint64_t i = 0; i < tensors; ++i) {
    l.tensor_at.push_back(pos);
    pos += 8 + U64(s, pos);
    const uint32_t dims = U32(s, pos);
    l.tensor_dims_at.push_back(pos + 4);
    pos += 4 + 8 * dims;
    pos += 4;  // type
    l.tensor_offset_at.push_back(pos);
    pos += 8;
  }
  l.data_at = (pos + 31) / 32 * 32;
  return l;
}

size_t KeyIndex(const GgufLayout& l, const std::string& key) {
  for (size_t i = 0; i < l.keys.size(); ++i) {
    if (l.keys[i] == key) return i;
  }
  ADD_FAILURE() << "no metadata key " << key;
  return 0;
}

std::vector<Case> GgufCases() {
  const std::string file = Read(Golden("model/mha_tied/model.gguf"));
  const GgufLayout l = ReadGgufLayout(file);
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"gguf",
                     std::move(name),
                     Loader::kModelFile,
                     "model.gguf",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  // Truncation at each structural boundary: the header fields, every metadata key and value,
  // every tensor info, and the data.
  for (size_t at : {size_t{0}, size_t{3}, size_t{4}, size_t{8}, size_t{16}, size_t{24}}) {
    add(absl::StrCat("cut_in_header_at_", at), file.substr(0, at), "");
  }
  for (size_t i = 0; i < l.key_at.size(); i += 3) {
    add(absl::StrCat("cut_in_key_", l.keys[i]), file.substr(0, l.key_at[i] + 4), "truncated");
    add(absl::StrCat("cut_in_value_", l.keys[i]), file.substr(0, l.value_at[i] + 5), "truncated");
  }
  for (size_t i = 0; i < l.tensor_at.size(); i += 4) {
    add(absl::StrCat("cut_in_tensor_info_", i), file.substr(0, l.tensor_offset_at[i] + 3),
        "truncated");
  }
  add("cut_in_data", file.substr(0, (l.data_at + file.size()) / 2), "past the end");
  // Huge declared sizes.
  add("tensor_count_2^60", Put<uint64_t>(file, l.tensor_count_at, uint64_t{1} << 60),
      "tensors and");
  add("kv_count_2^60", Put<uint64_t>(file, l.kv_count_at, uint64_t{1} << 60), "metadata pairs");
  add("key_length_2^63", Put<uint64_t>(file, l.key_at[0], uint64_t{1} << 63), "truncated");
  {
    const size_t tokens = KeyIndex(l, "tokenizer.ggml.tokens");
    // The array's element count, then its first string's length.
    add("string_array_count_2^60", Put<uint64_t>(file, l.value_at[tokens] + 8, uint64_t{1} << 60),
        "elements do not fit");
    add("string_length_2^63", Put<uint64_t>(file, l.value_at[tokens] + 16, uint64_t{1} << 63),
        "truncated");
    add("array_element_type_99", Put<uint32_t>(file, l.value_at[tokens] + 4, 99), "element type");
  }
  {
    const size_t scores = KeyIndex(l, "tokenizer.ggml.scores");
    add("number_array_count_2^40", Put<uint64_t>(file, l.value_at[scores] + 8, uint64_t{1} << 40),
        "elements do not fit");
  }
  add("value_type_99", Put<uint32_t>(file, l.value_at[0], 99), "unknown value type");
  add("nested_array", Put<uint32_t>(file, l.value_at[KeyIndex(l, "tokenizer.ggml.tokens")] + 4, 9),
      "nested arrays");
  add("version_1", Put<uint32_t>(file, 4, 1), "GGUF version 1");
  add("version_4", Put<uint32_t>(file, 4, 4), "GGUF version 4");
  add("magic", Put<uint8_t>(file, 0, 'X'), "bad magic");
  // Tensor infos: dimensions, types, offsets.
  const size_t n_dims_at = l.tensor_dims_at[0] - 4;
  add("tensor_dims_0", Put<uint32_t>(file, n_dims_at, 0), "dimensions");
  add("tensor_dims_5", Put<uint32_t>(file, n_dims_at, 5), "dimensions");
  add("tensor_dim_2^41", Put<uint64_t>(file, l.tensor_dims_at[0], uint64_t{1} << 41), "");
  add("tensor_dim_product_2^78",
      Put<uint64_t>(Put<uint64_t>(file, l.tensor_dims_at[0], uint64_t{1} << 39),
                    l.tensor_dims_at[0] + 8, uint64_t{1} << 39),
      "too large");
  add("tensor_type_99", Put<uint32_t>(file, l.tensor_offset_at[0] - 4, 99), "ggml type 99");
  add("tensor_type_q4_0", Put<uint32_t>(file, l.tensor_offset_at[0] - 4, 2), "is not supported");
  add("tensor_offset_past_end", Put<uint64_t>(file, l.tensor_offset_at[0], file.size()),
      "past the end");
  add("tensor_offset_2^63", Put<uint64_t>(file, l.tensor_offset_at[0], uint64_t{1} << 63), "");
  add("tensor_offset_unaligned",
      Put<uint64_t>(file, l.tensor_offset_at[1], U64(file, l.tensor_offset_at[1]) + 4),
      "alignment");
  add("tensors_overlap",
      Put<uint64_t>(file, l.tensor_offset_at[1], U64(file, l.tensor_offset_at[0])), "overlap");
  add("tensor_name_twice",
      Replace(file, file.substr(l.tensor_at[1] + 8, U64(file, l.tensor_at[1])),
              file.substr(l.tensor_at[0] + 8, U64(file, l.tensor_at[0]))),
      "");
  // Metadata values the configuration check refuses.
  auto f32_value = [&](const std::string& key, float v) {
    return Put<float>(file, l.value_at[KeyIndex(l, key)] + 4, v);
  };
  auto u32_value = [&](const std::string& key, uint32_t v) {
    return Put<uint32_t>(file, l.value_at[KeyIndex(l, key)] + 4, v);
  };
  add("rms_eps_nan", f32_value("llama.attention.layer_norm_rms_epsilon", NAN),
      "llama.attention.layer_norm_rms_epsilon");
  add("rms_eps_negative", f32_value("llama.attention.layer_norm_rms_epsilon", -1.0f),
      "llama.attention.layer_norm_rms_epsilon");
  add("rope_theta_inf", f32_value("llama.rope.freq_base", INFINITY), "llama.rope.freq_base");
  add("rope_theta_zero", f32_value("llama.rope.freq_base", 0.0f), "llama.rope.freq_base");
  add("heads_0", u32_value("llama.attention.head_count", 0), "llama.attention.head_count");
  add("kv_heads_3", u32_value("llama.attention.head_count_kv", 3), "llama.attention.head_count_kv");
  add("layers_2^31", u32_value("llama.block_count", 0x80000000u), "llama.block_count");
  add("embedding_length_2^30", u32_value("llama.embedding_length", 1u << 30),
      "llama.embedding_length");
  add("bos_outside_vocab", u32_value("tokenizer.ggml.bos_token_id", 100000),
      "tokenizer.ggml.bos_token_id");
  add("architecture_gpt2", Replace(file, "llama.", "gpt2."), "");
  add("not_gguf", "GGUG", "");
  // The same metadata read for its vocabulary (LoadTokenizer, which stops before the tensor
  // infos): each case up to there is an error for it too, and so are vocabularies it refuses.
  std::vector<Case> vocab;
  for (const Case& c : cases) {
    for (const char* prefix :
         {"cut_in_header", "cut_in_key", "cut_in_value", "tensor_count", "kv_count", "key_length",
          "string_array", "string_length", "array_element", "number_array", "value_type",
          "nested_array", "version_", "bos_outside_vocab"}) {
      if (absl::StartsWith(c.name, prefix)) {
        vocab.push_back(c);
        vocab.back().format = "gguf_vocab";
        vocab.back().loader = Loader::kTokenizer;
        break;
      }
    }
  }
  auto add_vocab = [&](std::string name, std::string bytes, std::string expect) {
    vocab.push_back({"gguf_vocab",
                     std::move(name),
                     Loader::kTokenizer,
                     "model.gguf",
                     std::move(bytes),
                     std::move(expect),
                     {}});
  };
  std::string header("GGUF", 4);
  header +=
      std::string("\x03\0\0\0", 4) + std::string(16, '\0');  // version 3, no tensors, no pairs
  add_vocab("no_vocabulary", header, "without a vocabulary");
  const size_t types = KeyIndex(l, "tokenizer.ggml.token_type");
  add_vocab("token_type_7", Put<int32_t>(file, l.value_at[types] + 16, 7), "token type");
  const size_t model = KeyIndex(l, "tokenizer.ggml.model");
  add_vocab("model_wordpiece", Put<char>(file, l.value_at[model] + 12, 'X'),
            "tokenizer.ggml.model");
  cases.insert(cases.end(), vocab.begin(), vocab.end());
  return cases;
}

// --- safetensors ----------------------------------------------------------------------------

std::vector<Case> SafetensorsCases() {
  const std::string dir = Golden("model/mha_tied");
  const std::string file = Read(dir + "/model.safetensors");
  const std::string config = Read(dir + "/config.json");
  const uint64_t header_len = U64(file, 0);
  const std::string header = file.substr(8, header_len);
  const std::string data = file.substr(8 + header_len);
  std::vector<Case> cases;
  auto with_header = [&](const std::string& h) {
    std::string out(8, '\0');
    const uint64_t n = h.size();
    std::memcpy(&out[0], &n, 8);
    return out + h + data;
  };
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"safetensors",
                     std::move(name),
                     Loader::kModelDir,
                     "model.safetensors",
                     std::move(bytes),
                     std::move(expect),
                     {{"config.json", config}}});
  };
  add("empty", "", "truncated");
  add("cut_in_length", file.substr(0, 5), "truncated");
  add("cut_in_header", file.substr(0, 8 + header_len / 2), "truncated");
  add("cut_in_data", file.substr(0, file.size() - 100), "past the end");
  add("header_length_2^63", Put<uint64_t>(file, 0, uint64_t{1} << 63), "truncated");
  add("header_length_past_file", Put<uint64_t>(file, 0, file.size()), "truncated");
  add("header_length_short", Put<uint64_t>(file, 0, header_len - 10), "not JSON");
  add("header_not_object", with_header("[1,2,3]"), "not an object");
  // The first tensor's fields.
  const size_t dtype_at = header.find("\"dtype\":\"F32\"");
  EXPECT_NE(dtype_at, std::string::npos);
  add("dtype_i64", with_header(Replace(header, "\"dtype\":\"F32\"", "\"dtype\":\"I64\"")),
      "dtype I64");
  add("dtype_number", with_header(Replace(header, "\"dtype\":\"F32\"", "\"dtype\":7")),
      "needs dtype");
  const size_t offsets_at = header.find("\"data_offsets\":[");
  const size_t offsets_end = header.find(']', offsets_at);
  const std::string offsets = header.substr(offsets_at, offsets_end + 1 - offsets_at);
  add("offsets_reversed", with_header(Replace(header, offsets, "\"data_offsets\":[100,0]")),
      "bad data_offsets");
  add("offsets_three", with_header(Replace(header, offsets, "\"data_offsets\":[0,1,2]")),
      "bad data_offsets");
  add("offsets_negative", with_header(Replace(header, offsets, "\"data_offsets\":[-4,0]")),
      "bad data_offsets");
  add("offsets_past_data",
      with_header(Replace(header, offsets,
                          absl::StrCat("\"data_offsets\":[", data.size(), ",",
                                       data.size() + (offsets_end - offsets_at), "]"))),
      "");
  add("offsets_2^64",
      with_header(Replace(header, offsets, "\"data_offsets\":[0,18446744073709551615]")), "");
  add("shape_mismatch", with_header(Replace(header, "\"shape\":[", "\"shape\":[3,")),
      "data_offsets span");
  add("shape_negative", with_header(Replace(header, "\"shape\":[", "\"shape\":[-1,")),
      "bad shape entry");
  add("shape_huge",
      with_header(Replace(header, "\"shape\":[", "\"shape\":[1099511627776,1099511627776,")),
      "too large");
  {
    // Two tensors on the same bytes: the second tensor's offsets set to the first's.
    const size_t second_at = header.find("\"data_offsets\":[", offsets_end);
    const size_t second_end = header.find(']', second_at);
    std::string h = header;
    h.replace(second_at, second_end + 1 - second_at, offsets);
    add("tensors_overlap", with_header(h), "");
  }
  add("invalid_utf8_name", with_header(Replace(header, "\"model.", "\"\xff\xfe.")), "not JSON");
  return cases;
}

// --- model.safetensors.index.json (a sharded checkpoint) ----------------------------------

std::vector<Case> ShardIndexCases() {
  const std::string dir = Golden("model/gqa_untied");
  const std::string index = Read(dir + "/model.safetensors.index.json");
  std::map<std::string, std::string> beside;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name != "model.safetensors.index.json" && name != "reference.safetensors" &&
        name.find(".gguf") == std::string::npos) {
      beside[name] = Read(entry.path().string());
    }
  }
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"safetensors_index", std::move(name), Loader::kModelDir,
                     "model.safetensors.index.json", std::move(bytes), std::move(expect), beside});
  };
  add("not_json", index.substr(0, index.size() / 2), "weight_map");
  add("no_weight_map", Replace(index, "\"weight_map\"", "\"weight_mop\""), "weight_map");
  add("shard_outside_folder",
      Replace(index, "\"model-00011-of-00012.safetensors\"",
              "\"../model-00011-of-00012.safetensors\""),
      "is not a file name");
  add("shard_not_a_string", Replace(index, "\"model-00011-of-00012.safetensors\"", "11"),
      "is not a file name");
  add("tensor_in_the_wrong_shard",
      Replace(index, "\"lm_head.weight\": \"model-00011-of-00012.safetensors\"",
              "\"lm_head.weight\": \"model-00001-of-00012.safetensors\""),
      "lm_head.weight is listed in model-00001-of-00012.safetensors but not found there");
  return cases;
}

// --- config.json ----------------------------------------------------------------------------

std::vector<Case> ConfigCases() {
  const std::string dir = Golden("model/mha_tied");
  const std::string config = Read(dir + "/config.json");
  const std::string weights = Read(dir + "/model.safetensors");
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string bytes, std::string expect) {
    cases.push_back({"config_json",
                     std::move(name),
                     Loader::kModelDir,
                     "config.json",
                     std::move(bytes),
                     std::move(expect),
                     {{"model.safetensors", weights}}});
  };
  auto set = [&](const std::string& key, const std::string& value) {
    const size_t at = config.find("\"" + key + "\":");
    EXPECT_NE(at, std::string::npos) << key;
    const size_t end = config.find_first_of(",\n}", at);
    std::string out = config;
    out.replace(at, end - at, "\"" + key + "\": " + value);
    return out;
  };
  add("empty", "", "config.json");
  add("cut", config.substr(0, config.size() / 2), "not JSON");
  add("not_object", "[]", "not an object");
  add("rms_eps_nan", set("rms_norm_eps", "NaN"), "not JSON");
  add("rms_eps_infinity", set("rms_norm_eps", "Infinity"), "not JSON");
  add("rms_eps_1e400", set("rms_norm_eps", "1e400"), "");
  add("rms_eps_1e39", set("rms_norm_eps", "1e39"), "rms_norm_eps");
  add("rms_eps_negative", set("rms_norm_eps", "-1e-6"), "rms_norm_eps");
  add("rms_eps_string", set("rms_norm_eps", "\"small\""), "rms_norm_eps");
  add("rope_theta_zero", Replace(config, "\"rope_theta\": 10000.0", "\"rope_theta\": 0"),
      "rope_theta");
  add("rope_theta_negative", Replace(config, "\"rope_theta\": 10000.0", "\"rope_theta\": -5"),
      "rope_theta");
  add("rope_type_yarn", Replace(config, "\"rope_type\": \"default\"", "\"rope_type\": \"yarn\""),
      "rope_type");
  add("hidden_size_0", set("hidden_size", "0"), "hidden_size");
  add("hidden_size_2^31", set("hidden_size", "2147483648"), "hidden_size");
  add("hidden_size_float", set("hidden_size", "32.5"), "hidden_size");
  add("heads_0", set("num_attention_heads", "0"), "num_attention_heads");
  add("kv_heads_3", set("num_key_value_heads", "3"), "num_key_value_heads");
  add("head_dim_odd", set("head_dim", "7"), "head_dim");
  add("vocab_negative", set("vocab_size", "-5"), "vocab_size");
  add("layers_2^30", set("num_hidden_layers", "1073741824"), "num_hidden_layers");
  add("bos_outside_vocab", set("bos_token_id", "4294967303"), "bos_token_id");
  add("eos_outside_vocab", set("eos_token_id", "96"), "eos_token_id");
  add("model_type_gpt2", set("model_type", "\"gpt2\""), "model_type");
  add("hidden_act_gelu", set("hidden_act", "\"gelu\""), "hidden_act");
  add("attention_bias", set("attention_bias", "true"), "attention_bias");
  add("tie_string", set("tie_word_embeddings", "\"yes\""), "tie_word_embeddings");
  add("num_token_outside_vocab",
      Replace(config, "\"vocab_size\": 96", "\"vocab_size\": 96, \"xval_num_token_id\": 96"),
      "xval_num_token_id");
  add("number_head_unknown",
      Replace(config, "\"vocab_size\": 96", "\"vocab_size\": 96, \"xval_number_head\": \"deep\""),
      "xval_number_head");
  add("duplicate_key",
      Replace(config, "\"vocab_size\": 96", "\"vocab_size\": 96, \"vocab_size\": 0"),
      "vocab_size: 0 is not in");  // the last value, as transformers reads it
  return cases;
}

std::vector<Case> AllCases() {
  std::vector<Case> all;
  for (auto make :
       {SpmModelCases, LlamaJsonCases, ByteLevelJsonCases, PipelineJsonCases, PaperJsonCases,
        TiktokenCases, GgufCases, SafetensorsCases, ShardIndexCases, ConfigCases}) {
    std::vector<Case> cases = make();
    all.insert(all.end(), cases.begin(), cases.end());
  }
  return all;
}

absl::Status Load(const Case& c, const std::string& path, const std::string& dir) {
  switch (c.loader) {
    case Loader::kTokenizer:
      return LoadTokenizer(path).status();
    case Loader::kBaseTokenizer:
      return LoadBaseTokenizer(path).status();
    case Loader::kModelFile:
      return model::LlamaModel::Load(path).status();
    case Loader::kModelDir:
      return model::LlamaModel::Load(dir).status();
  }
  return absl::OkStatus();
}

TEST(MalformedInput, EveryCaseIsAClearError) {
  const std::vector<Case> cases = AllCases();
  std::map<std::string, int> by_format;
  for (const Case& c : cases) ++by_format[c.format];
  std::string counts;
  for (const auto& [format, n] : by_format) absl::StrAppend(&counts, format, "=", n, " ");
  RecordProperty("cases_by_format", counts);
  std::printf("%zu cases: %s\n", cases.size(), counts.c_str());
  EXPECT_GE(cases.size(), 150u);
  const std::string root = ::testing::TempDir() + "/xval_malformed";
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(absl::StrCat(c.format, "/", c.name));
    const std::string dir = absl::StrCat(root, "/", i);
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string path = dir + "/" + c.file_name;
    Write(path, c.bytes);
    size_t total = c.bytes.size();
    for (const auto& [name, content] : c.beside) {
      Write(dir + "/" + name, content);
      total += content.size();
    }
    largest_allocation = 0;
    const absl::Status s = Load(c, path, dir);
    const size_t largest = largest_allocation.load();
    if (s.ok()) {
      ADD_FAILURE() << "accepted";
      continue;
    }
    EXPECT_NE(s.message().find(path), absl::string_view::npos)
        << "the error does not name the file: " << s;
    if (!c.expect.empty()) {
      EXPECT_NE(s.message().find(c.expect), absl::string_view::npos)
          << s << "\nexpected: " << c.expect;
    }
    // Tables built from a valid part of the file may be a few times its size (hash maps of
    // pieces); nothing may be sized from a count the file cannot hold.
    EXPECT_LE(largest, 16 * total + (4 << 20)) << s;
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace xval
