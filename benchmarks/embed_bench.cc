// Bandwidth of the CPU embedding forward pass (xval::kernels::Embed), in GB/s of bytes moved
// (table rows read plus output rows written), beside memcpy of the same number of bytes in the
// same run, with one thread and with two. The summary printed at the end gives each Embed
// figure as a percentage of its memcpy twin.
//
//   embed_bench [--benchmark_filter=...] [--benchmark_min_time=...]
//
// Shapes: 1..8192 tokens at hidden 4096 (Llemma 7B) and 8192 (Llemma 34B); f32 table -> f32
// out and bf16 table -> bf16 out, xVal scales on. The table has 16384 rows and the ids are
// distinct, so large batches read their rows from DRAM as a real vocabulary would.
//
// NumberEmbed/: the fused number embeddings (FoNE, BitTokens; number_encodings.h) beside the
// xVal lookup on the same ids, every 7th token a [NUM] (the math corpus under xVal over Llama
// has 14.2% [NUM] tokens); the summary gives each as a share of the xVal lookup's speed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "benchmark/benchmark.h"
#include "util/thread_pool.h"
#include "xval/embed.h"
#include "xval/number_encodings.h"

namespace xval::kernels {
namespace {

constexpr size_t kVocab = 16384;
constexpr size_t kMaxTokens = 8192;

// Zero-initialized memory that is actually touched (first-touch page faults stay out of timing).
struct Buffer {
  explicit Buffer(size_t bytes) : data(new uint8_t[bytes]), size(bytes) {
    std::memset(data.get(), 0, bytes);
  }
  std::unique_ptr<uint8_t[]> data;
  size_t size;
};

// One table at a time (the largest is 512 MiB): rebuilt when a benchmark asks for another
// shape. Registration order groups benchmarks by shape, so each is built once.
struct Workload {
  size_t hidden = 0;
  DType dtype = DType::kF32;
  std::unique_ptr<Buffer> table;  // (kVocab, hidden) of dtype
  std::unique_ptr<Buffer> out;    // (kMaxTokens, hidden) of dtype
  std::unique_ptr<Buffer> copy_src, copy_dst;  // memcpy twins: half the bytes moved each
  std::vector<int32_t> ids;       // (kMaxTokens) distinct rows
  std::vector<float> values;      // (kMaxTokens)
};

Workload& GetWorkload(size_t hidden, DType dtype) {
  static Workload w;
  if (w.table != nullptr && w.hidden == hidden && w.dtype == dtype) return w;
  w = Workload();
  w.hidden = hidden;
  w.dtype = dtype;
  const size_t element = DTypeSize(dtype);
  w.table = std::make_unique<Buffer>(kVocab * hidden * element);
  // Ordinary finite numbers (1.0 or 1.0bf16): subnormals could slow the multiply.
  if (dtype == DType::kF32) {
    std::fill_n(reinterpret_cast<float*>(w.table->data.get()), kVocab * hidden, 1.0f);
  } else {
    std::fill_n(reinterpret_cast<uint16_t*>(w.table->data.get()), kVocab * hidden, 0x3F80);
  }
  w.out = std::make_unique<Buffer>(kMaxTokens * hidden * element);
  w.copy_src = std::make_unique<Buffer>(kMaxTokens * hidden * element);
  w.copy_dst = std::make_unique<Buffer>(kMaxTokens * hidden * element);
  std::vector<int32_t> all(kVocab);
  std::iota(all.begin(), all.end(), 0);
  std::shuffle(all.begin(), all.end(), std::mt19937(42));
  w.ids.assign(all.begin(), all.begin() + kMaxTokens);
  w.values.assign(kMaxTokens, 1.5f);
  return w;
}

void BM_Embed(benchmark::State& state, size_t tokens, size_t hidden, DType dtype, size_t threads,
              StoreMode stores) {
  Workload& w = GetWorkload(hidden, dtype);
  const ConstMatrixView table{w.table->data.get(), dtype, kVocab, hidden, hidden};
  const MatrixView out{w.out->data.get(), dtype, tokens, hidden, hidden};
  EmbedOptions options;
  options.max_threads = threads;
  options.stores = stores;
  const absl::Span<const int32_t> ids(w.ids.data(), tokens);
  const absl::Span<const float> values(w.values.data(), tokens);
  for (auto _ : state) {
    const absl::Status status = Embed(table, ids, values, out, options);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(w.out->data.get());
    benchmark::ClobberMemory();
  }
  const double bytes = 2.0 * tokens * hidden * DTypeSize(dtype);  // rows read + rows written
  state.counters["GB/s"] =
      benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

// memcpy of half the bytes Embed moves (it reads and writes each): the same traffic, split
// over `threads` threads the same way.
void BM_Memcpy(benchmark::State& state, size_t tokens, size_t hidden, DType dtype,
               size_t threads) {
  Workload& w = GetWorkload(hidden, dtype);
  const size_t size = tokens * hidden * DTypeSize(dtype);
  uint8_t* src = w.copy_src->data.get();
  uint8_t* dst = w.copy_dst->data.get();
  // Split like Embed splits its work (chunks of 256 KiB moved = 128 KiB copied), so that small
  // copies run on the calling thread alone, as small Embed calls do.
  const size_t grain = size_t{128} << 10;
  for (auto _ : state) {
    util::ParallelFor(
        size, grain,
        [&](size_t begin, size_t end) { std::memcpy(dst + begin, src + begin, end - begin); },
        threads);
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] =
      benchmark::Counter(2.0 * size / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

enum class NumberKind { kXval, kFone, kBitTokens };

// The xVal lookup or a fused number embedding, f32, hidden 4096, every 7th token [NUM].
void BM_NumberEmbed(benchmark::State& state, NumberKind kind, size_t tokens, size_t threads) {
  constexpr size_t kHidden = 4096;
  Workload& w = GetWorkload(kHidden, DType::kF32);
  const int32_t num_id = static_cast<int32_t>(kVocab - 1);
  std::vector<int32_t> ids(w.ids.begin(), w.ids.begin() + tokens);  // (tokens)
  std::vector<double> numbers(tokens);                              // (tokens)
  std::vector<float> values(tokens, 1.0f);                          // (tokens)
  std::mt19937 rng(7);
  for (size_t t = 0; t < tokens; t += 7) {
    ids[t] = num_id;
    numbers[t] = static_cast<double>(rng() % 1000000) / 100;  // up to 9999.99
    values[t] = static_cast<float>(numbers[t]);
  }
  const ConstMatrixView table{w.table->data.get(), DType::kF32, kVocab, kHidden, kHidden};
  const MatrixView out{w.out->data.get(), DType::kF32, tokens, kHidden, kHidden};
  EmbedOptions options;
  options.max_threads = threads;
  const std::vector<double> periods = *FonePeriods({});
  for (auto _ : state) {
    absl::Status status;
    switch (kind) {
      case NumberKind::kXval:
        status = Embed(table, ids, values, out, options);
        break;
      case NumberKind::kFone:
        status = EmbedFone(table, ids, numbers, num_id, periods, out, options);
        break;
      case NumberKind::kBitTokens:
        status = EmbedBitTokens(table, ids, numbers, num_id, true, 5.66f, out, options);
        break;
    }
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(w.out->data.get());
    benchmark::ClobberMemory();
  }
  const double bytes = 2.0 * tokens * kHidden * sizeof(float);  // rows read + rows written
  state.counters["GB/s"] =
      benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void RegisterAll() {
  for (size_t hidden : {4096, 8192}) {
    for (DType dtype : {DType::kF32, DType::kBF16}) {
      for (size_t threads : {1, 2}) {
        for (size_t tokens : {1, 8, 64, 512, 4096, 8192}) {
          const std::string shape = std::string(DTypeName(dtype)) +
                                    "/hidden:" + std::to_string(hidden) +
                                    "/threads:" + std::to_string(threads) +
                                    "/tokens:" + std::to_string(tokens);
          benchmark::RegisterBenchmark(("Embed/" + shape).c_str(), BM_Embed, tokens, hidden,
                                       dtype, threads, StoreMode::kAuto)
              ->UseRealTime();
          benchmark::RegisterBenchmark(("Memcpy/" + shape).c_str(), BM_Memcpy, tokens, hidden,
                                       dtype, threads)
              ->UseRealTime();
        }
      }
    }
  }
  for (size_t threads : {1, 2}) {
    for (size_t tokens : {64, 512, 8192}) {
      for (auto [kind, name] :
           {std::pair{NumberKind::kXval, "xval"}, std::pair{NumberKind::kFone, "fone"},
            std::pair{NumberKind::kBitTokens, "bittokens"}}) {
        const std::string full = std::string("NumberEmbed/") + name +
                                 "/f32/hidden:4096/threads:" + std::to_string(threads) +
                                 "/tokens:" + std::to_string(tokens);
        benchmark::RegisterBenchmark(full.c_str(), BM_NumberEmbed, kind, tokens, threads)
            ->UseRealTime();
      }
    }
  }
  // The evidence behind StoreMode::kAuto's threshold: both store kinds across batch sizes.
  for (size_t threads : {1, 2}) {
    for (size_t tokens : {64, 256, 512, 2048, 8192}) {
      for (StoreMode mode : {StoreMode::kNormal, StoreMode::kStreaming}) {
        const std::string name =
            std::string("EmbedStores/") + (mode == StoreMode::kNormal ? "normal" : "streaming") +
            "/f32/hidden:4096/threads:" + std::to_string(threads) +
            "/tokens:" + std::to_string(tokens);
        benchmark::RegisterBenchmark(name.c_str(), BM_Embed, tokens, 4096, DType::kF32, threads,
                                     mode)
            ->UseRealTime();
      }
    }
  }
}

// Keeps the GB/s of every run so that main() can print Embed as a share of its memcpy twin.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const auto it = run.counters.find("GB/s");
      // Best of the repetitions: on a shared machine the slower ones measure the neighbours.
      if (it != run.counters.end() && !run.error_occurred &&
          run.run_type == Run::RT_Iteration) {
        double& best = gbps_[run.benchmark_name()];
        best = std::max(best, it->second.value);
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void PrintSummary() const {
    std::printf("\n%-40s %10s %10s %8s\n", "shape", "Embed GB/s", "memcpy", "% memcpy");
    for (const auto& [name, gbps] : gbps_) {
      if (name.rfind("Embed/", 0) != 0) continue;
      const std::string shape = name.substr(6);
      const auto twin = gbps_.find("Memcpy/" + shape);
      if (twin == gbps_.end()) continue;
      std::printf("%-40s %10.2f %10.2f %7.1f%%\n", shape.c_str(), gbps, twin->second,
                  100.0 * gbps / twin->second);
    }
    std::printf("\n%-46s %10s %10s %8s\n", "fused number embedding", "GB/s", "xVal GB/s", "% xVal");
    for (const auto& [name, gbps] : gbps_) {
      const std::string prefix = "NumberEmbed/";
      if (name.rfind(prefix, 0) != 0 || name.rfind(prefix + "xval/", 0) == 0) continue;
      const std::string rest = name.substr(prefix.size());        // fone/f32/...
      const std::string shape = rest.substr(rest.find('/') + 1);  // f32/...
      const auto twin = gbps_.find(prefix + "xval/" + shape);
      if (twin == gbps_.end()) continue;
      std::printf("%-46s %10.2f %10.2f %7.1f%%\n", rest.c_str(), gbps, twin->second,
                  100.0 * gbps / twin->second);
    }
  }

 private:
  std::map<std::string, double> gbps_;
};

}  // namespace
}  // namespace xval::kernels

int main(int argc, char** argv) {
  xval::kernels::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  xval::kernels::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
