"""xval's general tokenizer.json pipeline against Hugging Face `tokenizers` 0.23.3, one stage at a
time: every tokenizer.json below is written by the tokenizers API (or transformers' GGUF
converter on top of it) and read back by both; the ids must be equal with add_special_tokens
true and false, and Decode equal on a sample.

Cases: model families (BERT's WordPiece, nomic-bert-moe's Unigram, Gemma 4's BPE with byte
fallback, Qwen2 and Command-R with their published NFC normalizer) on the whole corpus; then a
stage matrix on the corpus's every 7th line: one normalizer, pre-tokenizer, post-processor,
decoder or set of added tokens changed at a time on a WordPiece base (bert-bge's vocabulary), a
byte-level BPE base (gpt-2), a character BPE base with byte fallback (llama-spm), a Unigram
base (nomic-bert-moe), plus a WordLevel model. The edge list
(tests/golden/gguf/edge_strings.json, one text per line) goes with every case. A file that the
byte-level or the Llama-style loader takes is checked as one the pipeline reads is
(docs/formats.md).

`python3 tests/python/test_hf_pipeline.py DIR` writes every case to DIR/<id>.json.
"""
import functools
import json
import sys
from typing import Callable, NamedTuple

import pytest
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, processors
from tokenizers import pre_tokenizers as pre

from conftest import DATA, ROOT

pytest.importorskip("transformers")
from transformers.integrations.gguf.gguf_tokenizer_mapping import (  # noqa: E402
    convert_gguf_tokenizer, get_gguf_tokenizer)

EDGE = [s for s in json.loads((ROOT / "tests" / "golden" / "gguf" / "edge_strings.json")
                              .read_text())["strings"]
        if not any(c in s for c in "\n\r\x0b\x85\u2028")]  # one text per line for the CLI


# ---- The bases: tokenizer.json text of each GGUF family, read once per session. ----

@functools.cache
def gguf_vocab(family):
    """(architecture, vocabulary dict) of ggml-vocab-<family>.gguf (slow: read it once)."""
    arch, vocab, _ = get_gguf_tokenizer(str(DATA / "tokenizers" / "gguf" /
                                            f"ggml-vocab-{family}.gguf"))
    return arch, vocab


@functools.cache
def bert_vocab():
    """bert-bge's vocabulary the way Hugging Face writes it ({piece: id}).

    llama.cpp's converter writes a word's first piece with a leading "\u2581" and a continuation
    piece bare, where Hugging Face writes the first piece bare and a continuation "##"; a
    bracketed token ([CLS], [unused0], ...) it keeps as is."""
    _, vocab = gguf_vocab("bert-bge")
    pieces = {}
    for i, t in enumerate(vocab["tokens"]):
        text = t if t.startswith("[") and t.endswith("]") else (
            t[1:] if t.startswith("\u2581") else "##" + t)
        assert text not in pieces, text
        pieces[text] = i
    assert pieces["[CLS]"] == 101 and "the" in pieces and "##s" in pieces
    return pieces


@functools.cache
def family_json(family):
    """The tokenizer.json text of a family: transformers' GGUF converter's output, except
    bert-bge (transformers converts no bert GGUF), which is BertWordPieceTokenizer's
    (BertNormalizer, BertPreTokenizer, WordPiece, BertProcessing, WordPiece decoder)."""
    if family == "bert-bge":
        from tokenizers.implementations import BertWordPieceTokenizer
        return BertWordPieceTokenizer(bert_vocab(), lowercase=True).to_str()
    backend, _ = convert_gguf_tokenizer(*gguf_vocab(family))
    return backend.to_str()


def family(name):
    """A fresh Tokenizer of the family, free to change."""
    return Tokenizer.from_str(family_json(name))


WORDPIECE, BYTE_BPE, CHAR_BPE, UNIGRAM = "bert-bge", "gpt-2", "llama-spm", "nomic-bert-moe"
KEEP = object()


def vary(base, normalizer=KEEP, pre_tokenizer=KEEP, post_processor=KEEP, decoder=KEEP,
         added=(), special=()):
    """The base family with the given stages replaced (None: no stage) and tokens added."""
    tok = family(base)
    for stage, value in (("normalizer", normalizer), ("pre_tokenizer", pre_tokenizer),
                         ("post_processor", post_processor), ("decoder", decoder)):
        if value is not KEEP:
            setattr(tok, stage, value)
    if special:
        tok.add_special_tokens(list(special))
    if added:
        tok.add_tokens(list(added))
    return tok


def with_nfc(name):
    """The family with the NFC normalizer its published tokenizer.json has."""
    return vary(name, normalizer=normalizers.NFC())


def byte_level(*first, **options):
    """Pre-tokenizers before a byte-level BPE: the given ones, then ByteLevel (without its own
    regex unless asked), as Qwen2's and Llama 3's files chain them."""
    options = {"add_prefix_space": False, "use_regex": False, **options}
    return pre.Sequence([*first, pre.ByteLevel(**options)])


def word_level():
    """A WordLevel model over bert-bge's whole words (no "##" pieces), behind Lowercase and
    Whitespace, without a decoder (tokens joined with spaces) or post-processor."""
    words = [w for w in bert_vocab() if not w.startswith("##")]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre.Whitespace()
    tok.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    return tok


def punctuation(behavior):
    return vary(WORDPIECE, pre_tokenizer=pre.Sequence([pre.WhitespaceSplit(),
                                                       pre.Punctuation(behavior)]))


def split_whitespace(behavior):
    return vary(BYTE_BPE, pre_tokenizer=byte_level(pre.Split(Regex(r"\s+"), behavior)))


def metaspace(prepend_scheme, split):
    return vary(CHAR_BPE, pre_tokenizer=pre.Metaspace(replacement="\u2581",
                                                      prepend_scheme=prepend_scheme, split=split))


class Case(NamedTuple):
    id: str
    stage: str  # what the case exercises
    build: Callable[[], Tokenizer]
    stride: int = 7  # every stride-th corpus line


FAMILIES = [
    Case("bert-bge", "BertNormalizer, BertPreTokenizer, WordPiece, BertProcessing, WordPiece "
         "decoder", lambda: family("bert-bge"), 1),
    Case("nomic-bert-moe", "WhitespaceSplit + Metaspace(always, split), Unigram, "
         "Template $A </s>, Metaspace decoder", lambda: family("nomic-bert-moe"), 1),
    Case("gemma-4", "Replace(' ', '\u2581'), Split(' ', MergedWithPrevious), BPE with byte "
         "fallback, decoder Replace + ByteFallback + Fuse", lambda: family("gemma-4"), 1),
    Case("qwen2-nfc", "NFC before Split(Isolated) + ByteLevel", lambda: with_nfc("qwen2"), 1),
    Case("command-r-nfc", "NFC before ByteLevel", lambda: with_nfc("command-r"), 1),
]

NORMALIZERS = [
    Case("cbpe-nfc", "normalizer NFC", lambda: vary(CHAR_BPE, normalizer=normalizers.NFC())),
    Case("cbpe-nfd", "normalizer NFD", lambda: vary(CHAR_BPE, normalizer=normalizers.NFD())),
    Case("cbpe-nfkc", "normalizer NFKC", lambda: vary(CHAR_BPE, normalizer=normalizers.NFKC())),
    Case("cbpe-nfkd", "normalizer NFKD", lambda: vary(CHAR_BPE, normalizer=normalizers.NFKD())),
    Case("cbpe-lowercase", "normalizer Lowercase",
         lambda: vary(CHAR_BPE, normalizer=normalizers.Lowercase())),
    Case("cbpe-strip", "normalizer Strip(left, right)",
         lambda: vary(CHAR_BPE, normalizer=normalizers.Strip(left=True, right=True))),
    Case("cbpe-strip-right", "normalizer Strip(right only)",
         lambda: vary(CHAR_BPE, normalizer=normalizers.Strip(left=False, right=True))),
    Case("cbpe-nfd-stripaccents", "normalizer Sequence [NFD, StripAccents]",
         lambda: vary(CHAR_BPE, normalizer=normalizers.Sequence(
             [normalizers.NFD(), normalizers.StripAccents()]))),
    Case("cbpe-replace-string", "normalizer Replace(String ' = ', '=')",
         lambda: vary(CHAR_BPE, normalizer=normalizers.Replace(" = ", "="))),
    Case("cbpe-replace-lookaround", "normalizer Replace(Regex with look-behind and look-ahead)",
         lambda: vary(CHAR_BPE, normalizer=normalizers.Replace(Regex(r"(?<=\d),(?=\d{3})"), ""))),
    Case("cbpe-legacy-llama", "normalizer Sequence [Prepend('\u2581'), Replace(' ', '\u2581')], "
         "no pre-tokenizer (the older Llama tokenizer.json)",
         lambda: vary(CHAR_BPE, normalizer=normalizers.Sequence(
             [normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")]),
             pre_tokenizer=None)),
    Case("bbpe-nfkc", "normalizer NFKC before ByteLevel",
         lambda: vary(BYTE_BPE, normalizer=normalizers.NFKC())),
    Case("bbpe-replace-regex", "normalizer Replace(Regex \\s+, ' ')",
         lambda: vary(BYTE_BPE, normalizer=normalizers.Replace(Regex(r"\s+"), " "))),
    Case("bbpe-prepend-space", "normalizer Prepend(' ')",
         lambda: vary(BYTE_BPE, normalizer=normalizers.Prepend(" "))),
    Case("wp-lowercase", "normalizer Lowercase instead of BertNormalizer",
         lambda: vary(WORDPIECE, normalizer=normalizers.Lowercase())),
    Case("wp-nfd-lowercase-stripaccents", "normalizer Sequence [NFD, Lowercase, StripAccents]",
         lambda: vary(WORDPIECE, normalizer=normalizers.Sequence(
             [normalizers.NFD(), normalizers.Lowercase(), normalizers.StripAccents()]))),
    Case("wp-bert-cased", "BertNormalizer(lowercase=False)",
         lambda: vary(WORDPIECE, normalizer=normalizers.BertNormalizer(lowercase=False))),
    Case("wp-bert-keep-accents", "BertNormalizer(strip_accents=False, lowercase=True)",
         lambda: vary(WORDPIECE, normalizer=normalizers.BertNormalizer(strip_accents=False))),
    Case("wp-bert-strip-accents-cased", "BertNormalizer(strip_accents=True, lowercase=False)",
         lambda: vary(WORDPIECE, normalizer=normalizers.BertNormalizer(strip_accents=True,
                                                                        lowercase=False))),
    Case("wp-bert-raw", "BertNormalizer(clean_text=False, handle_chinese_chars=False)",
         lambda: vary(WORDPIECE, normalizer=normalizers.BertNormalizer(
             clean_text=False, handle_chinese_chars=False))),
]

PRE_TOKENIZERS = [
    Case("wp-whitespace", "pre-tokenizer Whitespace",
         lambda: vary(WORDPIECE, pre_tokenizer=pre.Whitespace())),
    Case("wp-whitespacesplit", "pre-tokenizer WhitespaceSplit",
         lambda: vary(WORDPIECE, pre_tokenizer=pre.WhitespaceSplit())),
    *[Case(f"wp-punctuation-{b.replace('_', '-')}",
           f"pre-tokenizer Sequence [WhitespaceSplit, Punctuation({b})]",
           functools.partial(punctuation, b))
      for b in ("removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous")],
    Case("wp-digits-individual", "pre-tokenizer Sequence [BertPreTokenizer, "
         "Digits(individual_digits=True)]",
         lambda: vary(WORDPIECE, pre_tokenizer=pre.Sequence(
             [pre.BertPreTokenizer(), pre.Digits(individual_digits=True)]))),
    *[Case(f"bbpe-split-regex-{b.replace('_', '-')}",
           f"pre-tokenizer Split(Regex \\s+, {b}) + ByteLevel(use_regex=False)",
           functools.partial(split_whitespace, b))
      for b in ("removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous")],
    Case("bbpe-split-regex-invert", "pre-tokenizer Split(Regex \\p{L}+, merged_with_previous, "
         "invert=True) + ByteLevel(use_regex=False)",
         lambda: vary(BYTE_BPE, pre_tokenizer=byte_level(
             pre.Split(Regex(r"\p{L}+"), "merged_with_previous", invert=True)))),
    Case("bbpe-split-string", "pre-tokenizer Split(String ' ', merged_with_previous) + "
         "ByteLevel(use_regex=False)",
         lambda: vary(BYTE_BPE, pre_tokenizer=byte_level(pre.Split(" ",
                                                                   "merged_with_previous")))),
    Case("bbpe-digits-grouped", "pre-tokenizer Digits(individual_digits=False) + ByteLevel "
         "(GPT-2's regex)",
         lambda: vary(BYTE_BPE, pre_tokenizer=byte_level(pre.Digits(individual_digits=False),
                                                         use_regex=True))),
    Case("bbpe-unicodescripts", "pre-tokenizer UnicodeScripts + ByteLevel (GPT-2's regex)",
         lambda: vary(BYTE_BPE, pre_tokenizer=byte_level(pre.UnicodeScripts(),
                                                         use_regex=True))),
    Case("bbpe-bytelevel-prefix", "pre-tokenizer ByteLevel(add_prefix_space=True, "
         "use_regex=True)",
         lambda: vary(BYTE_BPE, pre_tokenizer=pre.ByteLevel(add_prefix_space=True,
                                                            use_regex=True))),
    Case("bbpe-bytelevel-prefix-noregex", "pre-tokenizer ByteLevel(add_prefix_space=True, "
         "use_regex=False)",
         lambda: vary(BYTE_BPE, pre_tokenizer=pre.ByteLevel(add_prefix_space=True,
                                                            use_regex=False))),
    *[Case(f"cbpe-metaspace-{scheme}-{'split' if split else 'nosplit'}",
           f"pre-tokenizer Metaspace(prepend_scheme={scheme}, split={split})",
           functools.partial(metaspace, scheme, split))
      for scheme, split in (("always", False), ("never", False), ("always", True),
                            ("first", True), ("never", True))],  # the base: first, no split
    Case("uni-metaspace-split", "Unigram behind Metaspace(always, split=True) alone",
         lambda: vary(UNIGRAM, pre_tokenizer=pre.Metaspace(split=True,
                                                           replacement="\u2581"))),
    Case("uni-metaspace-nosplit", "Unigram behind Metaspace(always, split=False) alone",
         lambda: vary(UNIGRAM, pre_tokenizer=pre.Metaspace(split=False,
                                                           replacement="\u2581"))),
    Case("wl-whitespace", "WordLevel model behind Lowercase + Whitespace, no decoder",
         word_level),
]

ADDED_TOKENS = [
    Case("wp-added-single-word", "added token 'the' (in the vocabulary), single_word",
         lambda: vary(WORDPIECE, added=[AddedToken("the", single_word=True)])),
    Case("wp-added-not-normalized", "added token 'The' (new id), normalized=False: matched in "
         "the text before lowercasing",
         lambda: vary(WORDPIECE, added=[AddedToken("The", normalized=False)])),
    Case("cbpe-added-lstrip-rstrip", "added token '=' (in the vocabulary), lstrip and rstrip",
         lambda: vary(CHAR_BPE, added=[AddedToken("=", lstrip=True, rstrip=True)])),
    Case("cbpe-added-special", "special added tokens '<<' and '>>' (new ids), '>>' rstrip",
         lambda: vary(CHAR_BPE, special=[AddedToken("<<", special=True),
                                         AddedToken(">>", rstrip=True, special=True)])),
    Case("bbpe-added-space-word", "added token ' the' (new id, a space outside the byte "
         "alphabet), normalized",
         lambda: vary(BYTE_BPE, added=[AddedToken(" the")])),
    Case("bbpe-added-mixed", "added tokens: 'sqrt' single_word, '<<' special lstrip, "
         "'\\frac' normalized=False",
         lambda: vary(BYTE_BPE, added=[AddedToken("sqrt", single_word=True),
                                       AddedToken("\\frac", normalized=False)],
                      special=[AddedToken("<<", lstrip=True, special=True)])),
]

POST_PROCESSORS = [
    Case("wp-template-cls-sep", "post-processor TemplateProcessing [CLS] $A [SEP]",
         lambda: vary(WORDPIECE, post_processor=processors.TemplateProcessing(
             single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
             special_tokens=[("[CLS]", 101), ("[SEP]", 102)]))),
    Case("cbpe-template-two-prefix", "post-processor TemplateProcessing <s> </s> $A </s>",
         lambda: vary(CHAR_BPE, post_processor=processors.TemplateProcessing(
             single="<s> </s> $A </s>", special_tokens=[("<s>", 1), ("</s>", 2)]))),
    Case("cbpe-bert-processing", "post-processor BertProcessing(sep </s>, cls <s>)",
         lambda: vary(CHAR_BPE, post_processor=processors.BertProcessing(("</s>", 2),
                                                                          ("<s>", 1)))),
    Case("bbpe-roberta-processing", "post-processor RobertaProcessing over added special "
         "<s> and </s> (new ids)",
         lambda: vary(BYTE_BPE, special=["<s>", "</s>"],
                      post_processor=processors.RobertaProcessing(("</s>", 50258),
                                                                  ("<s>", 50257)))),
    Case("bbpe-sequence-bytelevel-template", "post-processor Sequence [ByteLevel, "
         "TemplateProcessing <|endoftext|> $A] (Llama 3's shape)",
         lambda: vary(BYTE_BPE, post_processor=processors.Sequence([
             processors.ByteLevel(trim_offsets=False),
             processors.TemplateProcessing(single="<|endoftext|> $A",
                                           special_tokens=[("<|endoftext|>", 50256)])]))),
]

DECODERS = [
    Case("wp-decoder-nocleanup", "decoder WordPiece(cleanup=False)",
         lambda: vary(WORDPIECE, decoder=decoders.WordPiece(cleanup=False))),
    Case("cbpe-decoder-metaspace", "decoder Sequence [ByteFallback, Metaspace] (no Fuse)",
         lambda: vary(CHAR_BPE, decoder=decoders.Sequence(
             [decoders.ByteFallback(), decoders.Metaspace(replacement="\u2581")]))),
]

# The families' published shapes are tested by test_hf_tokenizer_json.py; FAMILIES are written
# out with the cases (python3 test_hf_pipeline.py DIR) for comparing by hand.
CASES = NORMALIZERS + PRE_TOKENIZERS + ADDED_TOKENS + POST_PROCESSORS + DECODERS


def write_case(case, directory):
    """Builds the case into directory/<id>.json; returns the path and tokenizers' reading of
    the file (what xval reads too)."""
    path = directory / f"{case.id}.json"
    case.build().save(str(path))
    return path, Tokenizer.from_file(str(path))


def ids_lines(ref, texts, add_special_tokens):
    """tokenizers' ids of each text in `xval tokenize`'s output form."""
    return [" ".join(map(str, e.ids))
            for e in ref.encode_batch(texts, add_special_tokens=add_special_tokens)]


def expect_equal(what, texts, got, want):
    """Fails with the number of texts that differ and the first of them."""
    assert len(got) == len(want), f"{what}: {len(got)} results for {len(want)} texts"
    bad = [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]
    if bad:
        text, g, w = bad[0]
        pytest.fail(f"{what}: {len(bad)} of {len(texts)} differ; first: {text!r}\n"
                    f"  got  {g}\n  want {w}", pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_ids_and_decode_equal_tokenizers(case, tmp_path, corpus, xval_cli):
    path, ref = write_case(case, tmp_path)
    texts = corpus[::case.stride] + EDGE
    for add in (False, True):
        got = xval_cli(["tokenize", "--tokenizer", str(path)] +
                       (["--add-special-tokens"] if add else []), texts)
        expect_equal(f"{case.id} ({case.stage}), add_special_tokens={add}", texts, got,
                     ids_lines(ref, texts, add))
    # Decode. xval's decode has no skip_special_tokens choice yet (the pipeline skips special
    # added tokens, the byte-level loader keeps their text: docs/formats.md), so the special ids
    # are taken out first; on what is left tokenizers' skip_special_tokens=False and True agree.
    import xval
    tok = xval.Tokenizer.from_file(str(path))
    special = {i for i, t in ref.get_added_tokens_decoder().items() if t.special}
    sample = corpus[::50] + EDGE
    ids = [[i for i in e.ids if i not in special]
           for e in ref.encode_batch(sample, add_special_tokens=False)]
    expect_equal(f"{case.id} ({case.stage}), decode", sample,
                 [repr(tok.decode(i)) for i in ids],
                 [repr(ref.decode(i, skip_special_tokens=False)) for i in ids])


if __name__ == "__main__":
    import pathlib
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "hfcases")
    out.mkdir(parents=True, exist_ok=True)
    for c in FAMILIES + CASES:
        print(write_case(c, out)[0], "-", c.stage)
