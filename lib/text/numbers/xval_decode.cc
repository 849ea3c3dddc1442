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

std::string XvalTokenizer::FormatValue(float value, absl::string_view field,
                                      bool force_exponent) const {
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
  }, force_exponent);
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
  // Numbers are printed once the text after them is known (see FollowsAsPartOfNumber).
  struct Pending {
    size_t at = 0;  // where in `text` the number goes
    size_t token = 0;
    std::string field;
  };
  std::vector<Pending> pending;
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
    Pending p;
    p.at = text.size();
    p.token = i;
    if (fields) {
      tracker.Feed(absl::string_view(text).substr(fed));
      fed = text.size();
      p.field = std::string(tracker.field());
    }
    pending.push_back(std::move(p));
    after_number = true;
    previous_num = true;
  }
  RETURN_IF_ERROR(flush());
  // Render the numbers last first: whether a number needs the scientific form depends on the
  // text after it, which may begin with the next number ("8e0e-88888" is 8e0, "e-", 88888).
  std::vector<std::string> rendered(pending.size());
  for (size_t k = pending.size(); k-- > 0;) {
    const Pending& p = pending[k];
    const size_t i = p.token;
    if (source_enc != nullptr) {
      const Offset o = source_enc->offsets[i];
      if (o.begin < o.end && o.end <= source.size()) {
        const absl::string_view digits = source.substr(o.begin, o.end - o.begin);
        float v = 0;
        if (StoredValue(digits, p.field, &v) == ValueKind::kValue &&
            std::memcmp(&v, &values[i], sizeof(v)) == 0) {
          rendered[k] = std::string(digits);
          continue;
        }
      }
    }
    const size_t next_at = k + 1 < pending.size() ? pending[k + 1].at : text.size();
    std::string next = text.substr(p.at, next_at - p.at);
    if (next.size() < 3 && k + 1 < pending.size()) {
      next += rendered[k + 1];
      next += text.substr(next_at, 3);
    }
    rendered[k] = FormatValue(values[i], p.field, text::FollowsAsPartOfNumber(next));
  }
  // Put them in, in order (one pass, no quadratic inserts).
  std::string out;
  out.reserve(text.size() + pending.size() * 8);
  size_t copied = 0;
  for (size_t k = 0; k < pending.size(); ++k) {
    out.append(text, copied, pending[k].at - copied);
    copied = pending[k].at;
    out += rendered[k];
  }
  out.append(text, copied, std::string::npos);
  return out;
}

}  // namespace xval
