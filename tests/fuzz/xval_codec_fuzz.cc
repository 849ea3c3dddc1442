// libFuzzer target: XvalTokenizer encode and decode over the Llama SentencePiece base
// (standard mode, identity and a lossy transform with saturation) and the xVal paper's
// tokenizer (paper mode). Checks: no crash, every value finite, offsets inside the input with
// beginnings in order, DecodeExact gives the input back wherever the base decodes exactly,
// and the shortest decode encodes back to the same ids and values.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_checks.h"
#include "xval/xval_tokenizer.h"

#ifndef XVAL_FUZZ_DATA_DIR
#error "build with -DXVAL_FUZZ_DATA_DIR=\"...\" (scripts/fuzz.sh does)"
#endif

namespace {

struct Tokenizers {
  std::unique_ptr<xval::XvalTokenizer> standard, transformed, paper;
};

std::unique_ptr<xval::XvalTokenizer> Make(const std::string& path, xval::XvalOptions options) {
  auto t = xval::LoadXvalTokenizer(path, {}, options);
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", std::string(t.status().message()).c_str());
    std::abort();
  }
  return *std::move(t);
}

const Tokenizers& Get() {
  static const Tokenizers* t = [] {
    auto* t = new Tokenizers;
    const std::string llama = std::string(XVAL_FUZZ_DATA_DIR) + "/tokenizers/llama2/tokenizer.model";
    t->standard = Make(llama, {});
    xval::XvalOptions lossy;
    lossy.transform = *xval::ValueTransform::Parse("fields:m=1e5+slog+clip:-5:5");
    lossy.out_of_range = xval::OutOfRangePolicy::kSaturate;
    lossy.max_significant_digits = 12;
    lossy.numbers.grammar.group_separators = true;
    lossy.numbers.grammar.leading_dot = true;
    t->transformed = Make(llama, lossy);
    t->paper = Make(std::string(XVAL_FUZZ_DATA_DIR) + "/tokenizers/xval/tokenizer.json",
                    xval::XvalOptions::Paper());
    return t;
  }();
  return *t;
}

void CheckEncoding(const xval::Encoding& e, const std::string& text) {
  FUZZ_CHECK(e.ids.size() == e.values.size() && e.ids.size() == e.offsets.size());
  uint32_t last = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    FUZZ_CHECK(std::isfinite(e.values[i]));
    FUZZ_CHECK(e.offsets[i].begin <= e.offsets[i].end && e.offsets[i].end <= text.size());
    FUZZ_CHECK(last <= e.offsets[i].begin);
    last = e.offsets[i].begin;
  }
}

bool SameValues(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  return a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Tokenizers& t = Get();
  for (const xval::XvalTokenizer* tok : {t.standard.get(), t.transformed.get(), t.paper.get()}) {
    absl::StatusOr<xval::Encoding> e = tok->Encode(text);
    FUZZ_CHECK(e.ok());
    CheckEncoding(*e, text);
    absl::StatusOr<std::string> shortest = tok->DecodeWithValues(e->ids, e->values);
    FUZZ_CHECK(shortest.ok());
    absl::StatusOr<std::string> exact = tok->DecodeExact(*e, text);
    FUZZ_CHECK(exact.ok());
    if (tok != t.standard.get()) continue;  // lossy transform / paper mode: no round trip
    absl::StatusOr<xval::Encoding> plain = tok->base().Encode(text);
    FUZZ_CHECK(plain.ok());
    if (*tok->base().Decode(plain->ids) != text) continue;
    FUZZ_CHECK(*exact == text);
    absl::StatusOr<xval::Encoding> again = tok->Encode(*shortest);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->ids == e->ids);
    FUZZ_CHECK(SameValues(again->values, e->values));
  }
  return 0;
}
