"""examples/python/arithmetic.py --quick: every encoding trains on both tasks, the accuracy table
covers every operand length, and the models whose inputs the C++ forward pass takes (digits,
rtl3, xVal) are reproduced by it within 1e-4. Accuracy itself is not asserted (40 steps learn
little); docs/numbers.md has the full run's table."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("safetensors")

SCRIPT = ROOT / "examples" / "python" / "arithmetic.py"


def test_quick_run(tmp_path):
    out = tmp_path / "results.json"
    cmd = [sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path / "models"),
           "--json", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=dict(os.environ))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    results = json.load(open(out))
    encodings = ["digits", "rtl3", "abacus", "xval", "fone", "bittokens"]
    for task, longest in (("add", 10), ("mul", 5)):
        assert f"exact-match accuracy, {task}" in run.stdout
        for name in encodings:
            acc = results["accuracy"][f"{name}/{task}"]
            assert sorted(int(n) for n in acc) == list(range(1, longest + 1))
            assert all(0.0 <= a <= 1.0 for a in acc.values())
        for name in ("digits", "rtl3", "xval"):
            parity = results["cpp_forward"][f"{name}/{task}"]
            assert parity["ok"] and parity["rel_logits"] <= 1e-4, parity
    assert results["cpp_forward"]["xval/add"]["max_number"] > 0  # the number head was compared
