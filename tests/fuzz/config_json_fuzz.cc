// libFuzzer target: a config.json through ParseLlamaConfig; what it accepts passes the shared
// configuration check. Seeds: the tiny checkpoints' config.json files.
#include <string>

#include "fuzz_checks.h"
#include "model/config_fields.h"
#include "xval/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto config =
      xval::model::ParseLlamaConfig(std::string(reinterpret_cast<const char*>(data), size));
  if (!config.ok()) return 0;
  FUZZ_CHECK(
      xval::model::CheckLlamaConfig(*config, xval::model::ConfigSource::kHuggingFace, "config.json")
          .ok());
  FUZZ_CHECK(config->num_attention_heads % config->num_key_value_heads == 0);
  return 0;
}
