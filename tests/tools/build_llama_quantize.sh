#!/usr/bin/env bash
# Builds llama.cpp's `llama-quantize` and tests/tools/llama_logits.cc (llama.cpp's logits for a
# token sequence), the references for xval's quantized GGUF weights (issue 24), from the
# llama.cpp vendored in the PyPI source distribution of llama-cpp-python 0.3.36, as
# build_llama_tokenize.sh does (the same WORKDIR serves both). CPU only, portable ISA
# (GGML_NATIVE=OFF), no downloads at configure time. About 6 minutes on 2 cores.
#
#   tests/tools/build_llama_quantize.sh [WORKDIR]      (default /tmp/llamacpp-ref)
#   WORKDIR/llama.cpp/build/bin/llama-quantize IN.gguf OUT.gguf Q4_K_M
#   WORKDIR/llama_logits MODEL.gguf < ids > logits
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-/tmp/llamacpp-ref}
. "$here/llama_cpp_sdist.sh"
cmake --build llama.cpp/build --target llama-quantize -j "$(nproc)" >/dev/null
lib=$work/llama.cpp/build/bin
c++ -O2 -std=c++17 "$here/llama_logits.cc" -Illama.cpp/include -Illama.cpp/ggml/include \
  -L"$lib" -lllama -lggml -lggml-base -Wl,-rpath,"$lib" -o llama_logits
echo "$lib/llama-quantize"
echo "$work/llama_logits"
