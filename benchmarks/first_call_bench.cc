// The first calls of a process, one at a time: what a "cold" figure in compare_peers.py is made
// of, without Python around it. Loads a tokenizer, reads a text file, encodes it (ids only,
// EncodeBatchFlat as the Python encode_batch_flat([text], ids_only=True, threads=N) does) CALLS
// times and prints each call's milliseconds. --lines: each line a text of the batch. --ordinary:
// special tokens are not parsed (parse_special false, as compare_peers.py runs tiktoken and
// SentencePiece vocabularies). With
// --perf-ctl=CTL,ACK (perf record -D -1 --control fifo:CTL,ACK) only the first call is profiled,
// with --perf-warm too only the calls after it.
//
// Usage: first_call_bench TOKENIZER TEXT_FILE [CALLS] [--threads=N] [--lines] [--ordinary]
//                         [--perf-ctl=CTL,ACK [--perf-warm]]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "xval/tokenizer.h"

namespace {

// perf's control pipes: a command, then wait for perf's acknowledgement.
class PerfControl {
 public:
  explicit PerfControl(const std::string& spec) {
    const size_t comma = spec.find(',');
    if (comma == std::string::npos) return;
    ctl_.open(spec.substr(0, comma));
    ack_.open(spec.substr(comma + 1));
  }
  void Send(const char* command) {
    if (!ctl_.is_open()) return;
    ctl_ << command << '\n' << std::flush;
    std::string line;
    std::getline(ack_, line);
  }

 private:
  std::ofstream ctl_;
  std::ifstream ack_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string perf_spec;
  size_t threads = 1;
  bool lines = false;
  bool perf_warm = false;
  bool ordinary = false;
  int positional = 0;
  const char* args[3] = {nullptr, nullptr, "3"};
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--perf-ctl=", 11) == 0) {
      perf_spec = argv[i] + 11;
    } else if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threads = static_cast<size_t>(std::atoi(argv[i] + 10));
    } else if (std::strcmp(argv[i], "--perf-warm") == 0) {
      perf_warm = true;
    } else if (std::strcmp(argv[i], "--ordinary") == 0) {
      ordinary = true;
    } else if (std::strcmp(argv[i], "--lines") == 0) {
      lines = true;
    } else if (positional < 3) {
      args[positional++] = argv[i];
    }
  }
  if (positional < 2) {
    std::fprintf(stderr, "usage: %s TOKENIZER TEXT_FILE [CALLS] [--perf-ctl=CTL,ACK]\n", argv[0]);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const auto load_start = Clock::now();
  auto tokenizer = xval::LoadTokenizer(args[0]);
  if (!tokenizer.ok()) {
    std::fprintf(stderr, "%s\n", tokenizer.status().ToString().c_str());
    return 1;
  }
  const double load_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - load_start).count();
  std::ifstream file(args[1], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "%s: cannot read\n", args[1]);
    return 1;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string text = buffer.str();
  std::vector<absl::string_view> views;
  if (lines) {
    for (size_t begin = 0; begin < text.size();) {
      size_t end = text.find('\n', begin);
      if (end == std::string::npos) end = text.size();
      views.emplace_back(text.data() + begin, end - begin);
      begin = end + 1;
    }
  } else {
    views.emplace_back(text);
  }
  xval::EncodeOptions options;
  options.ids_only = true;
  options.parse_special = !ordinary;
  PerfControl perf(perf_spec);
  std::printf("load %.1f ms\n", load_ms);
  const int calls = std::atoi(args[2]);
  if (perf_warm && calls < 2) {
    std::fprintf(stderr, "--perf-warm profiles the calls after the first: give CALLS >= 2\n");
    return 2;
  }
  for (int i = 0; i < calls; ++i) {
    if (i == (perf_warm ? 1 : 0)) perf.Send("enable");
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    const auto start = Clock::now();
    auto batch = (*tokenizer)->EncodeBatchFlat(views, options, threads);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (i == (perf_warm ? calls - 1 : 0)) perf.Send("disable");
    if (!batch.ok()) {
      std::fprintf(stderr, "%s\n", batch.status().ToString().c_str());
      return 1;
    }
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    // Page faults: a first call's memory that the kernel zeroes (what makes much of "cold").
    const auto cpu_ms = [](const timeval& a, const timeval& b) {
      return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_usec - a.tv_usec) / 1e3;
    };
    std::printf(
        "call %d: %.2f ms, %.1f MB/s, %zu ids, %ld page faults, peak RSS +%ld KiB, user %.1f ms, "
        "system %.1f ms\n",
        i, ms, text.size() / ms / 1e3, batch->ids.size(), after.ru_minflt - before.ru_minflt,
        after.ru_maxrss - before.ru_maxrss, cpu_ms(before.ru_utime, after.ru_utime),
        cpu_ms(before.ru_stime, after.ru_stime));
  }
  return 0;
}
