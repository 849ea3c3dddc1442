// The CUDA embedding kernels against the CPU reference. Skipped at run time (with the reason)
// where the build has no CUDA or the machine no GPU; without CUDA it checks instead that the
// entry points say so.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kernels/embed_test_util.h"
#include "kernels/reference.h"
#include "xval/embed.h"
#include "xval/number_encodings.h"

#ifdef XVAL_TEST_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace xval::kernels {
namespace {

using embed_test::MakeIds;
using embed_test::MakeValues;
using embed_test::TestMatrix;

// Skips the test unless a GPU can run the kernels.
#define SKIP_WITHOUT_GPU()                                                          \
  do {                                                                              \
    if (!CudaBuilt()) GTEST_SKIP() << "xval was built without CUDA";                \
    if (CudaDeviceCount() == 0) GTEST_SKIP() << "no CUDA device on this machine";   \
  } while (0)

TEST(EmbedCudaTest, NumberEncodingsReportWhenNotBuilt) {
  if (CudaBuilt()) GTEST_SKIP() << "built with CUDA: covered by NumberEncodingsMatchTheCpu";
  float table[4] = {1, 2, 3, 4};
  float out[2];
  const std::vector<int32_t> ids = {1};
  const std::vector<double> values = {2.5};
  const std::vector<double> periods = {10.0};
  EXPECT_EQ(EmbedFoneCuda(ConstMatrixView::F32(table, 2, 2), ids, values, 1, periods,
                          MatrixView::F32(out, 1, 2))
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(EmbedCudaTest, ReportsWhenNotBuilt) {
  if (CudaBuilt()) GTEST_SKIP() << "built with CUDA: covered by the tests below";
  EXPECT_EQ(CudaDeviceCount(), 0);
  float table[4] = {1, 2, 3, 4};
  float out[2];
  const std::vector<int32_t> ids = {1};
  const absl::Status status =
      EmbedCuda(ConstMatrixView::F32(table, 2, 2), ids, {}, MatrixView::F32(out, 1, 2));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

#ifdef XVAL_TEST_HAVE_CUDA

void Check(cudaError_t error) { ASSERT_EQ(error, cudaSuccess) << cudaGetErrorString(error); }

// Device memory holding a copy of a host buffer; freed on destruction.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes) : bytes_(bytes) {
    if (cudaMalloc(&data_, bytes == 0 ? 1 : bytes) != cudaSuccess) data_ = nullptr;
  }
  DeviceBuffer(const void* host, size_t bytes) : DeviceBuffer(bytes) {
    if (data_ != nullptr) cudaMemcpy(data_, host, bytes, cudaMemcpyHostToDevice);
  }
  template <typename T>
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.data(), host.size() * sizeof(T)) {}
  ~DeviceBuffer() { cudaFree(data_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  uint8_t* data() const { return static_cast<uint8_t*>(data_); }
  void CopyTo(void* host) const { cudaMemcpy(host, data_, bytes_, cudaMemcpyDeviceToHost); }

 private:
  size_t bytes_;
  void* data_ = nullptr;
};

// A TestMatrix mirrored on the device, same layout (offset and padding included).
struct DeviceMatrix {
  explicit DeviceMatrix(TestMatrix& host) : host(host), buffer(host.bytes()) {}
  MatrixView view() {
    MatrixView v = host.view();
    v.data = buffer.data() + (static_cast<uint8_t*>(v.data) - host.bytes().data());
    return v;
  }
  void CopyBack() { buffer.CopyTo(const_cast<uint8_t*>(host.bytes().data())); }
  TestMatrix& host;
  DeviceBuffer buffer;
};

// "" when every element matches bit for bit (NaN matching any NaN) and nothing outside the
// rows was written; canonicalizes matching NaNs to 0 on the way.
std::string CompareForward(TestMatrix& got, TestMatrix& want) {
  for (size_t r = 0; r < got.rows(); ++r) {
    for (size_t c = 0; c < got.cols(); ++c) {
      if (got.IsNaN(r, c) && want.IsNaN(r, c)) {
        got.SetBits(r, c, 0);
        want.SetBits(r, c, 0);
        continue;
      }
      if (got.Bits(r, c) != want.Bits(r, c)) {
        return absl::StrCat("(", r, ", ", c, "): got 0x", absl::Hex(got.Bits(r, c)), " want 0x",
                            absl::Hex(want.Bits(r, c)));
      }
    }
  }
  return got.bytes() == want.bytes() ? "" : "padding outside the rows was written";
}

TEST(EmbedCudaTest, ForwardMatchesReference) {
  SKIP_WITHOUT_GPU();
  std::mt19937 rng(1);
  constexpr size_t kVocab = 13, kTokens = 37;
  for (DType table_dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
    for (DType out_dtype : {DType::kF32, DType::kBF16}) {
      for (size_t hidden : {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4096, 4097}) {
        // pad 0 / offset 0 with hidden % 8 == 0 takes the 16-byte vector path; the others the
        // element path.
        for (size_t misalign : {0, 1}) {
          for (bool scale : {false, true}) {
            TestMatrix table(table_dtype, kVocab, hidden, misalign * 3, misalign);
            table.FillRandom(rng, 11);
            const std::vector<int32_t> ids = MakeIds(kTokens, kVocab, rng);
            std::vector<float> values;
            if (scale) values = MakeValues(kTokens, rng, 3);
            TestMatrix got(out_dtype, kTokens, hidden, misalign, misalign);
            TestMatrix want(out_dtype, kTokens, hidden, misalign, misalign);
            DeviceMatrix d_table(table), d_got(got);
            DeviceBuffer d_ids(ids), d_values(values);
            const absl::Status status = EmbedCuda(
                d_table.view(), absl::MakeConstSpan(reinterpret_cast<const int32_t*>(d_ids.data()), ids.size()),
                absl::MakeConstSpan(scale ? reinterpret_cast<const float*>(d_values.data()) : nullptr,
                                    values.size()),
                d_got.view());
            ASSERT_TRUE(status.ok()) << status;
            d_got.CopyBack();
            EmbedReference(table.const_view(), ids, values, want.view());
            EXPECT_EQ(CompareForward(got, want), "")
                << DTypeName(table_dtype) << "->" << DTypeName(out_dtype) << " hidden=" << hidden
                << " misalign=" << misalign << " scale=" << scale;
          }
        }
      }
    }
  }
}

TEST(EmbedCudaTest, BadIdIsOutOfRangeAndNeverReadsOutside) {
  SKIP_WITHOUT_GPU();
  std::mt19937 rng(2);
  TestMatrix table(DType::kF32, 4, 64);
  table.FillRandom(rng);
  TestMatrix out(DType::kF32, 3, 64);
  const std::vector<int32_t> ids = {1, 1000000, -5};
  DeviceMatrix d_table(table), d_out(out);
  DeviceBuffer d_ids(ids);
  const auto ids_span = absl::MakeConstSpan(reinterpret_cast<const int32_t*>(d_ids.data()), 3);
  const absl::Status status = EmbedCuda(d_table.view(), ids_span, {}, d_out.view());
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << status;
  EXPECT_NE(std::string(status.message()).find("ids[1] = 1000000"), std::string::npos) << status;
  // Unchecked: the call succeeds and the bad rows are zeros.
  CudaEmbedOptions options;
  options.check_ids = false;
  ASSERT_TRUE(EmbedCuda(d_table.view(), ids_span, {}, d_out.view(), options).ok());
  Check(cudaDeviceSynchronize());
  d_out.CopyBack();
  for (size_t c = 0; c < 64; ++c) {
    EXPECT_EQ(out.Bits(0, c), table.Bits(1, c));
    EXPECT_EQ(out.Bits(1, c), 0u);
    EXPECT_EQ(out.Bits(2, c), 0u);
  }
}

TEST(EmbedCudaTest, HostPointerIsRefused) {
  SKIP_WITHOUT_GPU();
  std::vector<float> table(8, 1.0f);
  const std::vector<int32_t> ids = {0};
  DeviceBuffer d_ids(ids), d_out(8);
  const absl::Status status = EmbedCuda(
      ConstMatrixView::F32(table.data(), 2, 4),
      absl::MakeConstSpan(reinterpret_cast<const int32_t*>(d_ids.data()), 1), {},
      MatrixView::F32(reinterpret_cast<float*>(d_out.data()), 1, 4));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

bool WithinSumBound(double got, double want, double abs_sum, size_t terms) {
  return std::fabs(got - want) <= 4.0 * (terms + 2) * 0x1p-24 * abs_sum + 1e-30;
}

TEST(EmbedCudaTest, BackwardMatchesFloat64Reference) {
  SKIP_WITHOUT_GPU();
  std::mt19937 rng(3);
  constexpr size_t kVocab = 11, kTokens = 300;
  for (bool deterministic : {true, false}) {
    for (DType table_dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
      for (DType grad_dtype : {DType::kF32, DType::kBF16}) {
        for (size_t hidden : {1, 33, 1000}) {
          TestMatrix table(table_dtype, kVocab, hidden, 1, 1);
          TestMatrix d_out(grad_dtype, kTokens, hidden);
          TestMatrix d_table(DType::kF32, kVocab, hidden, 2);
          table.FillRandom(rng);
          d_out.FillRandom(rng);
          for (size_t r = 0; r < kVocab; ++r) {
            for (size_t c = 0; c < hidden; ++c) d_table.SetBits(r, c, 0);
          }
          const std::vector<int32_t> ids = MakeIds(kTokens, kVocab, rng);
          const std::vector<float> values = MakeValues(kTokens, rng);
          DeviceMatrix dev_table(table), dev_d_out(d_out), dev_d_table(d_table);
          DeviceBuffer dev_ids(ids), dev_values(values), dev_d_values(kTokens * sizeof(float));
          CudaEmbedOptions options;
          options.deterministic = deterministic;
          const absl::Status status = EmbedBackwardCuda(
              dev_table.view(),
              absl::MakeConstSpan(reinterpret_cast<const int32_t*>(dev_ids.data()), kTokens),
              absl::MakeConstSpan(reinterpret_cast<const float*>(dev_values.data()), kTokens),
              dev_d_out.view(), dev_d_table.view(),
              absl::MakeSpan(reinterpret_cast<float*>(dev_d_values.data()), kTokens), options);
          ASSERT_TRUE(status.ok()) << status;
          dev_d_table.CopyBack();
          std::vector<float> d_values(kTokens);
          dev_d_values.CopyTo(d_values.data());
          const EmbedGradsF64 want =
              EmbedBackwardReference(table.const_view(), ids, values, d_out.const_view());
          const std::string where = absl::StrCat(DTypeName(table_dtype), "/", DTypeName(grad_dtype),
                                                 " hidden=", hidden, " det=", deterministic);
          for (size_t r = 0; r < kVocab; ++r) {
            for (size_t c = 0; c < hidden; ++c) {
              const size_t k = r * hidden + c;
              ASSERT_TRUE(WithinSumBound(d_table.AsF32(r, c), want.d_table[k],
                                         want.d_table_abs[k], kTokens))
                  << where << " d_table(" << r << ", " << c << ")";
            }
          }
          for (size_t t = 0; t < kTokens; ++t) {
            ASSERT_TRUE(WithinSumBound(d_values[t], want.d_values[t], want.d_values_abs[t], hidden))
                << where << " d_values[" << t << "] = " << d_values[t] << " want "
                << want.d_values[t];
          }
        }
      }
    }
  }
}

TEST(EmbedCudaTest, DeterministicBackwardIsBitwiseReproducible) {
  SKIP_WITHOUT_GPU();
  std::mt19937 rng(4);
  constexpr size_t kVocab = 7, kHidden = 513, kTokens = 5000;
  TestMatrix table(DType::kF32, kVocab, kHidden);
  TestMatrix d_out(DType::kBF16, kTokens, kHidden);
  table.FillRandom(rng);
  d_out.FillRandom(rng);
  const std::vector<int32_t> ids = MakeIds(kTokens, kVocab, rng);
  const std::vector<float> values = MakeValues(kTokens, rng);
  DeviceMatrix dev_table(table), dev_d_out(d_out);
  DeviceBuffer dev_ids(ids), dev_values(values);
  std::vector<std::vector<uint8_t>> results;
  for (int run = 0; run < 3; ++run) {
    TestMatrix d_table(DType::kF32, kVocab, kHidden);
    for (size_t r = 0; r < kVocab; ++r) {
      for (size_t c = 0; c < kHidden; ++c) d_table.SetBits(r, c, 0);
    }
    DeviceMatrix dev_d_table(d_table);
    ASSERT_TRUE(EmbedBackwardCuda(
                    dev_table.view(),
                    absl::MakeConstSpan(reinterpret_cast<const int32_t*>(dev_ids.data()), kTokens),
                    absl::MakeConstSpan(reinterpret_cast<const float*>(dev_values.data()), kTokens),
                    dev_d_out.view(), dev_d_table.view(), {})
                    .ok());
    dev_d_table.CopyBack();
    results.push_back(d_table.bytes());
  }
  EXPECT_TRUE(results[1] == results[0]);
  EXPECT_TRUE(results[2] == results[0]);
}

// FoNE and BitTokens fused embeddings on the device against the CPU's: plain rows and the
// BitTokens rows bitwise, FoNE rows within one f32 rounding of the features (the device's
// float64 cos/sin against the C library's).
TEST(EmbedCudaTest, NumberEncodingsMatchTheCpu) {
  SKIP_WITHOUT_GPU();
  const size_t vocab = 7, hidden = 136, tokens = 300;
  std::mt19937 rng(23);
  std::normal_distribution<float> normal;
  std::vector<float> table(vocab * hidden);  // (vocab, hidden)
  for (float& x : table) x = normal(rng);
  std::vector<int32_t> ids(tokens);
  std::vector<double> values(tokens);
  const double extremes[] = {0.0, -0.0, 18.0, -4096.25, 1e-300, 1e300, 5e-324, 99999.99999};
  for (size_t t = 0; t < tokens; ++t) {
    ids[t] = static_cast<int32_t>(rng() % vocab);
    values[t] = rng() % 2 ? extremes[rng() % 8] : std::ldexp(static_cast<double>(rng()), -20);
  }
  const int32_t num_id = 6;
  const std::vector<double> periods = *FonePeriods({5, 5, {10.0}});
  DeviceBuffer d_table(table), d_ids(ids), d_values(values), d_out(tokens * hidden * 4);
  const auto table_view =
      ConstMatrixView::F32(reinterpret_cast<const float*>(d_table.data()), vocab, hidden);
  const absl::Span<const int32_t> ids_view(reinterpret_cast<const int32_t*>(d_ids.data()), tokens);
  const absl::Span<const double> values_view(reinterpret_cast<const double*>(d_values.data()),
                                             tokens);
  const auto out_view = MatrixView::F32(reinterpret_cast<float*>(d_out.data()), tokens, hidden);
  std::vector<float> got(tokens * hidden), want(tokens * hidden);
  const auto host_table = ConstMatrixView::F32(table.data(), vocab, hidden);

  ASSERT_TRUE(EmbedFoneCuda(table_view, ids_view, values_view, num_id, periods, out_view).ok());
  Check(cudaDeviceSynchronize());
  d_out.CopyTo(got.data());
  ASSERT_TRUE(EmbedFone(host_table, ids, values, num_id, periods,
                        MatrixView::F32(want.data(), tokens, hidden))
                  .ok());
  for (size_t i = 0; i < got.size(); ++i) {
    const bool feature = ids[i / hidden] == num_id && i % hidden < 2 * periods.size();
    if (feature) {
      ASSERT_NEAR(got[i], want[i], 4e-7) << "token " << i / hidden;
    } else {
      ASSERT_EQ(got[i], want[i]) << "token " << i / hidden;
    }
  }

  for (bool reciprocal : {false, true}) {
    ASSERT_TRUE(
        EmbedBitTokensCuda(table_view, ids_view, values_view, num_id, reciprocal, 1.5f, out_view)
            .ok());
    Check(cudaDeviceSynchronize());
    d_out.CopyTo(got.data());
    ASSERT_TRUE(EmbedBitTokens(host_table, ids, values, num_id, reciprocal, 1.5f,
                               MatrixView::F32(want.data(), tokens, hidden))
                    .ok());
    ASSERT_EQ(got, want);
  }
}

#endif  // XVAL_TEST_HAVE_CUDA

}  // namespace
}  // namespace xval::kernels
