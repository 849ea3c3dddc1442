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
version=0.3.36
mkdir -p "$work"
cd "$work"
if [ ! -f "llama_cpp_python-$version.tar.gz" ]; then
  python3 -m pip download --no-deps --no-binary :all: "llama-cpp-python==$version" -d . >/dev/null
fi
if [ ! -d llama.cpp ]; then
  tar xzf "llama_cpp_python-$version.tar.gz"
  mv "llama_cpp_python-$version/vendor/llama.cpp" llama.cpp
  rm -rf "llama_cpp_python-$version"
fi
cmake -S llama.cpp -B llama.cpp/build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DGGML_NATIVE=OFF >/dev/null
cmake --build llama.cpp/build --target llama-tokenize -j "$(nproc)" >/dev/null
lib=$work/llama.cpp/build/bin
c++ -O2 -std=c++17 "$here/llama_tokenize_lines.cc" -Illama.cpp/include -Illama.cpp/ggml/include \
  -L"$lib" -lllama -lggml -lggml-base -Wl,-rpath,"$lib" -o llama_tokenize_lines
echo "$lib/llama-tokenize"
echo "$work/llama_tokenize_lines"
