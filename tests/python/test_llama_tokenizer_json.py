"""Our tokenizer.json loader against Hugging Face `tokenizers` on the whole corpus.

../shared/data/tokenizers/llama2/tokenizer.json holds a 32000-piece SentencePiece-style BPE
vocabulary with byte fallback (Mistral 7B's, not Llama 2's, despite its folder), so it checks
the Hugging Face merge-rank path of our loader against its own reference, independently of the
.model file.
"""
import json

from tokenizers import Tokenizer

from conftest import DATA, ROOT


def check(path, corpus, xval_cli, add_special_tokens=False):
    ref = Tokenizer.from_file(str(path))
    want = [" ".join(map(str, e.ids))
            for e in ref.encode_batch(corpus, add_special_tokens=add_special_tokens)]
    flags = ["--add-special-tokens"] if add_special_tokens else []
    got = xval_cli(["tokenize", "--tokenizer", str(path), *flags], corpus)
    assert len(got) == len(want)
    bad = [(line, g, w) for line, g, w in zip(corpus, got, want) if g != w]
    assert not bad, f"{len(bad)} lines differ, first: {bad[0]}"


def test_post_processor_is_add_special_tokens(corpus, xval_cli):
    """Mistral 7B's TemplateProcessing ("<s> $A") is what add_special_tokens adds, as in
    Hugging Face; a file without a post-processor adds nothing."""
    check(DATA / "tokenizers" / "mistral7b" / "tokenizer.json", corpus, xval_cli, True)
    check(DATA / "tokenizers" / "mistral7b" / "tokenizer.json", corpus, xval_cli, False)
    check(DATA / "tokenizers" / "llama2" / "tokenizer.json", corpus, xval_cli, True)


def test_shared_tokenizer_json_matches_tokenizers(corpus, xval_cli):
    check(DATA / "tokenizers" / "llama2" / "tokenizer.json", corpus, xval_cli)


def test_generated_llama2_tokenizer_json_matches_tokenizers(corpus, xval_cli):
    check(ROOT / "tests" / "golden" / "llama2_tokenizer.json", corpus, xval_cli)


def test_tokenizer_config_beside_the_file_as_transformers_reads_it(corpus, tmp_path):
    """transformers (5.24) loads a directory's tokenizer.json with its tokenizer_config.json:
    add_bos_token / add_eos_token there are dropped whenever tokenizer.json exists, and what
    encode adds is tokenizer.json's post-processor (none: nothing). xval reads the same file the
    same way. llama2's config (add_bos_token true) beside its tokenizer.json, which has no
    post-processor: no BOS from either; Mistral 7B's "<s> $A" under a config that says the
    opposite: BOS from both. (The generic class: transformers' LlamaTokenizer class rebuilds
    the pipeline from the vocabulary instead of reading tokenizer.json's.)"""
    import shutil

    import pytest
    import xval
    transformers = pytest.importorskip("transformers")
    config = json.loads((DATA / "tokenizers" / "llama2" / "tokenizer_config.json").read_text())
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    sample = corpus[::40]
    for name, flags in (("llama2", {}), ("mistral7b", {"add_bos_token": False,
                                                      "add_eos_token": True})):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(DATA / "tokenizers" / name / "tokenizer.json", folder)
        (folder / "tokenizer_config.json").write_text(json.dumps({**config, **flags}))
        ref = transformers.AutoTokenizer.from_pretrained(str(folder))
        tok = xval.Tokenizer.from_file(str(folder / "tokenizer.json"))
        want = ref(sample).input_ids
        got = [[int(i) for i in e.ids] for e in tok.encode_batch(sample, add_special_tokens=True)]
        assert got == want, name
        assert all((ids[0] == 1) == (name == "mistral7b") for ids in want if ids), name
