#!/usr/bin/env bash
# The main job on the bundled sample: installs what is missing, builds the `xval` command and
# tokenizes examples/sample_math.txt with the Llama 2 / Llemma vocabulary, printing ids, pieces
# and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --no-python
cmake --preset cli >/dev/null
cmake --build --preset cli
data=${XVAL_DATA_DIR:-../shared/data}
build/cli/bindings/cli/xval inspect --tokenizer "$data/tokenizers/llama2/tokenizer.model" \
  --input examples/sample_math.txt
