#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs every test: the release build with all
# tests (CUDA kernels are compiled when nvcc is found; their tests skip without a GPU), the
# installed package with the C and C++ examples built against it, then the
# tests again under AddressSanitizer and UndefinedBehaviorSanitizer, the concurrency suite under
# ThreadSanitizer, then the Python package and the Python checks against the reference
# implementations from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
data=${XVAL_DATA_DIR:-$(pwd)/../shared/data}
if [ ! -d "$data/corpus" ]; then
  echo "test: the reference data is missing at $data (../shared/data)" >&2
  exit 1
fi
jobs=$(nproc)

echo "== release build and tests"
cmake --preset release -DXVAL_DATA_DIR="$data" >/dev/null
cmake --build build/release -j "$jobs"
ctest --preset release -j "$jobs"

echo "== install, and the C, C++ and add_subdirectory examples against it"
XVAL_DATA_DIR="$data" scripts/check-install.sh build/release

echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset sanitize -DXVAL_DATA_DIR="$data" >/dev/null
cmake --build build/sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 ctest --preset sanitize -j "$jobs"

echo "== ThreadSanitizer: the concurrency suite (label concurrency)"
cmake --preset tsan -DXVAL_DATA_DIR="$data" >/dev/null
cmake --build --preset tsan -j "$jobs"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --preset tsan -j "$jobs"

echo "== the Python package (pip install .) and the Python checks against the references"
python3 -m pip install -q --disable-pip-version-check --no-build-isolation .
XVAL_BUILD_DIR=build/release XVAL_DATA_DIR="$data" python3 -m pytest -q tests/python
