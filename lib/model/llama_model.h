// The loaded model behind the LlamaModel interface: config, mapped tensors, bound weights and
// the RoPE frequencies, immutable after Load.
#ifndef XVAL_MODEL_LLAMA_MODEL_H_
#define XVAL_MODEL_LLAMA_MODEL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/llama_weights.h"
#include "model/tensor_store.h"
#include "xval/model.h"

namespace xval::model {

class LlamaModelImpl : public LlamaModel {
 public:
  LlamaModelImpl(LlamaConfig config, TensorStore store, LlamaWeights weights, GgufVocab vocab,
                 const LoadOptions& options);

  const LlamaConfig& config() const override { return config_; }
  WeightType weight_type() const override { return weights_.main_type; }
  size_t weight_bytes() const override { return weights_.decode_bytes; }
  const GgufVocab& gguf_vocab() const override { return vocab_; }
  absl::StatusOr<std::unique_ptr<LlamaSession>> NewSession(size_t max_seq_len, size_t max_batch,
                                                           WeightType kv_cache_type) const override;

  const LlamaWeights& weights() const { return weights_; }
  const std::vector<float>& inv_freq() const { return inv_freq_; }  // (head_dim / 2)
  size_t max_threads() const { return max_threads_; }
  // LoadOptions::q8_activations: what the layers' and heads' products do with activations.
  kernels::Activations activations() const { return activations_; }

 private:
  LlamaConfig config_;
  TensorStore store_;  // owns the mappings that weights_ points into
  LlamaWeights weights_;
  GgufVocab vocab_;
  std::vector<float> inv_freq_;
  size_t max_threads_;
  kernels::Activations activations_;
};

// RoPE inverse frequencies as transformers computes them (f32 throughout): (head_dim / 2).
std::vector<float> RopeInvFreq(const LlamaConfig& config);

// The GGUF loader (gguf.cc): config from metadata, tensors, vocabulary.
struct GgufCheckpoint {
  LlamaConfig config;
  TensorStore store;
  GgufVocab vocab;
};
absl::StatusOr<GgufCheckpoint> LoadGgufCheckpoint(const std::string& path,
                                                  bool copy_to_huge_pages = false);

// A session over `model` (llama_session.cc).
absl::StatusOr<std::unique_ptr<LlamaSession>> NewLlamaSession(const LlamaModelImpl& model,
                                                              size_t max_seq_len, size_t max_batch,
                                                              WeightType kv_cache_type);

}  // namespace xval::model

#endif  // XVAL_MODEL_LLAMA_MODEL_H_
