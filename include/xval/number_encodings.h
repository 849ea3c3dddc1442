// Number encodings beyond xVal, on the CPU: each number of the text is one [NUM] token (as
// XvalTokenizer gives it) whose float64 value is encoded into features, or its digits carry
// their place (Abacus). The value of a [NUM] token is NumberInfo::numbers[i].value
// (number_info.h) or the float64 a caller holds; the per-token `values` below are float64 so
// that nothing is lost before the encoding sees the number.
//
//  - FoNE (Zhou et al. 2025, arXiv 2502.09741; the reference code KevinZhoutianyi/FoNE,
//    number_encoders/FNE.py): for periods T_j, features [cos(2 pi x / T_j), sin(2 pi x / T_j)]
//    interleaved per period, periods ascending (the least significant digit first), padded with
//    zeros to the hidden size and ADDED to the [NUM] token's embedding; x = 0 gives zeros. Its
//    decoder reads digit k from the pair of slot k: argmax over d = 0..9 of the dot product with
//    (cos(2 pi d / B), sin(2 pi d / B)) for each period base B.
//  - BitTokens (Kreitner et al. 2025, arXiv 2510.06824; KreitnerL/BitTokens,
//    bittoken_embedding.py): the 64 bits of the IEEE-754 float64, sign bit first, as -1 / +1
//    (optionally followed by the 64 bits of 1/x); the "zero_pad" combination every published
//    configuration uses REPLACES the [NUM] token's embedding by the features times a scale
//    (sqrt(hidden / features) there), zero-padded. Its head predicts the 64 bits; a bit is set
//    where its logit is > 0.
//  - Abacus (McLeish et al. 2024, mcleish7/arithmetic, abacus.py): each digit token's position
//    within its run of digit tokens, from 1, plus a training offset k; 0 for other tokens.
//
// Errors as in embed.h: InvalidArgument for a mismatched shape, an unsupported type or a num_id
// outside the table, OutOfRange for an id outside the table; outputs untouched on error.
// Thread safety: reentrant.
#ifndef XVAL_NUMBER_ENCODINGS_H_
#define XVAL_NUMBER_ENCODINGS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "xval/embed.h"

namespace xval::kernels {

// ------------------------------------------------------------------------------------------
// FoNE.

struct FoneOptions {
  int integer_digits = 5;   // the reference's int_digit_len (main.py's default)
  int fraction_digits = 5;  // frac_digit_len
  // period_base_list: main.py's default [10] (one period per digit place); the class default
  // [2, 5] gives two periods per place.
  std::vector<double> period_bases = {10.0};
};

// The periods, ascending, computed as the reference does (in float64, by repeated division and
// multiplication by 10 from 1, duplicates removed), so that they are bit-equal to its list.
// InvalidArgument for integer digits outside 0..17, fraction digits outside 0..30, both 0, or a
// base that is not finite and positive.
absl::StatusOr<std::vector<double>> FonePeriods(const FoneOptions& options);

// out (n, cols >= 2 * periods) f32: out[t, 2j] = cos(w_j * values[t]),
// out[t, 2j + 1] = sin(w_j * values[t]) with w_j = 2 pi / periods[j] in float64, rounded to f32;
// the other columns 0, and the whole row 0 where values[t] is 0 (the reference's mask).
absl::Status FoneFeatures(absl::Span<const double> values, absl::Span<const double> periods,
                          MatrixView out);

// The fused input embedding: out[t] = table[ids[t]], plus FoneFeatures(values[t]) in the first
// 2 * periods columns where ids[t] == num_id, in f32 and rounded once to out's dtype (the
// columns past the features are the lookup's: a -0.0 there stays -0.0, where the reference's
// addition of a zero-padded vector would make it +0.0). table (vocab, hidden) f32, bf16 or
// f16; ids and values (tokens); out (tokens, hidden) f32 or bf16, hidden >= 2 * periods.
absl::Status EmbedFone(ConstMatrixView table, absl::Span<const int32_t> ids,
                       absl::Span<const double> values, int32_t num_id,
                       absl::Span<const double> periods, MatrixView out,
                       const EmbedOptions& options = {});

// FoNE's decoder candidates: (2 * bases, 10) f32, row 2b cos(2 pi d / B_b) and row 2b + 1
// sin(2 pi d / B_b) for the digits d, computed as the reference builds them (float32). A slot's
// logits are its 2 * bases features times this matrix. InvalidArgument for a bad base.
absl::StatusOr<std::vector<float>> FoneCandidates(const std::vector<double>& period_bases);

// FoNE's decoder on (already normalized) hidden states: h (n, cols) f32 whose first
// 2 * bases * (integer_digits + fraction_digits) columns are the digit slots, least significant
// first; digits (n, integer_digits + fraction_digits) as the argmax of each slot (the first
// of equal logits); values[t] = sum_k digit_k * 10^(k - fraction_digits).
absl::Status FoneDecode(ConstMatrixView h, const FoneOptions& options, absl::Span<int8_t> digits,
                        absl::Span<double> values);

// ------------------------------------------------------------------------------------------
// BitTokens.

// 64 features per value (128 with the reciprocal's bits after them).
inline size_t BitTokenWidth(bool reciprocal) { return reciprocal ? 128 : 64; }

// out (n, cols >= BitTokenWidth) f32: feature i of values[t] is +scale where bit 63 - i of its
// float64 pattern is set, -scale where it is clear; then, with `reciprocal`, the same for
// 1.0 / values[t] (IEEE: 1/0 is inf). Columns past the features are 0.
absl::Status BitTokenFeatures(absl::Span<const double> values, bool reciprocal, float scale,
                              MatrixView out);

// The fused input embedding ("zero_pad"): out[t] = table[ids[t]] where ids[t] != num_id, and
// BitTokenFeatures(values[t], reciprocal, scale) zero-padded where it is. Shapes as EmbedFone.
absl::Status EmbedBitTokens(ConstMatrixView table, absl::Span<const int32_t> ids,
                            absl::Span<const double> values, int32_t num_id, bool reciprocal,
                            float scale, MatrixView out, const EmbedOptions& options = {});

// The head's decoding: logits (n, cols >= 64) f32, bit 63 - i set where logits[t, i] > 0;
// values[t] is the float64 with those bits (any pattern, NaN and infinities included).
absl::Status BitTokenDecode(ConstMatrixView logits, absl::Span<double> values);

// ------------------------------------------------------------------------------------------
// CUDA: the fused embeddings with table, ids, values and out in device memory (periods on the
// host), queued on options.stream; ids are checked as EmbedCuda checks them. The features are
// those of the CPU functions, computed with the device's float64 cos/sin (within an f32 rounding
// of the CPU's). FailedPrecondition when the build has no CUDA kernels; InvalidArgument beyond
// 128 FoNE periods.
absl::Status EmbedFoneCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                           absl::Span<const double> values, int32_t num_id,
                           absl::Span<const double> periods, MatrixView out,
                           const CudaEmbedOptions& options = {});
absl::Status EmbedBitTokensCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                                absl::Span<const double> values, int32_t num_id, bool reciprocal,
                                float scale, MatrixView out, const CudaEmbedOptions& options = {});

// ------------------------------------------------------------------------------------------
// Abacus.

// positions[t] = 0 where ids[t] is not one of `digit_ids`; for a run of consecutive digit
// tokens, 1 + offset, 2 + offset, ... from its first token. With digits reversed (least
// significant first) position 1 is the units; NumberInfo::place gives the same ids from the
// units without reversing the text.
absl::Status AbacusPositions(absl::Span<const int32_t> ids, absl::Span<const int32_t> digit_ids,
                             int32_t offset, absl::Span<int32_t> positions);

}  // namespace xval::kernels

#endif  // XVAL_NUMBER_ENCODINGS_H_
