#!/usr/bin/env bash
# Packs the Debian build dependencies installed here (scripts/install-deps.sh) into one tarball,
# for a GPU machine that has CUDA, CMake and Python but none of our Debian packages and no
# package registry. benchmarks/gpu/run.sh unpacks it when it is there.
#
#   benchmarks/gpu/pack_deps.sh [out.tar.xz]     (default .gpudeps/deps.tar.xz, git-ignored)
#
# Headers, shared libraries, CMake package files and pkg-config files of each package; static
# archives only where the CMake files name them (GoogleTest, Google Benchmark). The .pc files name
# /usr as their prefix: run.sh rewrites them to the unpacked copy.
set -euo pipefail

cd "$(dirname "$0")/../.."
out="${1:-.gpudeps/deps.tar.xz}"
mkdir -p "$(dirname "${out}")"

packages=(
  libabsl-dev libabsl20220623 libhwy-dev libhwy1 libsimdjson-dev libsimdjson14
  libpcre2-dev libpcre2-8-0 libicu-dev libicu72 libdlpack-dev
  libsentencepiece-dev libsentencepiece0 libgtest-dev libgmock-dev
  libbenchmark-dev libbenchmark1debian nlohmann-json3-dev pybind11-dev
  pkgconf-bin libpkgconf3
)

list="$(mktemp)"
trap 'rm -f "${list}"' EXIT
for p in "${packages[@]}"; do
  dpkg -L "${p}" | while read -r f; do
    [[ -f "${f}" || -L "${f}" ]] || continue
    case "${f}" in
      /usr/share/doc/* | /usr/share/man/* | /usr/share/lintian/*) continue ;;
      *libgtest*.a | *libgmock*.a | *libbenchmark*.a) ;;  # their CMake files name the archives
      *.a) continue ;;
    esac
    echo "${f#/}"
  done
done | sort -u >"${list}"

tar -C / -cJf "${out}" -T "${list}"
echo "pack_deps: $(wc -l <"${list}") files, $(du -h "${out}" | cut -f1) in ${out}"
