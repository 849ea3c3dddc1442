// Byte-level BPE throughput on the whole corpus (XVAL_DATA_DIR): the pre-tokenizer scanners
// alone (and PCRE2 on the same pattern, for scale), ids per string and for the corpus as one
// text on one thread, full Encodings on one thread and with EncodeBatch on all cores, and the
// flat batch (full, and ids only) on one thread and on all cores.
// benchmarks/compare_bytelevel.py runs this beside tiktoken and quicktok in one run.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "text/bytelevel/tiktoken_loader.h"
#include "text/bytelevel_corpus.h"
#include "text/pretokenize/block_cuts.h"
#include "text/pretokenize/pretokenizer.h"
#include "util/highway_targets.h"

namespace xval::text {
namespace {

struct Corpus {
  std::vector<std::string> strings;
  std::vector<absl::string_view> views;
  std::string joined;  // the strings joined with "\n": the corpus as one text
  size_t bytes = 0;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    for (const std::string& file : testing::CorpusFiles()) {
      auto s = testing::CorpusStrings(file);
      if (!s.ok()) {
        fprintf(stderr, "%s\n", std::string(s.status().message()).c_str());
        std::exit(1);
      }
      for (std::string& x : *s) c->strings.push_back(std::move(x));
    }
    for (const std::string& s : c->strings) {
      c->views.push_back(s);
      c->bytes += s.size();
    }
    c->joined = absl::StrJoin(c->strings, "\n");
    return c;
  }();
  return *corpus;
}

const ByteLevelTokenizer& GetTokenizer(const std::string& name) {
  static auto* cache = new std::map<std::string, std::unique_ptr<ByteLevelTokenizer>>;
  auto& t = (*cache)[name];
  if (t == nullptr) {
    auto loaded = LoadTiktoken(name, testing::TiktokenOptions());
    if (!loaded.ok()) {
      fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
      std::exit(1);
    }
    t = std::move(*loaded);
  }
  return *t;
}

std::unique_ptr<PreTokenizer> Scanner(const std::string& name, bool pcre2) {
  const absl::string_view pattern = name == "gpt2"          ? kGpt2Pattern
                                    : name == "cl100k_base" ? kCl100kPattern
                                                            : kO200kPattern;
  if (pcre2) return std::move(*MakeRegexPreTokenizer(pattern, name));
  if (name == "gpt2") return MakeGpt2Scanner();
  return name == "cl100k_base" ? MakeCl100kScanner() : MakeO200kScanner();
}

void PreTokenize(benchmark::State& state, const std::string& name, bool pcre2) {
  const Corpus& c = GetCorpus();
  const auto scanner = Scanner(name, pcre2);
  std::vector<uint32_t> ends;
  for (auto _ : state) {
    for (const std::string& s : c.strings) {
      ends.clear();
      scanner->Split(s, &ends);
      benchmark::DoNotOptimize(ends.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
}

// The corpus as one text (lines joined by "\n"): no per-call cost.
void PreTokenizeOneText(benchmark::State& state, const std::string& name, int64_t target = 0) {
  const Corpus& c = GetCorpus();
  const auto scanner = Scanner(name, false);
  util::PinHighwayTarget(target);  // 0: the best this machine runs
  std::vector<uint32_t> ends;
  for (auto _ : state) {
    ends.clear();
    scanner->Split(c.joined, &ends);
    benchmark::DoNotOptimize(ends.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.joined.size()));
  util::PinHighwayTarget(0);
}

// The corpus as one text the way the tokenizer pre-tokenizes it: a stretch of 32 KiB at a time
// (ByteLevelTokenizer::EncodeText), into one array of ends reused from stretch to stretch.
// (Cut here every 32 KiB, where the tokenizer cuts at a safe point near there: a piece cut in
// two here is two pieces, a few per megabyte.)
void PreTokenizeStretches(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus();
  const auto scanner = Scanner(name, false);
  constexpr size_t kStretch = size_t{1} << 15;
  const absl::string_view text = c.joined;
  std::vector<uint32_t> ends;
  for (auto _ : state) {
    for (size_t begin = 0; begin < text.size(); begin += kStretch) {
      ends.clear();
      scanner->Split(text.substr(begin, kStretch), &ends);
      benchmark::DoNotOptimize(ends.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.joined.size()));
}

// The read limit of the pre-tokenizer loop: memchr for a byte that is not there reads every
// byte of every string with the same per-string loop, at the speed of glibc's vector code.
void ReadLimit(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  for (auto _ : state) {
    for (const std::string& s : c.strings) {
      benchmark::DoNotOptimize(std::memchr(s.data(), 0, s.size()));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
}

void EncodeOrdinaryPerString(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus();
  const ByteLevelTokenizer& tok = GetTokenizer(name);
  std::vector<int32_t> ids;
  for (auto _ : state) {
    for (const std::string& s : c.strings) {
      ids.clear();
      tok.EncodeOrdinary(s, &ids);
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
}

void EncodeOrdinaryOneText(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus();
  const ByteLevelTokenizer& tok = GetTokenizer(name);
  std::vector<int32_t> ids;
  for (auto _ : state) {
    ids.clear();
    tok.EncodeOrdinary(c.joined, &ids);
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.joined.size()));
}

// Full Encodings (ids, values, offsets), one thread: the baseline of the batch figure.
void EncodePerString(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus();
  const ByteLevelTokenizer& tok = GetTokenizer(name);
  for (auto _ : state) {
    for (const std::string& s : c.strings) benchmark::DoNotOptimize(tok.Encode(s, {}));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
}

void EncodeBatchAllCores(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus();
  const ByteLevelTokenizer& tok = GetTokenizer(name);
  for (auto _ : state) benchmark::DoNotOptimize(tok.EncodeBatch(c.views, {}));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
}

// The worst cases for BPE: one megabyte in one piece (one repeated byte, and random letters
// with no space). Each must encode in well under a second.
void EncodeOrdinaryWorstCase(benchmark::State& state, const std::string& name, bool random) {
  std::string text(1 << 20, 'x');
  if (random) {
    testing::SplitMix64 rng(7);
    for (char& c : text) c = static_cast<char>('a' + rng.Next() % 26);
  }
  const ByteLevelTokenizer& tok = GetTokenizer(name);
  std::vector<int32_t> ids;
  for (auto _ : state) {
    ids.clear();
    tok.EncodeOrdinary(text, &ids);
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

// The same into one ragged batch (EncodeBatchFlat): no allocation per text.
// threads 0: all cores; 1: the same batch on the calling thread, to separate the scaling from
// the batch's own cost.
// ids_only: ids and row_splits alone, as tiktoken's encode_ordinary_batch and quicktok's
// encode_batch return, so that it compares with EncodeOrdinary/per_string (parse_special off,
// as encode_ordinary).
void EncodeBatchFlat(benchmark::State& state, const std::string& name, size_t threads,
                     bool ids_only = false) {
  const Corpus& c = GetCorpus();
  const ByteLevelTokenizer& tok = GetTokenizer(name);
  EncodeOptions options;
  if (ids_only) {
    options.ids_only = true;
    options.parse_special = false;
  }
  for (auto _ : state) benchmark::DoNotOptimize(tok.EncodeBatchFlat(c.views, options, threads));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
}

void Register() {
  benchmark::RegisterBenchmark("PreTokenize/memchr_read_limit", ReadLimit)
      ->Unit(benchmark::kMillisecond);
  for (const bool pcre2 : {false, true}) {
    benchmark::RegisterBenchmark(pcre2 ? "PreTokenize/pcre2/gpt2" : "PreTokenize/scanner/gpt2",
                                 [pcre2](benchmark::State& s) { PreTokenize(s, "gpt2", pcre2); })
        ->Unit(benchmark::kMillisecond);
  }
  for (const bool random : {false, true}) {
    benchmark::RegisterBenchmark(
        random ? "EncodeOrdinary/1MB_random_letters/cl100k_base" : "EncodeOrdinary/1MB_x/cl100k_base",
        [random](benchmark::State& s) { EncodeOrdinaryWorstCase(s, "cl100k_base", random); })
        ->Unit(benchmark::kMillisecond);
  }
  for (const std::string name : {"gpt2", "cl100k_base", "o200k_base"}) {
    benchmark::RegisterBenchmark(("PreTokenize/scanner_one_text/" + name).c_str(),
                                 [name](benchmark::State& s) { PreTokenizeOneText(s, name); })
        ->Unit(benchmark::kMillisecond);
  }
  for (const std::string name : {"cl100k_base", "o200k_base"}) {
    benchmark::RegisterBenchmark(("PreTokenize/stretches/" + name).c_str(),
                                 [name](benchmark::State& s) { PreTokenizeStretches(s, name); })
        ->Unit(benchmark::kMillisecond);
  }
  // The 64-byte block path on each Highway target this machine runs (AVX-512, AVX2, SSE4...).
  for (const int64_t target : util::HighwayTargets()) {
    util::PinHighwayTarget(target);
    const std::string target_name = BlockCutTargetName();
    util::PinHighwayTarget(0);
    for (const std::string name : {"cl100k_base", "o200k_base"}) {
      benchmark::RegisterBenchmark(
          ("PreTokenize/targets/" + target_name + "/" + name).c_str(),
          [name, target](benchmark::State& s) { PreTokenizeOneText(s, name, target); })
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (const std::string name : {"cl100k_base", "o200k_base"}) {
    benchmark::RegisterBenchmark(("PreTokenize/scanner/" + name).c_str(),
                                 [name](benchmark::State& s) { PreTokenize(s, name, false); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("PreTokenize/pcre2/" + name).c_str(),
                                 [name](benchmark::State& s) { PreTokenize(s, name, true); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("EncodeOrdinary/per_string/" + name).c_str(),
                                 [name](benchmark::State& s) { EncodeOrdinaryPerString(s, name); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("EncodeOrdinary/one_text/" + name).c_str(),
                                 [name](benchmark::State& s) { EncodeOrdinaryOneText(s, name); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("Encode/one_thread/" + name).c_str(),
                                 [name](benchmark::State& s) { EncodePerString(s, name); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("EncodeBatchFlat/one_thread/" + name).c_str(),
                                 [name](benchmark::State& s) { EncodeBatchFlat(s, name, 1); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("EncodeBatchFlat/all_cores/" + name).c_str(),
                                 [name](benchmark::State& s) { EncodeBatchFlat(s, name, 0); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("EncodeBatchFlatIds/one_thread/" + name).c_str(),
                                 [name](benchmark::State& s) { EncodeBatchFlat(s, name, 1, true); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("EncodeBatchFlatIds/all_cores/" + name).c_str(),
                                 [name](benchmark::State& s) { EncodeBatchFlat(s, name, 0, true); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("EncodeBatch/all_cores/" + name).c_str(),
                                 [name](benchmark::State& s) { EncodeBatchAllCores(s, name); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

}  // namespace
}  // namespace xval::text

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  xval::text::Register();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
