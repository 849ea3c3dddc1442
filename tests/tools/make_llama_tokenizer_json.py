#!/usr/bin/env python3
"""Writes the Hugging Face tokenizer.json of the Llama 2 SentencePiece model.

../shared/data/tokenizers/llama2/tokenizer.json turned out to hold another vocabulary (Mistral
7B's: its "▁" is id 28705, Llama 2's is 29871), so the test that both loaders of one vocabulary
agree needs a tokenizer.json made from tokenizer.model itself. This follows transformers 4.x
`LlamaConverter` (legacy mode) and `SentencePieceExtractor.extract` step by step; transformers 5
no longer converts this model, and 4.x needs an older `tokenizers`, so the steps are spelled out
here with the `tokenizers` API.

usage: make_llama_tokenizer_json.py MODEL OUT
"""
import sys

import sentencepiece as spm
from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers


def generate_merges(vocab, vocab_scores):
    # transformers/convert_slow_tokenizer.py, generate_merges (4.4x).
    merges = []
    for merge, piece_score in vocab_scores.items():
        local = []
        for index in range(1, len(merge)):
            piece_l, piece_r = merge[:index], merge[index:]
            if piece_l in vocab and piece_r in vocab:
                local.append((piece_l, piece_r, piece_score))
        local = sorted(local, key=lambda x: (vocab[x[0]], vocab[x[1]]))
        merges.extend(local)
    merges = sorted(merges, key=lambda val: val[2], reverse=True)
    return [(val[0], val[1]) for val in merges]


def main(model_path, out_path):
    sp = spm.SentencePieceProcessor(model_file=model_path)
    n = sp.get_piece_size()
    # LlamaConverter.vocab: the first three pieces with score 0.
    vocab_scores = [("<unk>", 0.0), ("<s>", 0.0), ("</s>", 0.0)]
    vocab_scores += [(sp.id_to_piece(i), sp.get_score(i)) for i in range(3, n)]
    vocab = {sp.id_to_piece(i): i for i in range(n)}
    merges = generate_merges(vocab, dict(vocab_scores))
    bpe_vocab = {word: i for i, (word, _) in enumerate(vocab_scores)}
    tok = Tokenizer(models.BPE(bpe_vocab, merges, unk_token="<unk>", fuse_unk=True,
                               byte_fallback=True))
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True)
                            for t in ("<unk>", "<s>", "</s>")])
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"),
                                           normalizers.Replace(" ", "\u2581")])
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(),
                                     decoders.Fuse(), decoders.Strip(content=" ", left=1)])
    tok.save(out_path, pretty=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
