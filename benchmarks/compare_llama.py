#!/usr/bin/env python3
"""xval's Llama forward pass beside llama.cpp on the same GGUF file, the same thread count and
the same prompt/decode lengths. Prints a Markdown table.

llama.cpp is either the PyPI package llama-cpp-python (imported), or, with --llama-bench,
llama.cpp's own llama-bench tool built from the llama.cpp sources that the llama-cpp-python
source distribution carries (vendor/llama.cpp; PyPI has no wheel for this platform):

  pip download llama-cpp-python --no-deps --no-binary :all: -d /tmp/llamacpp && tar ...
  cmake -S .../vendor/llama.cpp -B /tmp/llamacpp/build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DGGML_NATIVE=ON -DLLAMA_CURL=OFF && ninja -C /tmp/llamacpp/build llama-bench

  python3 tests/tools/make_tiny_llama.py --bench /tmp/benchm --type F16   # ~220 M params
  python3 benchmarks/compare_llama.py --model /tmp/benchm/bench-f16.gguf \
      --bench build/release/benchmarks/llama_bench --threads 2 \
      [--llama-bench /tmp/llamacpp/build/bin/llama-bench] [--kv-cache f16|f32] [--huge-pages 1]

Both sides use the same KV cache type: f16 by default, llama.cpp's default. By default the model
file is dropped from the page cache before each side loads it (--page-cache cold).
"""
import argparse
import json
import os
import subprocess
import time


GGML_TYPES = {"f32": 0, "f16": 1}


def run_llama_cpp(model, threads, prompt, decode, reps, kv_cache):
    from llama_cpp import Llama
    llm = Llama(model_path=model, n_threads=threads, n_threads_batch=threads, n_ctx=prompt + decode + 8,
                n_batch=prompt, n_ubatch=prompt, type_k=GGML_TYPES[kv_cache],
                type_v=GGML_TYPES[kv_cache], verbose=False)
    vocab = llm.n_vocab()
    ids = [(i * 7919 + 13) % vocab for i in range(prompt)]
    best_p, best_d = 1e30, 1e30
    for rep in range(reps + 1):  # the first run warms the page cache
        llm.reset()
        llm._ctx.kv_cache_clear() if hasattr(llm._ctx, "kv_cache_clear") else None
        t0 = time.perf_counter()
        llm.eval(ids)
        p = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(decode):
            llm.eval([1])
        d = time.perf_counter() - t0
        if rep:
            best_p, best_d = min(best_p, p), min(best_d, d)
    return {"impl": "llama.cpp", "prefill_tok_s": prompt / best_p, "decode_tok_s": decode / best_d}


def run_llama_bench(tool, model, threads, prompt, decode, reps, kv_cache, extra):
    """llama.cpp's llama-bench: pp (one batch of `prompt` tokens) and tg (`decode` one-token
    steps) over `reps` runs after its own warm-up, CPU only. The best run's tokens/s, the
    statistic llama_bench reports for xval (llama-bench's own figure is the mean, kept as
    *_mean_tok_s: on a shared machine the mean of a few runs sits well below the best)."""
    out = subprocess.run([tool, "-m", model, "-t", str(threads), "-p", str(prompt),
                          "-n", str(decode), "-r", str(reps), "-ngl", "0", "-ctk", kv_cache,
                          "-ctv", kv_cache, "-o", "json"] + extra,
                         check=True, capture_output=True, text=True)
    rows = json.loads(out.stdout)
    pp = next(r for r in rows if r["n_prompt"] == prompt and r["n_gen"] == 0)
    tg = next(r for r in rows if r["n_gen"] == decode and r["n_prompt"] == 0)
    return {"impl": "llama.cpp (llama-bench " + str(pp.get("build_commit", "")) + ")",
            "prefill_tok_s": max(pp["samples_ts"]), "decode_tok_s": max(tg["samples_ts"]),
            "prefill_mean_tok_s": pp["avg_ts"], "decode_mean_tok_s": tg["avg_ts"]}


def drop_from_page_cache(path):
    """Evicts the file's clean cached pages (those no process maps), as after a reboot."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--bench", default="build/model/benchmarks/llama_bench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt", type=int, default=128)
    ap.add_argument("--decode", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--llama-bench", default="", help="llama.cpp's llama-bench binary")
    ap.add_argument("--kv-cache", default="f16", choices=["f16", "f32"],
                    help="KV cache type on both sides (llama.cpp's default is f16)")
    ap.add_argument("--q8-activations", type=int, default=0, choices=[0, 1],
                    help="xval rounds decode's activations to 8 bits for Q4_K/Q6_K weights, as "
                         "llama.cpp does (LoadOptions::q8_activations)")
    ap.add_argument("--llama-bench-args", default="",
                    help="more arguments for llama-bench, e.g. \"--repack 0\" where its AMX "
                         "repacking crashes (docs/benchmarks.md)")
    ap.add_argument("--huge-pages", type=int, default=0, choices=[0, 1],
                    help="xval copies the weights to transparent huge pages "
                         "(LoadOptions::copy_to_huge_pages); llama.cpp maps the file either way")
    ap.add_argument("--page-cache", default="cold", choices=["cold", "warm"],
                    help="cold: drop the model file from the page cache before each side loads "
                         "it, so that both read it as after a reboot (the kernel then caches it "
                         "in large folios where it can); warm: leave the cache as it is")
    args = ap.parse_args()
    if args.llama_bench and args.kv_cache == "f32":
        ap.error("llama-bench's -ctk/-ctv take no f32 cache (f16, bf16 and quantized types only): "
                 "compare with --kv-cache f16, or through llama-cpp-python")
    if args.page_cache == "cold":
        drop_from_page_cache(args.model)
    out = subprocess.run([args.bench, "--model", args.model, "--threads", str(args.threads),
                          "--prompt", str(args.prompt), "--decode", str(args.decode),
                          "--reps", str(args.reps), "--kv-cache", args.kv_cache,
                          "--huge-pages", str(args.huge_pages),
                          "--q8-activations", str(args.q8_activations)],
                         check=True, capture_output=True, text=True)
    ours = json.loads(out.stdout.strip().splitlines()[-1])
    if args.page_cache == "cold":
        drop_from_page_cache(args.model)
    if args.llama_bench:
        peer = run_llama_bench(args.llama_bench, args.model, args.threads, args.prompt,
                               args.decode, args.reps, args.kv_cache,
                               args.llama_bench_args.split())
    else:
        try:
            peer = run_llama_cpp(args.model, args.threads, args.prompt, args.decode, args.reps,
                                 args.kv_cache)
        except ImportError as e:
            peer = None
            print(f"(llama-cpp-python not importable: {e})")
    print(json.dumps(ours))
    if peer:
        print(json.dumps(peer))
    print()
    print(f"KV cache: {args.kv_cache} on both sides; xval weights "
          f"{'copied to huge pages' if args.huge_pages else 'memory-mapped'}, llama.cpp's mapped; "
          f"page cache {args.page_cache} before each side; xval activations "
          f"{'8-bit in decode (llama.cpp arithmetic)' if args.q8_activations else 'f32'}")
    print("| | prefill tok/s | decode tok/s |")
    print("| --- | ---: | ---: |")
    print(f"| xval | {ours['prefill_tok_s']:.1f} | {ours['decode_tok_s']:.2f} |")
    if peer:
        print(f"| llama.cpp | {peer['prefill_tok_s']:.1f} | {peer['decode_tok_s']:.2f} |")
        print(f"| xval / llama.cpp | {ours['prefill_tok_s'] / peer['prefill_tok_s']:.2f} | "
              f"{ours['decode_tok_s'] / peer['decode_tok_s']:.2f} |")
    print(f"\nprefill: {ours['prefill_gflops']:.1f} GFLOP/s = {ours['prefill_share_of_peak']:.0%} of "
          f"peak {ours['peak_gflops']:.1f} GFLOP/s (FMA loop, same run)")
    print(f"decode: {ours['decode_tok_s']:.2f} tok/s = {ours['decode_share_of_bound']:.0%} of the "
          f"bound {ours['decode_bound_tok_s']:.2f} tok/s ({ours['weight_bytes_per_token'] / 1e6:.0f} MB "
          f"a token at {ours['read_gb_s']:.1f} GB/s read, same run)")
    print(f"decode, each token against a read right before and after it: median "
          f"{ours['decode_paired_share_median']:.0%} of the bound (quartiles "
          f"{ours['decode_paired_share_p25']:.0%}-{ours['decode_paired_share_p75']:.0%}), "
          f"median token {ours['decode_token_ms_median']:.2f} ms")
    print(f"peak memory: {ours['peak_rss_bytes'] / 1e9:.2f} GB resident = "
          f"{ours['peak_rss_over_file']:.3f}x the model file ({ours['model_file_bytes'] / 1e9:.2f} GB)")


if __name__ == "__main__":
    main()
