"""xval.Tokenizer with Hugging Face's calling conventions against transformers 5.24's fast
tokenizer (tokenizers 0.23.3 underneath) loading the same folder (tokenizer.json and a
tokenizer_config.json with a pad token): __call__ for single texts and batches (ids, attention
mask, character offsets), padded right and left, to the longest, to max_length and to a
multiple; truncation with and without the special tokens, from either side; batch_decode with
and without skip_special_tokens; get_vocab and the token conversions. For Llama 2
(SentencePiece BPE), GPT-2 and Llama 3 (byte-level, as transformers converts their GGUF
vocabularies)."""
import json
import shutil
import sys

import numpy as np
import pytest

from conftest import DATA, ROOT

transformers = pytest.importorskip("transformers")
sys.path.insert(0, str(ROOT / "tests" / "tools"))
from tokenizer_json_shapes import write_tokenizer_json  # noqa: E402

# family: (where the tokenizer.json comes from, its pad token)
FAMILIES = {"llama2": (DATA / "tokenizers" / "llama2" / "tokenizer.json", "<unk>"),
            "gpt-2": ("gpt-2", "<|endoftext|>"),
            "llama3": ("llama-bpe", "<|end_of_text|>")}


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def pair(request, tmp_path_factory):
    import xval
    source, pad = FAMILIES[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    if isinstance(source, str):
        write_tokenizer_json(source, folder / "tokenizer.json")
    else:
        shutil.copy(source, folder / "tokenizer.json")
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "pad_token": pad,
              "model_input_names": ["input_ids", "attention_mask"]}
    if request.param == "llama2":  # the special tokens its published configuration names
        config.update(bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    return request.param, xval.Tokenizer.from_pretrained(folder), \
        transformers.AutoTokenizer.from_pretrained(str(folder))


def _texts(corpus):
    return [t for t in corpus[::301] if t.strip()][:40] + [
        "", " ", "caf\u00e9 na\u00efve \U0001f600 \u4e2d\u6587 12345", "  two  spaces ",
        "x = 1,234.5 and \u00bd"]


def _same(ours, ref, keys, what):
    for key in keys:
        a, b = ours[key], ref[key]
        if hasattr(b, "numpy"):
            b = b.numpy()
        if hasattr(a, "numpy"):
            a = a.numpy()
        if isinstance(b, np.ndarray):
            assert isinstance(a, np.ndarray) and a.shape == b.shape, (what, key)
            assert (a == b).all(), (what, key)
        else:
            assert a == b, (what, key, a[:3] if isinstance(a, list) else a,
                            b[:3] if isinstance(b, list) else b)


KEYS = ("input_ids", "attention_mask")


def test_single_texts_and_offsets(pair, corpus):
    name, ours, ref = pair
    for text in _texts(corpus):
        for add in (True, False):
            kw = {"add_special_tokens": add, "return_offsets_mapping": True}
            _same(ours(text, **kw), ref(text, **kw), KEYS + ("offset_mapping",), (name, text))


@pytest.mark.parametrize("side", ["right", "left"])
def test_padded_batches(pair, corpus, side):
    name, ours, ref = pair
    texts = _texts(corpus)
    for kw in ({"padding": True}, {"padding": "longest", "pad_to_multiple_of": 16},
               {"padding": "max_length", "max_length": 96, "truncation": True}):
        kw = {**kw, "padding_side": side, "return_offsets_mapping": True}
        _same(ours(texts, **kw), ref(texts, **kw), KEYS + ("offset_mapping",), (name, kw))
        for tensors in ("np", "pt"):
            _same(ours(texts, return_tensors=tensors, **kw),
                  ref(texts, return_tensors=tensors, **kw), KEYS, (name, kw, tensors))


@pytest.mark.parametrize("side", ["right", "left"])
def test_truncation_keeps_special_tokens(pair, corpus, side):
    name, ours, ref = pair
    texts = _texts(corpus)
    for add in (True, False):
        for max_length in (1, 2, 8, 33):
            kw = {"truncation": True, "max_length": max_length, "add_special_tokens": add,
                  "truncation_side": side}
            ref.truncation_side = side
            _same(ours(texts, **kw), ref(texts, **kw), KEYS, (name, kw))
    ref.truncation_side = "right"


def test_padding_without_a_pad_token_is_refused(tmp_path):
    import xval
    shutil.copy(DATA / "tokenizers" / "llama2" / "tokenizer.json", tmp_path)
    tok = xval.Tokenizer.from_pretrained(str(tmp_path))
    assert tok.pad_token_id is None
    with pytest.raises(ValueError, match="padding token"):
        tok(["a", "a b c"], padding=True)
    assert tok(["a", "b"], padding=True)["input_ids"] == [[263], [289]]  # nothing to pad


def test_batch_decode(pair, corpus):
    name, ours, ref = pair
    batch = ref(_texts(corpus), add_special_tokens=True)["input_ids"]
    assert ours.batch_decode(batch, skip_special_tokens=True) == ref.batch_decode(
        batch, skip_special_tokens=True)
    assert ours.batch_decode(batch) == ref.batch_decode(batch)
    assert ours.decode(batch[0], skip_special_tokens=False) == ref.decode(batch[0])
    # Special tokens inside, repeated, and first and last, with the unknown and padding tokens.
    specials = [i for i in (ours.bos_token_id, ours.eos_token_id, ours.unk_token_id,
                            ours.pad_token_id) if i is not None]
    mixed = [specials + batch[0][1:5] + specials[::-1] + batch[1][1:4] + specials,
             batch[2][1:] + specials * 2, specials]
    for skip in (False, True):
        assert ours.batch_decode(mixed, skip_special_tokens=skip) == ref.batch_decode(
            mixed, skip_special_tokens=skip), skip


def test_decode_of_a_sentencepiece_model_folder(tmp_path, corpus):
    # A folder with tokenizer.model alone: transformers converts it (LlamaConverter); xval reads
    # the model. Decoding with and without the special tokens gives the same text.
    import xval
    shutil.copy(DATA / "tokenizers" / "llama2" / "tokenizer.model", tmp_path / "tokenizer.model")
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "LlamaTokenizerFast", "pad_token": "<unk>", "legacy": True}))
    ours = xval.Tokenizer.from_pretrained(tmp_path)
    ref = transformers.AutoTokenizer.from_pretrained(str(tmp_path))
    batch = ref(_texts(corpus)[:12], add_special_tokens=True)["input_ids"]
    batch = [[1, 0] + ids + [2, 0, 1] for ids in batch]
    for skip in (False, True):
        assert ours.batch_decode(batch, skip_special_tokens=skip) == ref.batch_decode(
            batch, skip_special_tokens=skip), skip


def test_vocabulary_and_special_tokens(pair):
    name, ours, ref = pair
    assert ours.get_vocab() == ref.get_vocab()
    sample = list(range(0, ours.vocab_size, 997)) + [ours.vocab_size - 1]
    assert ours.convert_ids_to_tokens(sample) == ref.convert_ids_to_tokens(sample)
    tokens = ref.convert_ids_to_tokens(sample)
    tokens += ["not a token at all", "\u00e9t\u00e9", "", tokens[3] + tokens[5]]
    assert ours.convert_tokens_to_ids(tokens) == ref.convert_tokens_to_ids(tokens)
    assert ours.convert_tokens_to_ids(tokens[7]) == ref.convert_tokens_to_ids(tokens[7])
    assert ours.pad_token_id == ref.pad_token_id and ours.pad_token == ref.pad_token
    for attr in ("bos_token_id", "eos_token_id"):
        if getattr(ref, attr) is not None:
            assert getattr(ours, attr) == getattr(ref, attr), attr


def test_from_pretrained_takes_paths_and_files(tmp_path):
    import pathlib

    import xval
    shutil.copy(DATA / "tokenizers" / "llama2" / "tokenizer.model", tmp_path)
    a = xval.Tokenizer.from_pretrained(tmp_path)
    b = xval.Tokenizer.from_pretrained(str(tmp_path / "tokenizer.model"))
    c = xval.Tokenizer.from_file(pathlib.Path(tmp_path) / "tokenizer.model")
    assert list(a.encode("x 1").ids) == list(b.encode("x 1").ids) == list(c.encode("x 1").ids)
    with pytest.raises(FileNotFoundError, match="no tokenizer file"):
        xval.Tokenizer.from_pretrained(tmp_path / "..")
