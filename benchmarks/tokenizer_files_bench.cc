// Any tokenizer files on the whole corpus, one thread, ids only: the xval side of
// compare_tokenizer_files.py, which times Hugging Face tokenizers on the same files in the same
// run. Files come from XVAL_BENCH_FILES (comma-separated paths); one benchmark per file, named
// by its path, reporting bytes per second.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "support/corpus.h"
#include "xval/tokenizer.h"

namespace {

std::vector<std::string>& Corpus() {
  static auto* lines = [] {
    auto* out = new std::vector<std::string>;
    for (const std::string& file : xval::testing::CorpusFiles()) {
      auto l = xval::testing::LoadCorpusLines(xval::testing::DataDir() + "/corpus/" + file);
      if (l.ok()) out->insert(out->end(), l->begin(), l->end());
    }
    return out;
  }();
  return *lines;
}

void EncodeCorpus(benchmark::State& state, std::shared_ptr<xval::Tokenizer> tok) {
  const std::vector<std::string>& lines = Corpus();
  size_t bytes = 0;
  for (const std::string& l : lines) bytes += l.size();
  xval::EncodeOptions options;
  options.ids_only = true;
  std::vector<int32_t> ids;
  for (auto _ : state) {
    for (const std::string& l : lines) {
      ids.clear();
      if (!tok->EncodeIdsInto(l, options, &ids).ok()) state.SkipWithError("encode failed");
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const char* files = std::getenv("XVAL_BENCH_FILES");
  if (files == nullptr || *files == '\0') {
    std::fprintf(stderr, "set XVAL_BENCH_FILES to comma-separated tokenizer files\n");
    return 2;
  }
  for (absl::string_view path : absl::StrSplit(files, ',', absl::SkipEmpty())) {
    auto tok = xval::LoadTokenizer(std::string(path));
    if (!tok.ok()) {
      std::fprintf(stderr, "%s\n", tok.status().ToString().c_str());
      return 1;
    }
    std::shared_ptr<xval::Tokenizer> shared(std::move(*tok));
    benchmark::RegisterBenchmark(std::string(path).c_str(), EncodeCorpus, shared)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
