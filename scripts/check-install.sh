#!/usr/bin/env bash
# Issue 17's linking checks, against a release build (default build/release):
#  1. `cmake --install` into an empty prefix; the headers, libxval.a, libxval.so, the CMake
#     package and xval.pc are there;
#  2. examples/c (C99, through pkg-config, linked to libxval.so), the installed libxval.so
#     through ctypes (examples/python/ctypes_tokenize.py) and examples/cpp (find_package(xval),
#     xval::xval) run against that prefix, and their ids on the bundled sample equal those of
#     the installed `xval tokenize`;
#  3. examples/subproject builds xval with add_subdirectory and default options, and its ids
#     are the same.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
data=${XVAL_DATA_DIR:-$(pwd)/../shared/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
tokenizer=$data/tokenizers/llama2/tokenizer.model
sample=examples/sample_math.txt

echo "== install into an empty prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/xval/xval.h include/xval/version.h include/xval/tokenizer.h lib/libxval.a \
         lib/libxval.so lib/cmake/xval/xvalConfig.cmake lib/cmake/xval/xvalConfigVersion.cmake \
         lib/cmake/xval/xvalTargets.cmake lib/pkgconfig/xval.pc bin/xval; do
  [ -e "$prefix/$f" ] || { echo "install: $f is missing" >&2; exit 1; }
done
expected=$("$prefix/bin/xval" tokenize --tokenizer "$tokenizer" --input "$sample")
same() {  # name, output
  if [ "$2" != "$expected" ]; then
    echo "$1: ids differ from xval tokenize's" >&2
    diff <(echo "$expected") <(echo "$2") | head >&2
    exit 1
  fi
  echo "$1: $(echo "$2" | wc -l) lines, ids equal to xval tokenize's"
}

echo "== examples/c through pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -std=c99 -Wall -Wextra -pedantic -Werror examples/c/tokenize.c \
   $(pkg-config --cflags --libs xval) -Wl,-rpath,"$prefix/lib" -o "$work/tokenize_c"
same "examples/c" "$("$work/tokenize_c" "$tokenizer" < "$sample")"

echo "== examples/python/ctypes_tokenize.py: libxval.so through ctypes, as any FFI"
same "ctypes" "$(python3 examples/python/ctypes_tokenize.py "$prefix/lib/libxval.so" "$tokenizer" < "$sample")"

echo "== examples/cpp through find_package(xval)"
cmake -S examples/cpp -B "$work/cpp" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cpp" >/dev/null
same "examples/cpp" "$("$work/cpp/tokenize" "$tokenizer" "$sample")"

echo "== examples/subproject: add_subdirectory with default options"
cmake -S examples/subproject -B "$work/sub" -G Ninja >/dev/null
grep -q "XVAL_BUILD_TESTS:BOOL=OFF" "$work/sub/CMakeCache.txt"
grep -q "XVAL_CUDA:STRING=OFF" "$work/sub/CMakeCache.txt"
cmake --build "$work/sub" -j "$(nproc)" >/dev/null  # the default target: libxval.so too
same "examples/subproject" "$("$work/sub/tokenize" "$tokenizer" "$sample")"
