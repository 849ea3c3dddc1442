// libFuzzer target: a .tiktoken rank file (base64 token, rank per line) through the rank
// parser and the byte-level BPE built from it. Seeds: the head of cl100k_base.tiktoken.
#include <string>

#include "fuzz_checks.h"
#include "text/bytelevel/byte_bpe.h"
#include "text/bytelevel/tiktoken_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto ranks = xval::text::ParseTiktokenRanks(text, "fuzz.tiktoken");
  if (!ranks.ok()) return 0;
  const size_t n = ranks->size();
  FUZZ_CHECK(n > 0);
  for (const std::string& token : *ranks) FUZZ_CHECK(!token.empty());
  auto bpe = xval::text::ByteBpe::FromRanks(*std::move(ranks), "fuzz.tiktoken");
  if (bpe.ok()) FUZZ_CHECK(static_cast<size_t>(bpe->size()) == n);
  return 0;
}
