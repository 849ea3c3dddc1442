#include "text/bytelevel/tiktoken_loader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "util/file.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

struct Special {
  const char* content;
  int32_t id;
};

// tiktoken_ext/openai_public.py, and Meta's Llama 3 (llama3/tokenizer.py).
struct Definition {
  const char* name;
  const char* file;  // in the data directory
  absl::string_view pattern;
  std::vector<Special> specials;
  int32_t explicit_n_vocab;  // -1 when the definition has none
  // What tells the rank file by its content: the number of ranks and the last rank's token.
  size_t n_ranks;
  absl::string_view last_token;
};

constexpr const char* kEndOfText = "<|endoftext|>";

// Llama 3's special tokens (the original Meta-Llama-3 release): ids 128000 to 128255.
std::vector<Special> Llama3Specials() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>{"<|begin_of_text|>",
                                           "<|end_of_text|>",
                                           "<|reserved_special_token_0|>",
                                           "<|reserved_special_token_1|>",
                                           "<|reserved_special_token_2|>",
                                           "<|reserved_special_token_3|>",
                                           "<|start_header_id|>",
                                           "<|end_header_id|>",
                                           "<|reserved_special_token_4|>",
                                           "<|eot_id|>"};
    for (int i = 5; v->size() < 256; ++i) {
      v->push_back(absl::StrCat("<|reserved_special_token_", i, "|>"));
    }
    return v;
  }();
  std::vector<Special> specials;
  for (size_t i = 0; i < names->size(); ++i) {
    specials.push_back(Special{(*names)[i].c_str(), static_cast<int32_t>(128000 + i)});
  }
  return specials;
}

const std::vector<Definition>& Definitions() {
  static const auto* defs = new std::vector<Definition>{
      {"gpt2", "gpt2.tiktoken", kGpt2Pattern, {{kEndOfText, 50256}}, 50257, 50256, " gazed"},
      {"r50k_base", "gpt2.tiktoken", kGpt2Pattern, {{kEndOfText, 50256}}, 50257, 50256, " gazed"},
      {"cl100k_base",
       "cl100k_base.tiktoken",
       kCl100kPattern,
       {{kEndOfText, 100257},
        {"<|fim_prefix|>", 100258},
        {"<|fim_middle|>", 100259},
        {"<|fim_suffix|>", 100260},
        {"<|endofprompt|>", 100276}},
       -1,
       100256,
       " Conveyor"},
      {"o200k_base",
       "o200k_base.tiktoken",
       kO200kPattern,
       {{kEndOfText, 199999}, {"<|endofprompt|>", 200018}},
       -1,
       199998,
       " cocos"},
      // The file Meta ships as original/tokenizer.model.
      {"llama3", "llama3.tiktoken", kLlama3Pattern, Llama3Specials(), 128256, 128000,
       "\xE9\x94\xA6"},
  };
  return *defs;
}

const Definition* FindDefinition(absl::string_view name) {
  for (const Definition& d : Definitions()) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

absl::StatusOr<std::string> FindRankFile(const Definition& def, const TokenizerOptions& options) {
  std::vector<std::string> tried;
  if (!options.data_dir.empty()) {
    tried.push_back(absl::StrCat(options.data_dir, "/", def.file));
    tried.push_back(absl::StrCat(options.data_dir, "/tokenizers/tiktoken/", def.file));
  } else if (const char* env = std::getenv("XVAL_DATA_DIR"); env != nullptr && *env != '\0') {
    tried.push_back(absl::StrCat(env, "/tokenizers/tiktoken/", def.file));
  }
  for (const std::string& path : tried) {
    if (IsFile(path)) return path;
  }
  if (tried.empty()) {
    return absl::NotFoundError(absl::StrCat(
        def.name, ": no data directory to find ", def.file,
        " in: set TokenizerOptions::data_dir (--data-dir) or XVAL_DATA_DIR"));
  }
  std::string msg = absl::StrCat(def.name, ": ", def.file, " not found; tried");
  for (const std::string& path : tried) absl::StrAppend(&msg, " ", path);
  return absl::NotFoundError(msg);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseTiktokenRanks(absl::string_view data,
                                                            absl::string_view source) {
  std::vector<std::string> tokens;
  std::vector<size_t> line_of;  // the line that defined each rank; 0 when none yet
  absl::flat_hash_map<std::string, size_t> token_line;
  // Ranks are 0..n-1 without gaps, one a line, so a rank past the line count is a gap
  // whatever follows: refused before the table is sized from it.
  const size_t max_ranks = static_cast<size_t>(std::count(data.begin(), data.end(), '\n')) + 1;
  size_t line_no = 0;
  while (!data.empty()) {
    ++line_no;
    const size_t nl = data.find('\n');
    absl::string_view line = data.substr(0, nl);
    data = nl == absl::string_view::npos ? absl::string_view() : data.substr(nl + 1);
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty()) continue;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", line_no, ": ", what));
    };
    const size_t space = line.find(' ');
    if (space == absl::string_view::npos || line.find(' ', space + 1) != absl::string_view::npos) {
      return error("expected \"<base64 token> <rank>\"");
    }
    std::string token;
    const absl::string_view b64 = line.substr(0, space);
    if (b64.empty() || b64.size() % 4 != 0 || !absl::Base64Unescape(b64, &token) ||
        token.empty()) {
      return error(absl::StrCat("bad base64 \"", b64, "\""));
    }
    uint32_t rank;
    const absl::string_view rank_text = line.substr(space + 1);
    if (!absl::SimpleAtoi(rank_text, &rank) || rank_text[0] == '+' || rank_text[0] == '-' ||
        rank >= (1u << 30)) {
      return error(absl::StrCat("bad rank \"", rank_text, "\""));
    }
    if (rank >= max_ranks) {
      return error(absl::StrCat("rank ", rank, " is past the file's ", max_ranks,
                                " lines (ranks must be 0..n-1 without gaps)"));
    }
    if (rank >= tokens.size()) {
      tokens.resize(rank + 1);
      line_of.resize(rank + 1, 0);
    }
    if (line_of[rank] != 0) {
      return error(absl::StrCat("duplicate rank ", rank, " (first at line ", line_of[rank], ")"));
    }
    if (auto [it, inserted] = token_line.emplace(token, line_no); !inserted) {
      return error(absl::StrCat("duplicate token \"", b64, "\" (first at line ", it->second, ")"));
    }
    line_of[rank] = line_no;
    tokens[rank] = std::move(token);
  }
  if (tokens.empty()) return absl::InvalidArgumentError(absl::StrCat(source, ": no ranks"));
  for (size_t r = 0; r < tokens.size(); ++r) {
    if (line_of[r] == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": rank ", r, " is missing (ranks must be 0..", tokens.size() - 1,
          " without gaps; rank ", tokens.size() - 1, " is at line ", line_of.back(), ")"));
    }
  }
  return tokens;
}

bool IsTiktokenEncodingName(absl::string_view name) { return FindDefinition(name) != nullptr; }

absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> LoadTiktoken(const std::string& name_or_path,
                                                                 const TokenizerOptions& options) {
  std::string path = name_or_path;
  if (const Definition* def = FindDefinition(name_or_path); def != nullptr) {
    ASSIGN_OR_RETURN(path, FindRankFile(*def, options));
  }
  ASSIGN_OR_RETURN(std::string data, util::ReadFile(path));
  return LoadTiktokenData(data, path, options);
}

absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> LoadTiktokenData(
    absl::string_view data, const std::string& path, const TokenizerOptions& options) {
  absl::string_view stem = path;
  if (const size_t slash = stem.rfind('/'); slash != absl::string_view::npos) {
    stem.remove_prefix(slash + 1);
  }
  absl::ConsumeSuffix(&stem, ".tiktoken");
  ASSIGN_OR_RETURN(std::vector<std::string> tokens, ParseTiktokenRanks(data, path));
  // The encoding: the caller's pattern and special tokens, else the one the file's name says,
  // else the one its content is.
  Definition custom{"", "", options.tiktoken_pattern, {}, -1, 0, ""};
  const Definition* def = nullptr;
  if (!options.tiktoken_pattern.empty()) {
    for (const AddedToken& t : options.tiktoken_special_tokens) {
      custom.specials.push_back(Special{t.content.c_str(), t.id});
    }
    def = &custom;
  } else if ((def = FindDefinition(stem)) == nullptr) {
    for (const Definition& d : Definitions()) {
      if (tokens.size() == d.n_ranks && tokens.back() == d.last_token) def = &d;
    }
  }
  if (def == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": a tiktoken rank file of an unknown encoding (", tokens.size(),
        " ranks): its content is not gpt2, r50k_base, cl100k_base, o200k_base or Llama 3's, "
        "nor does its name say one; give its pattern and special tokens "
        "(TokenizerOptions::tiktoken_pattern and tiktoken_special_tokens; Python: pattern=, "
        "special_tokens=)"));
  }
  const std::string name = def == &custom ? path : def->name;
  ByteLevelConfig config;
  config.source = path;
  ASSIGN_OR_RETURN(config.bpe, ByteBpe::FromRanks(std::move(tokens), path));
  ASSIGN_OR_RETURN(std::unique_ptr<PreTokenizer> pre, MakePreTokenizer(def->pattern, name));
  config.pretokenizers.push_back(std::move(pre));
  for (const Special& s : def->specials) {
    if (s.id < config.bpe.size()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": has ", config.bpe.size(),
                                                     " ranks, but ", name, "'s special token ",
                                                     s.content, " has id ", s.id));
    }
    config.added_tokens.push_back(AddedToken{s.content, s.id, /*special=*/true});
    if (s.content == absl::string_view("<|begin_of_text|>")) config.bos_id = s.id;
    if (s.content == absl::string_view(kEndOfText) ||
        s.content == absl::string_view("<|end_of_text|>")) {
      config.eos_id = s.id;
    }
  }
  config.whole_piece_lookup = true;
  config.explicit_vocab_size = def->explicit_n_vocab;
  return ByteLevelTokenizer::Create(std::move(config), options);
}

bool LooksLikeTiktokenRanks(absl::string_view data) {
  const absl::string_view line = data.substr(0, data.find('\n'));
  const size_t space = line.find(' ');
  if (space == 0 || space == absl::string_view::npos || space + 1 == line.size()) return false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    const bool ok =
        i < space
            ? (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')
        : i > space
            ? (std::isdigit(static_cast<unsigned char>(c)) || (c == '\r' && i + 1 == line.size()))
            : true;
    if (!ok) return false;
  }
  return true;
}

}  // namespace xval::text
