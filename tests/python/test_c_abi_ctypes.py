"""The C ABI through ctypes (standing in for any language's FFI: Rust, Go, Zig...): libxval.so
from the build, loaded with no C++ in sight, gives the Python package's ids on the corpus,
decodes and streams them back, and reports errors by code and message."""
import ctypes

import pytest

import xval
from conftest import DATA

OK, NOT_FOUND, OUT_OF_RANGE, BUFFER_TOO_SMALL = 0, 5, 11, 100


def encode(lib, tok, text):
    data = text.encode("utf-8")
    n = ctypes.c_size_t()
    status = lib.xval_encode(tok, data, len(data), None, None, None, None, 0, ctypes.byref(n))
    assert status in (OK, BUFFER_TOO_SMALL)
    ids = (ctypes.c_int32 * n.value)()
    assert lib.xval_encode(tok, data, len(data), None, ids, None, None, n.value,
                           ctypes.byref(n)) == OK
    return list(ids)


def decode(lib, tok, ids):
    arr = (ctypes.c_int32 * len(ids))(*ids)
    length = ctypes.c_size_t()
    lib.xval_decode(tok, arr, len(ids), None, 0, ctypes.byref(length))
    buf = ctypes.create_string_buffer(length.value + 1)
    assert lib.xval_decode(tok, arr, len(ids), buf, len(buf), ctypes.byref(length)) == OK
    return buf.raw[:length.value].decode("utf-8")


def test_corpus_ids_decode_and_stream_equal_the_package(lib, corpus):
    path = DATA / "tokenizers" / "llama2" / "tokenizer.model"
    tok = ctypes.c_void_p()
    assert lib.xval_tokenizer_load(str(path).encode(), None, ctypes.byref(tok)) == OK
    assert lib.xval_version().decode() == xval.__version__
    assert lib.xval_vocab_size(tok) == 32000
    package = xval.Tokenizer.from_file(str(path))
    stream = ctypes.c_void_p()
    assert lib.xval_stream_new(tok, ctypes.byref(stream)) == OK
    text_p, length = ctypes.c_char_p(), ctypes.c_size_t()
    checked = 0
    for line in corpus[::97]:
        ids = encode(lib, tok, line)
        assert ids == package.encode(line).ids.tolist(), line
        assert decode(lib, tok, ids) == package.decode(ids)
        pieces = []
        for i in ids:
            assert lib.xval_stream_push(stream, i, 1.0, ctypes.byref(text_p),
                                        ctypes.byref(length)) == OK
            pieces.append(ctypes.string_at(text_p, length.value))
        assert lib.xval_stream_flush(stream, ctypes.byref(text_p), ctypes.byref(length)) == OK
        pieces.append(ctypes.string_at(text_p, length.value))
        assert b"".join(pieces).decode("utf-8") == package.decode(ids)
        checked += 1
    assert checked > 500
    lib.xval_stream_free(stream)
    lib.xval_tokenizer_free(tok)


def test_errors_have_codes_and_messages(lib):
    tok = ctypes.c_void_p()
    assert lib.xval_tokenizer_load(b"/nonexistent.model", None, ctypes.byref(tok)) == NOT_FOUND
    assert b"/nonexistent.model" in lib.xval_last_error()
    path = DATA / "tokenizers" / "llama2" / "tokenizer.model"
    assert lib.xval_tokenizer_load(str(path).encode(), None, ctypes.byref(tok)) == OK
    bad = (ctypes.c_int32 * 1)(1 << 20)
    length = ctypes.c_size_t()
    assert lib.xval_decode(tok, bad, 1, None, 0, ctypes.byref(length)) == OUT_OF_RANGE
    assert lib.xval_last_error()
    lib.xval_tokenizer_free(tok)
