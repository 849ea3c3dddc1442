// tiktoken encodings: `.tiktoken` rank files and the built-in definitions of gpt2/r50k_base,
// cl100k_base and o200k_base (pattern and special tokens as tiktoken_ext/openai_public.py
// defines them).
#ifndef XVAL_TEXT_BYTELEVEL_TIKTOKEN_LOADER_H_
#define XVAL_TEXT_BYTELEVEL_TIKTOKEN_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "text/bytelevel/bytelevel_tokenizer.h"
#include "xval/tokenizer.h"

namespace xval::text {

// A `.tiktoken` file: one "base64-token rank" per line (blank lines skipped, as tiktoken's
// load_tiktoken_bpe does). Returns tokens by rank. Errors name the file and line: bad base64,
// a bad or duplicate rank, a duplicate token, and (naming the file) a rank missing from 0..n-1.
absl::StatusOr<std::vector<std::string>> ParseTiktokenRanks(absl::string_view data,
                                                            absl::string_view source);

// True for "gpt2", "r50k_base", "cl100k_base", "o200k_base" and "llama3".
bool IsTiktokenEncodingName(absl::string_view name);

// Loads a built-in encoding by name, its rank file found in options.data_dir (or its
// tokenizers/tiktoken folder), else in $XVAL_DATA_DIR/tokenizers/tiktoken; or a `.tiktoken`
// path whose file name (less the extension) is one of the names.
absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> LoadTiktoken(const std::string& name_or_path,
                                                                 const TokenizerOptions& options);
// The same from a rank file's bytes; `path` names the file. The encoding (pattern, special
// tokens) is options.tiktoken_pattern and tiktoken_special_tokens when the caller gives a
// pattern, else the one the file's stem names (cl100k_base.tiktoken), else the one its content
// is (a known encoding's rank count and last token: Llama 3's tokenizer.model).
absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> LoadTiktokenData(
    absl::string_view data, const std::string& path, const TokenizerOptions& options);

// True when the data starts with a "<base64> <rank>" line: a tiktoken rank file whatever its
// name (Llama 3's tokenizer.model).
bool LooksLikeTiktokenRanks(absl::string_view data);

}  // namespace xval::text

#endif  // XVAL_TEXT_BYTELEVEL_TIKTOKEN_LOADER_H_
