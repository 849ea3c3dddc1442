// Shared helpers of the model tests: the committed tiny checkpoints and their references.
#ifndef XVAL_TESTS_MODEL_MODEL_TEST_UTIL_H_
#define XVAL_TESTS_MODEL_MODEL_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kernels/matmul.h"
#include "model/tensor_store.h"
#include "support/corpus.h"

namespace xval::testing {

// tests/golden/model/<name> (written by tests/tools/make_tiny_llama.py).
inline std::string ModelDir(const std::string& name) {
  return SourceDir() + "/tests/golden/model/" + name;
}

// One tensor of reference.safetensors as f32, or an empty vector when absent.
class Reference {
 public:
  static absl::StatusOr<Reference> Load(const std::string& name) {
    Reference r;
    absl::Status s = model::LoadSafetensorsFile(ModelDir(name) + "/reference.safetensors",
                                                &r.store_);
    if (!s.ok()) return s;
    return r;
  }
  std::vector<float> Get(const std::string& tensor) const {
    const model::TensorInfo* t = store_.Find(tensor);
    if (t == nullptr) return {};
    const float* p = reinterpret_cast<const float*>(t->data);
    return std::vector<float>(p, p + t->nbytes / sizeof(float));
  }
  std::vector<int32_t> Ids() const {
    std::vector<int32_t> ids;
    for (float f : Get("ids")) ids.push_back(static_cast<int32_t>(f));
    return ids;
  }

 private:
  model::TensorStore store_;
};

// Both comparisons below are infinite (so any tolerance fails) when the sizes differ or any
// element of either side is NaN or infinite: std::max drops NaN silently, so without this an
// all-NaN output compared as error 0.
inline bool AllFinite(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return false;
  }
  return true;
}

// max |a - b| / max |b|: the error relative to the logits' scale.
inline double MaxRelError(const std::vector<float>& a, const std::vector<float>& b) {
  if (!AllFinite(a, b)) return INFINITY;
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    max_diff = std::max(max_diff, std::fabs(static_cast<double>(a[i]) - b[i]));
    max_ref = std::max(max_ref, std::fabs(static_cast<double>(b[i])));
  }
  return max_diff / std::max(max_ref, 1e-30);
}

// ||a - b|| / ||b||.
inline double NormRelError(const std::vector<float>& a, const std::vector<float>& b) {
  if (!AllFinite(a, b)) return INFINITY;
  double diff = 0, ref = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    ref += static_cast<double>(b[i]) * b[i];
  }
  return std::sqrt(diff / std::max(ref, 1e-30));
}

}  // namespace xval::testing

#endif  // XVAL_TESTS_MODEL_MODEL_TEST_UTIL_H_
