#!/usr/bin/env python3
"""Writes tests/golden/xval/paper_planets.jsonl: planets-style records (the xVal paper's
planets-sim data format) and the ids and values that the xVal reference code's tokenize_fnc
(github.com/PolymathicAI/xVal, xval/preprocess.py) gives them with the paper's tokenizer.json.

The reference steps, restated here: delete every space; replace each match of the number
regex by a placeholder; replace "placeholder,placeholder" (and with ", ") by two adjacent
placeholders, twice; tokenize with [NUM] in place of each placeholder (Hugging Face
`tokenizers`); values are numpy float16, 1.0 except at [NUM], filled in match order.

Records are drawn with a fixed seed, as planets-sim/draw_sample.py formats them (masses times
1e5, eccentricities times 20, str() of the dict with spaces removed), plus a few with spaces
kept and with the number shapes the regex treats specially. Every value is under float16's
maximum (the reference would store inf beyond it; xval saturates instead).

Usage: python3 tests/tools/gen_xval_paper_golden.py [DATA_DIR] > tests/golden/xval/paper_planets.jsonl
Needs: tokenizers, numpy.
"""
import json
import random
import re
import sys

import numpy as np
from tokenizers import Tokenizer

PATTERN = r"(?<!\')-?\d+(\.\d+)?([eE][-+]?\d+)?(?!\'|\d)"
PLACEHOLDER = "\u00ac"


def reference_encode(sample, tokenizer, num_id):
    sample = sample.replace(" ", "")
    numbers = []

    def keep(match):
        numbers.append(match.group())
        return PLACEHOLDER

    text = re.sub(PATTERN, keep, sample)
    for sep in (", ", ", ", ",", ","):
        text = text.replace(PLACEHOLDER + sep + PLACEHOLDER, PLACEHOLDER * 2)
    text = text.replace(PLACEHOLDER, "[NUM]")
    ids = np.array(tokenizer.encode(text).ids)
    values = np.ones(len(ids)).astype(np.float16)
    values[ids == num_id] = numbers
    assert np.all(np.isfinite(values)), sample
    return [int(i) for i in ids], [float(v) for v in values]


def planets_record(rng):
    n = rng.randint(1, 5)
    desc = {}
    for i in range(n):
        desc["planet" + str(i)] = {
            "m": rng.uniform(1e-6, 1e-3) * 1e5,
            "a": rng.uniform(0.5, 5.0),
            "e": rng.uniform(0.0, 0.2) * 20,
        }
    desc["stepsize"] = rng.choice([0.01, 0.05, 1e-05, 2.5e-3])
    steps = rng.randint(1, 6)
    data = [[[rng.uniform(-9, 9), rng.uniform(-9, 9)] for _ in range(n)] for _ in range(steps)]
    return str({"description": desc, "data": data})


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
    tokenizer = Tokenizer.from_file(data_dir + "/tokenizers/xval/tokenizer.json")
    num_id = tokenizer.token_to_id("[NUM]")
    rng = random.Random(20231004)
    records = []
    for k in range(40):
        r = planets_record(rng)
        records.append(r.replace(" ", "") if k % 4 else r)  # every 4th keeps its spaces
    records += [
        "{'description':{'planet0':{'m':-1.5e-3,'a':2,'e':0}},'data':[[[1,2,3,4,5]]]}",
        "{'data':[[[1, 2], [-3, 4e2]], [[0.5e+1, -0.25]]]}",
        "{'planet0': 1-2, 'planet1': [1,000], 'stepsize': 3.}",
        "{'e':'planet0','a':'12','m':1.5'}",
        "{'data':[[[00012,-0,1E-05]]]} trailing text 42",
    ]
    for text in records:
        ids, values = reference_encode(text, tokenizer, num_id)
        print(json.dumps({"text": text, "ids": ids, "values": values}, ensure_ascii=False))


if __name__ == "__main__":
    main()
