// libFuzzer target: a whole model load from a tiny checkpoint folder with one file replaced by
// the input (the first byte picks config.json or model.safetensors; the other file is the
// committed one), then a forward step of what loads. Seeds: the committed files, each behind
// its selector byte.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "fuzz_files.h"
#include "util/file.h"
#include "xval/model.h"

#ifndef XVAL_FUZZ_SOURCE_DIR
#error "build with XVAL_FUZZ_SOURCE_DIR (tests/fuzz/CMakeLists.txt does)"
#endif

namespace {

const std::string& Golden(const char* name) {
  static const std::string config = *xval::util::ReadFile(
      std::string(XVAL_FUZZ_SOURCE_DIR) + "/tests/golden/model/mha_tied/config.json");
  static const std::string weights = *xval::util::ReadFile(
      std::string(XVAL_FUZZ_SOURCE_DIR) + "/tests/golden/model/mha_tied/model.safetensors");
  return std::string(name) == "config.json" ? config : weights;
}

void Write(const std::string& path, const char* data, size_t size) {
  std::ofstream(path, std::ios::binary).write(data, size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::string dir = [] {
    char tmpl[] = "/tmp/xval_model_dir_fuzz_XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != nullptr);
    return std::string(tmpl);
  }();
  const bool config = (data[0] & 1) == 0;
  const char* replaced = config ? "config.json" : "model.safetensors";
  const char* kept = config ? "model.safetensors" : "config.json";
  Write(dir + "/" + replaced, reinterpret_cast<const char*>(data + 1), size - 1);
  Write(dir + "/" + kept, Golden(kept).data(), Golden(kept).size());
  xval::model::LoadOptions options;
  options.max_threads = 1;
  auto model = xval::model::LlamaModel::Load(dir, options);
  if (!model.ok()) return 0;
  const xval::model::LlamaConfig& c = (*model)->config();
  if (static_cast<size_t>(c.hidden_size) * c.num_hidden_layers > (1 << 16)) return 0;
  auto session = (*model)->NewSession(4, 4);
  if (!session.ok()) return 0;
  xval::model::ForwardOutput out;
  const int32_t ids[] = {0, c.vocab_size - 1};
  FUZZ_CHECK((*session)->Forward(ids, {}, true, &out).ok());
  return 0;
}
