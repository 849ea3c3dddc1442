// Normalizers Replace (every match of a string or an Oniguruma pattern becomes the content) and
// Prepend (a string before any non-empty text).
#include "text/hf/regex.h"
#include "text/hf/stages.h"
#include "util/status_macros.h"

namespace xval::text::hf {
namespace {

class Replace : public Normalizer {
 public:
  Replace(Regex pattern, std::string content)
      : pattern_(std::move(pattern)), content_(std::move(content)) {}

  void Normalize(AlignedText* t) const override {
    std::vector<std::pair<size_t, size_t>> matches;
    pattern_.FindAll(t->text, &matches);
    bool any = false;
    for (const auto& [b, e] : matches) any |= e > b;
    if (!any) return;
    AlignedText out;
    size_t done = 0;
    for (const auto& [b, e] : matches) {
      if (e == b) continue;
      out.AppendSlice(*t, done, b);
      out.Append(content_, t->Span(b, e));
      done = e;
    }
    out.AppendSlice(*t, done, t->text.size());
    *t = std::move(out);
  }

 private:
  Regex pattern_;
  std::string content_;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}

  void Normalize(AlignedText* t) const override {
    if (t->text.empty()) return;
    AlignedText out;
    out.Append(prefix_, t->Span(0, 1));
    out.AppendSlice(*t, 0, t->text.size());
    *t = std::move(out);
  }

 private:
  std::string prefix_;
};

}  // namespace

// {"String": "x"} or {"Regex": "x"}, as Split and Replace write their patterns.
absl::StatusOr<Regex> ReadPattern(const StageJson& json) {
  simdjson::dom::element pattern;
  const std::string field = json.Field("pattern");
  if (json.json["pattern"].get(pattern)) return json.file.Error(field, "missing");
  std::string_view s;
  const std::string where = absl::StrCat(json.file.source(), ": ", field);
  if (!pattern["String"].get_string().get(s)) return Regex::Literal(A(s), where);
  if (!pattern["Regex"].get_string().get(s)) return Regex::FromOniguruma(A(s), where);
  return json.file.Error(field, "expected {\"String\": ...} or {\"Regex\": ...}");
}

NormalizerPtr MakeReplaceNormalizer(const StageJson& json) {
  if (OptString(json.json, "type") == "Prepend") {
    std::string_view prefix;
    if (json.json["prepend"].get_string().get(prefix)) {
      return json.file.Error(json.Field("prepend"), "expected a string");
    }
    return std::unique_ptr<Normalizer>(new Prepend(std::string(prefix)));
  }
  ASSIGN_OR_RETURN(Regex pattern, ReadPattern(json));
  std::string_view content;
  if (json.json["content"].get_string().get(content)) {
    return json.file.Error(json.Field("content"), "expected a string");
  }
  return std::unique_ptr<Normalizer>(new Replace(std::move(pattern), std::string(content)));
}

}  // namespace xval::text::hf
