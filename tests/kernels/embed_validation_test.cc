// Every argument error of the embedding entry points comes back as a Status (never a crash),
// names the argument, and leaves the outputs untouched.
#include <cstdint>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "xval/embed.h"

namespace xval::kernels {
namespace {

class EmbedValidationTest : public ::testing::Test {
 protected:
  // A valid call: a (4, 3) f32 table, 2 tokens, (2, 3) f32 out.
  std::vector<float> table_data_ = std::vector<float>(12, 1.0f);
  std::vector<int32_t> ids_ = {1, 3};
  std::vector<float> values_ = {2.0f, 3.0f};
  std::vector<float> out_data_ = std::vector<float>(6, -7.0f);
  ConstMatrixView table_ = ConstMatrixView::F32(table_data_.data(), 4, 3);
  MatrixView out_ = MatrixView::F32(out_data_.data(), 2, 3);

  void ExpectOutUntouched() {
    for (float x : out_data_) EXPECT_EQ(x, -7.0f);
  }
};

// Checks code and that the message mentions `needle`.
void ExpectError(const absl::Status& status, absl::StatusCode code, const char* needle) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_NE(std::string(status.message()).find(needle), std::string::npos) << status;
}

TEST_F(EmbedValidationTest, ValidCallSucceeds) {
  ASSERT_TRUE(Embed(table_, ids_, values_, out_).ok());
  EXPECT_EQ(out_data_[0], 2.0f);
  EXPECT_EQ(out_data_[5], 3.0f);
}

TEST_F(EmbedValidationTest, IdOutsideTheTable) {
  for (int32_t bad : {4, -1, std::numeric_limits<int32_t>::max(),
                      std::numeric_limits<int32_t>::min()}) {
    ids_[1] = bad;
    ExpectError(Embed(table_, ids_, values_, out_), absl::StatusCode::kOutOfRange, "ids[1]");
    ExpectOutUntouched();
  }
}

TEST_F(EmbedValidationTest, EmptyTableRejectsEveryId) {
  ids_ = {0, 0};
  const ConstMatrixView empty = ConstMatrixView::F32(nullptr, 0, 3);
  ExpectError(Embed(empty, ids_, values_, out_), absl::StatusCode::kOutOfRange, "ids[0]");
}

TEST_F(EmbedValidationTest, NullPointers) {
  ConstMatrixView table = table_;
  table.data = nullptr;
  ExpectError(Embed(table, ids_, values_, out_), absl::StatusCode::kInvalidArgument, "table");
  MatrixView out = out_;
  out.data = nullptr;
  ExpectError(Embed(table_, ids_, values_, out), absl::StatusCode::kInvalidArgument, "out");
  ExpectError(Embed(table_, absl::Span<const int32_t>(nullptr, 2), values_, out_),
              absl::StatusCode::kInvalidArgument, "ids");
  ExpectError(Embed(table_, ids_, absl::Span<const float>(nullptr, 2), out_),
              absl::StatusCode::kInvalidArgument, "values");
  ExpectOutUntouched();
}

TEST_F(EmbedValidationTest, MismatchedSizes) {
  MatrixView out = out_;
  out.rows = 1;
  ExpectError(Embed(table_, ids_, values_, out), absl::StatusCode::kInvalidArgument, "out is 1");
  out = out_;
  out.cols = 2;
  ExpectError(Embed(table_, ids_, values_, out), absl::StatusCode::kInvalidArgument, "out is 2");
  const std::vector<float> three_values = {1, 2, 3};
  ExpectError(Embed(table_, ids_, three_values, out_), absl::StatusCode::kInvalidArgument,
              "values has 3");
  ConstMatrixView table = table_;
  table.row_stride = 2;
  ExpectError(Embed(table, ids_, values_, out_), absl::StatusCode::kInvalidArgument,
              "row_stride");
  table = table_;
  table.rows = std::numeric_limits<size_t>::max() / 2;
  ExpectError(Embed(table, ids_, values_, out_), absl::StatusCode::kInvalidArgument, "overflow");
  ExpectOutUntouched();
}

TEST_F(EmbedValidationTest, UnsupportedTypes) {
  std::vector<uint16_t> half(6);
  ExpectError(Embed(table_, ids_, values_, MatrixView::F16(half.data(), 2, 3)),
              absl::StatusCode::kInvalidArgument, "out: dtype f16");
  ConstMatrixView table = table_;
  table.dtype = static_cast<DType>(9);
  ExpectError(Embed(table, ids_, values_, out_), absl::StatusCode::kInvalidArgument,
              "unknown dtype");
}

TEST_F(EmbedValidationTest, BackwardErrors) {
  std::vector<float> d_out_data(6, 1.0f);
  std::vector<float> d_table_data(12, 5.0f);
  std::vector<float> d_values(2, 5.0f);
  const ConstMatrixView d_out = ConstMatrixView::F32(d_out_data.data(), 2, 3);
  const MatrixView d_table = MatrixView::F32(d_table_data.data(), 4, 3);
  ASSERT_TRUE(
      EmbedBackward(table_, ids_, values_, d_out, d_table, absl::MakeSpan(d_values)).ok());

  std::vector<int32_t> bad_ids = {1, 4};
  ExpectError(EmbedBackward(table_, bad_ids, values_, d_out, d_table, absl::MakeSpan(d_values)),
              absl::StatusCode::kOutOfRange, "ids[1]");
  MatrixView d_table_short = d_table;
  d_table_short.rows = 3;
  ExpectError(EmbedBackward(table_, ids_, values_, d_out, d_table_short, {}),
              absl::StatusCode::kInvalidArgument, "d_table");
  std::vector<uint16_t> bf16(12);
  ExpectError(
      EmbedBackward(table_, ids_, values_, d_out, MatrixView::BF16(bf16.data(), 4, 3), {}),
      absl::StatusCode::kInvalidArgument, "d_table: dtype bf16");
  ExpectError(EmbedBackward(table_, ids_, values_, d_out, d_table,
                            absl::Span<float>(d_values.data(), 1)),
              absl::StatusCode::kInvalidArgument, "d_values has 1");
  ExpectError(EmbedBackward(table_, ids_, values_, d_out, d_table,
                            absl::Span<float>(nullptr, 2)),
              absl::StatusCode::kInvalidArgument, "d_values");
  ConstMatrixView d_out_null = d_out;
  d_out_null.data = nullptr;
  ExpectError(EmbedBackward(table_, ids_, values_, d_out_null, d_table, {}),
              absl::StatusCode::kInvalidArgument, "d_out");
  MatrixView d_table_null = d_table;
  d_table_null.data = nullptr;
  ExpectError(EmbedBackward(table_, ids_, values_, d_out, d_table_null, {}),
              absl::StatusCode::kInvalidArgument, "d_table");
}

// The CUDA entry points check the same arguments before touching any device, so these errors
// are reported the same way with or without a GPU.
TEST_F(EmbedValidationTest, CudaEntryPointsCheckArgumentsFirst) {
  MatrixView out = out_;
  out.rows = 1;
  ExpectError(EmbedCuda(table_, ids_, values_, out), absl::StatusCode::kInvalidArgument,
              "out is 1");
  ExpectError(EmbedCuda(table_, absl::Span<const int32_t>(nullptr, 2), values_, out_),
              absl::StatusCode::kInvalidArgument, "ids");
  ExpectError(EmbedBackwardCuda(table_, ids_, values_, ConstMatrixView{}, MatrixView{}, {}),
              absl::StatusCode::kInvalidArgument, "d_out");
}

}  // namespace
}  // namespace xval::kernels
