"""The `xval` Python package (pip install .) against the reference implementations."""
import multiprocessing
import pickle
import threading

import numpy as np
import pytest
import sentencepiece
from tokenizers import Tokenizer as HfTokenizer

import xval
from conftest import DATA, ROOT, tiktoken_encoding

LLAMA = DATA / "tokenizers" / "llama2" / "tokenizer.model"


@pytest.fixture(scope="module")
def llama():
    return xval.Tokenizer.from_file(str(LLAMA))


def test_ids_equal_sentencepiece_on_the_corpus(llama, corpus):
    sp = sentencepiece.SentencePieceProcessor(model_file=str(LLAMA))
    for line, e, want in zip(corpus, llama.encode_batch(corpus), sp.encode(corpus)):
        assert e.ids.tolist() == want, line


def test_ids_equal_tiktoken_on_the_corpus(corpus):
    tok = xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(DATA))
    enc = tiktoken_encoding("cl100k_base")
    for line, e, want in zip(corpus, tok.encode_batch(corpus), enc.encode_ordinary_batch(corpus)):
        assert e.ids.tolist() == want, line


def test_flat_batch_equals_encodings(llama, corpus):
    texts = corpus[:3000]
    ids, values, offsets, splits = llama.encode_batch_flat(texts)
    assert splits.shape == (len(texts) + 1,) and splits[-1] == len(ids)
    for i, e in enumerate(llama.encode_batch(texts)):
        np.testing.assert_array_equal(ids[splits[i]:splits[i + 1]], e.ids)
        np.testing.assert_array_equal(offsets[splits[i]:splits[i + 1]], e.offsets)
        np.testing.assert_array_equal(values[splits[i]:splits[i + 1]], e.values)


def test_flat_batch_ids_only(llama, corpus):
    texts = ["", *corpus[:3000:3], "", "<|endoftext|> 3.14", ""]
    cl100k = xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(DATA))
    for tok in (llama, cl100k):
        ids, values, offsets, splits = tok.encode_batch_flat(texts)
        only_ids, no_values, no_offsets, only_splits = tok.encode_batch_flat(texts, ids_only=True)
        assert no_values is None and no_offsets is None
        assert only_ids.dtype == np.int32 and only_splits.dtype == np.uint64
        np.testing.assert_array_equal(only_ids, ids)
        np.testing.assert_array_equal(only_splits, splits)
        for i, e in enumerate(tok.encode_batch(texts)):
            np.testing.assert_array_equal(only_ids[only_splits[i]:only_splits[i + 1]], e.ids)
    bos_ids, _, _, bos_splits = llama.encode_batch_flat(["", "a b"], add_bos=True, ids_only=True)
    assert bos_ids.tolist()[:1] == [llama.bos_id] and bos_splits.tolist()[:2] == [0, 1]
    enc = tiktoken_encoding("cl100k_base")
    ids, _, _, splits = cl100k.encode_batch_flat(corpus[:500], ids_only=True)
    assert [ids[splits[i]:splits[i + 1]].tolist() for i in range(500)] == \
        enc.encode_batch(corpus[:500], allowed_special="all")


def test_ids_equal_hugging_face_tokenizers(corpus):
    path = ROOT / "tests" / "golden" / "llama2_tokenizer.json"
    ours = xval.Tokenizer.from_file(str(path))
    ref = HfTokenizer.from_file(str(path))
    for line, e in zip(corpus[:20000], ref.encode_batch(corpus[:20000], add_special_tokens=False)):
        assert ours.encode(line).ids.tolist() == e.ids, line


def test_encoding_is_a_numpy_view(llama):
    e = llama.encode("The 3 cats cost $12.50.")
    assert e.ids.dtype == np.int32 and e.values.dtype == np.float32
    assert e.offsets.dtype == np.uint32 and e.offsets.shape == (len(e), 2)
    assert e.ids.base is not None  # a view of the Encoding's memory, not a copy
    ids = e.ids
    del e  # the array keeps the Encoding alive
    assert llama.decode(ids) == "The 3 cats cost $12.50."
    assert (np.asarray(llama.encode("x").values) == 1.0).all()


def test_batch_padding_truncation_and_torch(llama):
    texts = ["one", "two 22 three", ""]
    # Llama 2 has no padding token: padding needs pad_id (it is no longer 0, <unk>, by default).
    with pytest.raises(ValueError, match="padding token"):
        llama.encode_batch(texts, padding=True)
    b = llama.encode_batch(texts, padding="max_length", truncation=True, max_length=4,
                           add_bos=True, pad_id=0)
    assert b["input_ids"].shape == (3, 4)
    assert b["input_ids"][:, 0].tolist() == [1, 1, 1]
    assert b["attention_mask"].tolist() == [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]]
    torch = pytest.importorskip("torch")
    pt = llama.encode_batch(texts, padding=True, return_tensors="pt", pad_id=0)
    assert isinstance(pt["input_ids"], torch.Tensor) and pt["input_ids"].dtype == torch.int64
    assert llama.decode_batch(pt["input_ids"][:2, :2]) == [
        llama.decode(pt["input_ids"][0, :2]), llama.decode(pt["input_ids"][1, :2])]
    ragged = llama.encode_batch(["a", "b c d"])
    assert [len(e) for e in ragged] == [len(llama.encode("a")), len(llama.encode("b c d"))]
    with pytest.raises(ValueError):
        llama.encode_batch(["a", "b c d"], return_tensors="np")  # ragged without padding


def test_errors_map_to_python_exceptions(llama):
    with pytest.raises(FileNotFoundError):
        xval.Tokenizer.from_file("/no/such/tokenizer.model")
    with pytest.raises(IndexError):
        llama.decode([32000])
    with pytest.raises(ValueError):
        xval.Tokenizer.from_file(str(LLAMA), digits="sideways")
    with pytest.raises(IndexError):
        xval.embed(np.zeros((4, 2), np.float32), np.array([4], np.int32))


def test_pickle_and_added_tokens(llama):
    tok = pickle.loads(pickle.dumps(llama))
    tok.add_tokens(["[NUM]"])
    copy = pickle.loads(pickle.dumps(tok))
    assert copy.encode("cost [NUM] each").ids.tolist() == tok.encode("cost [NUM] each").ids.tolist()
    assert copy.token_to_id("[NUM]") == 32000


def _encode_in_child(args):
    tok, texts = args
    return [tok.encode(t).ids.tolist() for t in texts] + [
        [e.ids.tolist() for e in tok.encode_batch(texts)]]


def test_fork_and_spawn_workers(llama, corpus):
    texts = corpus[:200]
    want = _encode_in_child((llama, texts))
    llama.encode_batch(corpus[:5000])  # the parent's thread pool is running before the fork
    for method in ("fork", "spawn"):
        with multiprocessing.get_context(method).Pool(2) as pool:
            assert pool.map(_encode_in_child, [(llama, texts)] * 2) == [want, want], method


def test_threads_give_the_serial_results(llama, corpus):
    texts = corpus[:3000]
    want = [llama.encode(t).ids.tolist() for t in texts]
    results = [None] * 4

    def work(k):
        results[k] = [llama.encode(t).ids.tolist() for t in texts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == want for r in results)


def test_embed_matches_numpy():
    rng = np.random.default_rng(0)
    table = rng.standard_normal((50, 33)).astype(np.float32)
    ids = rng.integers(0, 50, 40).astype(np.int32)
    values = rng.standard_normal(40).astype(np.float32)
    np.testing.assert_allclose(xval.embed(table, ids, values), table[ids] * values[:, None],
                               rtol=1e-6)
    np.testing.assert_array_equal(xval.embed(table, ids), table[ids])
    d_out = rng.standard_normal((40, 33)).astype(np.float32)
    d_table, d_values = xval.embed_backward(table, ids, values, d_out)
    want = np.zeros_like(table, dtype=np.float64)
    np.add.at(want, ids, d_out.astype(np.float64) * values[:, None])
    np.testing.assert_allclose(d_table, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(d_values, (d_out * table[ids]).sum(1), rtol=1e-5, atol=1e-5)


def test_embed_float64_tables_run_the_float64_kernels():
    rng = np.random.default_rng(1)
    table = rng.standard_normal((20, 7))  # (vocab, hidden) float64
    ids = rng.integers(0, 20, 30).astype(np.int32)
    values = rng.standard_normal(30) * 1e3
    out = xval.embed(table, ids, values)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, table[ids] * values[:, None])
    d_out = rng.standard_normal((30, 7))
    d_table, d_values = xval.embed_backward(table, ids, values, d_out)
    assert d_table.dtype == np.float64 and d_values.dtype == np.float64
    want = np.zeros_like(table)
    np.add.at(want, ids, d_out * values[:, None])
    np.testing.assert_allclose(d_table, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d_values, (d_out * table[ids]).sum(1), rtol=1e-12, atol=1e-12)
    with pytest.raises(IndexError):
        xval.embed(table, np.array([20], np.int32))
    with pytest.raises(ValueError):
        xval.embed(table, ids, values[:5])


def test_xval_numbers(corpus):
    tok = xval.Tokenizer.from_file(str(LLAMA), numbers="xval")
    num = tok.token_to_id("[NUM]")
    e = tok.encode("The orbit takes 365.25 days and -3e2 seconds.")
    nums = e.ids == num
    assert nums.sum() == 2
    np.testing.assert_allclose(e.values[nums], [365.25, -300.0])
    assert (e.values[~nums] == 1.0).all()
    assert tok.decode(e.ids, e.values) == "The orbit takes 365.25 days and -300 seconds."
    copy = pickle.loads(pickle.dumps(tok))
    assert copy.encode("x = 2.5").values.tolist() == tok.encode("x = 2.5").values.tolist()
    batch = tok.encode_batch(corpus[:2000], padding=True, return_tensors="np", pad_id=0)
    assert np.isfinite(batch["values"]).all()


def test_model_forward_matches_transformers():
    # The tiny xVal checkpoint and its transformers reference (tests/tools/make_tiny_llama.py).
    from safetensors.numpy import load_file
    folder = ROOT / "tests" / "golden" / "model" / "xval_mlp"
    ref = load_file(str(folder / "reference.safetensors"))
    model = xval.Model.load(str(folder))
    ids = ref["ids"].astype(np.int32)
    logits, numbers = model.forward(ids)
    scale = np.abs(ref["logits"]).max()
    np.testing.assert_allclose(logits, ref["logits"], atol=1e-4 * scale)
    xval_logits, xval_numbers = model.forward(ids, ref["values"])
    np.testing.assert_allclose(xval_logits, ref["xval_logits"], atol=1e-4 * scale)
    np.testing.assert_allclose(xval_numbers, ref["numbers"],
                               atol=1e-4 * np.abs(ref["numbers"]).max())
    new_ids, new_values = model.generate(ids[:8].tolist(), max_new_tokens=4)
    assert len(new_ids) == len(new_values) <= 4
    with pytest.raises(IndexError):
        model.forward(np.array([model.config["vocab_size"]], np.int32))
    # The weights copied to huge pages are the same weights.
    copied = xval.Model.load(str(folder), copy_to_huge_pages=True)
    copied_logits, copied_numbers = copied.forward(ids, ref["values"])
    np.testing.assert_array_equal(copied_logits, xval_logits)
    np.testing.assert_array_equal(copied_numbers, xval_numbers)


@pytest.mark.parametrize("name, model_type, file", [
    ("mistral_window", "mistral", ""), ("qwen2_bias", "qwen2", ""),
    ("qwen2_bias", "qwen2", "model.gguf"), ("q4k_gqa", "llama", "model-q4_k_m.gguf")])
def test_llama_family_and_quantized_models(name, model_type, file):
    # Mistral's window, Qwen2's biases and a llama-quantize'd Q4_K_M file, against their
    # references (transformers; for Q4_K_M, transformers on the gguf package's dequantization).
    from safetensors.numpy import load_file
    folder = ROOT / "tests" / "golden" / "model" / name
    ref = load_file(str(folder / "reference.safetensors"))
    model = xval.Model.load(str(folder / file) if file else str(folder))
    assert model.config["model_type"] == model_type
    want = ref["q4_k_m_logits"] if name == "q4k_gqa" else ref["logits"]
    logits, _ = model.forward(ref["ids"].astype(np.int32))
    np.testing.assert_allclose(logits, want, atol=1e-4 * np.abs(want).max())
    if name == "q4k_gqa":
        assert model.config["weight_type"] == "q4_k"
    if model_type == "mistral":
        assert model.config["sliding_window"] == 16
    assert model.config["attention_qkv_bias"] == (model_type == "qwen2")
