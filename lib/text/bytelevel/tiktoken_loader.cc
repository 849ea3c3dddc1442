#include "text/bytelevel/tiktoken_loader.h"

#include <sys/stat.h>

#include <algorithm>
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

// tiktoken_ext/openai_public.py.
struct Definition {
  const char* name;
  const char* file;  // in the data directory
  absl::string_view pattern;
  std::vector<Special> specials;
  int32_t explicit_n_vocab;  // -1 when the definition has none
};

constexpr const char* kEndOfText = "<|endoftext|>";

const std::vector<Definition>& Definitions() {
  static const auto* defs = new std::vector<Definition>{
      {"gpt2", "gpt2.tiktoken", kGpt2Pattern, {{kEndOfText, 50256}}, 50257},
      {"r50k_base", "gpt2.tiktoken", kGpt2Pattern, {{kEndOfText, 50256}}, 50257},
      {"cl100k_base",
       "cl100k_base.tiktoken",
       kCl100kPattern,
       {{kEndOfText, 100257},
        {"<|fim_prefix|>", 100258},
        {"<|fim_middle|>", 100259},
        {"<|fim_suffix|>", 100260},
        {"<|endofprompt|>", 100276}},
       -1},
      {"o200k_base",
       "o200k_base.tiktoken",
       kO200kPattern,
       {{kEndOfText, 199999}, {"<|endofprompt|>", 200018}},
       -1},
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
  const Definition* def = FindDefinition(stem);
  if (def == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unknown tiktoken encoding \"", stem,
                     "\"; the file name must be gpt2, r50k_base, cl100k_base or o200k_base "
                     "(.tiktoken), which say its pattern and special tokens"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> tokens, ParseTiktokenRanks(data, path));
  ByteLevelConfig config;
  config.source = path;
  ASSIGN_OR_RETURN(config.bpe, ByteBpe::FromRanks(std::move(tokens), path));
  ASSIGN_OR_RETURN(std::unique_ptr<PreTokenizer> pre, MakePreTokenizer(def->pattern, def->name));
  config.pretokenizers.push_back(std::move(pre));
  for (const Special& s : def->specials) {
    if (s.id < config.bpe.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": has ", config.bpe.size(), " ranks, but ", def->name,
          "'s special token ", s.content, " has id ", s.id));
    }
    config.added_tokens.push_back(AddedToken{s.content, s.id, /*special=*/true});
  }
  config.whole_piece_lookup = true;
  config.explicit_vocab_size = def->explicit_n_vocab;
  config.eos_id = def->specials[0].id;  // <|endoftext|>
  return ByteLevelTokenizer::Create(std::move(config), options);
}

}  // namespace xval::text
