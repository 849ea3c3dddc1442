"""Issue 16 from Python: many `threading` threads on one tokenizer get the serial results, and
errors raise the exceptions of the package's table (xval.__doc__)."""
import json
import threading

import numpy as np
import pytest

import xval
from conftest import DATA, corpus_lines

LLAMA = DATA / "tokenizers" / "llama2" / "tokenizer.model"


def _tokenizers():
    tik = DATA / "tokenizers" / "tiktoken"
    return {
        "llama": xval.Tokenizer.from_file(str(LLAMA)),
        "llama_xval": xval.Tokenizer.from_file(str(LLAMA), numbers="xval"),
        "llama_digits": xval.Tokenizer.from_file(str(LLAMA), digits="individual"),
        "cl100k": xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(tik)),
        "o200k_xval": xval.Tokenizer.tiktoken("o200k_base", data_dir=str(tik), numbers="xval"),
    }


@pytest.fixture(scope="module")
def texts():
    return corpus_lines()[::53][:400]


@pytest.mark.parametrize("name", ["llama", "llama_xval", "llama_digits", "cl100k", "o200k_xval"])
def test_threads_get_the_serial_results(name, texts):
    tok = _tokenizers()[name]
    serial_one = [tok.encode(t) for t in texts]
    serial_ids = [e.ids.tolist() for e in serial_one]
    serial_values = [e.values.tolist() for e in serial_one]
    flat = tok.encode_batch_flat(texts)
    decoded = [tok.decode(ids) for ids in serial_ids]
    wrong = []

    def worker(k):
        for round_ in range(6):
            kind = (k + round_) % 4
            if kind == 0:
                out = tok.encode_batch_flat(texts)
                ok = all(np.array_equal(a, b) for a, b in zip(out, flat))
            elif kind == 1:
                ids, _, _, splits = tok.encode_batch_flat(texts, ids_only=True)
                ok = np.array_equal(ids, flat[0]) and np.array_equal(splits, flat[3])
            elif kind == 2:
                encs = tok.encode_batch(texts)
                ok = ([e.ids.tolist() for e in encs] == serial_ids and
                      [e.values.tolist() for e in encs] == serial_values)
            else:
                ok = all(tok.encode(t).ids.tolist() == ids for t, ids in zip(texts, serial_ids))
                ok = ok and [tok.decode(ids) for ids in serial_ids] == decoded
            if not ok:
                wrong.append((k, round_, kind))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_missing_piece_is_key_error():
    tok = xval.Tokenizer.from_file(str(LLAMA))
    with pytest.raises(KeyError, match="no-such-piece"):
        tok.token_to_id("no-such-piece")


def test_wrong_types_are_type_errors():
    tok = xval.Tokenizer.from_file(str(LLAMA))
    with pytest.raises(TypeError, match="single str"):
        tok.encode_batch("a string")
    with pytest.raises(TypeError, match="single str"):
        tok.encode_batch_flat("a string")
    with pytest.raises(TypeError, match="sequence of str"):
        tok.encode_batch(["a", 3])
    with pytest.raises(TypeError, match="ids must be a sequence of int"):
        tok.decode(["a", "b"])
    with pytest.raises(TypeError, match="ids must be a sequence of int"):
        tok.decode("abc")
    with pytest.raises(TypeError, match="values must be a sequence of float"):
        xval.Tokenizer.from_file(str(LLAMA), numbers="xval").decode([1, 2], ["x", "y"])
    with pytest.raises(TypeError):
        tok.encode(123)


def test_id_outside_int32_is_index_error():
    tok = xval.Tokenizer.from_file(str(LLAMA))
    with pytest.raises(IndexError, match="4294967303"):
        tok.decode([1, 4294967303])


def test_add_tokens_while_other_threads_encode():
    """add_tokens replaces the tokenizer (copy on write): calls in flight on other threads
    finish on the old one, with its results."""
    tok = xval.Tokenizer.from_file(str(LLAMA))
    texts = ["The orbit takes 365.25 days.", "x = 1,234.5 <s> ok"] * 200
    expected = [tok.encode(t).ids.tolist() for t in texts]
    wrong, stop = [], threading.Event()

    def encode_loop():
        while not stop.is_set():
            ids, _, _, splits = tok.encode_batch_flat(texts, ids_only=True)
            got = [ids[splits[i]:splits[i + 1]].tolist() for i in range(len(texts))]
            if got != expected:
                wrong.append(1)

    threads = [threading.Thread(target=encode_loop) for _ in range(2)]
    for t in threads:
        t.start()
    for k in range(20):
        tok.add_tokens([f"<extra_{k}>"])  # none of them occurs in the texts
    stop.set()
    for t in threads:
        t.join()
    assert wrong == []
    assert tok.token_to_id("<extra_19>") == 32019


def test_unsupported_feature_is_value_error_naming_it(tmp_path):
    config = json.loads((DATA / "tokenizers" / "llama2" / "tokenizer.json").read_text())
    # tokenizers would truncate what it encodes; xval encodes each text whole.
    config["truncation"] = {"max_length": 8, "strategy": "LongestFirst", "stride": 0,
                            "direction": "Right"}
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps(config))
    with pytest.raises(ValueError, match="truncation: must be null"):
        xval.Tokenizer.from_file(str(path))


def test_added_token_id_outside_int32_is_refused(tmp_path):
    config = json.loads((DATA / "tokenizers" / "llama2" / "tokenizer.json").read_text())
    config["added_tokens"].append({"id": 4294967303, "content": "<big>", "special": True})
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps(config))
    with pytest.raises(ValueError, match="4294967303"):
        xval.Tokenizer.from_file(str(path))
