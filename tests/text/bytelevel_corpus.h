// Test inputs shared by the byte-level BPE tests, defined exactly as
// tests/tools/bytelevel_common.py defines them for the golden files: the corpus strings, the
// seeded property-test strings and the id hash.
#ifndef XVAL_TESTS_TEXT_BYTELEVEL_CORPUS_H_
#define XVAL_TESTS_TEXT_BYTELEVEL_CORPUS_H_

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "simdjson.h"
#include "util/file.h"
#include "util/utf8.h"

namespace xval::testing {

inline std::string DataDir() {
  const char* env = std::getenv("XVAL_DATA_DIR");
  return env != nullptr ? env : "";
}

// tests/golden/bytelevel: $XVAL_SOURCE_DIR/tests/golden/bytelevel, else the folder CMake
// compiled in.
inline std::string GoldenDir() {
  if (const char* src = std::getenv("XVAL_SOURCE_DIR"); src != nullptr && *src != '\0') {
    return absl::StrCat(src, "/tests/golden/bytelevel");
  }
#ifdef XVAL_BYTELEVEL_GOLDEN_DIR
  return XVAL_BYTELEVEL_GOLDEN_DIR;
#else
  return "tests/golden/bytelevel";
#endif
}

inline const std::vector<std::string>& CorpusFiles() {
  static const std::vector<std::string> files = {
      "agieval_gaokao-mathqa.jsonl", "cmath_test.jsonl",     "gsm8k_test.jsonl",
      "gsm8k_train.jsonl",           "minif2f_test.jsonl",   "mmlu_stem_test.jsonl",
      "ocw_test.jsonl"};
  return files;
}

inline void WalkStrings(simdjson::dom::element e, std::vector<std::string>* out) {
  std::string_view s;
  simdjson::dom::array array;
  simdjson::dom::object object;
  if (!e.get_string().get(s)) {
    for (absl::string_view line : absl::StrSplit(absl::string_view(s.data(), s.size()), '\n')) {
      out->emplace_back(line);
    }
  } else if (!e.get_array().get(array)) {
    for (simdjson::dom::element v : array) WalkStrings(v, out);
  } else if (!e.get_object().get(object)) {
    for (auto field : object) WalkStrings(field.value, out);
  }
}

// Some records hold bare NaN (which Python's json reads, as a float): outside strings, NaN,
// Infinity and -Infinity become null, which WalkStrings skips just as Python skips floats.
inline std::string BareNonFiniteToNull(absl::string_view line) {
  std::string out;
  out.reserve(line.size());
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < line.size()) {
        out.push_back(line[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (absl::string_view word : {"-Infinity", "Infinity", "NaN"}) {
      if (!replaced && line.substr(i, word.size()) == word) {
        out += "null";
        i += word.size() - 1;
        replaced = true;
      }
    }
    if (!replaced) out.push_back(c);
  }
  return out;
}

// Every string of every record (nested too, in document order), each line of a multi-line
// string a separate input.
inline absl::StatusOr<std::vector<std::string>> CorpusStrings(const std::string& file) {
  const std::string path = absl::StrCat(DataDir(), "/corpus/", file);
  absl::StatusOr<std::string> data = util::ReadFile(path);
  if (!data.ok()) return data.status();
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  for (absl::string_view line : absl::StrSplit(*data, '\n')) {
    if (line.find_first_not_of(" \t\r") == absl::string_view::npos) continue;
    const std::string clean = BareNonFiniteToNull(line);
    simdjson::padded_string json(clean.data(), clean.size());
    simdjson::dom::element root;
    if (parser.parse(json).get(root)) return absl::InvalidArgumentError(path + ": bad JSON");
    WalkStrings(root, &out);
  }
  return out;
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Strings of 0..23 characters drawn from `pool` (code points).
inline std::vector<std::string> PropertyStrings(uint64_t seed, size_t count,
                                                const std::vector<char32_t>& pool) {
  SplitMix64 rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    const uint64_t n = rng.Next() % 24;
    std::string s;
    for (uint64_t k = 0; k < n; ++k) util::AppendUtf8(pool[rng.Next() % pool.size()], &s);
    out.push_back(std::move(s));
  }
  return out;
}

// FNV-1a 64 over each id as 4 little-endian bytes, then 0xFFFFFFFF after each string.
class IdHash {
 public:
  void Add(const std::vector<int32_t>& ids) {
    for (const int32_t id : ids) Mix(static_cast<uint32_t>(id));
    Mix(0xFFFFFFFFu);
  }
  std::string Hex() const {
    char buf[17];
    snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  void Mix(uint32_t x) {
    for (int i = 0; i < 4; ++i) {
      h_ = (h_ ^ ((x >> (8 * i)) & 0xFF)) * 0x100000001B3ull;
    }
  }
  uint64_t h_ = 0xCBF29CE484222325ull;
};

}  // namespace xval::testing

#endif  // XVAL_TESTS_TEXT_BYTELEVEL_CORPUS_H_
