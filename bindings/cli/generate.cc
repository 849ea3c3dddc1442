// `xval generate --model DIR|FILE.gguf --prompt TEXT [--numbers xval --transform ...]`: runs the
// Llama forward pass and streams the generated text. The tokenizer is the tokenizer.json or
// tokenizer.model beside the model. With --numbers xval the prompt's numbers become [NUM] tokens
// carrying their (transformed) values, and each generated [NUM] prints the number head's value
// through the inverse transform; the value is also fed back as the next input's value.
#include <charconv>
#include <cstdio>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "xval/model.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

ABSL_FLAG(std::string, model, "", "a Hugging Face folder or a .gguf file");
ABSL_FLAG(std::string, prompt, "", "the text to continue");
ABSL_FLAG(int, max_new_tokens, 64, "tokens to generate at most");
ABSL_FLAG(double, temperature, 0.0, "sampling temperature; 0 is greedy");
ABSL_FLAG(int, top_k, 0, "sample among the k most likely tokens (0: all)");
ABSL_FLAG(double, top_p, 1.0, "nucleus sampling: the smallest set reaching this probability");
ABSL_FLAG(uint64_t, seed, 0, "sampling seed");
ABSL_FLAG(int, threads, 0, "threads (0: all cores)");
ABSL_FLAG(std::string, kv_cache, "f32",
          "KV cache type: f32 (transformers' logits) or f16 (half the memory, as llama.cpp)");
ABSL_FLAG(bool, add_bos_token, true, "prepend BOS when the vocabulary has one");

namespace xval {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> TokenizerBeside(const std::string& model_path,
                                                           const XvalOptions* numbers) {
  struct stat st;
  std::string dir = model_path;
  if (::stat(model_path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    const size_t slash = model_path.rfind('/');
    dir = slash == std::string::npos ? "." : model_path.substr(0, slash);
  }
  for (const char* name : {"tokenizer.json", "tokenizer.model"}) {
    const std::string path = dir + "/" + name;
    if (!Exists(path)) continue;
    if (numbers == nullptr) return LoadTokenizer(path);
    auto tok = LoadXvalTokenizer(path, {}, *numbers);
    if (!tok.ok()) return tok.status();
    return std::unique_ptr<Tokenizer>(*std::move(tok));
  }
  return absl::NotFoundError(
      absl::StrCat(dir, ": no tokenizer.json or tokenizer.model beside the model"));
}

std::string FormatValue(float v) {
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, result.ptr);
}

}  // namespace

absl::Status RunGenerate(const XvalOptions* numbers) {
  const std::string model_path = absl::GetFlag(FLAGS_model);
  if (model_path.empty()) return absl::InvalidArgumentError("--model is required");
  const std::string kv_cache = absl::GetFlag(FLAGS_kv_cache);
  if (kv_cache != "f32" && kv_cache != "f16") {
    return absl::InvalidArgumentError(
        absl::StrCat("--kv_cache: f32 or f16, not \"", kv_cache, "\""));
  }
  model::LoadOptions load;
  load.max_threads = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_threads)));
  auto model = model::LlamaModel::Load(model_path, load);
  if (!model.ok()) return model.status();
  auto tok = TokenizerBeside(model_path, numbers);
  if (!tok.ok()) return tok.status();
  const model::LlamaConfig& config = (*model)->config();

  EncodeOptions encode;
  encode.add_bos = absl::GetFlag(FLAGS_add_bos_token) && (*tok)->bos_id() >= 0;
  auto prompt = (*tok)->Encode(absl::GetFlag(FLAGS_prompt), encode);
  if (!prompt.ok()) return prompt.status();
  if (prompt->ids.empty()) return absl::InvalidArgumentError("--prompt: no tokens");

  const int max_new = std::max(0, absl::GetFlag(FLAGS_max_new_tokens));
  auto session = (*model)->NewSession(
      prompt->ids.size() + max_new + 1, 64,
      kv_cache == "f16" ? model::WeightType::kF16 : model::WeightType::kF32);
  if (!session.ok()) return session.status();

  model::GenerateOptions options;
  options.max_new_tokens = max_new;
  options.sampling.temperature = static_cast<float>(absl::GetFlag(FLAGS_temperature));
  options.sampling.top_k = absl::GetFlag(FLAGS_top_k);
  options.sampling.top_p = static_cast<float>(absl::GetFlag(FLAGS_top_p));
  options.sampling.seed = absl::GetFlag(FLAGS_seed);
  const int32_t eos = config.eos_token_id >= 0 ? config.eos_token_id : (*tok)->eos_id();

  std::fputs(absl::GetFlag(FLAGS_prompt).c_str(), stdout);
  // Streams text: the run of ordinary tokens since the last [NUM] is decoded as a whole and
  // only its new suffix printed, so SentencePiece spaces and multi-byte characters come out
  // right; a [NUM] prints its value.
  std::vector<int32_t> run;
  size_t printed = 0;
  absl::Status stream_status;
  auto on_token = [&](int32_t id, float value) {
    if (id == eos) return true;
    if (id == config.xval_num_token_id) {
      // Through the tokenizer's inverse transform when it reads numbers, else the raw value.
      const auto* xval_tok = dynamic_cast<const XvalTokenizer*>(tok->get());
      std::string shown = FormatValue(value);
      if (xval_tok != nullptr) {
        auto text = xval_tok->DecodeWithValues({id}, {value});
        if (!text.ok()) {
          stream_status = text.status();
          return false;
        }
        shown = *text;
      }
      std::fputs(shown.c_str(), stdout);
      run.clear();
      printed = 0;
    } else {
      run.push_back(id);
      auto text = (*tok)->Decode(run);
      if (!text.ok()) {
        stream_status = text.status();
        return false;
      }
      if (text->size() > printed) std::fputs(text->c_str() + printed, stdout);
      printed = std::max(printed, text->size());
    }
    std::fflush(stdout);
    return true;
  };
  auto generated = model::Generate(session->get(), prompt->ids, prompt->values,
                                   config.xval_num_token_id, eos, options, on_token);
  std::fputs("\n", stdout);
  if (!generated.ok()) return generated.status();
  return stream_status;
}

}  // namespace xval
