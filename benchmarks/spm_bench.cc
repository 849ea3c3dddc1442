// SentencePiece BPE speed on the whole math corpus, ours beside libsentencepiece in the same
// run: MB/s of input text on one thread, our batch encoder on one thread and on all cores, the
// cost of loading the Llama vocabulary, and the two worst cases for BPE (1 MB without a space,
// 1 MB of one repeated character).
//
//   build/release/benchmarks/spm_bench --benchmark_min_time=2
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "support/corpus.h"
#include "support/spm_reference.h"
#include "util/thread_pool.h"
#include "xval/tokenizer.h"

namespace xval {
namespace {

std::string ModelPath() { return testing::DataDir() + "/tokenizers/llama2/tokenizer.model"; }

const std::vector<std::string>& Corpus() {
  static const auto* corpus =
      new std::vector<std::string>(*testing::LoadCorpus(testing::DataDir()));
  return *corpus;
}

int64_t CorpusBytes() {
  int64_t n = 0;
  for (const std::string& s : Corpus()) n += static_cast<int64_t>(s.size());
  return n;
}

const Tokenizer& Ours() {
  static const Tokenizer* tok = LoadTokenizer(ModelPath())->release();
  return *tok;
}

void BM_Sentencepiece_OneThread(benchmark::State& state) {
  std::string error;
  auto ref = testing::SpmReference::Load(ModelPath(), &error);
  size_t tokens = 0;
  for (auto _ : state) {
    for (const std::string& s : Corpus()) tokens += ref->Encode(s).size();
  }
  benchmark::DoNotOptimize(tokens);
  state.SetBytesProcessed(state.iterations() * CorpusBytes());
}
BENCHMARK(BM_Sentencepiece_OneThread)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Xval_OneThread(benchmark::State& state) {
  const Tokenizer& tok = Ours();
  size_t tokens = 0;
  for (auto _ : state) {
    for (const std::string& s : Corpus()) tokens += tok.Encode(s)->size();
  }
  benchmark::DoNotOptimize(tokens);
  state.SetBytesProcessed(state.iterations() * CorpusBytes());
}
BENCHMARK(BM_Xval_OneThread)->Unit(benchmark::kMillisecond)->UseRealTime();

// A new tokenizer each pass, so its word cache starts empty: the first pass over unseen text.
void BM_Xval_OneThread_ColdCache(benchmark::State& state) {
  size_t tokens = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto tok = *LoadTokenizer(ModelPath());
    state.ResumeTiming();
    for (const std::string& s : Corpus()) tokens += tok->Encode(s)->size();
  }
  benchmark::DoNotOptimize(tokens);
  state.SetBytesProcessed(state.iterations() * CorpusBytes());
}
BENCHMARK(BM_Xval_OneThread_ColdCache)->Unit(benchmark::kMillisecond)->UseRealTime();

// EncodeBatch on 1 thread and on every core (the argument; 0 = all).
void BM_Xval_Batch(benchmark::State& state) {
  const Tokenizer& tok = Ours();
  std::vector<absl::string_view> texts(Corpus().begin(), Corpus().end());
  const size_t threads = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    auto out = tok.EncodeBatch(texts, {}, threads);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * CorpusBytes());
  state.counters["threads"] = static_cast<double>(threads ? threads : util::DefaultThreadCount());
}
BENCHMARK(BM_Xval_Batch)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// EncodeBatchFlat: the same into one set of arrays, no allocation per text.
void BM_Xval_BatchFlat(benchmark::State& state) {
  const Tokenizer& tok = Ours();
  std::vector<absl::string_view> texts(Corpus().begin(), Corpus().end());
  const size_t threads = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    auto out = tok.EncodeBatchFlat(texts, {}, threads);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * CorpusBytes());
  state.counters["threads"] = static_cast<double>(threads ? threads : util::DefaultThreadCount());
}
BENCHMARK(BM_Xval_BatchFlat)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// ids_only (EncodeIdsInto, tiktoken's encode_ordinary form): the batch of lines on one thread,
// and the corpus as one text (lines joined by "\n") on one thread.
void BM_Xval_IdsOnly(benchmark::State& state) {
  const Tokenizer& tok = Ours();
  static const std::string* joined = [] {
    auto* s = new std::string;
    for (const std::string& line : Corpus()) absl::StrAppend(s, line, "\n");
    return s;
  }();
  const bool one_text = state.range(0) == 1;
  std::vector<absl::string_view> texts(Corpus().begin(), Corpus().end());
  if (one_text) texts = {*joined};
  EncodeOptions options;
  options.ids_only = true;
  options.parse_special = false;
  for (auto _ : state) {
    auto out = tok.EncodeBatchFlat(texts, options, 1);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() *
                          (one_text ? static_cast<int64_t>(joined->size()) : CorpusBytes()));
  state.SetLabel(one_text ? "one text" : "batch of lines");
}
BENCHMARK(BM_Xval_IdsOnly)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Load_Xval(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(LoadTokenizer(ModelPath()));
}
BENCHMARK(BM_Load_Xval)->Unit(benchmark::kMillisecond);

void BM_Load_Sentencepiece(benchmark::State& state) {
  std::string error;
  for (auto _ : state) benchmark::DoNotOptimize(testing::SpmReference::Load(ModelPath(), &error));
}
BENCHMARK(BM_Load_Sentencepiece)->Unit(benchmark::kMillisecond);

// Worst cases: one megabyte without a space (the corpus with its spaces deleted), and one
// megabyte of one character. Each must take well under a second.
std::string WorstCase(int which) {
  if (which == 1) return std::string(1 << 20, 'a');
  std::string text;
  for (const std::string& s : Corpus()) {
    for (char c : s) {
      if (c != ' ') text.push_back(c);
    }
    if (text.size() >= (1 << 20)) break;
  }
  text.resize(1 << 20);
  return text;
}

void BM_Xval_WorstCase(benchmark::State& state) {
  const std::string text = WorstCase(static_cast<int>(state.range(0)));
  const Tokenizer& tok = Ours();
  for (auto _ : state) benchmark::DoNotOptimize(tok.Encode(text));
  state.SetLabel(state.range(0) == 1 ? "1 MB of 'a'" : "1 MB without spaces");
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Xval_WorstCase)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Sentencepiece_WorstCase(benchmark::State& state) {
  const std::string text = WorstCase(static_cast<int>(state.range(0)));
  std::string error;
  auto ref = testing::SpmReference::Load(ModelPath(), &error);
  for (auto _ : state) benchmark::DoNotOptimize(ref->Encode(text));
  state.SetLabel(state.range(0) == 1 ? "1 MB of 'a'" : "1 MB without spaces");
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Sentencepiece_WorstCase)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace xval

BENCHMARK_MAIN();
