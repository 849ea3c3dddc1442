#!/usr/bin/env bash
# libxval.so exports the C ABI (xval_*) and the C++ API (xval::, with its vtables and type
# information) and nothing else: no symbol of Abseil, Highway, simdjson, PCRE2 or CUDA.
# Argument: the library. Prints what does not belong, exits 1 then.
set -euo pipefail
lib=$1
symbols=$(nm -D --defined-only -C "$lib" | cut -c20-)
count=$(printf '%s\n' "$symbols" | grep -c . || true)
c_api=$(printf '%s\n' "$symbols" | grep -c '^xval_' || true)
stray=$(printf '%s\n' "$symbols" | grep -Ev '^(xval_|xval::|vtable for xval::|typeinfo for xval::|typeinfo name for xval::|VTT for xval::|(non-)?virtual thunk to xval::|guard variable for xval::)' || true)
echo "$lib: $count exported symbols, $c_api of the C ABI"
if [ -n "$stray" ]; then
  echo "exported but neither the C ABI nor xval::"
  printf '%s\n' "$stray" | head -50
  exit 1
fi
if [ "$c_api" -lt 30 ]; then
  echo "the C ABI is missing (xval_* functions: $c_api)"
  exit 1
fi
