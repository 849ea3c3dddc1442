#include "text/hf_json.h"

namespace xval::text {

absl::StatusOr<std::vector<std::string_view>> ReadVocab(const JsonFile& f,
                                                        simdjson::dom::element model) {
  simdjson::dom::object vocab;
  if (model["vocab"].get_object().get(vocab)) return f.Error("model.vocab", "expected an object");
  std::vector<std::string_view> pieces(vocab.size());
  std::vector<bool> seen(pieces.size());
  for (auto [key, value] : vocab) {
    int64_t id;
    if (value.get_int64().get(id) || id < 0 || id >= static_cast<int64_t>(pieces.size()) ||
        seen[id]) {
      return f.Error(absl::StrCat("model.vocab[\"", A(key), "\"]"),
                     "ids must be 0..n-1, each used once");
    }
    seen[id] = true;
    pieces[id] = key;
  }
  return pieces;
}

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
