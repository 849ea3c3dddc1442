// xVal speed on the whole math corpus, one thread:
//  - the number scanner alone (standard and paper grammars) beside a plain read of the same
//    bytes (memchr for a byte that never occurs: the memory-bandwidth limit of this machine);
//  - xVal encoding over the Llama SentencePiece base beside plain SentencePiece encoding of the
//    same texts (and the same for cl100k), each into one reused Encoding.
//
//   build/xval/benchmarks/xval_bench --benchmark_min_time=1
#include <cstring>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "support/corpus.h"
#include "text/numbers/number_scanner.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace {

const std::vector<std::string>& Corpus() {
  static const auto* corpus = new std::vector<std::string>(*testing::LoadCorpus(testing::DataDir()));
  return *corpus;
}

// The corpus as one text, lines joined by '\n'.
const std::string& Joined() {
  static const std::string* joined = [] {
    auto* s = new std::string;
    for (const std::string& line : Corpus()) *s += line + "\n";
    return s;
  }();
  return *joined;
}

int64_t CorpusBytes() {
  int64_t n = 0;
  for (const std::string& s : Corpus()) n += static_cast<int64_t>(s.size());
  return n;
}

void BM_ReadLimit_Memchr(benchmark::State& state) {
  const std::string& text = Joined();
  for (auto _ : state) {
    benchmark::DoNotOptimize(std::memchr(text.data(), 0x01, text.size()));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ReadLimit_Memchr)->Unit(benchmark::kMillisecond);

void ScanJoined(benchmark::State& state, NumberScanOptions options) {
  const std::string& text = Joined();
  const text::NumberScanner scanner(options);
  std::vector<NumberSpan> spans;
  for (auto _ : state) {
    spans.clear();
    scanner.Scan(text, 0, &spans);
    benchmark::DoNotOptimize(spans.data());
  }
  state.counters["numbers"] = static_cast<double>(spans.size());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}

void BM_Scanner_Standard(benchmark::State& state) { ScanJoined(state, {}); }
BENCHMARK(BM_Scanner_Standard)->Unit(benchmark::kMillisecond);

void BM_Scanner_Paper(benchmark::State& state) {
  NumberScanOptions o;
  o.mode = NumberMode::kPaper;
  ScanJoined(state, o);
}
BENCHMARK(BM_Scanner_Paper)->Unit(benchmark::kMillisecond);

void BM_Scanner_StandardAllOptions(benchmark::State& state) {
  NumberScanOptions o;
  o.grammar.plus_sign = o.grammar.leading_dot = o.grammar.group_separators = true;
  o.grammar.unicode_digits = true;
  ScanJoined(state, o);
}
BENCHMARK(BM_Scanner_StandardAllOptions)->Unit(benchmark::kMillisecond);

// The scanner called once per corpus line, as the tokenizer calls it.
void BM_Scanner_StandardPerLine(benchmark::State& state) {
  const text::NumberScanner scanner(NumberScanOptions{});
  std::vector<NumberSpan> spans;
  for (auto _ : state) {
    for (const std::string& line : Corpus()) {
      spans.clear();
      scanner.Scan(line, 0, &spans);
      benchmark::DoNotOptimize(spans.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * CorpusBytes());
}
BENCHMARK(BM_Scanner_StandardPerLine)->Unit(benchmark::kMillisecond);

const XvalTokenizer& Xval(const std::string& name) {
  static auto* cache = new std::vector<std::pair<std::string, XvalTokenizer*>>;
  for (auto& [n, t] : *cache) {
    if (n == name) return *t;
  }
  TokenizerOptions options;
  options.data_dir = testing::DataDir();
  const std::string path =
      name == "llama" ? testing::DataDir() + "/tokenizers/llama2/tokenizer.model" : name;
  XvalTokenizer* t = LoadXvalTokenizer(path, options, XvalOptions())->release();
  cache->emplace_back(name, t);
  return *t;
}

void Encode(benchmark::State& state, const Tokenizer& tok) {
  Encoding out;
  size_t tokens = 0;
  for (auto _ : state) {
    tokens = 0;
    for (const std::string& line : Corpus()) {
      out.Clear();
      (void)tok.EncodeInto(line, {}, 0, &out);
      tokens += out.size();
    }
  }
  state.counters["tokens"] = static_cast<double>(tokens);
  state.SetBytesProcessed(state.iterations() * CorpusBytes());
}

void BM_Encode_LlamaPlain(benchmark::State& state) { Encode(state, Xval("llama").base()); }
BENCHMARK(BM_Encode_LlamaPlain)->Unit(benchmark::kMillisecond)->UseRealTime();
void BM_Encode_LlamaXval(benchmark::State& state) { Encode(state, Xval("llama")); }
BENCHMARK(BM_Encode_LlamaXval)->Unit(benchmark::kMillisecond)->UseRealTime();
void BM_Encode_Cl100kPlain(benchmark::State& state) { Encode(state, Xval("cl100k_base").base()); }
BENCHMARK(BM_Encode_Cl100kPlain)->Unit(benchmark::kMillisecond)->UseRealTime();
void BM_Encode_Cl100kXval(benchmark::State& state) { Encode(state, Xval("cl100k_base")); }
BENCHMARK(BM_Encode_Cl100kXval)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace xval

BENCHMARK_MAIN();
