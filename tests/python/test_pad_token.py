"""The padding token as the references read it: sentencepiece's pad_id() for .model files,
transformers' pad_token_id for a folder's tokenizer.json / tokenizer.model with its
tokenizer_config.json (and a special_tokens_map.json, which transformers 5 ignores) beside. (GGUF vocabularies: llama.cpp's
llama_vocab_pad, tests/golden/gguf/special_ids.json, checked by gguf_tokenizer_test.)"""
import io
import json
import shutil

import pytest
import sentencepiece as spm

from conftest import DATA


@pytest.mark.parametrize("model_type", ["unigram", "bpe"])
@pytest.mark.parametrize("pad_id", [-1, 3])
def test_sentencepiece_pad_id(model_type, pad_id, corpus, tmp_path):
    import xval
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus[::30]), model_writer=model,
                                   vocab_size=800, model_type=model_type, pad_id=pad_id,
                                   character_coverage=0.995,
                                   minloglevel=2)
    path = tmp_path / "m.model"
    path.write_bytes(model.getvalue())
    ref = spm.SentencePieceProcessor(model_file=str(path))
    tok = xval.Tokenizer.from_file(str(path))
    assert tok.pad_id == ref.pad_id() == pad_id
    assert (tok.bos_id, tok.eos_id) == (ref.bos_id(), ref.eos_id())


# (tokenizer_config.json's pad_token, special_tokens_map.json's or None for no such file).
# transformers 5 reads none from special_tokens_map.json.
CONFIGS = {
    "none": (None, None),
    "unk": ("<unk>", None),
    "object": ({"__type": "AddedToken", "content": "</s>", "lstrip": False, "normalized": False, "rstrip": False,
                "single_word": False, "special": True}, None),
    "new-token": ("[PAD]", None),
    "config-wins": ("<unk>", "</s>"),
    "map-null": ("<unk>", "null"),
    "map-only": ("absent", "</s>"),
}


@pytest.mark.parametrize("file", ["tokenizer.json", "tokenizer.model"])
@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_pad_token_from_the_configuration_beside(file, case, corpus, tmp_path):
    import xval
    transformers = pytest.importorskip("transformers")
    config_pad, map_pad = CONFIGS[case]
    config = json.loads((DATA / "tokenizers" / "llama2" / "tokenizer_config.json").read_text())
    config["pad_token"] = config_pad
    if config_pad == "absent":
        del config["pad_token"]
    config["tokenizer_class"] = ("PreTrainedTokenizerFast" if file == "tokenizer.json"
                                 else "LlamaTokenizer")
    shutil.copy(DATA / "tokenizers" / "llama2" / file, tmp_path)
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    if map_pad is not None:
        (tmp_path / "special_tokens_map.json").write_text(
            json.dumps({"pad_token": None if map_pad == "null" else map_pad}))
    ref = transformers.AutoTokenizer.from_pretrained(str(tmp_path))
    tok = xval.Tokenizer.from_file(str(tmp_path / file))
    want = -1 if ref.pad_token_id is None else ref.pad_token_id
    assert tok.pad_id == want, (case, ref.pad_token)
    assert tok.vocab_size == len(ref), case  # a new pad token is added, as transformers adds it
    if want >= 0:
        assert tok.id_to_token(want).decode() == ref.pad_token


def test_malformed_configuration_is_an_error_naming_it(tmp_path):
    import xval
    shutil.copy(DATA / "tokenizers" / "llama2" / "tokenizer.json", tmp_path)
    (tmp_path / "tokenizer_config.json").write_text('{"pad_token": ')
    with pytest.raises(ValueError, match="tokenizer_config.json: JSON"):
        xval.Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    (tmp_path / "tokenizer_config.json").write_text('{"pad_token": 7}')
    with pytest.raises(ValueError, match="tokenizer_config.json: pad_token: expected"):
        xval.Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
