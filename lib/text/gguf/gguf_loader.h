// Tokenizers from a GGUF file's vocabulary (tokenizer.ggml.*), built as llama.cpp builds them
// (src/llama-vocab.cpp) so that the ids equal llama.cpp's for every text:
//  - model "llama": SentencePiece BPE over the scores, byte fallback, a space prefix at the
//    start and after every special token;
//  - model "gpt2": byte-level BPE over the merges, with the pre-tokenizer of
//    tokenizer.ggml.pre (llamacpp_pre_types.h); bytes the vocabulary lacks are dropped.
// Tokens of type CONTROL and UNKNOWN are special (matched in the text when parse_special);
// USER_DEFINED tokens are always matched. add_special_tokens adds BOS / EOS as the file's
// add_bos_token / add_eos_token say, else llama.cpp's default for the model.
#ifndef XVAL_TEXT_GGUF_GGUF_LOADER_H_
#define XVAL_TEXT_GGUF_GGUF_LOADER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "xval/tokenizer.h"

namespace xval::text {

// `data` is the whole GGUF file (weights may follow the metadata; they are not read), `source`
// its name for messages. Other models (bert, t5, gemma4, ...) are Unimplemented, named.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadGgufTokenizer(absl::string_view data,
                                                             const std::string& source,
                                                             const TokenizerOptions& options);

}  // namespace xval::text

#endif  // XVAL_TEXT_GGUF_GGUF_LOADER_H_
