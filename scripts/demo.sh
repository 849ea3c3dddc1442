#!/usr/bin/env bash
# The main job on the bundled sample: installs what is missing, builds the `xval` command and
# tokenizes examples/sample_math.txt with the Llama 2 / Llemma vocabulary (ids, pieces and a
# summary), then shows the numeric features on it: xVal (every number one [NUM] token carrying
# its value) and what it saves, and GPT-4's tokenizer with its digit groups and with digits
# grouped right to left instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --no-python
cmake --preset cli >/dev/null
cmake --build --preset cli
data=${XVAL_DATA_DIR:-../shared/data}
xval=build/cli/bindings/cli/xval
llama=$data/tokenizers/llama2/tokenizer.model
sample=examples/sample_math.txt
"$xval" inspect --tokenizer "$llama" --input "$sample"
echo
echo "== xVal: each number is one [NUM] token (id 32000) whose value rides beside it"
head -n 3 "$sample" | "$xval" tokenize --tokenizer "$llama" --numbers xval --output json
echo
echo "== xVal on the whole sample: numbers found, tokens with and without it"
"$xval" tokenize --tokenizer "$llama" --numbers xval --stats --input "$sample"
echo
echo "== cl100k (GPT-4) cuts digit runs in threes from the left; --digits rtl3 from the right"
echo "sales: 1234567 units" | "$xval" tokenize --tokenizer cl100k_base --data-dir "$data" \
  --output pieces
echo "sales: 1234567 units" | "$xval" tokenize --tokenizer cl100k_base --data-dir "$data" \
  --digits rtl3 --output pieces
