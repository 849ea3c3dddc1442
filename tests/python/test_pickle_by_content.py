"""A pickled xval.Tokenizer carries its file's bytes: unpickled after the file (and the folder
with its tokenizer_config.json) is gone, it encodes as the original did, with the same padding
token and added tokens, and pickles again. Tokenizers named by tiktoken's names travel by name."""
import pickle
import shutil

import pytest

from conftest import DATA

SOURCES = {
    "tokenizer.json+config": ("llama2/tokenizer.json", {"numbers": "none"}),
    "tokenizer.model": ("llama2/tokenizer.model", {"numbers": "none"}),
    "gguf": ("gguf/ggml-vocab-phi-3.gguf", {"numbers": "none"}),
    "xval-numbers": ("llama2/tokenizer.model", {"numbers": "xval"}),
    "digits": ("gguf/ggml-vocab-qwen2.gguf", {"digits": "ltr3"}),
}


@pytest.mark.parametrize("case", sorted(SOURCES))
def test_unpickle_after_the_file_is_deleted(case, corpus, tmp_path):
    import xval
    rel, kwargs = SOURCES[case]
    folder = tmp_path / "model"
    folder.mkdir()
    path = folder / rel.split("/")[-1]
    shutil.copy(DATA / "tokenizers" / rel, path)
    if case == "tokenizer.json+config":  # a pad token the vocabulary lacks: added
        (folder / "tokenizer_config.json").write_text('{"pad_token": "[PAD]"}')
    tok = xval.Tokenizer.from_file(str(path), **kwargs)
    tok.add_tokens(["<extra_0>"])
    blob = pickle.dumps(tok)
    shutil.rmtree(folder)
    copy = pickle.loads(blob)
    texts = corpus[::97] + ["<extra_0> and [PAD] 12345"]
    assert [list(e.ids) for e in copy.encode_batch(texts)] == [list(e.ids)
                                                               for e in tok.encode_batch(texts)]
    assert (copy.pad_id, copy.vocab_size) == (tok.pad_id, tok.vocab_size)
    again = pickle.loads(pickle.dumps(copy))  # the bytes travel on
    assert list(again.encode(texts[-1]).ids) == list(tok.encode(texts[-1]).ids)


def test_tiktoken_names_travel_by_name():
    import xval
    tok = xval.Tokenizer.tiktoken("cl100k_base", str(DATA))
    blob = pickle.dumps(tok)
    assert len(blob) < 10_000
    assert list(pickle.loads(blob).encode("hello 123").ids) == list(tok.encode("hello 123").ids)


def test_a_file_deleted_before_pickling_is_a_clear_error(tmp_path):
    import xval
    path = tmp_path / "tokenizer.model"
    shutil.copy(DATA / "tokenizers" / "llama2" / "tokenizer.model", path)
    tok = xval.Tokenizer.from_file(str(path))
    path.unlink()
    with pytest.raises(FileNotFoundError, match="cannot be read to pickle"):
        pickle.dumps(tok)


def test_threads_argument_gives_the_same_batches(corpus):
    import xval
    tok = xval.Tokenizer.from_file(str(DATA / "tokenizers" / "llama2" / "tokenizer.model"))
    texts = corpus[::11]
    one = tok.encode_batch_flat(texts, threads=1)
    all_ = tok.encode_batch_flat(texts)
    assert (one[0] == all_[0]).all() and (one[3] == all_[3]).all()
    assert [list(e.ids) for e in tok.encode_batch(texts, threads=1)] == [
        list(e.ids) for e in tok.encode_batch(texts)]
