// Sampling in the order of transformers' logits warpers: temperature, top-k, top-p, then a
// draw from the renormalized distribution.
#include <algorithm>
#include <cmath>
#include <limits>

#include "xval/model.h"

namespace xval::model {
namespace {

// splitmix64: a small, well-mixed generator; the same seed gives the same tokens everywhere.
uint64_t Next(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

Sampler::Sampler(const SamplingOptions& options) : options_(options), state_(options.seed) {}

int32_t Sampler::Sample(absl::Span<const float> logits) {
  const int32_t vocab = static_cast<int32_t>(logits.size());
  if (vocab == 0) return 0;
  auto value = [&](int32_t i) {
    return std::isnan(logits[i]) ? -std::numeric_limits<float>::infinity() : logits[i];
  };
  if (!(options_.temperature > 0.0f)) {
    int32_t best = 0;  // the first maximum, as torch.argmax
    for (int32_t i = 1; i < vocab; ++i) {
      if (value(i) > value(best)) best = i;
    }
    return best;
  }
  scratch_.resize(vocab);
  for (int32_t i = 0; i < vocab; ++i) scratch_[i] = {value(i) / options_.temperature, i};
  auto by_logit = [](const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  size_t keep = scratch_.size();
  if (options_.top_k > 0 && static_cast<size_t>(options_.top_k) < keep) {
    keep = options_.top_k;
    std::partial_sort(scratch_.begin(), scratch_.begin() + keep, scratch_.end(), by_logit);
  } else {
    std::sort(scratch_.begin(), scratch_.end(), by_logit);
  }
  const float max_logit = scratch_[0].first;
  if (!std::isfinite(max_logit)) return scratch_[0].second;
  double total = 0.0;
  for (size_t i = 0; i < keep; ++i) total += std::exp(scratch_[i].first - max_logit);
  if (options_.top_p < 1.0f) {
    // The smallest prefix whose probability reaches top_p (at least one token).
    double cumulative = 0.0;
    size_t cut = 0;
    while (cut < keep) {
      cumulative += std::exp(scratch_[cut].first - max_logit) / total;
      ++cut;
      if (cumulative >= options_.top_p) break;
    }
    keep = cut;
    total = 0.0;
    for (size_t i = 0; i < keep; ++i) total += std::exp(scratch_[i].first - max_logit);
  }
  const double u = static_cast<double>(Next(&state_) >> 11) * 0x1.0p-53 * total;
  double cumulative = 0.0;
  for (size_t i = 0; i < keep; ++i) {
    cumulative += std::exp(scratch_[i].first - max_logit);
    if (u < cumulative) return scratch_[i].second;
  }
  return scratch_[keep - 1].second;
}

}  // namespace xval::model
