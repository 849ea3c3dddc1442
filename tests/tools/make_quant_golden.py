#!/usr/bin/env python3
"""Random ggml quantized blocks and their dequantization by the `gguf` PyPI package (numpy, the
reference implementation's own Python port of ggml-quants.c), for
tests/kernels/dequantize_test.cc, which checks the library's scalar and vectorized
dequantization bit for bit against them.

For each type, tests/golden/quant/<type>.blocks holds BLOCKS random blocks (every byte random,
except that the f16 scales are finite: any sign, normal or subnormal, up to 65504) and
<type>.f32 the weights gguf.quants.dequantize makes of them (little-endian float32).

Usage: python3 tests/tools/make_quant_golden.py [--out tests/golden/quant]
Needs: pip install gguf numpy (gguf 0.19.0 wrote the committed files)
"""
import argparse
import importlib.metadata
import os

import numpy as np

import gguf

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCKS = 48
# type: byte offsets of the f16 scales inside a block.
TYPES = {"Q8_0": [0], "Q4_0": [0], "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208]}


def finite_f16(rng, n):
    """n random finite float16 bit patterns: exponent field 0..30, any sign and mantissa."""
    bits = rng.integers(0, 1 << 16, n, dtype=np.uint32)
    exponent = rng.integers(0, 31, n, dtype=np.uint32)
    return ((bits & 0x83FF) | (exponent << 10)).astype(np.uint16)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(SOURCE_DIR, "tests", "golden", "quant"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(2026)
    for name, scale_offsets in TYPES.items():
        kind = getattr(gguf.GGMLQuantizationType, name)
        weights, nbytes = gguf.GGML_QUANT_SIZES[kind]
        blocks = rng.integers(0, 256, (BLOCKS, nbytes), dtype=np.uint8)
        for at in scale_offsets:
            blocks[:, at:at + 2] = finite_f16(rng, BLOCKS).view(np.uint8).reshape(BLOCKS, 2)
        deq = gguf.quants.dequantize(blocks.reshape(1, -1), kind).astype(np.float32)
        assert deq.size == BLOCKS * weights
        blocks.tofile(os.path.join(args.out, f"{name.lower()}.blocks"))
        deq.astype("<f4").tofile(os.path.join(args.out, f"{name.lower()}.f32"))
        print(name, BLOCKS, "blocks of", weights, "weights,", nbytes, "bytes")
    print("gguf", importlib.metadata.version("gguf"))


if __name__ == "__main__":
    main()
