"""tokenizer.json files of the GGUF families in the shapes users meet them: the file
transformers' GGUF converter builds from the vocabulary, or, for a family "base+variant", the
published file's shape over that vocabulary. Used by tests/python/test_hf_tokenizer_json.py and
benchmarks/compare_tokenizer_files.py, so that both read the same files."""
import json
import os

from bytelevel_common import data_dir


def bert_tokenizer_json(gguf, path):
    """BertWordPieceTokenizer (BertNormalizer, BertPreTokenizer, WordPiece, [CLS] $A [SEP],
    WordPiece decoder) over a bert GGUF vocabulary: llama.cpp marks a word's first piece with
    "\u2581" where Hugging Face marks the other pieces with "##"."""
    from tokenizers.implementations import BertWordPieceTokenizer
    from transformers.integrations.gguf.gguf_tokenizer_mapping import get_gguf_tokenizer
    _, vocab, _ = get_gguf_tokenizer(str(gguf))
    pieces = {}
    for i, t in enumerate(vocab["tokens"]):
        special = len(t) > 2 and t[0] == "[" and t[-1] == "]"  # [CLS], [unused0], ...
        text = t[1:] if t.startswith("\u2581") else t if special else "##" + t
        pieces.setdefault(text, i)
    BertWordPieceTokenizer(pieces, lowercase=True).save(str(path))


def _isolated(regex):
    return {"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": False}


_BYTE_LEVEL = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
               "use_regex": False}
_DEEPSEEK_CJK = "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+"
# The pre_tokenizer of each published tokenizer.json: deepseek-ai/deepseek-llm-7b-base,
# deepseek-coder-6.7b-instruct and DeepSeek-V3 (whose normalizer is an empty Sequence).
DEEPSEEK_PRE = {
    "published": {
        "deepseek-llm": [
            _isolated("[\r\n]"),
            _isolated(
                "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf"
                "\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d"
                "\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5"
                "\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5"
                "\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77"
                "\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d"
                "\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4"
                "\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3"
                "\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107"
                "\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d"
                "\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184"
                "\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d"
                "\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf"
                "\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a"
                "\U00010400-\U0001044f\U000104b0-\U000104d3\U000104d8-\U000104fb"
                "\U00010c80-\U00010cb2\U00010cc0-\U00010cf2\U000118a0-\U000118df"
                "\U0001e900-\U0001e943]+"),
            _isolated("\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+"),
            _isolated("\\s+$"),
            _isolated(_DEEPSEEK_CJK),
            {"type": "Digits", "individual_digits": True}, _BYTE_LEVEL],
        "deepseek-coder": [
            _isolated("[\r\n]"), _isolated("\\s?\\p{L}+"), _isolated("\\s?\\p{P}+"),
            _isolated(_DEEPSEEK_CJK), {"type": "Digits", "individual_digits": True},
            _BYTE_LEVEL],
    },
    "v3": {
        "deepseek-llm": [
            _isolated("\\p{N}{1,3}"),
            _isolated("[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"),
            _isolated("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|"
                      "[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|"
                      "\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
            _BYTE_LEVEL],
    },
}


def write_tokenizer_json(family, path):
    """Writes the file of `family` to `path` (a pathlib.Path)."""
    from transformers.integrations.gguf.gguf_tokenizer_mapping import (
        convert_gguf_tokenizer, get_gguf_tokenizer)
    base, _, variant = family.partition("+")
    gguf = os.path.join(data_dir(), "tokenizers", "gguf", f"ggml-vocab-{base}.gguf")
    if base == "bert-bge":
        bert_tokenizer_json(gguf, path)
        return path
    arch, vocab, _ = get_gguf_tokenizer(str(gguf))
    backend, _ = convert_gguf_tokenizer(arch, vocab)
    backend.save(str(path))
    if variant == "nfc":
        data = json.loads(path.read_text())
        data["normalizer"] = {"type": "NFC"}
        path.write_text(json.dumps(data))
    elif variant in DEEPSEEK_PRE:
        data = json.loads(path.read_text())
        data["normalizer"] = {"type": "Sequence", "normalizers": []}
        data["pre_tokenizer"] = {"type": "Sequence",
                                 "pretokenizers": DEEPSEEK_PRE[variant][base]}
        path.write_text(json.dumps(data))
    return path
