// The math corpus in ../shared/data/corpus as test and benchmark inputs.
#ifndef XVAL_TESTS_SUPPORT_CORPUS_H_
#define XVAL_TESTS_SUPPORT_CORPUS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace xval::testing {

// The seven corpus files, in a fixed order.
const std::vector<std::string>& CorpusFiles();

// Every string of every record of `file` (a .jsonl path), nested strings in lists and objects
// included, in document order, each line of a multi-line string a separate input (without its
// newline), as `xval tokenize` reads lines.
absl::StatusOr<std::vector<std::string>> LoadCorpusLines(const std::string& file);

// All seven files' lines; `data_dir` is ../shared/data.
absl::StatusOr<std::vector<std::string>> LoadCorpus(const std::string& data_dir);

// XVAL_DATA_DIR from the environment when set, else the XVAL_DATA_DIR of the CMake
// configuration (../shared/data beside the source tree by default).
std::string DataDir();

// The project's source tree (for committed golden files).
std::string SourceDir();

}  // namespace xval::testing

#endif  // XVAL_TESTS_SUPPORT_CORPUS_H_
