// The forward pass's matrix product (lib/kernels/matmul.cc) alone, beside peak f32 FMA throughput
// measured in the same run: how much of the prefill's gap to the peak is the kernel's own.
//
//   matmul_bench [--benchmark_filter=...]
// BM_Gemv: decode's matrix-vector product (f16 at both shapes; Q8_0, Q4_0 and the k-quants at
// the 7B one), GB/s of weights against the read bandwidth. BM_MatMulFromMemory: the 128-token
// product with its weights coming from memory, as a prefill reads them (BM_MatMul reuses one
// matrix, which then sits in L3). Shapes: the 220 M-parameter benchmark model's (hidden 1024,
// intermediate 2816) and a Llemma-7B layer's (4096, 11008), 128 tokens, f32 and f16 weights, 1 and
// 2 threads. Counters: GFLOP/s, peak_GFLOP/s (PeakFlops, an FMA loop) and l1_kernel_GFLOP/s
// (OuterProductFlops, the micro-kernel's step from L1) on the same thread count.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"
#include "machine_limits.h"

namespace xval::bench {
namespace {

// Peak FLOP/s per thread count, measured once per run (and again by nothing else).
double PeakFor(size_t threads) {
  static std::map<size_t, double> peaks;
  auto it = peaks.find(threads);
  if (it == peaks.end()) it = peaks.emplace(threads, PeakFlops(threads, 3)).first;
  return it->second;
}

// The micro-kernel's own ceiling (operands in L1) per thread count, measured once per run.
double L1KernelFor(size_t threads) {
  static std::map<size_t, double> ceilings;
  auto it = ceilings.find(threads);
  if (it == ceilings.end()) it = ceilings.emplace(threads, OuterProductFlops(threads, 3)).first;
  return it->second;
}

// Args: weight type (0 f32, 1 f16), tokens n, cols (in_features), rows (out_features), threads.
void BM_MatMul(benchmark::State& state) {
  const bool f16 = state.range(0) == 1;
  const size_t n = state.range(1), cols = state.range(2), rows = state.range(3);
  const size_t threads = state.range(4);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<float> x(n * cols);  // (n, cols)
  for (float& v : x) v = normal(rng) * 50;
  std::vector<float> w32(f16 ? 0 : rows * cols);     // (rows, cols)
  std::vector<uint16_t> w16(f16 ? rows * cols : 0);  // (rows, cols)
  for (float& v : w32) v = normal(rng);
  // Random f16 bit patterns of magnitude 2^-6 to 2^-2 (exponent fields 9 to 13), either sign.
  std::uniform_int_distribution<uint32_t> mantissa(0, 1023), exponent(9, 13), sign(0, 1);
  for (uint16_t& v : w16) v = (sign(rng) << 15) | (exponent(rng) << 10) | mantissa(rng);
  kernels::WeightMatrix w;
  w.type = f16 ? model::WeightType::kF16 : model::WeightType::kF32;
  w.data = f16 ? static_cast<const void*>(w16.data()) : static_cast<const void*>(w32.data());
  w.rows = rows;
  w.cols = cols;
  w.row_stride = cols;
  std::vector<float> out(n * rows);  // (n, rows)
  const double peak = PeakFor(threads);
  const double l1_kernel = L1KernelFor(threads);
  for (auto _ : state) {
    kernels::MatMul(x.data(), cols, n, w, out.data(), rows, threads);
    benchmark::DoNotOptimize(out.data());
  }
  const double flops = 2.0 * n * cols * rows * state.iterations();
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
  state.counters["peak_GFLOP/s"] = peak / 1e9;
  state.counters["l1_kernel_GFLOP/s"] = l1_kernel / 1e9;
  state.SetLabel(f16 ? "f16" : "f32");
}

// Read bandwidth per thread count (ReadBandwidth), measured once per run over a 1 GiB buffer.
double BandwidthFor(size_t threads) {
  static std::map<size_t, double> bandwidths;
  auto it = bandwidths.find(threads);
  if (it == bandwidths.end()) {
    const auto buf = ReadBuffer(threads);
    it = bandwidths.emplace(threads, ReadBandwidth(buf, threads, 3)).first;
  }
  return it->second;
}

// Copies of one matrix filling 96 MiB, three times the L3 cache, handed out in turn, so that
// every product reads its weights from memory as the forward pass does: f16 (every weight
// 2^-4) or a quantized type (random blocks whose f16 scales are 2^-10 to 2^-7).
class WeightsFromMemory {
 public:
  WeightsFromMemory(size_t rows, size_t cols, model::WeightType type = model::WeightType::kF16)
      : type_(type),
        rows_(rows),
        cols_(cols),
        bytes_(kernels::QuantRowBytes(type, cols) * rows),
        copies_((size_t{96} << 20) / bytes_ + 1),
        data_(hwy::AllocateAligned<uint8_t>(copies_ * bytes_)) {
    AdviseHugePages(data_.get(), copies_ * bytes_);  // as MappedFile's
    if (type == model::WeightType::kF16) {
      for (size_t i = 0; i < copies_ * bytes_; i += 2) data_[i] = 0x00, data_[i + 1] = 0x2c;
      return;
    }
    std::mt19937 rng(3);
    for (size_t i = 0; i < copies_ * bytes_; ++i) data_[i] = static_cast<uint8_t>(rng());
    const kernels::BlockFormat f = kernels::BlockFormatOf(type);
    const size_t d_at = type == model::WeightType::kQ6_K ? kernels::kQ6KD : 0;
    const bool has_min = type == model::WeightType::kQ4_K || type == model::WeightType::kQ5_K;
    for (size_t b = 0; b < copies_ * bytes_ / f.bytes; ++b) {
      for (size_t at : {d_at, has_min ? size_t{2} : d_at}) {
        const uint16_t scale = static_cast<uint16_t>((5u + rng() % 4) << 10 | (rng() & 0x3ffu));
        std::memcpy(data_.get() + b * f.bytes + at, &scale, 2);
      }
    }
  }

  size_t bytes() const { return bytes_; }

  kernels::WeightMatrix Next() {
    kernels::WeightMatrix w;
    w.type = type_;
    w.data = data_.get() + copy_ * bytes_;
    w.rows = rows_;
    w.cols = cols_;
    w.row_stride = cols_;
    copy_ = (copy_ + 1) % copies_;
    return w;
  }

 private:
  model::WeightType type_;
  size_t rows_, cols_, bytes_, copies_, copy_ = 0;
  hwy::AlignedFreeUniquePtr<uint8_t[]> data_;  // (copies, bytes_)
};

// One token (decode): matrices times one vector, their weights from memory (WeightsFromMemory),
// against the read bandwidth of the same thread count (read_GB/s); GB/s counts the bytes
// stored, Gweights/s the weights. Args: cols, rows, threads, weight type (WeightType's value),
// q8 (1: Activations::kQ8, llama.cpp's 8-bit activations).
void BM_Gemv(benchmark::State& state) {
  const size_t cols = state.range(0), rows = state.range(1), threads = state.range(2);
  const auto type = static_cast<model::WeightType>(state.range(3));
  const auto activations = state.range(4) ? kernels::Activations::kQ8 : kernels::Activations::kF32;
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(cols);  // (cols)
  for (float& v : x) v = normal(rng);
  WeightsFromMemory weights(rows, cols, type);
  std::vector<float> out(rows);  // (rows)
  const double bandwidth = BandwidthFor(threads);
  for (auto _ : state) {
    kernels::MatMul(x.data(), cols, 1, weights.Next(), out.data(), rows, threads, activations);
    benchmark::DoNotOptimize(out.data());
  }
  const double bytes = static_cast<double>(weights.bytes()) * state.iterations();
  state.counters["GB/s"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsRate);
  state.counters["Gweights/s"] =
      benchmark::Counter(1e-9 * rows * cols * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["read_GB/s"] = bandwidth / 1e9;
  state.SetLabel(std::string(model::WeightTypeName(type)) + (state.range(4) ? " q8" : ""));
}
void GemvShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"cols", "rows", "threads", "type", "q8"});
  using model::WeightType;
  for (WeightType type : {WeightType::kF16, WeightType::kQ8_0, WeightType::kQ4_0, WeightType::kQ4_K,
                          WeightType::kQ5_K, WeightType::kQ6_K}) {
    for (int64_t threads : {1, 2}) b->Args({4096, 11008, threads, static_cast<int64_t>(type), 0});
  }
  for (WeightType type : {WeightType::kQ4_K, WeightType::kQ6_K}) {
    for (int64_t threads : {1, 2}) b->Args({4096, 11008, threads, static_cast<int64_t>(type), 1});
  }
  b->Args({1024, 2816, 1, static_cast<int64_t>(WeightType::kF16), 0});
  b->Args({1024, 2816, 2, static_cast<int64_t>(WeightType::kF16), 0});
}
BENCHMARK(BM_Gemv)->Apply(GemvShapes)->UseRealTime()->Unit(benchmark::kMillisecond);

void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"f16", "n", "cols", "rows", "threads"});
  for (int64_t f16 : {0, 1}) {
    for (int64_t threads : {1, 2}) {
      b->Args({f16, 128, 1024, 2816, threads});   // bench model: gate/up
      b->Args({f16, 128, 2816, 1024, threads});   // bench model: down
      b->Args({f16, 128, 4096, 11008, threads});  // Llemma 7B: gate/up
    }
  }
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_MatMul)->Apply(Shapes);

// The batched product with its weights read from memory (WeightsFromMemory), as a prefill
// reads each layer's once. Args: n, cols, rows, threads.
void BM_MatMulFromMemory(benchmark::State& state) {
  const size_t n = state.range(0), cols = state.range(1), rows = state.range(2);
  const size_t threads = state.range(3);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n * cols);  // (n, cols)
  for (float& v : x) v = normal(rng);
  WeightsFromMemory weights(rows, cols);
  std::vector<float> out(n * rows);  // (n, rows)
  const double peak = PeakFor(threads);
  for (auto _ : state) {
    kernels::MatMul(x.data(), cols, n, weights.Next(), out.data(), rows, threads);
    benchmark::DoNotOptimize(out.data());
  }
  const double flops = 2.0 * n * cols * rows * state.iterations();
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
  state.counters["peak_GFLOP/s"] = peak / 1e9;
}
BENCHMARK(BM_MatMulFromMemory)
    ->ArgNames({"n", "cols", "rows", "threads"})
    ->Args({128, 1024, 2816, 1})
    ->Args({128, 1024, 2816, 2})
    ->Args({128, 2816, 1024, 2})
    ->Args({16, 4096, 11008, 2})  // a 16-token prefill of the 7B shape
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace xval::bench

BENCHMARK_MAIN();
