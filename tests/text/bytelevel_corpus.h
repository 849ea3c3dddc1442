// Test inputs shared by the byte-level BPE tests, defined exactly as
// tests/tools/bytelevel_common.py defines them for the golden files: the corpus strings (read by
// support/corpus.h), the seeded property-test strings and the id hash.
#ifndef XVAL_TESTS_TEXT_BYTELEVEL_CORPUS_H_
#define XVAL_TESTS_TEXT_BYTELEVEL_CORPUS_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "support/corpus.h"
#include "xval/tokenizer.h"
#include "util/utf8.h"

namespace xval::testing {

// tests/golden/bytelevel in the source tree.
inline std::string GoldenDir() { return SourceDir() + "/tests/golden/bytelevel"; }

// Options that find the .tiktoken files in ../shared/data.
inline TokenizerOptions TiktokenOptions() {
  TokenizerOptions options;
  options.data_dir = DataDir();
  return options;
}

// Every string of every record of one corpus file (see support/corpus.h).
inline absl::StatusOr<std::vector<std::string>> CorpusStrings(const std::string& file) {
  return LoadCorpusLines(absl::StrCat(DataDir(), "/corpus/", file));
}

// Runs `same` (string -> bool) on every string of every corpus file: how many strings it
// returned false for, of how many.
struct CorpusCount {
  size_t differ = 0, strings = 0;
};
template <typename Same>
absl::StatusOr<CorpusCount> CountCorpusDifferences(Same same) {
  CorpusCount count;
  for (const std::string& file : CorpusFiles()) {
    absl::StatusOr<std::vector<std::string>> strings = CorpusStrings(file);
    if (!strings.ok()) return strings.status();
    for (const std::string& s : *strings) {
      count.differ += !same(s);
      ++count.strings;
    }
  }
  return count;
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
