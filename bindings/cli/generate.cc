// `xval generate --model DIR|FILE.gguf --prompt TEXT`: runs the Llama forward pass and streams
// the text. The tokenizer is a GGUF model's own vocabulary, else the tokenizer.json or
// tokenizer.model beside the model. With
// --numbers xval the prompt's numbers become [NUM] tokens carrying their (transformed) values,
// and each generated [NUM] carries the number head's value, printed through the inverse
// transform and fed back as the next input's value.
//
// What it prints is exactly the tokenizer's decode of the prompt's ids followed by the new ones
// (DecodeWithValues with xVal), streamed token by token through a StreamDecoder: a reply keeps
// the space SentencePiece puts before its first word, and each token costs the same.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "command.h"
#include "xval/model.h"
#include "xval/stream_decoder.h"

namespace xval::cli {
namespace {

using Kind = FlagSpec::Kind;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> TokenizerBeside(const Flags& flags,
                                                           const std::string& model_path) {
  // A GGUF model carries its vocabulary: that first, the files beside it when it has none.
  absl::Status gguf_error = absl::OkStatus();
  if (absl::EndsWith(model_path, ".gguf")) {
    auto tok = LoadTokenizerFromFlags(flags, model_path);
    if (tok.ok()) return tok;
    gguf_error = tok.status();
  }
  struct stat st;
  std::string dir = model_path;
  if (::stat(model_path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    const size_t slash = model_path.rfind('/');
    dir = slash == std::string::npos ? "." : model_path.substr(0, slash);
  }
  for (const char* name : {"tokenizer.json", "tokenizer.model"}) {
    const std::string path = dir + "/" + name;
    if (Exists(path)) return LoadTokenizerFromFlags(flags, path);
  }
  if (!gguf_error.ok()) return gguf_error;
  return absl::NotFoundError(
      absl::StrCat(dir, ": no tokenizer.json or tokenizer.model beside the model"));
}

void Print(const std::string& text) {
  if (text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

absl::Status Generate(const Flags& flags) {
  const std::string& model_path = flags.String("model");
  if (model_path.empty()) return absl::InvalidArgumentError("--model is required");
  const std::string& kv_cache = flags.String("kv-cache");
  if (kv_cache != "f32" && kv_cache != "f16") {
    return absl::InvalidArgumentError(
        absl::StrCat(flags.Spelling("kv-cache"), ": f32 or f16, not \"", kv_cache, "\""));
  }
  model::LoadOptions load;
  load.max_threads = static_cast<size_t>(std::max(0, flags.Int("threads")));
  auto model = model::LlamaModel::Load(model_path, load);
  if (!model.ok()) return model.status();
  auto tok = TokenizerBeside(flags, model_path);
  if (!tok.ok()) return tok.status();
  const model::LlamaConfig& config = (*model)->config();

  EncodeOptions encode;
  encode.add_bos = flags.Bool("add-bos-token") && (*tok)->bos_id() >= 0;
  auto prompt = (*tok)->Encode(flags.String("prompt"), encode);
  if (!prompt.ok()) return prompt.status();
  if (prompt->ids.empty()) return absl::InvalidArgumentError("--prompt: no tokens");

  const int max_new = std::max(0, flags.Int("max-new-tokens"));
  auto session = (*model)->NewSession(
      prompt->ids.size() + max_new + 1, 64,
      kv_cache == "f16" ? model::WeightType::kF16 : model::WeightType::kF32);
  if (!session.ok()) return session.status();

  model::GenerateOptions options;
  options.max_new_tokens = max_new;
  options.sampling.temperature = static_cast<float>(flags.Double("temperature"));
  options.sampling.top_k = flags.Int("top-k");
  options.sampling.top_p = static_cast<float>(flags.Double("top-p"));
  if (!absl::SimpleAtoi(flags.String("seed"), &options.sampling.seed)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flags.Spelling("seed"), ": \"", flags.String("seed"), "\" is not an integer in 0..2^64-1"));
  }
  const int32_t eos = config.eos_token_id >= 0 ? config.eos_token_id : (*tok)->eos_id();

  // The prompt's ids go through the same decoder, so the reply continues its text exactly.
  std::unique_ptr<StreamDecoder> decoder = (*tok)->NewStreamDecoder();
  std::string text;
  for (size_t i = 0; i < prompt->ids.size(); ++i) {
    absl::Status s = decoder->Push(prompt->ids[i], prompt->values[i], &text);
    if (!s.ok()) return s;
  }
  Print(text);
  std::vector<int32_t> all_ids = prompt->ids;
  std::vector<float> all_values = prompt->values;
  absl::Status stream_status;
  auto on_token = [&](int32_t id, float value) {
    all_ids.push_back(id);
    all_values.push_back(value);
    text.clear();
    stream_status = decoder->Push(id, value, &text);
    Print(text);
    return stream_status.ok();
  };
  auto generated = model::Generate(session->get(), prompt->ids, prompt->values,
                                   config.xval_num_token_id, eos, options, on_token);
  text.clear();
  if (stream_status.ok()) stream_status = decoder->Flush(&text);
  Print(text);
  std::fputs("\n", stdout);
  if (!generated.ok()) return generated.status();
  if (!stream_status.ok()) return stream_status;
  if (flags.Bool("print-ids")) {
    std::string values;
    for (size_t i = 0; i < all_values.size(); ++i) {
      absl::StrAppend(&values, i ? " " : "", FormatFloat(all_values[i]));
    }
    std::fprintf(stderr, "ids: %s\nvalues: %s\n", absl::StrJoin(all_ids, " ").c_str(),
                 values.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

Command GenerateCommand() {
  Command c;
  c.name = "generate";
  c.summary = "run a Llama (Llemma) model on a prompt and stream the continuation";
  c.description =
      "Loads a Hugging Face folder (config.json + safetensors) or a .gguf file, and its\n"
      "tokenizer: the .gguf file's own vocabulary, else the tokenizer.json or\n"
      "tokenizer.model beside it; prints the decode of the prompt's ids and\n"
      "of each new token as it comes. With --numbers xval the prompt's numbers are [NUM]\n"
      "tokens with their values and each generated [NUM] prints the number head's value.";
  c.flags = {
      {"model", Kind::kString, "", "a Hugging Face folder or a .gguf file (required)"},
      {"prompt", Kind::kString, "", "the text to continue"},
      {"max-new-tokens", Kind::kInt, "64", "tokens to generate at most"},
      {"temperature", Kind::kDouble, "0", "sampling temperature; 0 is greedy"},
      {"top-k", Kind::kInt, "0", "sample among the k most likely tokens (0: all)"},
      {"top-p", Kind::kDouble, "1", "nucleus sampling: the smallest set reaching this probability"},
      {"seed", Kind::kString, "0", "sampling seed, an integer"},
      {"threads", Kind::kInt, "0", "threads (0: all cores)"},
      {"kv-cache", Kind::kString, "f32",
       "KV cache type: f32 (transformers' logits) or f16 (half the memory, as llama.cpp)"},
      {"add-bos-token", Kind::kBool, "true", "prepend BOS when the vocabulary has one"},
      {"print-ids", Kind::kBool, "false",
       "after the text, print the prompt's and the new ids and values on stderr"},
  };
  std::vector<FlagSpec> tokenizer = TokenizerFlags(/*with_path=*/false);
  c.flags.insert(c.flags.end(), tokenizer.begin(), tokenizer.end());
  c.run = Generate;
  return c;
}

}  // namespace xval::cli
