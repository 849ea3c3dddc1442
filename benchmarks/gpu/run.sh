#!/usr/bin/env bash
# One call on a machine with a GPU: configure a CUDA build for the GPU present, build the
# embedding CUDA tests and benchmark, run the tests (failing if they were skipped), then the
# benchmark beside a device-to-device copy of the same bytes, then (where torch with CUDA is
# installed) the Python package on torch CUDA tensors. Meant to finish in a few minutes.
#
#   benchmarks/gpu/run.sh [build-dir]        (default build/gpu; BENCH_ARGS adds flags)
#
# Prints the GPU, then the test and benchmark output; the last table is Embed as % of the copy.
set -euo pipefail

cd "$(dirname "$0")/../.."
build_dir="${1:-build/gpu}"

echo "== GPU"
if ! command -v nvidia-smi >/dev/null; then
  echo "nvidia-smi not found: no NVIDIA driver on this machine" >&2
  exit 1
fi
nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader
# Compile only for the GPU that is here (e.g. 9.0 -> 90): the CI build covers 80 and 90.
arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d ' .')"

nvcc_path="$(command -v nvcc || true)"
[[ -z "${nvcc_path}" && -x /usr/local/cuda/bin/nvcc ]] && nvcc_path=/usr/local/cuda/bin/nvcc
if [[ -z "${nvcc_path}" ]]; then
  echo "nvcc not found (looked in PATH and /usr/local/cuda/bin)" >&2
  exit 1
fi
"${nvcc_path}" --version | tail -n 1

# A machine without our Debian packages (and no registry to fetch them from) gets them from the
# tarball benchmarks/gpu/pack_deps.sh made on a machine that has them; carry .gpudeps with it.
deps_tarball="${XVAL_DEPS_TARBALL:-.gpudeps/deps.tar.xz}"
if [[ -f "${deps_tarball}" ]]; then
  deps=/tmp/xval-deps
  echo "== dependencies from ${deps_tarball} (unpacked in ${deps})"
  rm -rf "${deps}" && mkdir -p "${deps}" && tar -C "${deps}" -xJf "${deps_tarball}"
  # The .pc files name /usr; point them at the unpacked copy.
  find "${deps}" -name '*.pc' -exec sed -i "s#/usr#${deps}/usr#g" {} +
  libdir="${deps}/usr/lib/x86_64-linux-gnu"
  export CMAKE_PREFIX_PATH="${deps}/usr${CMAKE_PREFIX_PATH:+:${CMAKE_PREFIX_PATH}}"
  export PKG_CONFIG="${deps}/usr/bin/pkgconf"
  export PKG_CONFIG_PATH="${libdir}/pkgconfig:${deps}/usr/share/pkgconfig"
  export LD_LIBRARY_PATH="${libdir}${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}"
fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
jobs="$(nproc)"

echo "== configure (${build_dir}, sm_${arch})"
cmake -S . -B "${build_dir}" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DXVAL_CUDA=ON -DXVAL_BUILD_CLI=OFF -DCMAKE_CUDA_COMPILER="${nvcc_path}" \
  -DCMAKE_CUDA_ARCHITECTURES="${arch}" >/dev/null

echo "== build"
cmake --build "${build_dir}" -j "${jobs}" --target embed_cuda_test embed_test embed_cuda_bench

echo "== CUDA tests"
test_log="$(mktemp)"
trap 'rm -f "${test_log}"' EXIT
# ReportsWhenNotBuilt is for builds without CUDA and always skips here.
"${build_dir}/tests/kernels/embed_cuda_test" --gtest_color=no \
  --gtest_filter=-EmbedCudaTest.ReportsWhenNotBuilt 2>&1 | tee "${test_log}"
if grep -q '^\[  SKIPPED \]' "${test_log}"; then
  echo "CUDA tests were skipped: the GPU path was not exercised" >&2
  exit 1
fi

echo "== CPU forward tests (the reference the GPU is compared with)"
"${build_dir}/tests/kernels/embed_test" --gtest_brief=1

echo "== CUDA benchmark (Embed vs device-to-device copy)"
# ~80 runs; 0.05 s each x 3 repetitions keeps this near a minute.
# shellcheck disable=SC2086
"${build_dir}/benchmarks/embed_cuda_bench" --benchmark_min_time=0.05 \
  --benchmark_repetitions=3 --benchmark_color=false \
  ${BENCH_ARGS:-}

echo "== Python: XValEmbedding and xval.embed on torch CUDA tensors (DLPack)"
if python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  python3 -m pip install -q --no-build-isolation . \
    --config-settings=cmake.define.CMAKE_CUDA_ARCHITECTURES="${arch}"
  (cd tests/python && python3 -m pytest -q -rs test_torch_modules.py)
else
  echo "torch with CUDA is not installed here: the Python CUDA path is not exercised"
fi
