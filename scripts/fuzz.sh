#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz: one per parser, plus the xVal scanner and codec)
# with clang, ASan and UBSan (the `fuzz` preset), seeds each from the real files in
# ../shared/data and tests/golden, and runs each for SECONDS (default 60), two at a time. A crash,
# a failed check, a leak or a timeout exits non-zero and leaves the input in
# build/fuzz/artifacts/<target>/; commit it under tests/fuzz/regressions/<target>/ (ctest replays
# those) with the fix. The summary (executions, coverage, corpus) goes to
# build/fuzz/summary.md.
#
#   scripts/fuzz.sh [SECONDS] [TARGET ...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${XVAL_DATA_DIR:-$ROOT/../shared/data}
SECONDS_EACH=${1:-60}
shift || true
OUT=$ROOT/build/fuzz
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(spm_model_fuzz tokenizer_json_fuzz tiktoken_fuzz gguf_fuzz gguf_vocab_fuzz safetensors_fuzz
           config_json_fuzz model_dir_fuzz xval_scanner_fuzz xval_codec_fuzz)
fi

cd "$ROOT"
cmake --preset fuzz -DXVAL_DATA_DIR="$DATA" >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

# Seeds: the real files, small where the format allows (libFuzzer mutates faster on small
# inputs), and each target's committed regression inputs.
seeds=$OUT/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
for t in "${TARGETS[@]}"; do
  mkdir -p "$seeds/$t"
  if [ -d "$ROOT/tests/fuzz/regressions/$t" ]; then cp "$ROOT/tests/fuzz/regressions/$t"/* "$seeds/$t/"; fi
done
golden=$ROOT/tests/golden/model
if [ -d "$seeds/spm_model_fuzz" ]; then
  cp "$DATA/tokenizers/llama2/tokenizer.model" "$seeds/spm_model_fuzz/"
  # Small models train in a second with the sentencepiece package (a test requirement): a
  # 32,000-piece model takes milliseconds to load, so most executions go to small ones.
  python3 "$ROOT/tests/tools/small_spm_models.py" "$DATA" "$seeds/spm_model_fuzz"
fi
[ -d "$seeds/tiktoken_fuzz" ] && head -n 3000 "$DATA/tokenizers/tiktoken/cl100k_base.tiktoken" \
  > "$seeds/tiktoken_fuzz/cl100k_head.tiktoken"
if [ -d "$seeds/tokenizer_json_fuzz" ]; then
  cp "$DATA/tokenizers/xval/tokenizer.json" "$seeds/tokenizer_json_fuzz/paper.json"
  cp "$golden/xval_mlp/tokenizer.json" "$seeds/tokenizer_json_fuzz/xval_mlp.json"
  python3 "$ROOT/tests/tools/small_tokenizer_json.py" "$DATA" "$seeds/tokenizer_json_fuzz"
fi
if [ -d "$seeds/gguf_fuzz" ]; then
  for f in "$golden"/*/*.gguf; do cp "$f" "$seeds/gguf_fuzz/$(basename "$(dirname "$f")")-$(basename "$f")"; done
fi
if [ -d "$seeds/safetensors_fuzz" ]; then
  for d in mha_tied odd_heads xval_mlp; do cp "$golden/$d/model.safetensors" "$seeds/safetensors_fuzz/$d.safetensors"; done
fi
if [ -d "$seeds/config_json_fuzz" ]; then
  for f in "$golden"/*/config.json; do cp "$f" "$seeds/config_json_fuzz/$(basename "$(dirname "$f")").json"; done
fi
if [ -d "$seeds/model_dir_fuzz" ]; then
  { printf '\0'; cat "$golden/mha_tied/config.json"; } > "$seeds/model_dir_fuzz/config"
  { printf '\1'; cat "$golden/mha_tied/model.safetensors"; } > "$seeds/model_dir_fuzz/weights"
fi
for t in xval_scanner_fuzz xval_codec_fuzz; do
  [ -d "$seeds/$t" ] && printf '%s' "x = -1.5e3, [1,2] 'planet0' 00012 1,000 .5 3. 1e400 \xd9\xa1\xd9\xa2" > "$seeds/$t/seed"
done

run() {
  local t=$1
  local corpus=$OUT/corpus/$t
  mkdir -p "$corpus" "$OUT/artifacts/$t"
  local max_len=4096
  case $t in
    spm_model_fuzz) max_len=600000 ;;
    gguf_fuzz|safetensors_fuzz|model_dir_fuzz) max_len=200000 ;;
    gguf_vocab_fuzz) max_len=16384 ;;
    tokenizer_json_fuzz|tiktoken_fuzz) max_len=100000 ;;
  esac
  # -rss_limit_mb: a load may build tables a few times a file's size, never gigabytes.
  "$OUT/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -max_len=$max_len -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t/" \
    "$corpus" "$seeds/$t" > "$OUT/$t.log" 2>&1
}
export -f run
export OUT SECONDS_EACH seeds
mkdir -p "$OUT"
status=0
printf '%s\n' "${TARGETS[@]}" | xargs -P "$(nproc)" -I{} bash -c 'run {} || { echo "fuzz: {} FAILED (see build/fuzz/{}.log)"; exit 1; }' || status=1

{
  echo "| target | seconds | executions | exec/s | coverage (edges) | features | corpus | result |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  for t in "${TARGETS[@]}"; do
    log=$OUT/$t.log
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
    rate=$(grep 'stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    result=ok
    if grep -q 'ERROR: libFuzzer\|==ERROR\|runtime error\|check failed' "$log"; then result=FAILED; fi
    echo "| $t | $SECONDS_EACH | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $result |"
  done
} > "$OUT/summary.md"
cat "$OUT/summary.md"
if [ $status -ne 0 ]; then
  echo "fuzz: a target failed; its input is in build/fuzz/artifacts/" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets ran ${SECONDS_EACH}s each without a failure"
