// libFuzzer target: a SentencePiece .model file (protobuf) through LoadTokenizer, then
// encode and decode with whatever loaded. Seeds: the Llama 2 tokenizer.model.
#include "fuzz_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // LoadTokenizer reads a file that starts with '{' as tokenizer.json: keep this target on
  // the protobuf reader.
  if (size > 0 && data[0] == '{') return 0;
  xval::fuzz::MemFile file(data, size);
  auto tok = xval::LoadTokenizer(file.path());
  if (tok.ok())
    xval::fuzz::Exercise(**tok,
                         std::string(reinterpret_cast<const char*>(data), size < 64 ? size : 64));
  return 0;
}
