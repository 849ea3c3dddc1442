#!/usr/bin/env bash
# Installs everything xval builds and tests with: Debian's packages (compilers, CMake, Ninja and
# the C++ libraries that CMake finds with find_package/pkg-config) and the PyPI packages that the
# tests use as references. Used by the README's commands and by .ci/run.
#
#   scripts/install-deps.sh          # Debian packages and the Python test peers
#   scripts/install-deps.sh --no-python
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3 python3-pip
  libabsl-dev libhwy-dev libsentencepiece-dev libpcre2-dev libicu-dev libsimdjson-dev nlohmann-json3-dev
  libeigen3-dev pybind11-dev libdlpack-dev libgtest-dev libgmock-dev libbenchmark-dev
)

# The tests' own tools: headless Chromium renders xval bench's HTML report (test_bench.py);
# Spark's local cluster runs on Java (test_distributed.py).
if [ "${1:-}" != "--no-python" ]; then
  packages+=(chromium fonts-dejavu-core openjdk-17-jre-headless)
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if [ "${1:-}" != "--no-python" ]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  python3 -m pip install -q --disable-pip-version-check -r "$here/requirements-test.txt"
  # Mistral's tekken.json files (tests/python/test_tekken.py), the data only: mistral-common's
  # own dependencies would pin numpy below the version above.
  python3 -m pip install -q --disable-pip-version-check --no-deps mistral-common==1.13.1
  # Megatron-LM's reader of the indexed datasets `xval encode --layout megatron` writes
  # (tests/python/test_encode.py); without its training dependencies, which the reader does not
  # need.
  python3 -m pip install -q --disable-pip-version-check --no-deps megatron-core==0.16.1
fi
