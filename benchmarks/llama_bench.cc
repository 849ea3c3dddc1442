// Llama forward-pass speed, with the physical limits measured in the same run:
//   prefill tokens/s (one batch of --prompt tokens) beside peak f32 FMA throughput, and
//   decode tokens/s beside the bandwidth bound (memory read bandwidth / weight bytes a token).
// Prints one JSON line; benchmarks/compare_llama.py runs llama.cpp on the same file beside it.
//
//   llama_bench --model FILE.gguf|DIR [--threads N] [--prompt 128] [--decode 64] [--reps 3]
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "llama_bench.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "hwy/highway.h"
#include "util/thread_pool.h"
#include "xval/model.h"

HWY_BEFORE_NAMESPACE();
namespace xval::bench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// 10 independent FMA chains per thread hide the FMA latency; returns the sum so that the
// compiler keeps the work. Flops = iters * 10 chains * lanes * 2.
float FmaLoop(size_t iters, float seed) {
  const hn::ScalableTag<float> d;
  auto a = hn::Set(d, 0.999999f), b = hn::Set(d, 1e-7f * seed);
  auto v0 = hn::Set(d, seed), v1 = v0, v2 = v0, v3 = v0, v4 = v0, v5 = v0, v6 = v0, v7 = v0,
       v8 = v0, v9 = v0;
  for (size_t i = 0; i < iters; ++i) {
    v0 = hn::MulAdd(v0, a, b); v1 = hn::MulAdd(v1, a, b); v2 = hn::MulAdd(v2, a, b);
    v3 = hn::MulAdd(v3, a, b); v4 = hn::MulAdd(v4, a, b); v5 = hn::MulAdd(v5, a, b);
    v6 = hn::MulAdd(v6, a, b); v7 = hn::MulAdd(v7, a, b); v8 = hn::MulAdd(v8, a, b);
    v9 = hn::MulAdd(v9, a, b);
  }
  auto s = hn::Add(hn::Add(hn::Add(v0, v1), hn::Add(v2, v3)),
                   hn::Add(hn::Add(v4, v5), hn::Add(hn::Add(v6, v7), hn::Add(v8, v9))));
  return hn::GetLane(hn::SumOfLanes(d, s));
}
size_t FloatLanes() { return hn::Lanes(hn::ScalableTag<float>()); }

// Sum of a buffer with 4 vector accumulators: a streaming read.
float ReadSum(const float* p, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  auto s0 = hn::Zero(d), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    s0 = hn::Add(s0, hn::Load(d, p + i)); s1 = hn::Add(s1, hn::Load(d, p + i + N));
    s2 = hn::Add(s2, hn::Load(d, p + i + 2 * N)); s3 = hn::Add(s3, hn::Load(d, p + i + 3 * N));
  }
  return hn::GetLane(hn::SumOfLanes(d, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3))));
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::bench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::bench {
HWY_EXPORT(FmaLoop);
HWY_EXPORT(FloatLanes);
HWY_EXPORT(ReadSum);

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

// Peak f32 FLOP/s on `threads` threads: best of `trials`.
double PeakFlops(size_t threads, int trials) {
  const size_t iters = 20'000'000;
  double best = 0;
  for (int rep = 0; rep < trials; ++rep) {
    std::vector<float> sink(threads);
    const auto t0 = Clock::now();
    util::ParallelFor(threads, 1, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) sink[i] = HWY_DYNAMIC_DISPATCH(FmaLoop)(iters, 1.0f + i);
    }, threads);
    const double s = Seconds(t0);
    if (sink[0] == 12345.f) std::puts("");
    best = std::max(best, threads * iters * 10.0 * HWY_DYNAMIC_DISPATCH(FloatLanes)() * 2 / s);
  }
  return best;
}

constexpr size_t kReadFloats = (size_t{1} << 30) / sizeof(float);  // 1 GiB

// A filled buffer for ReadBandwidth, made once so that page faults are not timed.
hwy::AlignedFreeUniquePtr<float[]> ReadBuffer(size_t threads) {
  const size_t n = kReadFloats;
  auto buf = hwy::AllocateAligned<float>(n);
  util::ParallelFor(n, n / 64, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) buf[i] = 1.0f;
  }, threads);
  return buf;
}

// Read bandwidth over the 1 GiB buffer on `threads` threads: best of `trials` (bytes/s).
double ReadBandwidth(const hwy::AlignedFreeUniquePtr<float[]>& buf, size_t threads,
                     int trials) {
  const size_t n = kReadFloats;
  double best = 0;
  for (int rep = 0; rep < trials; ++rep) {
    const size_t chunks = threads * 16;
    std::vector<float> sums(chunks);
    const auto t0 = Clock::now();
    util::ParallelFor(chunks, 1, [&](size_t b, size_t e) {
      for (size_t c = b; c < e; ++c) {
        sums[c] = HWY_DYNAMIC_DISPATCH(ReadSum)(buf.get() + c * (n / chunks), n / chunks);
      }
    }, threads);
    const double s = Seconds(t0);
    if (sums[0] == 1.5f) std::puts("");
    best = std::max(best, n * sizeof(float) / s);
  }
  return best;
}

// Matrix weights of the layers (2 FLOPs each per token).
double LayerWeights(const model::LlamaConfig& c) {
  const double hidden = c.hidden_size, q = double(c.num_attention_heads) * c.head_dim,
               kv = double(c.num_key_value_heads) * c.head_dim;
  return c.num_hidden_layers * (hidden * (2 * q + 2 * kv) + 3 * hidden * c.intermediate_size);
}

// Matrix FLOPs of a prefill, which runs the LM head for its last position only.
double PrefillFlops(const model::LlamaConfig& c, size_t prompt) {
  return 2 * (prompt * LayerWeights(c) + double(c.hidden_size) * c.vocab_size);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

int Main(int argc, char** argv) {
  std::string path;
  size_t threads = util::DefaultThreadCount(), prompt = 128, decode = 64, reps = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--model") path = v;
    else if (flag == "--threads") threads = std::strtoul(v, nullptr, 10);
    else if (flag == "--prompt") prompt = std::strtoul(v, nullptr, 10);
    else if (flag == "--decode") decode = std::strtoul(v, nullptr, 10);
    else if (flag == "--reps") reps = std::strtoul(v, nullptr, 10);
  }
  if (path.empty() || threads == 0 || prompt == 0 || decode == 0) {
    std::fprintf(stderr, "usage: llama_bench --model FILE [--threads N] [--prompt N] [--decode N]\n");
    return 1;
  }
  model::LoadOptions load;
  load.max_threads = threads;
  const auto t_load = Clock::now();
  auto model = model::LlamaModel::Load(path, load);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", std::string(model.status().message()).c_str());
    return 1;
  }
  const double load_s = Seconds(t_load);
  const model::LlamaConfig& c = (*model)->config();
  auto session = (*model)->NewSession(prompt + decode + 1, prompt);
  if (!session.ok()) return 1;
  std::vector<int32_t> ids(prompt);
  for (size_t i = 0; i < prompt; ++i) ids[i] = static_cast<int32_t>((i * 7919 + 13) % c.vocab_size);
  model::ForwardOutput out;
  // The machine may be shared, and its load can change within a run: each timed rep measures
  // the peak right before its prefill and the bandwidth right before its decode, so that every
  // share below is a ratio of two figures taken under the same load; the shares reported are
  // the medians over the reps.
  const auto read_buf = ReadBuffer(threads);
  double best_prefill = 1e30, best_decode = 1e30, best_peak = 0, best_bw = 0;
  std::vector<double> prefill_shares, decode_shares;  // per timed rep
  for (size_t rep = 0; rep < reps + 1; ++rep) {  // the first run warms the page cache
    (*session)->Reset();
    const double peak_r = rep > 0 ? PeakFlops(threads, 2) : 0;
    auto t0 = Clock::now();
    if (!(*session)->Forward(ids, {}, false, &out).ok()) return 1;
    const double p = Seconds(t0);
    const double bw_r = rep > 0 ? ReadBandwidth(read_buf, threads, 2) : 0;
    t0 = Clock::now();
    int32_t next = 1;
    for (size_t i = 0; i < decode; ++i) {
      const int32_t one[1] = {next};
      if (!(*session)->Forward(one, {}, false, &out).ok()) return 1;
      next = static_cast<int32_t>(std::max_element(out.logits.begin(), out.logits.end()) -
                                  out.logits.begin());
    }
    const double d = Seconds(t0);
    if (rep > 0) {
      best_prefill = std::min(best_prefill, p);
      best_decode = std::min(best_decode, d);
      best_peak = std::max(best_peak, peak_r);
      best_bw = std::max(best_bw, bw_r);
      prefill_shares.push_back(PrefillFlops(c, prompt) / p / peak_r);
      decode_shares.push_back(decode / d / (bw_r / static_cast<double>((*model)->weight_bytes())));
    }
  }
  // Matrix FLOPs per token: 2 per weight of every projection and the LM head.
  const double weights = LayerWeights(c) + double(c.hidden_size) * c.vocab_size;
  const double prefill_tps = prompt / best_prefill, decode_tps = decode / best_decode;
  const double prefill_flop_s = PrefillFlops(c, prompt) / best_prefill;
  const double bytes = static_cast<double>((*model)->weight_bytes());
  std::printf(
      "{\"impl\":\"xval\",\"threads\":%zu,\"weight_type\":\"%s\",\"params_matmul\":%.0f,"
      "\"weight_bytes_per_token\":%.0f,\"load_s\":%.3f,\"prompt\":%zu,\"decode\":%zu,"
      "\"prefill_tok_s\":%.2f,\"decode_tok_s\":%.2f,\"peak_gflops\":%.1f,"
      "\"prefill_gflops\":%.1f,\"prefill_share_of_peak\":%.3f,\"read_gb_s\":%.2f,"
      "\"decode_bound_tok_s\":%.2f,\"decode_share_of_bound\":%.3f}\n",
      threads, model::WeightTypeName((*model)->weight_type()), weights, bytes, load_s, prompt,
      decode, prefill_tps, decode_tps, best_peak / 1e9, prefill_flop_s / 1e9,
      Median(prefill_shares), best_bw / 1e9, best_bw / bytes, Median(decode_shares));
  return 0;
}

}  // namespace xval::bench

int main(int argc, char** argv) { return xval::bench::Main(argc, argv); }
#endif  // HWY_ONCE
