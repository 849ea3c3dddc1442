// Value transforms (include/xval/numbers.h): apply, invert, and parse from a spec string.
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "xval/numbers.h"

namespace xval {
namespace {

absl::StatusOr<double> ParseReal(absl::string_view s, absl::string_view what) {
  double v = 0;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("transform: ", what, " \"", s, "\" is not a finite number"));
  }
  return v;
}

absl::StatusOr<double> ParseScale(absl::string_view s, absl::string_view what) {
  absl::StatusOr<double> v = ParseReal(s, what);
  if (v.ok() && *v == 0) {
    return absl::InvalidArgumentError(absl::StrCat("transform: ", what, " must not be 0"));
  }
  return v;
}

}  // namespace

double ValueStep::Apply(double x) const {
  switch (kind) {
    case Kind::kAffine:
      return x * a + b;
    case Kind::kClip:
      return x < a ? a : (x > b ? b : x);
    case Kind::kSignedLog:
      return std::copysign(std::log1p(std::fabs(x)), x);
    case Kind::kLog10Band: {
      // BitTokens' xValEmbedding (scaling="log"): a = max_num, b = min_num.
      const double factor = 2.5 / std::log10(a);
      x = x < -a ? -a : (x > a ? a : x);
      if (!(std::fabs(x) >= b)) return 0.0;
      return (factor * std::log10(std::fabs(x) + b) + 2.5) * (x < 0 ? -1.0 : 1.0);
    }
  }
  return x;
}

double ValueStep::Inverse(double y) const {
  switch (kind) {
    case Kind::kAffine:
      return (y - b) / a;
    case Kind::kClip:
      return y;
    case Kind::kSignedLog:
      return std::copysign(std::expm1(std::fabs(y)), y);
    case Kind::kLog10Band: {
      const double factor = 2.5 / std::log10(a);
      const double min_encoding = factor * std::log10(2 * b) + 2.5;
      if (!(std::fabs(y) >= min_encoding)) return 0.0;
      return (y < 0 ? -1.0 : 1.0) * (std::pow(10.0, (std::fabs(y) - 2.5) / factor) - b);
    }
  }
  return y;
}

double ValueTransform::FieldScale(absl::string_view field) const {
  for (const auto& [key, scale] : field_scales) {
    if (key == field) return scale;
  }
  return 1.0;
}

double ValueTransform::Apply(double x, absl::string_view field) const {
  if (!field_scales.empty()) x *= FieldScale(field);
  for (const ValueStep& step : steps) x = step.Apply(x);
  return x;
}

double ValueTransform::Inverse(double y, absl::string_view field) const {
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) y = it->Inverse(y);
  if (!field_scales.empty()) y /= FieldScale(field);
  return y;
}

absl::StatusOr<ValueTransform> ValueTransform::Parse(absl::string_view spec) {
  ValueTransform t;
  if (spec.empty() || spec == "identity" || spec == "none") return t;
  for (absl::string_view part : absl::StrSplit(spec, '+')) {
    std::vector<absl::string_view> args = absl::StrSplit(part, ':');
    const absl::string_view name = args[0];
    auto want = [&](size_t count) -> absl::Status {
      if (args.size() == count + 1) return absl::OkStatus();
      return absl::InvalidArgumentError(absl::StrCat("transform: \"", part, "\" takes ", count,
                                                     " argument(s) after ':'"));
    };
    ValueStep step;
    if (name == "scale" || name == "shift") {
      if (absl::Status s = want(1); !s.ok()) return s;
      absl::StatusOr<double> v = name == "scale" ? ParseScale(args[1], "scale")
                                                 : ParseReal(args[1], "shift");
      if (!v.ok()) return v.status();
      if (name == "scale") step.a = *v; else step.b = *v;
    } else if (name == "affine") {
      if (absl::Status s = want(2); !s.ok()) return s;
      absl::StatusOr<double> scale = ParseScale(args[1], "scale");
      absl::StatusOr<double> shift = ParseReal(args[2], "shift");
      if (!scale.ok()) return scale.status();
      if (!shift.ok()) return shift.status();
      step.a = *scale;
      step.b = *shift;
    } else if (name == "clip") {
      if (absl::Status s = want(2); !s.ok()) return s;
      absl::StatusOr<double> lo = ParseReal(args[1], "clip low");
      absl::StatusOr<double> hi = ParseReal(args[2], "clip high");
      if (!lo.ok()) return lo.status();
      if (!hi.ok()) return hi.status();
      if (!(*lo < *hi)) return absl::InvalidArgumentError("transform: clip needs low < high");
      step = ValueStep{ValueStep::Kind::kClip, *lo, *hi};
    } else if (name == "slog") {
      if (absl::Status s = want(0); !s.ok()) return s;
      step.kind = ValueStep::Kind::kSignedLog;
    } else if (name == "log10") {
      // BitTokens' defaults: max_num 1e15, min_num 1e-14.
      step = ValueStep{ValueStep::Kind::kLog10Band, 1e15, 1e-14};
      if (args.size() != 1) {
        if (absl::Status s = want(2); !s.ok()) return s;
        absl::StatusOr<double> max = ParseReal(args[1], "log10 max");
        absl::StatusOr<double> min = ParseReal(args[2], "log10 min");
        if (!max.ok()) return max.status();
        if (!min.ok()) return min.status();
        // Below 2 * max * min = 1 the encoding of small positive numbers turns negative.
        if (!(*max > 1) || !(*min > 0) || !(2 * *max * *min >= 1)) {
          return absl::InvalidArgumentError(
              "transform: log10 needs max > 1, min > 0 and 2 * max * min >= 1");
        }
        step.a = *max;
        step.b = *min;
      }
    } else if (name == "fields") {
      if (absl::Status s = want(1); !s.ok()) return s;
      for (absl::string_view item : absl::StrSplit(args[1], ',')) {
        const size_t eq = item.rfind('=');
        if (eq == absl::string_view::npos || eq == 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("transform: fields: \"", item, "\" is not KEY=SCALE"));
        }
        absl::StatusOr<double> scale = ParseScale(item.substr(eq + 1), "field scale");
        if (!scale.ok()) return scale.status();
        t.field_scales.emplace_back(std::string(item.substr(0, eq)), *scale);
      }
      continue;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "transform: unknown step \"", name,
          "\" (identity, scale:S, shift:B, affine:S:B, clip:LO:HI, slog, log10[:MAX:MIN], "
          "fields:KEY=S,...)"));
    }
    t.steps.push_back(step);
  }
  return t;
}

}  // namespace xval
