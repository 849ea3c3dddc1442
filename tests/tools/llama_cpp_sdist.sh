# Sourced by build_llama_tokenize.sh and build_llama_quantize.sh: fetches the llama.cpp that the
# PyPI source distribution of llama-cpp-python 0.3.36 vendors into $work/llama.cpp (PyPI is the
# one registry used; nothing is downloaded at configure time) and configures a CPU-only,
# portable-ISA Release build in $work/llama.cpp/build. Expects $work; leaves the shell in $work.
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
