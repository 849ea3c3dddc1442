// Tokenizes many texts with llama.cpp's own tokenizer (libllama, vocabulary only): the reference
// for xval's GGUF vocabularies. Built by build_llama_tokenize.sh against the llama.cpp of the
// llama-cpp-python 0.3.36 sdist; gen_gguf_golden.py drives it.
//
//   llama_tokenize_lines VOCAB.gguf ADD_SPECIAL(0|1) PARSE_SPECIAL(0|1) < texts > ids
//   llama_tokenize_lines VOCAB.gguf specials      (one line: "bos B eos E ... pad P", -1 for none)
//
// Input: one text per line, hex-encoded (any bytes, newlines included). Output: one line per
// text, its ids separated by spaces.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "llama.h"

static void Quiet(ggml_log_level, const char*, void*) {}

int main(int argc, char** argv) {
  const bool specials = argc == 3 && std::string(argv[2]) == "specials";
  if (argc != 4 && !specials) {
    std::fprintf(stderr, "usage: %s VOCAB.gguf ADD_SPECIAL PARSE_SPECIAL < hex-lines\n", argv[0]);
    return 2;
  }
  llama_log_set(Quiet, nullptr);
  llama_backend_init();
  llama_model_params params = llama_model_default_params();
  params.vocab_only = true;
  llama_model* model = llama_model_load_from_file(argv[1], params);
  if (model == nullptr) {
    std::fprintf(stderr, "%s: cannot load\n", argv[1]);
    return 1;
  }
  const llama_vocab* vocab = llama_model_get_vocab(model);
  if (specials) {
    std::cout << "bos " << llama_vocab_bos(vocab) << " eos " << llama_vocab_eos(vocab) << " eot "
              << llama_vocab_eot(vocab) << " sep " << llama_vocab_sep(vocab) << " nl "
              << llama_vocab_nl(vocab) << " pad " << llama_vocab_pad(vocab) << '\n';
    llama_model_free(model);
    llama_backend_free();
    return 0;
  }
  const bool add_special = argv[2][0] == '1', parse_special = argv[3][0] == '1';
  std::string line, text;
  std::vector<llama_token> ids;
  while (std::getline(std::cin, line)) {
    text.clear();
    for (size_t i = 0; i + 1 < line.size(); i += 2) {
      text.push_back(static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16)));
    }
    ids.resize(text.size() + 16);
    int n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), ids.data(),
                           static_cast<int32_t>(ids.size()), add_special, parse_special);
    if (n < 0) {
      ids.resize(-n);
      n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), ids.data(),
                         static_cast<int32_t>(ids.size()), add_special, parse_special);
    }
    std::string out;
    for (int i = 0; i < n; ++i) {
      if (i) out += ' ';
      out += std::to_string(ids[i]);
    }
    std::cout << out << '\n';
  }
  llama_model_free(model);
  llama_backend_free();
  return 0;
}
