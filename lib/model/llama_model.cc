#include "model/llama_model.h"

#include <sys/stat.h>

#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace xval::model {

const char* WeightTypeName(WeightType type) {
  switch (type) {
    case WeightType::kF32: return "f32";
    case WeightType::kF16: return "f16";
    case WeightType::kBF16: return "bf16";
    case WeightType::kQ8_0: return "q8_0";
    case WeightType::kQ4_0:
      return "q4_0";
    case WeightType::kQ4_K:
      return "q4_k";
    case WeightType::kQ5_K:
      return "q5_k";
    case WeightType::kQ6_K:
      return "q6_k";
  }
  return "?";
}

std::vector<float> RopeInvFreq(const LlamaConfig& c) {
  const int half = c.head_dim / 2;
  std::vector<float> inv(half);
  // transformers: 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), all in f32.
  for (int i = 0; i < half; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(c.head_dim);
    inv[i] = 1.0f / std::pow(c.rope_theta, exponent);
  }
  const RopeScaling& rs = c.rope_scaling;
  if (rs.rope_type == RopeType::kLinear) {
    for (float& f : inv) f /= rs.factor;
  } else if (rs.rope_type == RopeType::kLlama3) {
    // transformers' _compute_llama3_parameters: long wavelengths are slowed by `factor`,
    // short ones kept, the band between interpolated.
    const float old_len = static_cast<float>(rs.original_max_position_embeddings);
    const float low_freq_wavelen = old_len / rs.low_freq_factor;
    const float high_freq_wavelen = old_len / rs.high_freq_factor;
    for (float& f : inv) {
      const float wavelen = 2.0f * static_cast<float>(M_PI) / f;
      float scaled = wavelen > low_freq_wavelen ? f / rs.factor : f;
      const float smooth =
          (old_len / wavelen - rs.low_freq_factor) / (rs.high_freq_factor - rs.low_freq_factor);
      const float smoothed = (1.0f - smooth) * scaled / rs.factor + smooth * scaled;
      const bool medium = !(wavelen < high_freq_wavelen) && !(wavelen > low_freq_wavelen);
      f = medium ? smoothed : scaled;
    }
  }
  return inv;
}

LlamaModelImpl::LlamaModelImpl(LlamaConfig config, TensorStore store, LlamaWeights weights,
                               GgufVocab vocab, const LoadOptions& options)
    : config_(std::move(config)),
      store_(std::move(store)),
      weights_(std::move(weights)),
      vocab_(std::move(vocab)),
      inv_freq_(RopeInvFreq(config_)),
      max_threads_(options.max_threads),
      activations_(options.q8_activations ? kernels::Activations::kQ8
                                          : kernels::Activations::kF32) {
  if (!weights_.rope_freq_factors.empty()) {
    // llama.cpp's rope_freqs: theta_i = pos * base^(-2i/d) / factor_i.
    for (size_t i = 0; i < inv_freq_.size(); ++i) inv_freq_[i] /= weights_.rope_freq_factors[i];
  }
}

absl::StatusOr<std::unique_ptr<LlamaSession>> LlamaModelImpl::NewSession(
    size_t max_seq_len, size_t max_batch, WeightType kv_cache_type) const {
  return NewLlamaSession(*this, max_seq_len, max_batch, kv_cache_type);
}

absl::StatusOr<std::unique_ptr<LlamaModel>> LlamaModel::Load(const std::string& path,
                                                             const LoadOptions& options) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file or folder"));
  }
  if (S_ISDIR(st.st_mode)) {
    ASSIGN_OR_RETURN(HfCheckpoint ckpt, LoadHfCheckpoint(path, options.copy_to_huge_pages));
    auto config = ParseLlamaConfig(ckpt.config_json);
    if (!config.ok()) {
      return absl::Status(config.status().code(),
                          absl::StrCat(path, "/", config.status().message()));
    }
    ASSIGN_OR_RETURN(LlamaWeights weights,
                     BindLlamaWeights(*config, ckpt.store, Naming::kHuggingFace));
    return std::unique_ptr<LlamaModel>(new LlamaModelImpl(
        *config, std::move(ckpt.store), std::move(weights), GgufVocab{}, options));
  }
  ASSIGN_OR_RETURN(GgufCheckpoint ckpt, LoadGgufCheckpoint(path, options.copy_to_huge_pages));
  ASSIGN_OR_RETURN(LlamaWeights weights, BindLlamaWeights(ckpt.config, ckpt.store, Naming::kGguf));
  return std::unique_ptr<LlamaModel>(new LlamaModelImpl(
      ckpt.config, std::move(ckpt.store), std::move(weights), std::move(ckpt.vocab), options));
}

}  // namespace xval::model
