// transformers' configuration files beside a tokenizer.json or tokenizer.model.
#ifndef XVAL_TEXT_TOKENIZER_CONFIG_H_
#define XVAL_TEXT_TOKENIZER_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "xval/tokenizer.h"

namespace xval::text {

// Reads the `pad_token` of the tokenizer_config.json in the folder of `path` into
// tokenizer->pad_id(): a string or an AddedToken object ({"content": ...}); null or absent
// leaves the file's own. (transformers 5 reads no pad token from special_tokens_map.json.) A pad
// token the vocabulary lacks is added as a special token, as transformers adds it. Their
// add_bos_token / add_eos_token change nothing (transformers 5 drops them when a tokenizer.json is
// loaded). A file that is not valid JSON is an error naming it.
absl::Status ApplyTokenizerConfig(const std::string& path, Tokenizer* tokenizer);

}  // namespace xval::text

#endif  // XVAL_TEXT_TOKENIZER_CONFIG_H_
