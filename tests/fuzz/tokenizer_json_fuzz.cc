// libFuzzer target: a Hugging Face tokenizer.json through LoadBaseTokenizer, which sends it to
// each of the tokenizer.json loaders (SentencePiece-style BPE, byte-level BPE, added-tokens
// only) by its content. Seeds: the Llama 2 and xVal paper tokenizer.json files and a
// byte-level one.
#include "fuzz_files.h"
#include "xval/xval_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xval::fuzz::MemFile file(data, size);
  auto tok = xval::LoadBaseTokenizer(file.path());
  if (tok.ok()) xval::fuzz::Exercise(**tok, "hello <|endoftext|> [NUM] 1.5");
  return 0;
}
