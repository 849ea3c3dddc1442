// GGUF vocabularies to tokenizers (gguf_loader.h).
#include "text/gguf/gguf_loader.h"

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "text/bpe/char_bpe_tokenizer.h"
#include "text/bytelevel/bytelevel_loader.h"
#include "text/bytelevel/bytelevel_tokenizer.h"
#include "text/gguf/llamacpp_pre_types.h"
#include "text/spm/spm_tokenizer.h"
#include "text/unigram/unigram_tokenizer.h"
#include "text/wordpiece/wordpiece_tokenizer.h"
#include "util/gguf_metadata.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

// llama.cpp's token types (llama_token_type), SentencePiece's piece types by number.
constexpr int kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kByte = 6;

// The tokenizer.ggml.* keys, read and checked.
struct GgufVocab {
  std::string model, pre, architecture;
  std::string charsmap;  // tokenizer.ggml.precompiled_charsmap
  std::vector<std::string> tokens;
  std::vector<float> scores;        // empty when absent
  std::vector<int> types;           // kNormal when absent
  std::vector<std::string> merges;  // "left right"
  int32_t bos = -1, eos = -1, unk = -1, sep = -1, pad = -1;
  int lowercase = -1;  // tokenizer.ggml.normalizer.lowercase
  int add_bos = -1, add_eos = -1, add_space_prefix = -1,
      remove_extra_whitespaces = -1;  // -1: absent
};

class Keys {
 public:
  Keys(const std::string& source, const util::GgufMetadata& md) : source_(source), md_(md) {}

  absl::Status String(const std::string& key, std::string* out) const {
    const util::GgufValue* v = Find(key);
    if (v == nullptr) return absl::OkStatus();
    if (v->type != util::kString) return Wrong(key, "a string");
    *out = v->str;
    return absl::OkStatus();
  }
  absl::Status Strings(const std::string& key, std::vector<std::string>* out) const {
    const util::GgufValue* v = Find(key);
    if (v == nullptr) return absl::OkStatus();
    if (v->type != util::kArray || (v->strings.empty() && !v->numbers.empty())) {
      return Wrong(key, "an array of strings");
    }
    *out = v->strings;
    return absl::OkStatus();
  }
  absl::Status Numbers(const std::string& key, std::vector<double>* out) const {
    const util::GgufValue* v = Find(key);
    if (v == nullptr) return absl::OkStatus();
    if (v->type != util::kArray || !v->strings.empty()) return Wrong(key, "an array of numbers");
    *out = v->numbers;
    return absl::OkStatus();
  }
  // A token id, checked against the vocabulary size; absent keeps *out.
  absl::Status Id(const std::string& key, size_t vocab_size, int32_t* out) const {
    const util::GgufValue* v = Find(key);
    if (v == nullptr) return absl::OkStatus();
    if (v->type == util::kString || v->type == util::kArray) return Wrong(key, "a number");
    if (!(v->number >= 0 && v->number < static_cast<double>(vocab_size) &&
          v->number == std::floor(v->number))) {
      return absl::InvalidArgumentError(absl::StrCat(source_, ": metadata ", key, ": ", v->number,
                                                     " is not a token id (the vocabulary has ",
                                                     vocab_size, " tokens)"));
    }
    *out = static_cast<int32_t>(v->number);
    return absl::OkStatus();
  }
  absl::Status Bool(const std::string& key, int* out) const {
    const util::GgufValue* v = Find(key);
    if (v == nullptr) return absl::OkStatus();
    if (v->type != util::kBool) return Wrong(key, "a bool");
    *out = v->number != 0;
    return absl::OkStatus();
  }

 private:
  const util::GgufValue* Find(const std::string& key) const {
    auto it = md_.find(key);
    return it == md_.end() ? nullptr : &it->second;
  }
  absl::Status Wrong(const std::string& key, const char* expected) const {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ": metadata ", key, " is not ", expected));
  }
  const std::string& source_;
  const util::GgufMetadata& md_;
};

absl::StatusOr<GgufVocab> ReadVocab(absl::string_view data, const std::string& source) {
  util::GgufReader reader(source, reinterpret_cast<const uint8_t*>(data.data()), data.size());
  uint64_t tensor_count = 0;
  util::GgufMetadata md;
  RETURN_IF_ERROR(util::ReadGgufMetadata(reader, source,
                                         reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                                         &tensor_count, &md));
  const Keys keys(source, md);
  GgufVocab v;
  RETURN_IF_ERROR(keys.String("tokenizer.ggml.model", &v.model));
  if (v.model.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": a GGUF file without a vocabulary (no tokenizer.ggml.model)"));
  }
  RETURN_IF_ERROR(keys.String("tokenizer.ggml.pre", &v.pre));
  RETURN_IF_ERROR(keys.Strings("tokenizer.ggml.tokens", &v.tokens));
  if (v.tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": metadata tokenizer.ggml.tokens is missing or empty"));
  }
  if (v.tokens.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": too many tokens"));
  }
  const size_t n = v.tokens.size();
  std::vector<double> numbers;
  RETURN_IF_ERROR(keys.Numbers("tokenizer.ggml.scores", &numbers));
  if (!numbers.empty() && numbers.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": metadata tokenizer.ggml.scores has ",
                                                   numbers.size(), " entries for ", n, " tokens"));
  }
  v.scores.assign(numbers.begin(), numbers.end());
  numbers.clear();
  RETURN_IF_ERROR(keys.Numbers("tokenizer.ggml.token_type", &numbers));
  if (!numbers.empty() && numbers.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(source,
                                                   ": metadata tokenizer.ggml.token_type has ",
                                                   numbers.size(), " entries for ", n, " tokens"));
  }
  v.types.assign(n, kNormal);
  for (size_t i = 0; i < numbers.size(); ++i) {
    if (!(numbers[i] >= kNormal && numbers[i] <= kByte && numbers[i] == std::floor(numbers[i]))) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": metadata tokenizer.ggml.token_type[", i, "]: ", numbers[i],
                       " is not a token type (1 normal .. 6 byte)"));
    }
    v.types[i] = static_cast<int>(numbers[i]);
  }
  RETURN_IF_ERROR(keys.Strings("tokenizer.ggml.merges", &v.merges));
  RETURN_IF_ERROR(keys.Id("tokenizer.ggml.bos_token_id", n, &v.bos));
  RETURN_IF_ERROR(keys.Id("tokenizer.ggml.eos_token_id", n, &v.eos));
  RETURN_IF_ERROR(keys.Id("tokenizer.ggml.unknown_token_id", n, &v.unk));
  RETURN_IF_ERROR(keys.Id("tokenizer.ggml.seperator_token_id", n, &v.sep));  // sic
  RETURN_IF_ERROR(keys.Id("tokenizer.ggml.padding_token_id", n, &v.pad));
  RETURN_IF_ERROR(keys.Bool("tokenizer.ggml.normalizer.lowercase", &v.lowercase));
  RETURN_IF_ERROR(keys.Bool("tokenizer.ggml.add_bos_token", &v.add_bos));
  RETURN_IF_ERROR(keys.Bool("tokenizer.ggml.add_eos_token", &v.add_eos));
  RETURN_IF_ERROR(keys.Bool("tokenizer.ggml.add_space_prefix", &v.add_space_prefix));
  RETURN_IF_ERROR(
      keys.Bool("tokenizer.ggml.remove_extra_whitespaces", &v.remove_extra_whitespaces));
  RETURN_IF_ERROR(keys.String("general.architecture", &v.architecture));
  numbers.clear();
  RETURN_IF_ERROR(keys.Numbers("tokenizer.ggml.precompiled_charsmap", &numbers));
  v.charsmap.reserve(numbers.size());
  for (const double b : numbers) v.charsmap.push_back(static_cast<char>(static_cast<int>(b)));
  return v;
}

// Texts llama.cpp makes CONTROL whatever their type says (llama_vocab::impl::load: the
// end-of-turn, end-of-generation and fill-in-the-middle tokens it recognises by text), and those
// it makes USER_DEFINED (gpt-oss's).
bool LooksLikeControl(absl::string_view t) {
  static const auto* texts = new absl::flat_hash_set<absl::string_view>{
      // EOT, EOM and EOG
      "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
      "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
      "<|eom_id|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "</s>", "<eos>", "<turn|>",
      "<|tool_response>", "[e~[",
      // fill in the middle
      "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
      "<|code_prefix|>", "<|prefix|>", "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
      "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>", "<|fim_middle|>",
      "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>",
      "<|middle|>", "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", "<|fim_repo|>",
      "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>"};
  return texts->contains(t);
}
bool ForcedUserDefined(absl::string_view t) {
  return t == "<|channel|>" || t == "<|message|>" || t == "<|start|>" || t == "<|constrain|>";
}

// Tokens matched in the raw text before the model: CONTROL and UNKNOWN ones special,
// USER_DEFINED ones always (llama.cpp's cache_special_tokens and tokenizer_st_partition).
std::vector<AddedToken> MatchedTokens(const GgufVocab& v) {
  // Beside Gemma 4's <|tool_response> (or PLaMo's end marker), llama.cpp makes "</s>" a
  // normal token, never matched.
  bool s_is_normal = false;
  for (const std::string& text : v.tokens) {
    s_is_normal |= text == "<|tool_response>" || text == "<|plamo:eos|>";
  }
  std::vector<AddedToken> out;
  for (size_t id = 0; id < v.tokens.size(); ++id) {
    const std::string& text = v.tokens[id];
    if (text.empty() || (s_is_normal && text == "</s>")) continue;
    const int t = v.types[id];
    const bool user_defined = ForcedUserDefined(text);
    const bool special =
        !user_defined && (t == kControl || t == kUnknown || LooksLikeControl(text));
    if (special || user_defined || t == kUserDefined) {
      out.push_back(AddedToken{text, static_cast<int32_t>(id), special});
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LlamaSpm(GgufVocab v, const std::string& source,
                                                    const TokenizerOptions& options) {
  SpmConfig config;
  config.source = source;
  // llama.cpp escapes spaces and adds the prefix; it never removes extra whitespace.
  config.normalizer.add_dummy_prefix = v.add_space_prefix != 0;
  config.normalizer.remove_extra_whitespaces = false;
  config.normalizer.escape_whitespaces = true;
  config.added_tokens = MatchedTokens(v);
  std::vector<VocabPiece> pieces(v.tokens.size());
  for (size_t id = 0; id < v.tokens.size(); ++id) {
    pieces[id].piece = std::move(v.tokens[id]);
    pieces[id].score = v.scores.empty() ? 0.0f : v.scores[id];
    pieces[id].type = static_cast<PieceType>(v.types[id]);
    config.byte_fallback |= v.types[id] == kByte;
    if (v.types[id] == kUnknown && config.unk_id < 0) config.unk_id = static_cast<int32_t>(id);
  }
  // llama.cpp's defaults for the model: <unk> 0, <s> 1, </s> 2.
  config.unk_id = v.unk >= 0 ? v.unk : (config.unk_id >= 0 ? config.unk_id : 0);
  config.bos_id = v.bos >= 0 ? v.bos : 1;
  config.eos_id = v.eos >= 0 ? v.eos : 2;
  ASSIGN_OR_RETURN(config.vocab, BpeVocab::FromScoredPieces(std::move(pieces), source));
  ASSIGN_OR_RETURN(auto tokenizer, SpmTokenizer::Create(std::move(config), options));
  tokenizer->SetSpecialTokens(v.add_bos != 0, v.add_eos == 1);
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Gpt2Bpe(GgufVocab v, const std::string& source,
                                                   const TokenizerOptions& options) {
  ByteLevelConfig config;
  config.source = source;
  ASSIGN_OR_RETURN(LlamaCppPreType pre, MakeLlamaCppPreType(v.pre, source));
  config.pretokenizers = std::move(pre.stages);
  config.whole_piece_lookup = pre.ignore_merges;
  const size_t n = v.tokens.size();
  std::vector<std::string> tokens(n);
  std::vector<bool> mergeable(n);
  for (size_t id = 0; id < n; ++id) {
    mergeable[id] = ByteLevelAlphabetToBytes(v.tokens[id], &tokens[id]);
    if (!mergeable[id]) tokens[id] = v.tokens[id];  // never produced by BPE
  }
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(v.merges.size());
  for (size_t i = 0; i < v.merges.size(); ++i) {
    // llama.cpp splits at the first space after the first character.
    const std::string& m = v.merges[i];
    const size_t space = m.find(' ', 1);
    std::string left, right;
    if (space == std::string::npos ||
        !ByteLevelAlphabetToBytes(std::string_view(m).substr(0, space), &left) ||
        !ByteLevelAlphabetToBytes(std::string_view(m).substr(space + 1), &right)) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": metadata tokenizer.ggml.merges[", i,
                       "] is not two parts in the byte-level alphabet separated by a space"));
    }
    merges.emplace_back(std::move(left), std::move(right));
  }
  ASSIGN_OR_RETURN(config.bpe, ByteBpe::FromMerges(std::move(tokens), mergeable, merges, source,
                                                   /*allow_missing_bytes=*/true));
  config.added_tokens = MatchedTokens(v);
  config.bos_id = v.bos;
  config.eos_id = v.eos;
  ASSIGN_OR_RETURN(auto tokenizer, ByteLevelTokenizer::Create(std::move(config), options));
  tokenizer->SetSpecialTokens(v.add_bos >= 0 ? v.add_bos == 1 : pre.add_bos, v.add_eos == 1);
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

absl::StatusOr<std::unique_ptr<Tokenizer>> T5Unigram(GgufVocab v, const std::string& source) {
  UnigramConfig config;
  config.source = source;
  ASSIGN_OR_RETURN(PrecompiledCharsmap charsmap,
                   PrecompiledCharsmap::Parse(std::move(v.charsmap), source));
  config.charsmap = std::make_shared<const PrecompiledCharsmap>(std::move(charsmap));
  // llama.cpp's defaults for the model, before the file's keys.
  config.add_dummy_prefix = v.add_space_prefix == 1;
  config.remove_extra_whitespaces = v.remove_extra_whitespaces == 1;
  config.escape_whitespaces = true;
  config.added_tokens = MatchedTokens(v);
  // llama.cpp strips the spaces before XLM-R's <mask> in these models (by architecture).
  if (v.architecture == "nomic-bert-moe" || v.architecture == "jina-bert-v3" ||
      v.pre.find("jina-v2-") != std::string::npos) {
    for (AddedToken& t : config.added_tokens) {
      if (t.content == "<mask>") t.lstrip = t.ascii_strip = true;  // llama.cpp's isspace
    }
  }
  config.pieces.resize(v.tokens.size());
  for (size_t id = 0; id < v.tokens.size(); ++id) {
    config.pieces[id].piece = std::move(v.tokens[id]);
    config.pieces[id].score = v.scores.empty() ? 0.0f : v.scores[id];
    config.pieces[id].type = static_cast<PieceType>(v.types[id]);
  }
  config.unk_id = v.unk >= 0 ? v.unk : 2;
  config.bos_id = v.bos;
  config.eos_id = v.eos >= 0 ? v.eos : 1;
  ASSIGN_OR_RETURN(auto tokenizer, UnigramTokenizer::Create(std::move(config)));
  tokenizer->SetSpecialTokens(v.add_bos == 1, v.add_eos != 0);
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

absl::StatusOr<std::unique_ptr<Tokenizer>> BertWordPiece(GgufVocab v, const std::string& source) {
  WordPieceConfig config;
  config.source = source;
  // llama.cpp lowercases and strips accents unless the file says not to lowercase.
  config.lowercase = v.lowercase != 0;
  config.strip_accents = config.lowercase;
  config.added_tokens = MatchedTokens(v);
  config.control.resize(v.tokens.size());
  for (size_t id = 0; id < v.tokens.size(); ++id) config.control[id] = v.types[id] == kControl;
  config.tokens = std::move(v.tokens);
  // llama.cpp's defaults: [UNK] 100, [CLS] 101, [SEP] 102; add_special adds [CLS] and [SEP].
  const auto n = static_cast<int32_t>(config.tokens.size());
  auto id_or = [n](int32_t id, int32_t fallback) {
    return id >= 0 ? id : (fallback < n ? fallback : -1);
  };
  config.unk_id = id_or(v.unk, 100);
  config.bos_id = id_or(v.bos, 101);
  config.eos_id = id_or(v.sep, 102);
  ASSIGN_OR_RETURN(auto tokenizer, WordPieceTokenizer::Create(std::move(config)));
  tokenizer->SetSpecialTokens(v.add_bos != 0, v.add_eos != 0);
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Gemma4Bpe(GgufVocab v, const std::string& source) {
  CharBpeConfig config;
  config.source = source;
  config.added_tokens = MatchedTokens(v);
  config.control.resize(v.tokens.size());
  for (size_t id = 0; id < v.tokens.size(); ++id) config.control[id] = v.types[id] == kControl;
  config.merges.reserve(v.merges.size());
  for (std::string& m : v.merges) {
    // llama.cpp splits at the first space after the first character (and keeps a merge without
    // one as two empty parts, which never match).
    const size_t space = m.find(' ', 1);
    if (space == std::string::npos) {
      config.merges.emplace_back();
    } else {
      config.merges.emplace_back(m.substr(0, space), m.substr(space + 1));
    }
  }
  config.tokens = std::move(v.tokens);
  config.bos_id = v.bos;
  config.eos_id = v.eos;
  config.unk_id = v.unk;
  ASSIGN_OR_RETURN(auto tokenizer, CharBpeTokenizer::Create(std::move(config)));
  // llama.cpp adds BOS for Gemma 4 whatever the file says.
  tokenizer->SetSpecialTokens(true, v.add_eos == 1);
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace

namespace {

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadVocab(GgufVocab vocab, const std::string& source,
                                                     const TokenizerOptions& options) {
  if (vocab.model == "llama") return LlamaSpm(std::move(vocab), source, options);
  if (vocab.model == "gpt2") return Gpt2Bpe(std::move(vocab), source, options);
  const bool other = vocab.model == "t5" || vocab.model == "bert" || vocab.model == "gemma4";
  if (other && options.digits.enabled()) {
    return absl::UnimplementedError(absl::StrCat(source, ": digit splitting is not supported for ",
                                                 "tokenizer.ggml.model \"", vocab.model, "\" yet"));
  }
  if (vocab.model == "t5") return T5Unigram(std::move(vocab), source);
  if (vocab.model == "bert") return BertWordPiece(std::move(vocab), source);
  if (vocab.model == "gemma4") return Gemma4Bpe(std::move(vocab), source);
  return absl::UnimplementedError(absl::StrCat(
      source, ": tokenizer.ggml.model \"", vocab.model, "\"",
      " is not supported yet; GGUF vocabularies of models \"llama\" (SentencePiece BPE), "
      "\"gpt2\" (byte-level BPE), \"t5\" (Unigram), \"bert\" (WordPiece) and \"gemma4\" are"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadGgufTokenizer(absl::string_view data,
                                                             const std::string& source,
                                                             const TokenizerOptions& options) {
  ASSIGN_OR_RETURN(GgufVocab vocab, ReadVocab(data, source));
  // llama.cpp's padding token: the file's, else 0 for its WordPiece and Unigram kinds.
  int32_t pad = vocab.pad;
  if (pad < 0 && (vocab.model == "bert" || vocab.model == "t5")) pad = 0;
  ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer,
                   LoadVocab(std::move(vocab), source, options));
  tokenizer->SetPadId(pad);
  return tokenizer;
}

}  // namespace xval::text
