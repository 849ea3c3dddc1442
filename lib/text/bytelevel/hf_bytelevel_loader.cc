// Hugging Face tokenizer.json files of the byte-level kind (GPT-2, RoBERTa, Llama 3, ...).
#include <array>

#include "absl/strings/str_cat.h"
#include "simdjson.h"
#include "text/bytelevel/bytelevel_loader.h"
#include "text/hf/regex.h"
#include "text/hf/stages.h"
#include "text/hf_json.h"
#include "text/pretokenize/numeric_pretokenizer.h"
#include "util/status_macros.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

bool HasByteLevel(element e) {
  if (OptString(e, "type") == "ByteLevel") return true;
  array steps;
  if (OptString(e, "type") == "Sequence" && !e["pretokenizers"].get_array().get(steps)) {
    for (element s : steps) {
      if (HasByteLevel(s)) return true;
    }
  }
  return false;
}

// Split with behavior Isolated: each match a piece, and each stretch between matches.
class RegexSplit : public PreTokenizer {
 public:
  explicit RegexSplit(hf::Regex regex) : regex_(std::move(regex)) {}
  void Split(absl::string_view text, std::vector<uint32_t>* ends) const override {
    thread_local std::vector<std::pair<size_t, size_t>> matches;
    matches.clear();
    regex_.FindAll(text, &matches);
    size_t covered = 0;
    for (const auto& [begin, end] : matches) {
      // An empty match is an empty piece: it cuts the text there, as tokenizers' does.
      if (begin > covered) ends->push_back(static_cast<uint32_t>(begin));
      if (end > begin) ends->push_back(static_cast<uint32_t>(end));
      covered = end;
    }
    if (text.size() > covered) ends->push_back(static_cast<uint32_t>(text.size()));
  }

 private:
  const hf::Regex regex_;
};

// Adds the stages of one pre-tokenizer (recursing into Sequence).
absl::Status AddPreTokenizer(const JsonFile& f, element pre, const std::string& field,
                             ByteLevelConfig* config) {
  std::string_view type;
  if (pre["type"].get_string().get(type)) return f.Error(field + ".type", "missing");
  if (type == "Sequence") {
    array steps;
    if (pre["pretokenizers"].get_array().get(steps)) {
      return f.Error(field + ".pretokenizers", "expected an array");
    }
    size_t i = 0;
    for (element s : steps) {
      RETURN_IF_ERROR(
          AddPreTokenizer(f, s, absl::StrCat(field, ".pretokenizers[", i++, "]"), config));
    }
    return absl::OkStatus();
  }
  if (type == "ByteLevel") {
    if (OptBool(pre, "add_prefix_space", false)) {
      return f.Unsupported(field + ".add_prefix_space", "true is not supported");
    }
    if (OptBool(pre, "use_regex", true)) {
      config->pretokenizers.push_back(MakeGpt2Scanner());  // = its GPT-2 regex
    }
    return absl::OkStatus();
  }
  if (type == "Digits") {
    config->pretokenizers.push_back(
        MakeNumericPreTokenizer(OptBool(pre, "individual_digits", false)));
    return absl::OkStatus();
  }
  if (type == "Split") {
    if (OptString(pre, "behavior") != "Isolated" || OptBool(pre, "invert", false)) {
      return f.Unsupported(field, "only behavior \"Isolated\" without invert is supported");
    }
    element pattern;
    if (pre["pattern"].get(pattern)) return f.Error(field + ".pattern", "missing");
    const std::string where = absl::StrCat(f.source(), ": ", field, ".pattern");
    std::string_view s;
    if (!pattern["Regex"].get_string().get(s)) {
      // The hand-written scanners read the pattern as Oniguruma does; any other pattern runs on
      // PCRE2 translated from Oniguruma's dialect.
      std::unique_ptr<PreTokenizer> scanner = MakeTiktokenScanner(A(s));
      if (scanner == nullptr) scanner = MakeDeepSeekScanner(A(s));
      if (scanner == nullptr) {
        ASSIGN_OR_RETURN(hf::Regex regex, hf::Regex::FromOniguruma(A(s), where));
        scanner = std::make_unique<RegexSplit>(std::move(regex));
      }
      config->pretokenizers.push_back(std::move(scanner));
      return absl::OkStatus();
    }
    if (!pattern["String"].get_string().get(s)) {
      ASSIGN_OR_RETURN(hf::Regex regex, hf::Regex::Literal(A(s), where));
      config->pretokenizers.push_back(std::make_unique<RegexSplit>(std::move(regex)));
      return absl::OkStatus();
    }
    return f.Error(field + ".pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
  }
  return f.Unsupported(field + ".type", absl::StrCat("pre-tokenizer \"", A(type),
                                                     "\" is not supported for byte-level BPE"));
}

}  // namespace

// GPT-2's bytes_to_unicode (tokenizers pre_tokenizers/byte_level.rs): printable bytes stand for
// themselves, the others for U+0100 onwards in byte order. Inverse: code point -> byte, or -1.
static const std::array<int16_t, 324>& CharToByte() {
  static const std::array<int16_t, 324> table = [] {
    std::array<int16_t, 324> t;
    t.fill(-1);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      t[printable ? b : next++] = static_cast<int16_t>(b);
    }
    return t;
  }();
  return table;
}

// A vocabulary or merge string in the byte-level alphabet to its bytes; false when a
// character is outside the alphabet.
bool ByteLevelAlphabetToBytes(std::string_view s, std::string* out) {
  out->clear();
  const auto& table = CharToByte();
  for (size_t i = 0, len; i < s.size(); i += len) {
    const char32_t c = util::DecodeUtf8(s.data() + i, s.size() - i, &len);
    if (c >= table.size() || table[c] < 0) return false;
    out->push_back(static_cast<char>(table[c]));
  }
  return true;
}

bool IsByteLevelTokenizerJson(absl::string_view data) {
  const size_t first = data.find_first_not_of(" \t\r\n");
  if (first == absl::string_view::npos || data[first] != '{') return false;
  simdjson::dom::parser parser;
  simdjson::padded_string json(data.data(), data.size());
  element root, pre, decoder;
  if (parser.parse(json).get(root)) return false;
  if (!root["pre_tokenizer"].get(pre) && !pre.is_null() && HasByteLevel(pre)) return true;
  return !root["decoder"].get(decoder) && !decoder.is_null() &&
         OptString(decoder, "type") == "ByteLevel";
}

absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> LoadByteLevelTokenizerJson(
    absl::string_view data, absl::string_view source, const TokenizerOptions& options) {
  JsonFile f(source);
  simdjson::dom::parser parser;
  simdjson::padded_string json(data.data(), data.size());
  element root;
  if (auto err = parser.parse(json).get(root)) return f.Error("JSON", simdjson::error_message(err));
  element model;
  if (root["model"].get(model)) return f.Error("model", "missing");
  std::string_view type;
  if (model["type"].get_string().get(type)) return f.Error("model.type", "missing");
  if (type != "BPE") {
    return f.Unsupported("model.type", absl::StrCat("\"", A(type), "\" is not a BPE model"));
  }
  if (Present(model, "dropout")) return f.Unsupported("model.dropout", "must be null");
  if (OptBool(model, "byte_fallback", false)) {
    return f.Unsupported("model.byte_fallback", "must be false for byte-level BPE");
  }
  for (const char* field : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (!OptString(model, field).empty()) {
      return f.Unsupported(absl::StrCat("model.", field), "must be null or empty");
    }
  }
  RETURN_IF_ERROR(RefuseTruncationAndPadding(f, root));
  element decoder;
  if (!root["decoder"].get(decoder) && !decoder.is_null() &&
      OptString(decoder, "type") != "ByteLevel") {
    return f.Unsupported("decoder.type", "only the ByteLevel decoder is supported");
  }

  ByteLevelConfig config;
  config.source = std::string(source);
  // A normalizer (Qwen2's NFC, ...) runs before the pre-tokenizers, as in tokenizers.
  element norm;
  const bool has_normalizer = !root["normalizer"].get(norm) && !norm.is_null();
  if (has_normalizer) {
    ASSIGN_OR_RETURN(config.normalizer, hf::MakeNormalizer(hf::StageJson{f, norm, "normalizer"}));
  }
  config.whole_piece_lookup = OptBool(model, "ignore_merges", false);
  config.decode_added_through_alphabet = true;

  // Vocabulary in the byte-level alphabet, by id.
  ASSIGN_OR_RETURN(const auto vocab, ReadVocab(f, model));
  std::vector<std::string> tokens(vocab.size());
  std::vector<bool> mergeable(vocab.size());
  for (size_t id = 0; id < vocab.size(); ++id) {
    mergeable[id] = !vocab[id].empty() && ByteLevelAlphabetToBytes(vocab[id], &tokens[id]);
    if (!mergeable[id]) tokens[id] = std::string(vocab[id]);  // never produced by BPE
  }

  ASSIGN_OR_RETURN(const auto merge_views, ReadMerges(f, model));
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(merge_views.size());
  for (size_t i = 0; i < merge_views.size(); ++i) {
    const auto& [a, b] = merge_views[i];
    const std::string field = absl::StrCat("model.merges[", i, "]");
    std::string left, right;
    if (!ByteLevelAlphabetToBytes(a, &left) || !ByteLevelAlphabetToBytes(b, &right)) {
      return f.Error(field, "a part is not in the byte-level alphabet");
    }
    merges.emplace_back(std::move(left), std::move(right));
  }
  // A byte the vocabulary lacks is dropped, as Hugging Face's BPE drops a character it has no
  // token for when the model has no unk_token (with one, it would be that token: refused).
  const bool has_unk = !OptString(model, "unk_token").empty();
  ASSIGN_OR_RETURN(config.bpe, ByteBpe::FromMerges(std::move(tokens), mergeable, merges, source,
                                                   /*allow_missing_bytes=*/!has_unk));

  element pre;
  if (root["pre_tokenizer"].get(pre) || pre.is_null()) {
    return f.Unsupported("pre_tokenizer", "byte-level BPE needs a pre-tokenizer");
  }
  RETURN_IF_ERROR(AddPreTokenizer(f, pre, "pre_tokenizer", &config));
  if (config.pretokenizers.empty()) {
    // ByteLevel without its regex and nothing else: the whole text is one piece.
    ASSIGN_OR_RETURN(auto whole, MakeRegexPreTokenizer(R"((?s).+)", source));
    config.pretokenizers.push_back(std::move(whole));
  }

  ASSIGN_OR_RETURN(config.added_tokens,
                   ReadAddedTokens(f, root, config.bpe.size(), has_normalizer));
  for (const AddedToken& token : config.added_tokens) {
    if (token.content == "<|begin_of_text|>" || token.content == "<s>") config.bos_id = token.id;
    if (token.content == "<|endoftext|>" || token.content == "<|end_of_text|>" ||
        token.content == "</s>") {
      config.eos_id = token.id;
    }
  }
  return ByteLevelTokenizer::Create(std::move(config), options);
}

}  // namespace xval::text
