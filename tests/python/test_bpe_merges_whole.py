"""Issue 22: a Hugging Face BPE without `ignore_merges` merges a piece even when it is a token,
and may not end at that token. xval answers such pieces from a table of the tokens that merge
into themselves (ByteBpe::KeepShortTokensThatMergeWhole, built at load): a token that merges
otherwise must still be merged. Against Hugging Face tokenizers, first and later calls, ids-only
and with offsets, with and without `ignore_merges`, with ids in merge order (the merged token
then serves as the rank: PairTable::UseMergedAsRankWhereOrderAllows) and not."""
import numpy as np
import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

import xval


def write_bpe(path, ignore_merges, merge_order_ids):
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {c: i for i, c in enumerate(alphabet)}
    for token in (("bc", "ab", "abc", "xy", "xyz") if merge_order_ids else
                  ("ab", "bc", "abc", "xy", "xyz")):
        vocab[token] = len(vocab)
    # "abc" is a token made by "ab" + "c", but "b c" ranks first: its bytes merge into a, bc.
    # "xyz" merges into itself.
    merges = [("b", "c"), ("a", "b"), ("ab", "c"), ("x", "y"), ("xy", "z")]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=ignore_merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.save(str(path))
    return tok


@pytest.mark.parametrize("merge_order_ids", [False, True])
@pytest.mark.parametrize("ignore_merges", [False, True])
def test_tokens_that_merge_otherwise(tmp_path, ignore_merges, merge_order_ids):
    path = tmp_path / "tokenizer.json"
    reference = write_bpe(path, ignore_merges, merge_order_ids)
    tok = xval.Tokenizer.from_file(str(path))
    text = "abc xyz ab bc abcabc xyzab " * 50 + "abc"
    expected = reference.encode(text).ids
    if not ignore_merges:
        assert expected[:2] == [reference.token_to_id("a"), reference.token_to_id("bc")]
    else:
        assert expected[0] == reference.token_to_id("abc")
    for _ in range(2):  # the first call fills the caches, the second reads them
        ids = tok.encode_batch_flat([text], ids_only=True, threads=1)[0]
        np.testing.assert_array_equal(ids, np.asarray(expected, dtype=np.int32))
        assert list(tok.encode(text).ids) == expected
