#!/usr/bin/env bash
# Builds llama.cpp's `llama-tokenize`, the reference implementation for the GGUF vocabularies in
# ../shared/data/tokenizers/gguf/ (issue 18), from the llama.cpp vendored in the PyPI source
# distribution of llama-cpp-python 0.3.36: the same sdist those vocabularies were copied from.
# CPU only, no downloads at configure time (PyPI is the one registry used). About 3 minutes on
# 2 cores.
#
#   tests/tools/build_llama_tokenize.sh [WORKDIR]      (default /tmp/llamacpp-ref)
#   WORKDIR/llama.cpp/build/bin/llama-tokenize -m VOCAB.gguf -p TEXT --ids --log-disable
#   WORKDIR/llama_tokenize_lines VOCAB.gguf ADD_SPECIAL PARSE_SPECIAL < hex-lines
#     (tests/tools/llama_tokenize_lines.cc: many texts per call, for gen_gguf_golden.py)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-/tmp/llamacpp-ref}
. "$here/llama_cpp_sdist.sh"
cmake --build llama.cpp/build --target llama-tokenize -j "$(nproc)" >/dev/null
lib=$work/llama.cpp/build/bin
c++ -O2 -std=c++17 "$here/llama_tokenize_lines.cc" -Illama.cpp/include -Illama.cpp/ggml/include \
  -L"$lib" -lllama -lggml -lggml-base -Wl,-rpath,"$lib" -o llama_tokenize_lines
echo "$lib/llama-tokenize"
echo "$work/llama_tokenize_lines"
