// FoNE, BitTokens and Abacus (number_encodings.h). The fused embeddings are the Highway lookup
// (Embed) followed by a pass over the [NUM] tokens alone, which rewrites their rows: a number's
// features cost a few dozen scalar operations (FoNE's cosines in float64, exactly the reference's),
// and [NUM] tokens are a small share of any text's tokens, so the lookup sets the speed
// (docs/benchmarks-embed.md).
#include "xval/number_encodings.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kernels/convert.h"
#include "kernels/embed_validate.h"
#include "kernels/number_features.h"
#include "kernels/reference.h"
#include "util/status_macros.h"
#include "util/thread_pool.h"

namespace xval::kernels {
namespace {

absl::Status CheckF32Output(const char* name, const MatrixView& out, size_t rows, size_t min_cols) {
  RETURN_IF_ERROR(ValidateView(name, out));
  if (out.dtype != DType::kF32) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must be f32"));
  }
  if (out.rows != rows || out.cols < min_cols) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is (", out.rows, ", ", out.cols,
                                                   "); expected (", rows, ", >= ", min_cols, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckPeriods(absl::Span<const double> periods) {
  for (double p : periods) {
    if (!(p > 0) || !std::isfinite(p)) {
      return absl::InvalidArgumentError(absl::StrCat("FoNE period ", p, " is not positive"));
    }
  }
  return absl::OkStatus();
}

// Checks a fused embedding's arguments, the ids' values included.
absl::Status CheckFused(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                        absl::Span<const double> values, const MatrixView& out, size_t features) {
  RETURN_IF_ERROR(ValidateNumberEmbedArgs(table, ids, values, out, features));
  return CheckIds(ids, table.rows);
}

// Stores x (f32) as out's element (t, c), rounded once to out's dtype.
void StoreElement(float x, size_t t, size_t c, const MatrixView& out) {
  const size_t index = t * out.row_stride + c;
  if (out.dtype == DType::kF32) {
    static_cast<float*>(out.data)[index] = x;
  } else {
    static_cast<uint16_t*>(out.data)[index] = F32ToBf16(x);
  }
}

// Calls rewrite(t, features) for every token t whose id is num_id, on the pool: the pass
// over the [NUM] rows after the lookup. `features` is per-chunk scratch of `width` floats.
template <typename Rewrite>
void ForEachNumberToken(absl::Span<const int32_t> ids, int32_t num_id, size_t width,
                        size_t max_threads, Rewrite rewrite) {
  util::ParallelFor(
      ids.size(), 1024,
      [&](size_t begin, size_t end) {
        std::vector<float> features(width);  // (width) f32
        for (size_t t = begin; t < end; ++t) {
          if (ids[t] == num_id) rewrite(t, features.data());
        }
      },
      max_threads);
}

}  // namespace

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
  // Python compares a float with an int exactly; long double holds both exactly here.
  const auto within = [&](double period) {
    return static_cast<long double>(period) <= static_cast<long double>(max_value);
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
  RETURN_IF_ERROR(CheckPeriods(periods));
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
  RETURN_IF_ERROR(CheckPeriods(periods));
  RETURN_IF_ERROR(CheckFused(table, ids, values, out, 2 * periods.size()));
  RETURN_IF_ERROR(Embed(table, ids, {}, out, options));
  // Only the feature columns differ from the lookup.
  const size_t width = 2 * periods.size();
  ForEachNumberToken(ids, num_id, width, options.max_threads, [&](size_t t, float* features) {
    std::fill(features, features + width, 0.0f);
    FoneRow(values[t], periods, features);
    const size_t id = static_cast<size_t>(ids[t]);
    for (size_t c = 0; c < width; ++c) {
      StoreElement(LoadAsF32(table, id, c) + features[c], t, c, out);
    }
  });
  return absl::OkStatus();
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

absl::Status BitTokenFeatures(absl::Span<const double> values, bool reciprocal, float scale,
                              MatrixView out) {
  RETURN_IF_ERROR(CheckF32Output("out", out, values.size(), BitTokenWidth(reciprocal)));
  for (size_t t = 0; t < values.size(); ++t) {
    float* row = static_cast<float*>(out.data) + t * out.row_stride;
    std::fill(row, row + out.cols, 0.0f);
    BitTokenRow(values[t], reciprocal, scale, row);
  }
  return absl::OkStatus();
}

absl::Status EmbedBitTokens(ConstMatrixView table, absl::Span<const int32_t> ids,
                            absl::Span<const double> values, int32_t num_id, bool reciprocal,
                            float scale, MatrixView out, const EmbedOptions& options) {
  RETURN_IF_ERROR(CheckFused(table, ids, values, out, BitTokenWidth(reciprocal)));
  RETURN_IF_ERROR(Embed(table, ids, {}, out, options));
  const size_t width = BitTokenWidth(reciprocal);
  ForEachNumberToken(ids, num_id, width, options.max_threads, [&](size_t t, float* features) {
    BitTokenRow(values[t], reciprocal, scale, features);
    for (size_t c = 0; c < out.cols; ++c) StoreElement(c < width ? features[c] : 0.0f, t, c, out);
  });
  return absl::OkStatus();
}

absl::Status BitTokenDecode(ConstMatrixView logits, absl::Span<double> values) {
  RETURN_IF_ERROR(ValidateView("logits", logits));
  if (logits.dtype != DType::kF32 || logits.cols < 64 || values.size() != logits.rows) {
    return absl::InvalidArgumentError(
        absl::StrCat("logits must be f32 (n, >= 64) and values hold n entries; got (", logits.rows,
                     ", ", logits.cols, ") and ", values.size()));
  }
  for (size_t t = 0; t < logits.rows; ++t) {
    values[t] = BitTokenDecodeRow(static_cast<const float*>(logits.data) + t * logits.row_stride);
  }
  return absl::OkStatus();
}

absl::Status AbacusPositions(absl::Span<const int32_t> ids, absl::Span<const int32_t> digit_ids,
                             int32_t offset, absl::Span<int32_t> positions) {
  if (positions.size() != ids.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("positions has ", positions.size(), " entries for ", ids.size(), " tokens"));
  }
  if (offset < 0) return absl::InvalidArgumentError("the Abacus offset must be >= 0");
  std::vector<int32_t> digits(digit_ids.begin(), digit_ids.end());
  std::sort(digits.begin(), digits.end());
  int32_t run = 0;
  for (size_t t = 0; t < ids.size(); ++t) {
    const bool digit = std::binary_search(digits.begin(), digits.end(), ids[t]);
    run = digit ? run + 1 : 0;
    positions[t] = digit ? run + offset : 0;
  }
  return absl::OkStatus();
}

}  // namespace xval::kernels
