#include "support/corpus.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "simdjson.h"

namespace xval::testing {
namespace {

void CollectStrings(simdjson::dom::element e, std::vector<std::string>* out) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      for (absl::string_view line : absl::StrSplit(absl::string_view(s.data(), s.size()), '\n')) {
        out->emplace_back(line);
      }
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      // Bound to a variable first: iterating value_unsafe() of a temporary result dangles.
      simdjson::dom::array array = e.get_array().value_unsafe();
      for (simdjson::dom::element child : array) CollectStrings(child, out);
      break;
    }
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto field : object) CollectStrings(field.value, out);
      break;
    }
    default:
      break;
  }
}

// Python's json module writes float('nan') as a bare NaN, which is not JSON; one record of
// mmlu_stem_test.jsonl has it. It is no string, so it becomes null here.
std::string ReplaceBareNaN(const std::string& record) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < record.size(); ++i) {
    const char c = record[i];
    if (in_string) {
      if (c == '\\') {
        out.push_back(c);
        if (++i < record.size()) out.push_back(record[i]);
        continue;
      }
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (record.compare(i, 3, "NaN") == 0) {
      out += "null";
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& CorpusFiles() {
  static const std::vector<std::string> files = {"agieval_gaokao-mathqa.jsonl",
                                                 "cmath_test.jsonl",
                                                 "gsm8k_test.jsonl",
                                                 "gsm8k_train.jsonl",
                                                 "minif2f_test.jsonl",
                                                 "mmlu_stem_test.jsonl",
                                                 "ocw_test.jsonl"};
  return files;
}

absl::StatusOr<std::vector<std::string>> LoadCorpusLines(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(file, ": cannot be read"));
  simdjson::dom::parser parser;
  std::vector<std::string> lines;
  std::string record;
  for (size_t line_number = 1; std::getline(in, record); ++line_number) {
    if (record.empty()) continue;
    simdjson::dom::element e;
    if (parser.parse(record).get(e) && parser.parse(ReplaceBareNaN(record)).get(e)) {
      return absl::InvalidArgumentError(absl::StrCat(file, ":", line_number, ": bad record"));
    }
    CollectStrings(e, &lines);
  }
  return lines;
}

absl::StatusOr<std::vector<std::string>> LoadCorpus(const std::string& data_dir) {
  std::vector<std::string> all;
  for (const std::string& name : CorpusFiles()) {
    auto lines = LoadCorpusLines(absl::StrCat(data_dir, "/corpus/", name));
    if (!lines.ok()) return lines.status();
    all.insert(all.end(), std::make_move_iterator(lines->begin()),
               std::make_move_iterator(lines->end()));
  }
  return all;
}

std::string DataDir() {
  if (const char* env = std::getenv("XVAL_DATA_DIR")) return env;
  return XVAL_DEFAULT_DATA_DIR;
}

std::string SourceDir() { return XVAL_SOURCE_DIR; }

}  // namespace xval::testing
