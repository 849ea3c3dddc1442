"""The general tokenizer.json pipeline (lib/text/hf), one stage varied at a time, against Hugging
Face `tokenizers`: every normalizer, pre-tokenizer, model, post-processor and decoder type the
registry reads, over real vocabularies (bert-bge's WordPiece, GPT-2's byte-level BPE, Llama 2's
BPE with byte fallback, nomic-bert-moe's Unigram) and models trained here by `tokenizers` (BPE
with a continuing-subword prefix and end-of-word suffix, WordLevel). Ids with
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

from test_hf_tokenizer_json import EDGE, bert_tokenizer_json  # noqa: E402

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


def SEQ(*steps):
    return {"type": "Sequence", "normalizers": list(steps)}


def PSEQ(*steps):
    return {"type": "Sequence", "pretokenizers": list(steps)}


def SPLIT(pattern, behavior, invert=False, regex=True):
    return {"type": "Split", "pattern": {"Regex" if regex else "String": pattern},
            "behavior": behavior, "invert": invert}


WS = N("WhitespaceSplit")
ADDED = [  # (content, flags): matched in the texts the added-token cases append
    ("[num]", {"single_word": True, "special": False, "normalized": False}),
    ("<sep>", {"lstrip": True, "rstrip": True, "special": True, "normalized": False}),
    ("hello", {"special": False, "normalized": True}),
]
# id: (base, changes to the top-level keys)
CASES = {
    # Normalizers (WordPiece over bert-bge behind Whitespace).
    "nfd-lower-stripaccents": ("wp", {"normalizer": SEQ(N("NFD"), N("Lowercase"),
                                                        N("StripAccents")),
                                      "pre_tokenizer": N("Whitespace")}),
    "nfkc-lower": ("wp", {"normalizer": SEQ(N("NFKC"), N("Lowercase")), "pre_tokenizer": WS}),
    "nfkd-lower": ("wp", {"normalizer": SEQ(N("NFKD"), N("Lowercase")),
                          "pre_tokenizer": N("Whitespace")}),
    "nfc-lower-strip": ("wp", {"normalizer": SEQ(N("NFC"), N("Strip", strip_left=True,
                                                               strip_right=False),
                                                   N("Lowercase")),
                               "pre_tokenizer": N("BertPreTokenizer")}),
    "replace-regex": ("wp", {"normalizer": SEQ(N("Replace", pattern={"Regex": r"\d"},
                                                 content=" # "), N("Lowercase")),
                             "pre_tokenizer": N("Whitespace")}),
    "replace-string-prepend": ("wp", {"normalizer": SEQ(N("Lowercase"),
                                                        N("Replace", pattern={"String": "the"},
                                                          content="a"),
                                                        N("Prepend", prepend="x ")),
                                      "pre_tokenizer": N("Whitespace")}),
    "bert-no-clean": ("wp", {"normalizer": N("BertNormalizer", clean_text=False,
                                             handle_chinese_chars=True, strip_accents=None,
                                             lowercase=True)}),
    "bert-no-chinese": ("wp", {"normalizer": N("BertNormalizer", clean_text=True,
                                               handle_chinese_chars=False, strip_accents=None,
                                               lowercase=True)}),
    "bert-keep-accents": ("wp", {"normalizer": N("BertNormalizer", clean_text=True,
                                                 handle_chinese_chars=True, strip_accents=False,
                                                 lowercase=True)}),
    "bert-cased": ("wp", {"normalizer": N("BertNormalizer", clean_text=True,
                                          handle_chinese_chars=True, strip_accents=None,
                                          lowercase=False)}),
    # Pre-tokenizers.
    "punct-isolated": ("wp", {"pre_tokenizer": PSEQ(WS, N("Punctuation", behavior="Isolated"))}),
    "punct-removed": ("wp", {"pre_tokenizer": PSEQ(WS, N("Punctuation", behavior="Removed"))}),
    "punct-prev": ("wp", {"pre_tokenizer": PSEQ(WS, N("Punctuation",
                                                      behavior="MergedWithPrevious"))}),
    "punct-next": ("wp", {"pre_tokenizer": PSEQ(WS, N("Punctuation",
                                                      behavior="MergedWithNext"))}),
    "punct-contiguous": ("wp", {"pre_tokenizer": PSEQ(WS, N("Punctuation",
                                                            behavior="Contiguous"))}),
    "digits-each": ("wp", {"pre_tokenizer": PSEQ(N("Whitespace"),
                                                 N("Digits", individual_digits=True))}),
    "digits-runs": ("wp", {"pre_tokenizer": PSEQ(WS, N("Digits", individual_digits=False))}),
    "split-removed": ("wp", {"pre_tokenizer": SPLIT(r"\s+", "Removed")}),
    "split-isolated": ("wp", {"pre_tokenizer": PSEQ(WS, SPLIT(r"[.,!?=]", "Isolated"))}),
    "split-prev": ("wp", {"pre_tokenizer": PSEQ(WS, SPLIT(r"\d+", "MergedWithPrevious"))}),
    "split-next": ("wp", {"pre_tokenizer": PSEQ(WS, SPLIT(r"\p{P}", "MergedWithNext"))}),
    "split-contiguous-invert": ("wp", {"pre_tokenizer": PSEQ(WS, SPLIT(r"[a-z]+", "Contiguous",
                                                                       invert=True))}),
    "split-string": ("wp", {"pre_tokenizer": SPLIT(" ", "Removed", regex=False)}),
    "split-hex": ("wp", {"pre_tokenizer": PSEQ(WS, SPLIT(r"\h+", "Isolated"))}),
    "unicode-scripts": ("wp", {"pre_tokenizer": PSEQ(WS, N("UnicodeScripts"))}),
    "bytelevel-prefix": ("bl", {"pre_tokenizer": N("ByteLevel", add_prefix_space=True,
                                                   trim_offsets=True, use_regex=True)}),
    "bytelevel-punct": ("bl", {"pre_tokenizer": PSEQ(N("Punctuation", behavior="Isolated"),
                                                     N("ByteLevel", add_prefix_space=False,
                                                       trim_offsets=True, use_regex=False))}),
    "bytelevel-nfkc-lower": ("bl", {"normalizer": SEQ(N("NFKC"), N("Lowercase"))}),
    "metaspace-first-split": ("cb", {"normalizer": None,
                                     "pre_tokenizer": N("Metaspace", replacement=SPACE,
                                                        prepend_scheme="first", split=True)}),
    "metaspace-always-split": ("cb", {"normalizer": None,
                                      "pre_tokenizer": N("Metaspace", replacement=SPACE,
                                                         prepend_scheme="always", split=True),
                                      "decoder": N("Metaspace", replacement=SPACE,
                                                   prepend_scheme="always", split=True)}),
    "metaspace-never-nfkc": ("cb", {"normalizer": N("NFKC"),
                                    "pre_tokenizer": N("Metaspace", replacement=SPACE,
                                                       prepend_scheme="never", split=False)}),
    "charbpe-decoders": ("cb", {"decoder": {"type": "Sequence", "decoders": [
        N("Replace", pattern={"String": SPACE}, content=" "), N("ByteFallback"), N("Fuse"),
        N("Strip", content=" ", start=1, stop=0)]}}),
    # Models.
    "unigram-unsplit": ("ug", {"pre_tokenizer": PSEQ(WS, N("Metaspace", replacement=SPACE,
                                                           prepend_scheme="always",
                                                           split=False))}),
    "unigram-precompiled": ("ug", {"normalizer": N("Precompiled", precompiled_charsmap=None)}),
    "bpe-prefix-suffix": ("bpe", {}),
    "wordlevel-ctc": ("wl", {"decoder": N("CTC", pad_token="<pad>", word_delimiter_token="|",
                                          cleanup=True)}),
    # Post-processors.
    "template-two-before": ("wp", {"post_processor": {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                   {"SpecialToken": {"id": "[MASK]", "type_id": 0}},
                   {"Sequence": {"id": "A", "type_id": 0}},
                   {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
        "pair": [], "special_tokens": {
            "[CLS]": {"id": "[CLS]", "ids": [101], "tokens": ["[CLS]"]},
            "[MASK]": {"id": "[MASK]", "ids": [103], "tokens": ["[MASK]"]},
            "[SEP]": {"id": "[SEP]", "ids": [102], "tokens": ["[SEP]"]}}}}),
    "roberta-processing": ("wp", {"post_processor": {
        "type": "RobertaProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101],
        "trim_offsets": True, "add_prefix_space": False}}),
    # Added tokens with every flag (texts with them are added to the sample).
    "added-flags": ("wp", {"normalizer": N("Lowercase"), "pre_tokenizer": N("Whitespace"),
                           "added": ADDED}),
}


def _build(bases, case, path):
    base, changes = CASES[case]
    data = copy.deepcopy(bases[base])
    for key, value in changes.items():
        if key == "added":
            continue
        data[key] = value
    if case == "unigram-precompiled":
        blob = _precompiled_charsmap(ROOT / "tests" / "golden" / "unigram" / "unigram_nfkc.model")
        data["normalizer"]["precompiled_charsmap"] = base64.b64encode(blob).decode()
    path.write_text(json.dumps(data))
    if "added" in changes:
        from tokenizers import AddedToken
        tok = Tokenizer.from_file(str(path))
        for content, flags in changes["added"]:
            special = flags.pop("special")
            token = AddedToken(content, special=special, **flags)
            (tok.add_special_tokens if special else tok.add_tokens)([token])
        tok.save(str(path))
    return path


def _texts(corpus, case):
    texts = corpus[::13] + EDGE
    if case == "added-flags":
        texts += [f"{a}[num] b [num]c{x}<sep> d <sep>e Hello{x}hello HELLO" for a, x in
                  zip(corpus[::400], ["", " ", "x", "1", "\u00e9"] * 100)]
    return texts


@pytest.mark.parametrize("case", sorted(CASES))
def test_stage_equals_tokenizers(case, bases, corpus, xval_cli, tmp_path):
    import xval
    path = _build(bases, case, tmp_path / f"{case}.json")
    ref = Tokenizer.from_file(str(path))
    texts = _texts(corpus, case)
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
