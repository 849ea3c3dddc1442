// XvalTokenizer's decoders: the text between numbers through the base tokenizer's Decode, and
// each [NUM] as its value's shortest decimal (or the source's own digits in DecodeExact).
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "text/numbers/json_fields.h"
#include "text/numbers/xval_number.h"
#include "util/status_macros.h"

namespace xval {

std::string XvalTokenizer::FormatValue(float value, absl::string_view field) const {
  double x = options_.transform.identity() ? value : options_.transform.Inverse(value, field);
  // A value from a model may lie beyond what the inverse can reach (expm1 of a large slog
  // value): print the nearest finite double rather than "inf".
  if (std::isnan(x)) x = 0;
  if (std::isinf(x)) x = std::copysign(std::numeric_limits<double>::max(), x);
  const std::string field_copy(field);
  return FormatShortestDecimal(x, [&](absl::string_view candidate) {
    float v = 0;
    return StoredValue(candidate, field_copy, &v, /*exact_range=*/true) == ValueKind::kValue &&
           std::memcmp(&v, &value, sizeof(v)) == 0;
  });
}

absl::StatusOr<std::string> XvalTokenizer::Decode(absl::Span<const int32_t> ids) const {
  return base_->Decode(ids);
}

absl::StatusOr<std::string> XvalTokenizer::DecodeWithValues(absl::Span<const int32_t> ids,
                                                            absl::Span<const float> values) const {
  return DecodeImpl(ids, values, nullptr, {});
}

absl::StatusOr<std::string> XvalTokenizer::DecodeExact(const Encoding& encoding,
                                                       absl::string_view source) const {
  if (encoding.offsets.size() != encoding.ids.size()) {
    return absl::InvalidArgumentError("DecodeExact: offsets and ids differ in length");
  }
  return DecodeImpl(encoding.ids, encoding.values, &encoding, source);
}

absl::StatusOr<std::string> XvalTokenizer::DecodeImpl(absl::Span<const int32_t> ids,
                                                      absl::Span<const float> values,
                                                      const Encoding* source_enc,
                                                      absl::string_view source) const {
  if (ids.size() != values.size()) {
    return absl::InvalidArgumentError(absl::StrCat("decode: ", ids.size(), " ids but ",
                                                   values.size(), " values"));
  }
  const bool paper = options_.numbers.mode == NumberMode::kPaper;
  const bool fields = !options_.transform.field_scales.empty();
  // What the base prints for [NUM]: decoding "[NUM] + text" and dropping it gives the text as
  // a continuation (a leading space kept, which a decode from the start would drop).
  ASSIGN_OR_RETURN(const std::string num_text, base_->Decode({num_id_}));
  std::string text;
  std::vector<int32_t> run;
  text::JsonFieldTracker tracker;
  size_t fed = 0;
  bool after_number = false;
  auto flush = [&]() -> absl::Status {
    if (run.empty()) return absl::OkStatus();
    if (after_number) run.insert(run.begin(), num_id_);
    ASSIGN_OR_RETURN(std::string piece, base_->Decode(run));
    if (after_number && absl::StartsWith(piece, num_text)) piece.erase(0, num_text.size());
    text += piece;
    run.clear();
    return absl::OkStatus();
  };
  bool previous_num = false;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] != num_id_) {
      run.push_back(ids[i]);
      previous_num = false;
      continue;
    }
    RETURN_IF_ERROR(flush());
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("decode: the value of token ", i, " is not finite"));
    }
    // The reference's decode: text.replace("¬¬", "¬, ¬") between adjacent numbers.
    if (paper && previous_num) text += ", ";
    if (fields) {
      tracker.Feed(absl::string_view(text).substr(fed));
      fed = text.size();
    }
    bool done = false;
    if (source_enc != nullptr) {
      const Offset o = source_enc->offsets[i];
      if (o.begin < o.end && o.end <= source.size()) {
        const absl::string_view digits = source.substr(o.begin, o.end - o.begin);
        float v = 0;
        if (StoredValue(digits, tracker.field(), &v) == ValueKind::kValue &&
            std::memcmp(&v, &values[i], sizeof(v)) == 0) {
          text.append(digits.data(), digits.size());
          done = true;
        }
      }
    }
    if (!done) text += FormatValue(values[i], tracker.field());
    after_number = true;
    previous_num = true;
  }
  RETURN_IF_ERROR(flush());
  return text;
}

}  // namespace xval
