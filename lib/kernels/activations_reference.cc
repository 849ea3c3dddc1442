// The scalar references of the activations (activations.cc): their definitions in double, as
// transformers writes them, from the same f32 inputs.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "kernels/activations.h"

namespace xval::kernels {

void SiluMulReference(const float* gate, const float* up, size_t n, double* out) {
  for (size_t i = 0; i < n; ++i) {
    const double g = gate[i];
    out[i] = g / (1.0 + std::exp(-g)) * up[i];
  }
}

void SoftmaxReference(const float* row, size_t len, size_t width, float scale, double* out) {
  double max_score = -HUGE_VAL, sum = 0.0;
  for (size_t j = 0; j < len; ++j) max_score = std::max(max_score, double{row[j] * scale});
  for (size_t j = 0; j < len; ++j) sum += std::exp(row[j] * scale - max_score);
  for (size_t j = 0; j < len; ++j) out[j] = std::exp(row[j] * scale - max_score) / sum;
  for (size_t j = len; j < width; ++j) out[j] = 0.0;
}

void AttendOneQueryReference(const float* q, size_t d, const float* keys, const float* values,
                             size_t stride, size_t len, double scale, double* out) {
  std::vector<double> p(len);  // (len) scores, then weights
  double max_score = -HUGE_VAL, sum = 0.0;
  for (size_t j = 0; j < len; ++j) {
    double s = 0.0;
    for (size_t i = 0; i < d; ++i) s += double{q[i]} * keys[j * stride + i];
    p[j] = s * scale;
    max_score = std::max(max_score, p[j]);
  }
  for (double& x : p) sum += x = std::exp(x - max_score);
  std::fill(out, out + d, 0.0);
  for (size_t j = 0; j < len; ++j) {
    for (size_t i = 0; i < d; ++i) out[i] += p[j] / sum * values[j * stride + i];
  }
}

void RmsNormRowReference(const float* x, const float* weight, float eps, size_t dim, double* out) {
  double ss = 0.0;
  for (size_t i = 0; i < dim; ++i) ss += double{x[i]} * x[i];
  const double inv = 1.0 / std::sqrt(ss / dim + eps);
  for (size_t i = 0; i < dim; ++i) out[i] = double{weight[i]} * x[i] * inv;
}

void RopeReference(const float* row, size_t num_heads, size_t head_dim, const float* angles,
                   bool adjacent_pairs, double* out) {
  const size_t half = head_dim / 2;
  for (size_t h = 0; h < num_heads; ++h) {
    for (size_t i = 0; i < half; ++i) {
      const size_t first = h * head_dim + (adjacent_pairs ? 2 * i : i);
      const size_t second = h * head_dim + (adjacent_pairs ? 2 * i + 1 : i + half);
      const double a = row[first], b = row[second];
      const double c = std::cos(double{angles[i]}), s = std::sin(double{angles[i]});
      out[first] = a * c - b * s;
      out[second] = b * c + a * s;
    }
  }
}

}  // namespace xval::kernels
