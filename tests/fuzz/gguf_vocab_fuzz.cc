// libFuzzer target: a GGUF vocabulary (tokenizer.ggml.*) through LoadTokenizer, then encode and
// decode with whatever loaded. Seeds: tiny vocabularies of each model xval reads
// (tests/tools/make_tiny_gguf_vocabs.py).
#include "fuzz_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Keep this target on the GGUF reader (the others take the other formats).
  if (size < 4 || data[0] != 'G' || data[1] != 'G' || data[2] != 'U' || data[3] != 'F') return 0;
  xval::fuzz::MemFile file(data, size);
  auto tok = xval::LoadTokenizer(file.path());
  if (tok.ok()) xval::fuzz::Exercise(**tok, "the cat is 12 + 3 <s>\n\n x\xE2\x96\x81");
  return 0;
}
