#include "text/hf_json.h"

namespace xval::text {

absl::StatusOr<std::vector<std::pair<std::string_view, std::string_view>>> ReadMerges(
    const JsonFile& f, simdjson::dom::element model) {
  simdjson::dom::array merges_array;
  if (model["merges"].get_array().get(merges_array)) {
    return f.Error("model.merges", "expected an array");
  }
  std::vector<std::pair<std::string_view, std::string_view>> merges;
  merges.reserve(merges_array.size());
  size_t i = 0;
  for (simdjson::dom::element m : merges_array) {
    const std::string field = absl::StrCat("model.merges[", i++, "]");
    std::string_view s, a, b;
    if (!m.get_string().get(s)) {
      const size_t space = s.find(' ');
      if (space == std::string_view::npos) return f.Error(field, "expected \"left right\"");
      a = s.substr(0, space);
      b = s.substr(space + 1);
    } else {
      simdjson::dom::array pair;
      if (m.get_array().get(pair) || pair.size() != 2 || pair.at(0).get_string().get(a) ||
          pair.at(1).get_string().get(b)) {
        return f.Error(field, "expected \"left right\" or [left, right]");
      }
    }
    merges.emplace_back(a, b);
  }
  return merges;
}

}  // namespace xval::text
