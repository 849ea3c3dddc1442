// libFuzzer target: a GGUF file (header, metadata, tensor infos, the vocabulary in it)
// through LlamaModel::Load; a model that loads runs one forward step. Seeds: the committed
// tiny GGUF checkpoints.
#include <memory>

#include "fuzz_files.h"
#include "xval/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xval::fuzz::MemFile file(data, size);
  xval::model::LoadOptions options;
  options.max_threads = 1;
  auto model = xval::model::LlamaModel::Load(file.path(), options);
  if (!model.ok()) return 0;
  const xval::model::LlamaConfig& c = (*model)->config();
  FUZZ_CHECK(c.vocab_size > 0 && c.hidden_size > 0);
  // A forward step only where it stays small (the fuzzer may find a valid but huge config).
  if (static_cast<size_t>(c.hidden_size) * c.num_hidden_layers > (1 << 16)) return 0;
  auto session = (*model)->NewSession(4, 4);
  if (!session.ok()) return 0;
  xval::model::ForwardOutput out;
  const int32_t ids[] = {0, c.vocab_size - 1};
  FUZZ_CHECK((*session)->Forward(ids, {}, true, &out).ok());
  FUZZ_CHECK(out.logits.size() == 2 * static_cast<size_t>(c.vocab_size));
  return 0;
}
