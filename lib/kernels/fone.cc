// FoNE (number_encodings.h): the reference's periods, the features, the fused embedding and the
// digit decoder. The features are the reference's formula in float64 (fone_features.h).
#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kernels/embed_validate.h"
#include "kernels/fone_features.h"
#include "kernels/number_embed.h"
#include "kernels/reference.h"
#include "util/status_macros.h"
#include "xval/number_encodings.h"

namespace xval::kernels {

absl::StatusOr<std::vector<double>> FonePeriods(const FoneOptions& options) {
  const int integer_digits = options.integer_digits;
  const int fraction_digits = options.fraction_digits;
  // 10^(integer_digits + 1) - 1 must be exact as an int64, as the reference compares with a
  // Python int.
  if (integer_digits < 0 || integer_digits > 17 || fraction_digits < 0 || fraction_digits > 30 ||
      integer_digits + fraction_digits == 0) {
    return absl::InvalidArgumentError(absl::StrCat("FoNE digits: integer ", integer_digits,
                                                   " (0..17), fraction ", fraction_digits,
                                                   " (0..30), not both 0"));
  }
  if (options.period_bases.empty()) {
    return absl::InvalidArgumentError("FoNE needs at least one period base");
  }
  for (double b : options.period_bases) {
    if (!(b > 0) || !std::isfinite(b)) {
      return absl::InvalidArgumentError(absl::StrCat("FoNE period base ", b, " is not positive"));
    }
  }
  int64_t max_value = 1;
  for (int i = 0; i <= integer_digits; ++i) max_value *= 10;
  max_value -= 1;
  // Python compares a float with an int exactly: period <= max_value, max_value an integer,
  // holds exactly when floor(period) <= max_value, which int64 arithmetic decides.
  const auto within = [&](double period) {
    return period < 0x1p62 && static_cast<int64_t>(std::floor(period)) <= max_value;
  };
  // minvalue = 10 ** -fraction_digits: Python's float power (C pow), or the int 1.
  const double min_value = fraction_digits == 0 ? 1.0 : std::pow(10.0, -fraction_digits);
  std::vector<double> periods;
  for (double current = 1.0; current >= min_value; current /= 10) {
    for (double base : options.period_bases) {
      const double period = current * base;
      if (within(period)) periods.push_back(period);
    }
  }
  for (int64_t current = 1; current <= max_value; current *= 10) {
    for (double base : options.period_bases) {
      const double period = static_cast<double>(current) * base;
      if (within(period)) periods.push_back(period);
    }
  }
  std::sort(periods.begin(), periods.end());
  periods.erase(std::unique(periods.begin(), periods.end()), periods.end());
  return periods;
}

absl::Status FoneFeatures(absl::Span<const double> values, absl::Span<const double> periods,
                          MatrixView out) {
  RETURN_IF_ERROR(ValidateFonePeriods(periods));
  RETURN_IF_ERROR(CheckF32Output("out", out, values.size(), 2 * periods.size()));
  for (size_t t = 0; t < values.size(); ++t) {
    float* row = static_cast<float*>(out.data) + t * out.row_stride;
    std::fill(row, row + out.cols, 0.0f);
    FoneRow(values[t], periods, row);
  }
  return absl::OkStatus();
}

absl::Status EmbedFone(ConstMatrixView table, absl::Span<const int32_t> ids,
                       absl::Span<const double> values, int32_t num_id,
                       absl::Span<const double> periods, MatrixView out,
                       const EmbedOptions& options) {
  RETURN_IF_ERROR(ValidateFonePeriods(periods));
  RETURN_IF_ERROR(CheckFused(table, ids, values, num_id, out, 2 * periods.size()));
  RETURN_IF_ERROR(Embed(table, ids, {}, out, options));
  // Only the feature columns differ from the lookup.
  const size_t width = 2 * periods.size();
  ForEachNumberToken(ids, num_id, width, options.max_threads, [&](size_t t, float* features) {
    std::fill(features, features + width, 0.0f);
    FoneRow(values[t], periods, features);
    const size_t id = static_cast<size_t>(ids[t]);
    for (size_t c = 0; c < width; ++c) {
      StoreFromF32(out, t, c, LoadAsF32(table, id, c) + features[c]);
    }
  });
  return absl::OkStatus();
}

absl::StatusOr<std::vector<float>> FoneCandidates(const std::vector<double>& period_bases) {
  RETURN_IF_ERROR(FonePeriods({1, 0, period_bases}).status());  // the bases' checks
  return FoneDigitMatrix(period_bases).m;
}

absl::Status FoneDecode(ConstMatrixView h, const FoneOptions& options, absl::Span<int8_t> digits,
                        absl::Span<double> values) {
  RETURN_IF_ERROR(FonePeriods(options).status());  // the same checks
  RETURN_IF_ERROR(ValidateView("h", h));
  const size_t slots = static_cast<size_t>(options.integer_digits + options.fraction_digits);
  const size_t width = 2 * options.period_bases.size();
  if (h.dtype != DType::kF32 || h.cols < slots * width) {
    return absl::InvalidArgumentError(
        absl::StrCat("h must be f32 with at least ", slots * width, " columns, not ", h.cols));
  }
  if (digits.size() != h.rows * slots || values.size() != h.rows) {
    return absl::InvalidArgumentError(absl::StrCat("digits must hold (", h.rows, ", ", slots,
                                                   ") and values ", h.rows, " entries"));
  }
  const FoneDigitMatrix candidates(options.period_bases);
  for (size_t t = 0; t < h.rows; ++t) {
    const float* row = static_cast<const float*>(h.data) + t * h.row_stride;
    values[t] = FoneDecodeRow(row, candidates, options.integer_digits, options.fraction_digits,
                              digits.data() + t * slots);
  }
  return absl::OkStatus();
}

}  // namespace xval::kernels
