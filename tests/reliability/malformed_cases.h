// The malformed-input table (malformed_input_test.cc): what a case is, the helpers that mutate a
// real file's bytes, and the case lists of each format family.
#ifndef XVAL_TESTS_RELIABILITY_MALFORMED_CASES_H_
#define XVAL_TESTS_RELIABILITY_MALFORMED_CASES_H_

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "util/file.h"

namespace xval::malformed {

namespace fs = std::filesystem;

inline std::string Read(const std::string& path) {
  auto s = util::ReadFile(path);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::string();
}

inline void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

inline std::string Data(const std::string& rel) { return testing::DataDir() + "/" + rel; }
inline std::string Golden(const std::string& rel) {
  return testing::SourceDir() + "/tests/golden/" + rel;
}

// How a file is loaded: the path of the (mutated) file is given.
enum class Loader { kTokenizer, kBaseTokenizer, kModelFile, kModelDir };

struct Case {
  std::string format;  // for the count by format
  std::string name;
  Loader loader;
  std::string file_name;  // the mutated file's name (the loader may need it: .model, .tiktoken)
  std::string bytes;      // its content
  std::string expect;     // a substring of the error (the field), empty: any error naming the file
  // For checkpoint folders: the other files beside it (name -> content).
  std::map<std::string, std::string> beside;
};

// --- helpers that mutate bytes ---------------------------------------------------------------

inline std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

template <typename T>
std::string Put(std::string s, size_t at, T value) {
  if (at + sizeof(T) <= s.size()) std::memcpy(&s[at], &value, sizeof(T));
  return s;
}

// Tokenizer files: SentencePiece .model, tokenizer.json (Llama, byte-level, the general pipeline,
// the xVal paper's), .tiktoken (malformed_tokenizer_cases.cc).
std::vector<Case> SpmModelCases();
std::vector<Case> LlamaJsonCases();
std::vector<Case> ByteLevelJsonCases();
std::vector<Case> PipelineJsonCases();
std::vector<Case> PaperJsonCases();
std::vector<Case> TiktokenCases();
// Checkpoints: GGUF, safetensors, shard indexes, config.json (malformed_model_cases.cc).
std::vector<Case> GgufCases();
std::vector<Case> SafetensorsCases();
std::vector<Case> ShardIndexCases();
std::vector<Case> ConfigCases();

}  // namespace xval::malformed

#endif  // XVAL_TESTS_RELIABILITY_MALFORMED_CASES_H_
