#!/usr/bin/env python3
"""The C ABI from another language's FFI, here Python's ctypes (no xval package needed):
loads libxval.so, tokenizes each line of stdin and prints its ids, as `xval tokenize` does.

    python3 examples/python/ctypes_tokenize.py PREFIX/lib/libxval.so TOKENIZER < lines.txt
"""
import ctypes
import sys


def main():
    lib = ctypes.CDLL(sys.argv[1])
    lib.xval_last_error.restype = ctypes.c_char_p
    lib.xval_tokenizer_load.argtypes = [ctypes.c_char_p, ctypes.c_void_p,
                                        ctypes.POINTER(ctypes.c_void_p)]
    lib.xval_encode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32), ctypes.c_void_p,
                                ctypes.c_void_p, ctypes.c_size_t,
                                ctypes.POINTER(ctypes.c_size_t)]
    lib.xval_tokenizer_free.argtypes = [ctypes.c_void_p]
    tok = ctypes.c_void_p()
    if lib.xval_tokenizer_load(sys.argv[2].encode(), None, ctypes.byref(tok)) != 0:
        sys.exit(f"ctypes_tokenize: {lib.xval_last_error().decode()}")
    ids = (ctypes.c_int32 * 4096)()
    n = ctypes.c_size_t()
    for line in sys.stdin.buffer:
        text = line.rstrip(b"\n")
        if lib.xval_encode(tok, text, len(text), None, ids, None, None, len(ids),
                           ctypes.byref(n)) != 0:
            sys.exit(f"ctypes_tokenize: {lib.xval_last_error().decode()}")
        print(" ".join(str(ids[i]) for i in range(n.value)))
    lib.xval_tokenizer_free(tok)


if __name__ == "__main__":
    main()
