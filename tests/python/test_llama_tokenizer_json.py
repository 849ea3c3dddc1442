"""Our tokenizer.json loader against Hugging Face `tokenizers` on the whole corpus.

../shared/data/tokenizers/llama2/tokenizer.json holds a 32000-piece SentencePiece-style BPE
vocabulary with byte fallback (Mistral 7B's, not Llama 2's, despite its folder), so it checks
the Hugging Face merge-rank path of our loader against its own reference, independently of the
.model file.
"""
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
