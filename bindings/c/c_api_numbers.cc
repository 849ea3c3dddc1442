// The C ABI's numbers beyond xVal (xval/xval.h): number side data, reversible rewrites, FoNE,
// BitTokens and Abacus.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bindings/c/c_api_internal.h"
#include "xval/number_encodings.h"
#include "xval/number_info.h"
#include "xval/number_rewrites.h"

using xval::c_api::CheckCapacity;
using xval::c_api::CopyText;
using xval::c_api::DTypeOf;
using xval::c_api::Fail;
using xval::c_api::Guard;
using xval::c_api::NullArgument;
using xval::c_api::Return;

namespace {

// xval_rewrite_numbers and xval_restore_numbers: the rewritten (or restored) text copied out.
xval_status Rewrite(const char* function, bool undo, const char* rewrite, const char* text,
                    size_t length, char* out, size_t capacity, size_t* out_length) {
  return Guard(function, [&] {
    if (rewrite == nullptr) return NullArgument(function, "rewrite");
    if (text == nullptr && length != 0) return NullArgument(function, "text");
    absl::StatusOr<xval::NumberRewrite> kind = xval::ParseNumberRewrite(rewrite);
    if (!kind.ok()) return Fail(kind.status());
    const absl::string_view in(text, length);
    absl::StatusOr<std::string> result =
        undo ? xval::UndoNumberRewrite(*kind, in) : xval::ApplyNumberRewrite(*kind, in);
    if (!result.ok()) return Fail(result.status());
    return CopyText(function, *result, out, capacity, out_length);
  });
}

// FoNE's options from the C arguments (no bases: the reference script's base 10).
xval::kernels::FoneOptions FoneOf(int integer_digits, int fraction_digits, const double* bases,
                                  size_t n_bases) {
  xval::kernels::FoneOptions options{integer_digits, fraction_digits, {10.0}};
  if (bases != nullptr && n_bases != 0) options.period_bases.assign(bases, bases + n_bases);
  return options;
}

}  // namespace

extern "C" {

xval_status xval_describe_numbers(const xval_tokenizer* tokenizer, const char* text, size_t length,
                                  const uint32_t* offsets, size_t n_tokens, int32_t* number_index,
                                  int8_t* digit, int16_t* place, int16_t* place_from_top,
                                  xval_number* numbers, size_t number_capacity, size_t* n_numbers) {
  return Guard(__func__, [&] {
    if (tokenizer == nullptr) return NullArgument(__func__, "tokenizer");
    if (text == nullptr && length != 0) return NullArgument(__func__, "text");
    if (offsets == nullptr && n_tokens != 0) return NullArgument(__func__, "offsets");
    if (n_numbers == nullptr) return NullArgument(__func__, "n_numbers");
    xval::Encoding encoding;  // the offsets are all DescribeNumbers reads
    encoding.ids.assign(n_tokens, 0);
    encoding.offsets.resize(n_tokens);
    for (size_t t = 0; t < n_tokens; ++t) {
      encoding.offsets[t] = xval::Offset{offsets[2 * t], offsets[2 * t + 1]};
    }
    const xval::NumberScanOptions scan = tokenizer->numbers != nullptr
                                             ? tokenizer->numbers->options().numbers
                                             : xval::NumberScanOptions{};
    absl::StatusOr<xval::NumberInfo> info =
        xval::DescribeNumbers(absl::string_view(text, length), encoding, scan);
    if (!info.ok()) return Fail(info.status());
    *n_numbers = info->numbers.size();
    if (xval_status s = CheckCapacity(__func__, info->numbers.size(), number_capacity);
        s != XVAL_OK) {
      return s;
    }
    if (numbers == nullptr && !info->numbers.empty()) return NullArgument(__func__, "numbers");
    for (size_t n = 0; n < info->numbers.size(); ++n) {
      const xval::NumberRecord& r = info->numbers[n];
      numbers[n] = xval_number{r.span.begin,       r.span.end,       r.value,           r.value32,
                               r.negative ? 1 : 0, r.integer_digits, r.fraction_digits, r.exponent};
    }
    if (number_index != nullptr) std::copy_n(info->number_index.begin(), n_tokens, number_index);
    if (digit != nullptr) std::copy_n(info->digit.begin(), n_tokens, digit);
    if (place != nullptr) std::copy_n(info->place.begin(), n_tokens, place);
    if (place_from_top != nullptr) {
      std::copy_n(info->place_from_top.begin(), n_tokens, place_from_top);
    }
    return XVAL_OK;
  });
}

xval_status xval_rewrite_numbers(const char* rewrite, const char* text, size_t length, char* out,
                                 size_t capacity, size_t* out_length) {
  return Rewrite(__func__, false, rewrite, text, length, out, capacity, out_length);
}

xval_status xval_restore_numbers(const char* rewrite, const char* text, size_t length, char* out,
                                 size_t capacity, size_t* out_length) {
  return Rewrite(__func__, true, rewrite, text, length, out, capacity, out_length);
}

xval_status xval_fone_features(const double* values, size_t n, int integer_digits,
                               int fraction_digits, const double* bases, size_t n_bases, float* out,
                               size_t dim) {
  return Guard(__func__, [&] {
    if (values == nullptr && n != 0) return NullArgument(__func__, "values");
    absl::StatusOr<std::vector<double>> periods =
        xval::kernels::FonePeriods(FoneOf(integer_digits, fraction_digits, bases, n_bases));
    if (!periods.ok()) return Fail(periods.status());
    return Return(xval::kernels::FoneFeatures(absl::MakeConstSpan(values, n), *periods,
                                              xval::kernels::MatrixView::F32(out, n, dim)));
  });
}

xval_status xval_embed_fone(const void* table, xval_dtype table_dtype, size_t vocab, size_t hidden,
                            const int32_t* ids, const double* values, size_t n_ids, int32_t num_id,
                            int integer_digits, int fraction_digits, const double* bases,
                            size_t n_bases, void* out, xval_dtype out_dtype, size_t max_threads) {
  return Guard(__func__, [&] {
    auto in_type = DTypeOf(table_dtype, "xval_embed_fone: table_dtype");
    if (!in_type.ok()) return Fail(in_type.status());
    auto out_type = DTypeOf(out_dtype, "xval_embed_fone: out_dtype");
    if (!out_type.ok()) return Fail(out_type.status());
    if ((ids == nullptr || values == nullptr) && n_ids != 0) {
      return NullArgument(__func__, "ids or values");
    }
    absl::StatusOr<std::vector<double>> periods =
        xval::kernels::FonePeriods(FoneOf(integer_digits, fraction_digits, bases, n_bases));
    if (!periods.ok()) return Fail(periods.status());
    xval::kernels::EmbedOptions options;
    options.max_threads = max_threads;
    return Return(xval::kernels::EmbedFone({table, *in_type, vocab, hidden, hidden},
                                           absl::MakeConstSpan(ids, n_ids),
                                           absl::MakeConstSpan(values, n_ids), num_id, *periods,
                                           {out, *out_type, n_ids, hidden, hidden}, options));
  });
}

xval_status xval_bittoken_features(const double* values, size_t n, int reciprocal, float scale,
                                   float* out, size_t dim) {
  return Guard(__func__, [&] {
    if (values == nullptr && n != 0) return NullArgument(__func__, "values");
    return Return(xval::kernels::BitTokenFeatures(absl::MakeConstSpan(values, n), reciprocal != 0,
                                                  scale,
                                                  xval::kernels::MatrixView::F32(out, n, dim)));
  });
}

xval_status xval_embed_bittokens(const void* table, xval_dtype table_dtype, size_t vocab,
                                 size_t hidden, const int32_t* ids, const double* values,
                                 size_t n_ids, int32_t num_id, int reciprocal, float scale,
                                 void* out, xval_dtype out_dtype, size_t max_threads) {
  return Guard(__func__, [&] {
    auto in_type = DTypeOf(table_dtype, "xval_embed_bittokens: table_dtype");
    if (!in_type.ok()) return Fail(in_type.status());
    auto out_type = DTypeOf(out_dtype, "xval_embed_bittokens: out_dtype");
    if (!out_type.ok()) return Fail(out_type.status());
    if ((ids == nullptr || values == nullptr) && n_ids != 0) {
      return NullArgument(__func__, "ids or values");
    }
    xval::kernels::EmbedOptions options;
    options.max_threads = max_threads;
    return Return(xval::kernels::EmbedBitTokens(
        {table, *in_type, vocab, hidden, hidden}, absl::MakeConstSpan(ids, n_ids),
        absl::MakeConstSpan(values, n_ids), num_id, reciprocal != 0, scale,
        {out, *out_type, n_ids, hidden, hidden}, options));
  });
}

xval_status xval_bittoken_decode(const float* logits, size_t n, size_t cols, double* values) {
  return Guard(__func__, [&] {
    if (values == nullptr && n != 0) return NullArgument(__func__, "values");
    return Return(xval::kernels::BitTokenDecode(
        xval::kernels::ConstMatrixView::F32(logits, n, cols), absl::MakeSpan(values, n)));
  });
}

xval_status xval_abacus_positions(const int32_t* ids, size_t n, const int32_t* digit_ids,
                                  size_t n_digit_ids, int32_t offset, int32_t* positions) {
  return Guard(__func__, [&] {
    if ((ids == nullptr || positions == nullptr) && n != 0) {
      return NullArgument(__func__, "ids or positions");
    }
    if (digit_ids == nullptr && n_digit_ids != 0) return NullArgument(__func__, "digit_ids");
    return Return(xval::kernels::AbacusPositions(absl::MakeConstSpan(ids, n),
                                                 absl::MakeConstSpan(digit_ids, n_digit_ids),
                                                 offset, absl::MakeSpan(positions, n)));
  });
}

}  // extern "C"
