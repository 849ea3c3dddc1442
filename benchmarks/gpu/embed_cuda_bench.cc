// Bandwidth of the CUDA embedding forward pass (xval::kernels::EmbedCuda), in GB/s of bytes
// moved (table rows read plus output rows written), beside a device-to-device cudaMemcpyAsync
// of the same traffic in the same run. Times come from CUDA events around each call. The
// summary at the end gives each Embed figure as a percentage of its copy twin; the goal
// is at least 85% at 8192 tokens x hidden 4096, bf16.
//
//   embed_cuda_bench [--benchmark_filter=...] [--benchmark_min_time=...]
//
// Runs with check_ids off (no host synchronization inside the call), as a training step would
// after checking ids once; one "checked" row shows what the id check costs.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "xval/embed.h"

namespace xval::kernels {
namespace {

constexpr size_t kVocab = 32768;  // larger than any L2: rows come from HBM
constexpr size_t kMaxTokens = 8192;

bool Ok(cudaError_t error, benchmark::State& state, const char* what) {
  if (error == cudaSuccess) return true;
  state.SkipWithError((std::string(what) + ": " + cudaGetErrorString(error)).c_str());
  return false;
}

// The current shape's device buffers; rebuilt when a benchmark asks for another shape.
struct Workload {
  size_t hidden = 0;
  DType dtype = DType::kF32;
  void* table = nullptr;     // (kVocab, hidden) of dtype
  void* out = nullptr;       // (kMaxTokens, hidden) of dtype
  void* copy_src = nullptr;  // copy twins: (kMaxTokens, hidden) of dtype each
  void* copy_dst = nullptr;
  int32_t* ids = nullptr;    // (kMaxTokens) distinct rows
  float* values = nullptr;   // (kMaxTokens)
  cudaEvent_t start = nullptr, stop = nullptr;

  void Release() {
    for (void* p : {table, out, copy_src, copy_dst, static_cast<void*>(ids),
                    static_cast<void*>(values)}) {
      cudaFree(p);
    }
    table = out = copy_src = copy_dst = nullptr;
    ids = nullptr;
    values = nullptr;
  }
};

Workload* GetWorkload(size_t hidden, DType dtype, benchmark::State& state) {
  static Workload w;
  if (w.start == nullptr) {
    if (!Ok(cudaEventCreate(&w.start), state, "cudaEventCreate") ||
        !Ok(cudaEventCreate(&w.stop), state, "cudaEventCreate")) {
      return nullptr;
    }
  }
  if (w.table != nullptr && w.hidden == hidden && w.dtype == dtype) return &w;
  w.Release();
  w.hidden = hidden;
  w.dtype = dtype;
  const size_t element = DTypeSize(dtype);
  const size_t table_bytes = kVocab * hidden * element;
  const size_t batch_bytes = kMaxTokens * hidden * element;
  if (!Ok(cudaMalloc(&w.table, table_bytes), state, "cudaMalloc(table)") ||
      !Ok(cudaMalloc(&w.out, batch_bytes), state, "cudaMalloc(out)") ||
      !Ok(cudaMalloc(&w.copy_src, batch_bytes), state, "cudaMalloc(copy_src)") ||
      !Ok(cudaMalloc(&w.copy_dst, batch_bytes), state, "cudaMalloc(copy_dst)") ||
      !Ok(cudaMalloc(reinterpret_cast<void**>(&w.ids), kMaxTokens * 4), state, "cudaMalloc") ||
      !Ok(cudaMalloc(reinterpret_cast<void**>(&w.values), kMaxTokens * 4), state,
          "cudaMalloc")) {
    w.Release();
    return nullptr;
  }
  // 0x3F80 halves: 1.0 in bf16, a normal number in f32 too (no subnormal slow paths).
  cudaMemset(w.table, 0x3F, table_bytes);
  cudaMemset(w.out, 0, batch_bytes);
  cudaMemset(w.copy_src, 0x3F, batch_bytes);
  cudaMemset(w.copy_dst, 0, batch_bytes);
  std::vector<int32_t> all(kVocab);
  std::iota(all.begin(), all.end(), 0);
  std::shuffle(all.begin(), all.end(), std::mt19937(42));
  const std::vector<float> values(kMaxTokens, 1.5f);
  cudaMemcpy(w.ids, all.data(), kMaxTokens * 4, cudaMemcpyHostToDevice);
  cudaMemcpy(w.values, values.data(), kMaxTokens * 4, cudaMemcpyHostToDevice);
  if (!Ok(cudaDeviceSynchronize(), state, "set-up")) return nullptr;
  return &w;
}

void BM_EmbedCuda(benchmark::State& state, size_t tokens, size_t hidden, DType dtype,
                  bool check_ids) {
  Workload* w = GetWorkload(hidden, dtype, state);
  if (w == nullptr) return;
  const ConstMatrixView table{w->table, dtype, kVocab, hidden, hidden};
  const MatrixView out{w->out, dtype, tokens, hidden, hidden};
  CudaEmbedOptions options;
  options.check_ids = check_ids;
  const absl::Span<const int32_t> ids(w->ids, tokens);
  const absl::Span<const float> values(w->values, tokens);
  for (auto _ : state) {
    cudaEventRecord(w->start);
    const absl::Status status = EmbedCuda(table, ids, values, out, options);
    cudaEventRecord(w->stop);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      break;
    }
    if (!Ok(cudaEventSynchronize(w->stop), state, "cudaEventSynchronize")) break;
    float ms = 0;
    cudaEventElapsedTime(&ms, w->start, w->stop);
    state.SetIterationTime(ms / 1e3);
  }
  const double bytes = 2.0 * tokens * hidden * DTypeSize(dtype);  // rows read + rows written
  state.counters["GB/s"] =
      benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

// A device-to-device copy of half the bytes Embed moves: the same traffic.
void BM_CopyCuda(benchmark::State& state, size_t tokens, size_t hidden, DType dtype) {
  Workload* w = GetWorkload(hidden, dtype, state);
  if (w == nullptr) return;
  const size_t size = tokens * hidden * DTypeSize(dtype);
  for (auto _ : state) {
    cudaEventRecord(w->start);
    const cudaError_t error =
        cudaMemcpyAsync(w->copy_dst, w->copy_src, size, cudaMemcpyDeviceToDevice);
    cudaEventRecord(w->stop);
    if (!Ok(error, state, "cudaMemcpyAsync") ||
        !Ok(cudaEventSynchronize(w->stop), state, "cudaEventSynchronize")) {
      break;
    }
    float ms = 0;
    cudaEventElapsedTime(&ms, w->start, w->stop);
    state.SetIterationTime(ms / 1e3);
  }
  state.counters["GB/s"] =
      benchmark::Counter(2.0 * size / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void RegisterAll() {
  for (size_t hidden : {4096, 8192}) {
    for (DType dtype : {DType::kF32, DType::kBF16}) {
      for (size_t tokens : {1, 8, 64, 512, 4096, 8192}) {
        const std::string shape = std::string(DTypeName(dtype)) +
                                  "/hidden:" + std::to_string(hidden) +
                                  "/tokens:" + std::to_string(tokens);
        benchmark::RegisterBenchmark(("Embed/" + shape).c_str(), BM_EmbedCuda, tokens, hidden,
                                     dtype, false)
            ->UseManualTime();
        benchmark::RegisterBenchmark(("Copy/" + shape).c_str(), BM_CopyCuda, tokens, hidden,
                                     dtype)
            ->UseManualTime();
      }
    }
  }
  benchmark::RegisterBenchmark("EmbedChecked/bf16/hidden:4096/tokens:8192", BM_EmbedCuda,
                               size_t{8192}, size_t{4096}, DType::kBF16, true)
      ->UseManualTime();
}

// Keeps every run's GB/s so that main() can print Embed as a share of its copy twin.
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
    std::printf("\n%-40s %10s %10s %8s\n", "shape", "Embed GB/s", "D2D copy", "% copy");
    for (const auto& [name, gbps] : gbps_) {
      if (name.rfind("Embed/", 0) != 0) continue;
      const std::string shape = name.substr(6);
      const auto twin = gbps_.find("Copy/" + shape);
      if (twin == gbps_.end()) continue;
      std::printf("%-40s %10.1f %10.1f %7.1f%%\n", shape.c_str(), gbps, twin->second,
                  100.0 * gbps / twin->second);
    }
  }

 private:
  std::map<std::string, double> gbps_;
};

}  // namespace
}  // namespace xval::kernels

int main(int argc, char** argv) {
  const int devices = xval::kernels::CudaDeviceCount();
  if (devices == 0) {
    std::fprintf(stderr, "embed_cuda_bench: no CUDA device\n");
    return 1;
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  std::printf("device 0: %s, %d SMs, %.0f GiB\n", prop.name, prop.multiProcessorCount,
              prop.totalGlobalMem / double(1 << 30));
  xval::kernels::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  xval::kernels::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
