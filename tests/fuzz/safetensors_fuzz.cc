// libFuzzer target: a safetensors file (header length, JSON header, offsets) through the
// loader; every tensor it accepts lies inside the file. Seeds: the tiny checkpoints' files.
#include "fuzz_files.h"
#include "model/tensor_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xval::fuzz::MemFile file(data, size);
  xval::model::TensorStore store;
  if (!xval::model::LoadSafetensorsFile(file.path(), &store).ok()) return 0;
  FUZZ_CHECK(store.files.size() == 1);
  const uint8_t* begin = store.files[0]->data();
  const uint8_t* end = begin + store.files[0]->size();
  for (const auto& [name, t] : store.tensors) {
    FUZZ_CHECK(t.nbytes == 0 || (t.data >= begin && t.data + t.nbytes <= end));
  }
  return 0;
}
