// Malformed tokenizer files for the malformed-input table: each case a real file with one
// field broken.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "malformed_cases.h"

namespace xval::malformed {

// --- SentencePiece .model: walk the top-level protobuf fields -------------------------------

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace xval::malformed
