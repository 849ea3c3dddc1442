#!/usr/bin/env python3
"""Streaming detokenization beside Hugging Face tokenizers' DecodeStream, in one run: the ids
of the corpus as one long generated sequence (Llama 2's tokenizer.json for both; cl100k for
xval alone), pushed one id at a time, and

  - the joined output checked equal to the full decode (both libraries), and equal between them;
  - microseconds per token over the whole sequence, and over its first and last 10,000 tokens
    (constant work per token: the two agree however long the sequence);
  - for scale, decoding the whole prefix again at every token (what `xval generate` did before):
    microseconds per token at 2,000 tokens, growing with the length.

  python3 benchmarks/compare_stream_decode.py [--tokens N]   (after pip install .)
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))
import tokenizers  # noqa: E402
from tokenizers.decoders import DecodeStream  # noqa: E402

import xval  # noqa: E402
from conftest import DATA, corpus_lines  # noqa: E402


def stream_xval(tok, ids):
    stream = tok.decode_stream()
    out, times = [], []
    for i in ids:
        start = time.perf_counter()
        piece = stream.step(i)
        times.append(time.perf_counter() - start)
        if piece is not None:
            out.append(piece)
    out.append(stream.flush())
    return "".join(out), times


def stream_hf(tok, ids):
    stream = DecodeStream(skip_special_tokens=False)
    out, times = [], []
    for i in ids:
        start = time.perf_counter()
        piece = stream.step(tok, i)
        times.append(time.perf_counter() - start)
        if piece is not None:
            out.append(piece)
    return "".join(out), times


def us(times):
    return 1e6 * sum(times) / max(len(times), 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=200_000)
    args = ap.parse_args()
    text = "\n".join(corpus_lines())
    llama_json = str(DATA / "tokenizers" / "llama2" / "tokenizer.json")
    ours = xval.Tokenizer.from_file(llama_json)
    hf = tokenizers.Tokenizer.from_file(llama_json)
    ids = hf.encode(text, add_special_tokens=False).ids[:args.tokens]
    assert ours.encode(text).ids.tolist()[:args.tokens] == ids
    full_hf = hf.decode(ids, skip_special_tokens=False)
    full_ours = ours.decode(ids)
    got_ours, t_ours = stream_xval(ours, ids)
    got_hf, t_hf = stream_hf(hf, ids)
    print(f"Llama 2 tokenizer.json, {len(ids)} ids of the corpus as one sequence")
    print(f"  xval stream == xval decode: {got_ours == full_ours}; HF stream == HF decode: "
          f"{got_hf == full_hf}; xval decode == HF decode: {full_ours == full_hf}")
    print("| streaming decoder | us/token, all | first 10k | last 10k | HF / xval |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| xval decode_stream | {us(t_ours):.2f} | {us(t_ours[:10000]):.2f} | "
          f"{us(t_ours[-10000:]):.2f} | {us(t_hf) / us(t_ours):.1f} |")
    print(f"| tokenizers DecodeStream | {us(t_hf):.2f} | {us(t_hf[:10000]):.2f} | "
          f"{us(t_hf[-10000:]):.2f} | |")
    cl = xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(DATA / "tokenizers" / "tiktoken"))
    cl_ids = cl.encode(text).ids.tolist()[:args.tokens]
    got_cl, t_cl = stream_xval(cl, cl_ids)
    print(f"| xval decode_stream, cl100k ({len(cl_ids)} ids; equal to decode: "
          f"{got_cl == cl.decode(cl_ids)}) | {us(t_cl):.2f} | {us(t_cl[:10000]):.2f} | "
          f"{us(t_cl[-10000:]):.2f} | |")
    # The old way: decode the whole run at each token.
    prefix = ids[:2000]
    start = time.perf_counter()
    for n in range(1, len(prefix) + 1):
        ours.decode(prefix[:n])
    naive = 1e6 * (time.perf_counter() - start) / len(prefix)
    print(f"re-decoding the whole prefix at each token, 2,000 tokens: {naive:.1f} us/token")
    ok = got_ours == full_ours and full_ours == full_hf and got_cl == cl.decode(cl_ids)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
