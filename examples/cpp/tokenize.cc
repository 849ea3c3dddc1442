// Tokenize lines with the C++ API, from the installed package (find_package(xval)): prints
// each line's ids as `xval tokenize` does, and on stderr what xVal makes of the numbers in them.
//
//   tokenize TOKENIZER LINES.txt
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "xval/tokenizer.h"
#include "xval/version.h"
#include "xval/xval_tokenizer.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " TOKENIZER LINES.txt\n";
    return 2;
  }
  auto tok = xval::LoadTokenizer(argv[1]);
  auto numbers = xval::LoadXvalTokenizer(argv[1], {}, {});
  if (!tok.ok() || !numbers.ok()) {
    std::cerr << (tok.ok() ? numbers.status() : tok.status()) << "\n";
    return 1;
  }
  std::ifstream in(argv[2]);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<absl::string_view> texts(lines.begin(), lines.end());
  auto batch = (*tok)->EncodeBatchFlat(texts);
  auto with_numbers = (*numbers)->EncodeBatchFlat(texts);
  if (!batch.ok() || !with_numbers.ok()) {
    std::cerr << (batch.ok() ? with_numbers.status() : batch.status()) << "\n";
    return 1;
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    for (size_t k = batch->row_splits[i]; k < batch->row_splits[i + 1]; ++k) {
      std::cout << (k == batch->row_splits[i] ? "" : " ") << batch->ids[k];
    }
    std::cout << "\n";
  }
  std::cerr << "tokenize (C++, xval " << xval::Version() << "): " << batch->ids.size()
            << " tokens, " << with_numbers->ids.size() << " with xVal numbers\n";
  return 0;
}
