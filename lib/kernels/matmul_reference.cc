// MatMul's scalar reference: every product and sum in double, the weights as the scalar
// dequantization gives them (DequantizeRow).
#include <cmath>
#include <cstddef>
#include <vector>

#include "kernels/matmul.h"

namespace xval::kernels {

void MatMulReference(const float* x, size_t x_stride, size_t n, const WeightMatrix& w, double* out,
                     double* abs_out) {
  std::vector<float> row(w.cols);  // (cols) one row of w in f32
  for (size_t j = 0; j < w.rows; ++j) {
    DequantizeRow(w, j, row.data());
    for (size_t i = 0; i < n; ++i) {
      double sum = 0.0, abs_sum = 0.0;
      for (size_t k = 0; k < w.cols; ++k) {
        const double term = static_cast<double>(x[i * x_stride + k]) * row[k];
        sum += term;
        abs_sum += std::fabs(term);
      }
      out[i * w.rows + j] = sum;
      if (abs_out != nullptr) abs_out[i * w.rows + j] = abs_sum;
    }
  }
}

}  // namespace xval::kernels
