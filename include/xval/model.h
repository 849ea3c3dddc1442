// A reference Llama-2 (Llemma) forward pass that takes xVal inputs and has an xVal number head.
//
// The computation is exactly Hugging Face transformers' LlamaForCausalLM (and, for model_type
// mistral and qwen2, MistralForCausalLM and Qwen2ForCausalLM):
//
//   h = embed_tokens[ids] * values                     // xVal: the value scales the embedding
//   for each layer:
//     h += o_proj(Attention(RoPE(q_proj(RMSNorm(h))), RoPE(k_proj(.)), v_proj(.)))  // causal, GQA
//          // Qwen2: q/k/v biases; Mistral (and Qwen2's upper layers): a sliding window
//     h += down_proj(silu(gate_proj(RMSNorm(h))) * up_proj(RMSNorm(h)))
//   logits = lm_head(RMSNorm(h))                       // lm_head may be tied to embed_tokens
//   number = number_head(RMSNorm(h))                   // xVal, when the config has one
//
// Checkpoints: a Hugging Face folder (config.json, model.safetensors or shards with
// model.safetensors.index.json; f32, f16 or bf16 weights) or a GGUF v3 file (llama or qwen2
// architecture; F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K or Q6_K tensors). Files are
// memory-mapped; weights are used in place and widened or dequantized to f32 inside the matrix
// products. Activations are f32.
//
// xVal number head (our extension; transformers has none). Config keys in config.json:
//   "xval_num_token_id": the id of [NUM] (absent or -1: no [NUM] token),
//   "xval_number_head": "linear" or "mlp" (absent: no number head),
//   "xval_number_head_intermediate_size": the MLP's hidden width (mlp only).
// Tensor names (safetensors and GGUF alike), nn.Linear / nn.Sequential naming:
//   linear: num_head.weight (1, hidden_size), num_head.bias (1)
//   mlp:    num_head.0.weight (intermediate, hidden_size), num_head.0.bias (intermediate),
//           GELU (erf form, nn.GELU()), num_head.2.weight (1, intermediate), num_head.2.bias (1)
// GGUF keys: xval.num_token_id, xval.number_head ("linear"/"mlp"),
//   xval.number_head_intermediate_size.
// The head reads the final-normed hidden state, the same input as lm_head.
//
// Errors: loading returns a Status naming the file, the tensor or the config field that is
// wrong (missing tensor, wrong shape, truncated file, bad GGUF magic or version, a config that
// disagrees with the weights). Nothing here aborts.
//
// Thread safety: a LlamaModel is immutable after loading and may be shared; each LlamaSession
// (KV cache and activations) belongs to one thread at a time.
#ifndef XVAL_MODEL_H_
#define XVAL_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace xval::model {

// transformers' rope_scaling.rope_type values that are supported.
enum class RopeType : uint8_t { kDefault = 0, kLinear = 1, kLlama3 = 2 };

struct RopeScaling {
  RopeType rope_type = RopeType::kDefault;
  float factor = 1.0f;
  float low_freq_factor = 1.0f;    // llama3
  float high_freq_factor = 4.0f;   // llama3
  int original_max_position_embeddings = 8192;  // llama3
};

enum class NumberHeadType : uint8_t { kNone = 0, kLinear = 1, kMlp = 2 };

// The Llama-family architectures (config.json's model_type; GGUF's general.architecture is
// "llama" for Llama and Mistral, "qwen2" for Qwen2). Mistral adds sliding-window attention,
// Qwen2 biases on q/k/v (and, when use_sliding_window, a window on its upper layers).
enum class ModelFamily : uint8_t { kLlama = 0, kMistral = 1, kQwen2 = 2 };
const char* ModelFamilyName(ModelFamily family);  // "llama", "mistral", "qwen2"

// Hyperparameters, with the names of Hugging Face's configs (config.json). The numeric fields
// are listed once, with their GGUF keys and checks, in lib/model/config_fields.cc.
struct LlamaConfig {
  ModelFamily model_type = ModelFamily::kLlama;
  int hidden_size = 0;
  int intermediate_size = 0;
  int num_hidden_layers = 0;
  int num_attention_heads = 0;
  int num_key_value_heads = 0;  // absent in config.json: num_attention_heads
  int head_dim = 0;             // absent: hidden_size / num_attention_heads
  int vocab_size = 0;
  int max_position_embeddings = 2048;
  float rms_norm_eps = 1e-6f;
  float rope_theta = 10000.0f;
  RopeScaling rope_scaling;
  bool tie_word_embeddings = false;
  int bos_token_id = -1;
  int eos_token_id = -1;
  bool attention_qkv_bias = false;  // q_proj, k_proj and v_proj have biases (Qwen2)
  // Attention of the layers marked in sliding_layers sees the last sliding_window positions
  // (the query's own included), as transformers' sliding-window mask; 0: no window.
  int sliding_window = 0;
  std::vector<bool> sliding_layers;  // (num_hidden_layers) when sliding_window > 0
  // xVal.
  int xval_num_token_id = -1;
  NumberHeadType xval_number_head = NumberHeadType::kNone;
  int xval_number_head_intermediate_size = 0;
};

// Parses a config.json text. Errors name the field.
absl::StatusOr<LlamaConfig> ParseLlamaConfig(absl::string_view json);

// How a weight is stored.
// The quantized types are llama.cpp's (ggml's) blocks, read from GGUF files: Q8_0 and Q4_0 in
// blocks of 32 weights, the k-quants Q4_K, Q5_K and Q6_K in super-blocks of 256 (a Q4_K_M or
// Q5_K_M file mixes them). KV caches are f32 or f16 only.
enum class WeightType : uint8_t {
  kF32 = 0,
  kF16 = 1,
  kBF16 = 2,
  kQ8_0 = 3,
  kQ4_0 = 4,
  kQ4_K = 5,
  kQ5_K = 6,
  kQ6_K = 7,
};
const char* WeightTypeName(WeightType type);

// Tokenizer vocabulary stored in a GGUF file's metadata (tokenizer.ggml.*); empty otherwise.
struct GgufVocab {
  std::string model;  // tokenizer.ggml.model, e.g. "llama"
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> token_types;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
};

struct LoadOptions {
  size_t max_threads = 0;  // threads per forward pass, the calling one included; 0: all cores
  // false (the default): the weights are used in place in the memory-mapped files, read from
  // the page cache as layers touch them and shared with other processes mapping the same files.
  // The files are mapped at 2 MiB boundaries and advised MADV_HUGEPAGE: where the kernel caches
  // files in large folios (Linux 6.18 on ext4 measured) a file read into the cache after that
  // is mapped 2 MiB at a time, and decode, which streams all the weights each token, takes far
  // fewer TLB misses. A file already cached in 4 KiB pages (one just written) stays in them.
  // true: loading copies the files into anonymous memory advised for transparent huge pages,
  // unmapping the files as it goes (peak memory stays about the files' size): huge pages
  // whatever the page cache holds, at the cost of reading every byte at load (seconds for a 7B
  // model) and of a private copy. Where the kernel has no transparent huge pages it is a plain
  // copy. docs/benchmarks.md has the figures of both.
  bool copy_to_huge_pages = false;
  // false (the default): activations stay f32 in every product, and the logits are
  // transformers' on the same weights. true: decode's products with Q4_K and Q6_K weights round
  // the activations to 8 bits per block of 256 as llama.cpp does (its arithmetic, and faster
  // than f32 in those products); the logits then move from transformers' as llama.cpp's do
  // (docs/benchmarks.md, "Issue 24"). Prefill and the other weight types are not affected.
  bool q8_activations = false;
};

// Logits and number values of the positions a Forward call was asked for.
struct ForwardOutput {
  std::vector<float> logits;         // (num_out, vocab_size)
  std::vector<float> number_values;  // (num_out); empty when the model has no number head
  size_t num_out = 0;
};

class LlamaModel;

// A KV cache and preallocated activations for one sequence of up to max_seq_len tokens.
class LlamaSession {
 public:
  virtual ~LlamaSession() = default;
  // Runs ids[t] scaled by values[t] (values empty: all 1) at positions position() ..
  // position() + ids.size() - 1, appending their keys and values to the cache. Prefill and
  // decode are the same call: many tokens at once or one. Writes the logits of every new
  // position (all_positions) or of the last one only. InvalidArgument / OutOfRange for ids
  // outside the vocabulary, mismatched values, or a sequence longer than max_seq_len; on
  // error the session is unchanged.
  virtual absl::Status Forward(absl::Span<const int32_t> ids, absl::Span<const float> values,
                               bool all_positions, ForwardOutput* out) = 0;
  virtual size_t position() const = 0;
  virtual size_t max_seq_len() const = 0;
  // Forgets the sequence (the cache is reused, not freed).
  virtual void Reset() = 0;
  // Drops cached positions >= `position` (for re-running a suffix).
  virtual absl::Status Rewind(size_t position) = 0;
};

class LlamaModel {
 public:
  virtual ~LlamaModel() = default;
  // `path`: a Hugging Face folder or a .gguf file.
  static absl::StatusOr<std::unique_ptr<LlamaModel>> Load(const std::string& path,
                                                          const LoadOptions& options = {});
  virtual const LlamaConfig& config() const = 0;
  // The type of the largest weights (the projections).
  virtual WeightType weight_type() const = 0;
  // Bytes of weights read for one decode step (every matrix once, embedding row excluded).
  virtual size_t weight_bytes() const = 0;
  virtual const GgufVocab& gguf_vocab() const = 0;
  // max_batch: tokens run through the layers together (larger prefills are chunked).
  // kv_cache_type: kF32 (the default: logits as transformers computes them in f32) or kF16
  // (keys and values rounded to binary16 as they are stored, as llama.cpp's default cache:
  // half the cache's memory and of the bytes decode's attention reads).
  virtual absl::StatusOr<std::unique_ptr<LlamaSession>> NewSession(
      size_t max_seq_len, size_t max_batch = 64,
      WeightType kv_cache_type = WeightType::kF32) const = 0;
};

// Sampling as transformers' generate() does it: logits / temperature, then top-k, then top-p
// (smallest set whose probability reaches top_p), then a draw; temperature 0 is greedy.
struct SamplingOptions {
  float temperature = 0.0f;
  int top_k = 0;        // 0: all tokens
  float top_p = 1.0f;   // 1: no nucleus cut
  uint64_t seed = 0;
};

// Deterministic for a given seed.
class Sampler {
 public:
  explicit Sampler(const SamplingOptions& options);
  // One id from `logits` (vocab_size). Never fails: NaN logits count as -infinity, and an
  // all-NaN row gives id 0.
  int32_t Sample(absl::Span<const float> logits);

 private:
  SamplingOptions options_;
  uint64_t state_;
  std::vector<std::pair<float, int32_t>> scratch_;
};

struct GenerateOptions {
  SamplingOptions sampling;
  size_t max_new_tokens = 64;
  bool stop_at_eos = true;
};

// Runs the prompt (ids with xVal values), then samples up to max_new_tokens tokens. Each new
// token is fed back; when it is the [NUM] id, its value is the number head's output at the
// position that produced it and the next input is [NUM] scaled by that value. `on_token`
// receives each new id and value and returns false to stop. Returns the new ids and values.
struct Generated {
  std::vector<int32_t> ids;
  std::vector<float> values;
};
absl::StatusOr<Generated> Generate(
    LlamaSession* session, absl::Span<const int32_t> prompt_ids,
    absl::Span<const float> prompt_values, int32_t num_token_id, int32_t eos_id,
    const GenerateOptions& options,
    const std::function<bool(int32_t id, float value)>& on_token = nullptr);

}  // namespace xval::model

#endif  // XVAL_MODEL_H_
