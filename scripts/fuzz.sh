#!/usr/bin/env bash
# Builds the xVal libFuzzer targets (tests/fuzz) with clang, ASan and UBSan, and runs each for
# SECONDS (default 60). A crash or failed check exits non-zero and leaves the input in
# build/fuzz/artifacts.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${XVAL_DATA_DIR:-$ROOT/../shared/data}
SECONDS_EACH=${1:-60}
OUT=$ROOT/build/fuzz
CXX=${CXX_FUZZ:-clang++}
mkdir -p "$OUT/obj" "$OUT/artifacts"

FLAGS=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
       -fno-sanitize-recover=undefined -I"$ROOT/include" -I"$ROOT/lib"
       $(pkg-config --cflags simdjson libpcre2-8))
LIBS=($(pkg-config --libs absl_status absl_statusor absl_strings absl_flat_hash_map \
        absl_flat_hash_set absl_inlined_vector simdjson libpcre2-8 libhwy) -lpthread)

# The text sources of the library (not the kernels or the model), compiled once, two at a time.
SOURCES=$(cd "$ROOT" && ls lib/text/*.cc lib/text/*/*.cc lib/util/*.cc)
for src in $SOURCES; do
  obj="$OUT/obj/$(echo "$src" | tr / _).o"
  # Rebuilt when its source or any header of the library is newer than the object.
  if [[ ! -f "$obj" || "$ROOT/$src" -nt "$obj" ||
        -n "$(find "$ROOT/lib" "$ROOT/include" -name '*.h' -newer "$obj" -print -quit)" ]]; then
    echo "$CXX -c $ROOT/$src -o $obj"
  fi
done | xargs -P 2 -I{} sh -c "{} -fsanitize=fuzzer-no-link ${FLAGS[*]}"

build() {
  local name=$1
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer -DXVAL_FUZZ_DATA_DIR="\"$DATA\"" \
    "$ROOT/tests/fuzz/$name.cc" "$OUT"/obj/*.o "${LIBS[@]}" -o "$OUT/$name"
}

run() {
  local name=$1; shift
  mkdir -p "$OUT/corpus/$name"
  # Seeds: numbers of every shape the grammars know.
  printf '%s' "x = -1.5e3, [1,2] 'planet0' 00012 1,000 .5 3. 1e400 \xd9\xa1\xd9\xa2" \
    > "$OUT/corpus/$name/seed"
  "$OUT/$name" -max_total_time="$SECONDS_EACH" -max_len=2048 -print_final_stats=1 \
    -artifact_prefix="$OUT/artifacts/" "$@" "$OUT/corpus/$name"
}

build xval_scanner_fuzz
build xval_codec_fuzz
run xval_scanner_fuzz
run xval_codec_fuzz
echo "fuzz: both targets ran ${SECONDS_EACH}s each without a failure"
