"""The xVal options of the C++ library from Python, as the xval command takes them: the same
ids as `xval tokenize` with each grammar option, out-of-range policy, digit limit and precision;
decode_exact gives the text back exactly; find_numbers reports the numbers encode turns into
[NUM] with the same values; bad options are ValueErrors naming the keyword; options survive a
pickle."""
import pickle

import numpy as np
import pytest

from conftest import DATA

LLAMA = DATA / "tokenizers" / "llama2" / "tokenizer.model"
EXTRA = ["+5 and .5 and 5. and 1,234,567 and \u0661\u0662\u0663 and 3-4 and 1e400 and 1e5",
         "huge 123456789012345678901234567890 tiny 1e-50 x", "-0.000 and 00012 and 1.50"]

# (python keywords, the xval command's flags)
CASES = [
    ({}, []),
    ({"number_options": "plus,leading_dot,trailing_dot,groups,unicode,binary_minus"},
     ["--number-options", "plus,leading_dot,trailing_dot,groups,unicode,binary_minus"]),
    ({"number_options": "no_exponent", "out_of_range": "saturate"},
     ["--number-options", "no_exponent", "--out-of-range", "saturate"]),
    ({"max_digits": 6, "out_of_range": "text", "precision": "float16"},
     ["--max-digits", "6", "--out-of-range", "text", "--precision", "float16"]),
    ({"number_mode": "paper"}, ["--number-mode", "paper"]),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_ids_equal_the_command(case, corpus, xval_cli):
    import xval
    kwargs, flags = CASES[case]
    tok = xval.Tokenizer.from_file(str(LLAMA), numbers="xval", **kwargs)
    texts = corpus[::29] + EXTRA
    want = xval_cli(["tokenize", "--tokenizer", str(LLAMA), "--numbers", "xval", *flags], texts)
    got = [" ".join(map(str, e.ids)) for e in tok.encode_batch(texts)]
    assert got == want, kwargs
    copy = pickle.loads(pickle.dumps(tok))
    assert [list(e.ids) for e in copy.encode_batch(EXTRA)] == [list(e.ids)
                                                               for e in tok.encode_batch(EXTRA)]


def test_decode_exact_and_find_numbers(corpus):
    import xval
    tok = xval.Tokenizer.from_file(str(LLAMA), numbers="xval", max_digits=9)
    num = tok.token_to_id("[NUM]")
    for text in corpus[::41] + EXTRA:
        e = tok.encode(text)
        assert tok.decode_exact(e, text) == text
        found = tok.find_numbers(text)
        raw = text.encode()
        for begin, end, value, as_num in found:
            assert raw[begin:end].strip(), (text, begin, end)
        want = [v for *_, v, as_num in found if as_num]
        np.testing.assert_array_equal(e.values[e.ids == num], np.asarray(want, np.float32))


def test_bad_options_name_the_keyword():
    import xval
    for kwargs, name in (({"out_of_range": "clip"}, "out_of_range"),
                         ({"precision": "float64"}, "precision"),
                         ({"number_options": "commas"}, "number_options"),
                         ({"number_mode": "paper", "number_options": "plus"}, "number_options"),
                         ({"max_digits": -1}, "max_digits")):
        with pytest.raises(ValueError, match=name):
            xval.Tokenizer.from_file(str(LLAMA), numbers="xval", **kwargs)
    plain = xval.Tokenizer.from_file(str(LLAMA))
    with pytest.raises(ValueError, match="numbers=.xval."):
        plain.find_numbers("1 2")
