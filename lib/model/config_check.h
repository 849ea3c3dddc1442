// The one check of a LlamaConfig, shared by the Hugging Face (config.json) and GGUF loaders:
// whatever the file, a configuration that reaches the model has sizes that fit the tables they
// allocate, finite positive RoPE and norm constants, and ids inside the vocabulary.
#ifndef XVAL_MODEL_CONFIG_CHECK_H_
#define XVAL_MODEL_CONFIG_CHECK_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "xval/model.h"

namespace xval::model {

// Which file's names the errors use.
enum class ConfigSource { kHuggingFace, kGguf };

// InvalidArgument naming the field by the source's own key ("config.json: rope_theta: ..." or
// "<file>: metadata llama.rope.freq_base: ...").
absl::Status CheckLlamaConfig(const LlamaConfig& c, ConfigSource source, absl::string_view file);

}  // namespace xval::model

#endif  // XVAL_MODEL_CONFIG_CHECK_H_
