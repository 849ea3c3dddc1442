r"""The stages test_hf_pipeline.py's matrix does not reach, against Hugging Face `tokenizers`:
models trained here by `tokenizers` (BPE with a continuing-subword prefix and end-of-word suffix
behind the BPEDecoder, WordLevel behind the CTC decoder), the Precompiled normalizer (a
SentencePiece character map) before a Unigram model, an Oniguruma-only pattern (`\h`),
Punctuation before ByteLevel without its regex, and BertNormalizer without CJK padding. Ids with
add_special_tokens true and false on a corpus sample and the edge list; Decode on a smaller
sample."""
import base64
import copy
import json

import pytest
from tokenizers import Tokenizer

from conftest import DATA, ROOT

pytest.importorskip("transformers")
from transformers.integrations.gguf.gguf_tokenizer_mapping import (  # noqa: E402
    convert_gguf_tokenizer, get_gguf_tokenizer)

from test_hf_tokenizer_json import EDGE  # noqa: E402
from tokenizer_json_shapes import bert_tokenizer_json  # noqa: E402

SPACE = "\u2581"


def _converted(family):
    arch, vocab, _ = get_gguf_tokenizer(str(DATA / "tokenizers" / "gguf" /
                                            f"ggml-vocab-{family}.gguf"))
    backend, _ = convert_gguf_tokenizer(arch, vocab)
    return json.loads(backend.to_str())


def _precompiled_charsmap(model_path):
    """normalizer_spec.precompiled_charsmap of a SentencePiece .model (protobuf fields 3, 2)."""
    def fields(buf):
        i = 0
        while i < len(buf):
            key, i = _varint(buf, i)
            kind = key & 7
            if kind == 0:
                _, i = _varint(buf, i)
            elif kind == 2:
                n, i = _varint(buf, i)
                yield key >> 3, buf[i:i + n]
                i += n
            elif kind == 5:
                i += 4
            elif kind == 1:
                i += 8
    data = model_path.read_bytes()
    spec = next(v for k, v in fields(data) if k == 3)
    return next(v for k, v in fields(spec) if k == 2)


def _varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def _trained(corpus, model, trainer_kind):
    """A small model trained by tokenizers on a corpus sample, behind Whitespace."""
    from tokenizers import decoders, models, pre_tokenizers, trainers
    if model == "bpe":
        tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##",
                                   end_of_word_suffix="</w>"))
        trainer = trainers.BpeTrainer(vocab_size=3000, special_tokens=["[UNK]"],
                                      continuing_subword_prefix="##", end_of_word_suffix="</w>")
        tok.decoder = decoders.BPEDecoder(suffix="</w>")
    else:
        tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
        trainer = trainers.WordLevelTrainer(vocab_size=5000, special_tokens=["[UNK]", "<pad>", "|"])
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(corpus[::20], trainer=trainer)
    return json.loads(tok.to_str())


@pytest.fixture(scope="module")
def bases(corpus, tmp_path_factory):
    bert = tmp_path_factory.mktemp("bert") / "bert.json"
    bert_tokenizer_json(DATA / "tokenizers" / "gguf" / "ggml-vocab-bert-bge.gguf", bert)
    return {
        "wp": json.loads(bert.read_text()),
        "bl": _converted("gpt-2"),
        "cb": _converted("llama-spm"),
        "ug": _converted("nomic-bert-moe"),
        "bpe": _trained(corpus, "bpe", None),
        "wl": _trained(corpus, "wordlevel", None),
    }


def N(type_, **kw):
    return {"type": type_, **kw}


def PSEQ(*steps):
    return {"type": "Sequence", "pretokenizers": list(steps)}


def SPLIT(pattern, behavior, invert=False, regex=True):
    return {"type": "Split", "pattern": {"Regex" if regex else "String": pattern},
            "behavior": behavior, "invert": invert}


WS = N("WhitespaceSplit")
# id: (base, changes to the top-level keys)
CASES = {
    "bert-no-chinese": ("wp", {"normalizer": N("BertNormalizer", clean_text=True,
                                               handle_chinese_chars=False, strip_accents=None,
                                               lowercase=True)}),
    "split-hex": ("wp", {"pre_tokenizer": PSEQ(WS, SPLIT(r"\h+", "Isolated"))}),
    "bytelevel-punct": ("bl", {"pre_tokenizer": PSEQ(N("Punctuation", behavior="Isolated"),
                                                     N("ByteLevel", add_prefix_space=False,
                                                       trim_offsets=True, use_regex=False))}),
    "unigram-precompiled": ("ug", {"normalizer": N("Precompiled", precompiled_charsmap=None)}),
    "bpe-prefix-suffix": ("bpe", {}),
    "wordlevel-ctc": ("wl", {"decoder": N("CTC", pad_token="<pad>", word_delimiter_token="|",
                                          cleanup=True)}),
}


def _build(bases, case, path):
    base, changes = CASES[case]
    data = copy.deepcopy(bases[base])
    data.update(changes)
    if case == "unigram-precompiled":
        blob = _precompiled_charsmap(ROOT / "tests" / "golden" / "unigram" / "unigram_nfkc.model")
        data["normalizer"]["precompiled_charsmap"] = base64.b64encode(blob).decode()
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_stage_equals_tokenizers(case, bases, corpus, xval_cli, tmp_path):
    import xval
    path = _build(bases, case, tmp_path / f"{case}.json")
    ref = Tokenizer.from_file(str(path))
    texts = corpus[::13] + EDGE
    for add in (False, True):
        want = [" ".join(map(str, e.ids))
                for e in ref.encode_batch(texts, add_special_tokens=add)]
        got = xval_cli(["tokenize", "--tokenizer", str(path)] +
                       (["--add-special-tokens"] if add else []), texts)
        bad = [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]
        assert len(got) == len(want) and not bad, (case, add, len(bad), bad[:1])
    tok = xval.Tokenizer.from_file(str(path))
    sample = texts[::40]
    for text, enc in zip(sample, ref.encode_batch(sample, add_special_tokens=False)):
        assert tok.decode(enc.ids) == ref.decode(enc.ids), (case, text)


LINE_TEXTS = ["a  \n b  ", "x \r\n y \r z  ", "line one  \nline two\n", "\n\n  \n", "end  ",
              "  start\n  next", "a\u2028b  \u0085c", "tabs\t\n\t"]


@pytest.mark.parametrize("base", ["bl", "bpe"])
def test_line_anchors_as_oniguruma(base, bases, tmp_path):
    """`$` and `^` in a Split pattern match at every line end and start ("\n"), as Oniguruma
    reads them, on the byte-level loader (bl) and on the general pipeline (bpe)."""
    import xval
    data = copy.deepcopy(bases[base])
    steps = [SPLIT(r"\s+$", "Isolated"), SPLIT(r"^ ?\w", "Isolated")]
    if base == "bl":
        steps.append(N("ByteLevel", add_prefix_space=False, trim_offsets=True, use_regex=False))
    else:
        steps.append(WS)
    data["pre_tokenizer"] = PSEQ(*steps)
    path = tmp_path / f"anchors-{base}.json"
    path.write_text(json.dumps(data))
    ref = Tokenizer.from_file(str(path))
    tok = xval.Tokenizer.from_file(str(path))
    from tokenizers import Regex, pre_tokenizers
    pieces = pre_tokenizers.Split(Regex(r"\s+$"), "isolated").pre_tokenize_str("a  \n b  ")
    assert ("  ", (1, 3)) in pieces  # the line end before "\n" matches
    for text in LINE_TEXTS:
        assert list(tok.encode(text).ids) == ref.encode(text, add_special_tokens=False).ids, text


@pytest.mark.parametrize("family", ["gpt-2", "llama-spm", "nomic-bert-moe"])
def test_added_token_strips_unicode_whitespace(family, tmp_path):
    """lstrip / rstrip take tokenizers' \\s, Unicode White_Space (no-break, ideographic, em
    spaces, NEL), on the byte-level, the SentencePiece-BPE and the pipeline's paths."""
    import xval
    from tokenizers import AddedToken
    ref = Tokenizer.from_str(json.dumps(_converted(family)))
    ref.add_tokens([AddedToken("=", lstrip=True, rstrip=True)])
    ref.add_special_tokens([AddedToken("<<MASK>>", lstrip=True, special=True)])
    path = tmp_path / f"{family}.json"
    ref.save(str(path))
    tok = xval.Tokenizer.from_file(str(path))
    texts = [f"x{a}={b}y" for a in ["", " ", "\u00a0", "\u3000", "\u2003 ", "\u0085", "\t\u00a0"]
             for b in ["", " ", "\u00a0", "\u202f", "\u3000\n"]]
    texts += [f"a{s}<<MASK>> b" for s in ["\u00a0", " \u3000", "\u200b", "\u2028"]]
    for add in (False, True):
        want = [e.ids for e in ref.encode_batch(texts, add_special_tokens=add)]
        got = [[int(i) for i in e.ids] for e in tok.encode_batch(texts, add_special_tokens=add)]
        bad = [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]
        assert not bad, (family, add, len(bad), bad[:2])
