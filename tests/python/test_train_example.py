"""examples/python/train_xval.py in a short configuration: it trains both models, reports both
held-out errors, saves an xVal checkpoint that the C++ forward pass reproduces within 1e-4, and
generates from it. Training quality is not asserted (50 steps learn little)."""
import json
import math
import os
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("safetensors")
pytest.importorskip("tokenizers")

import xval  # noqa: E402

SCRIPT = ROOT / "examples" / "python" / "train_xval.py"
CHECK = ROOT / "examples" / "python" / "check_cpp_forward.py"


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("train_xval")
    env = dict(os.environ)
    # The xval command of the build under test (scripts/test.sh builds it first).
    cli = BUILD / "bindings" / "cli" / "xval"
    assert cli.exists(), f"{cli} is missing: build first"
    env["XVAL_CLI"] = str(cli)
    cmd = [sys.executable, str(SCRIPT), "--steps", "50", "--eval", "100", "--log-every", "25",
           "--out", str(out), "--json", str(out / "results.json")]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return out, run.stdout, json.load(open(out / "results.json"))


def test_reports_both_held_out_errors(short_run):
    _, stdout, results = short_run
    assert "xVal number head" in stdout and "digit-split baseline" in stdout
    for name in ("xval", "digits"):
        r = results[name]
        assert math.isfinite(r["mae"]) and r["mae"] >= 0, r
        assert math.isfinite(r["r2"]), r
        assert r["train_s"] > 0
    # Sanity only: answers lie in [-10, 20), so a head that learnt anything at all is within 15.
    assert results["xval"]["mae"] < 15


def test_cpp_forward_matches_pytorch(short_run):
    out, _, results = short_run
    p = results["parity"]
    assert p["ok"], p
    assert p["rel_logits"] <= 1e-4 and p["rel_numbers"] <= 1e-4, p
    assert p["sequences"] >= 1


def test_checkpoint_loads_in_cpp(short_run):
    out, _, _ = short_run
    ckpt = out / "xval_checkpoint"
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        assert (ckpt / name).exists(), name
    cfg = json.load(open(ckpt / "config.json"))
    assert cfg["xval_number_head"] == "mlp" and cfg["xval_num_token_id"] == 2
    model = xval.Model.load(str(ckpt))
    assert model.config["vocab_size"] == cfg["vocab_size"]


def test_check_script_standalone(short_run):
    out, _, _ = short_run
    run = subprocess.run([sys.executable, str(CHECK), str(out / "xval_checkpoint")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert json.loads(run.stdout[run.stdout.index("{"):])["ok"]


def test_generate(short_run):
    _, _, results = short_run
    assert isinstance(results["generate_python"], str)
    assert "generate_cli" in results, "the example did not run xval generate"
    assert results["generate_cli"]["rc"] == 0, results["generate_cli"]


def test_generate_with_an_f16_kv_cache(short_run):
    """`xval generate --kv_cache f16` runs the same generation over an f16 cache (its numbers
    may differ in the last digits); any other cache type is refused with a message."""
    _, _, results = short_run
    cmd = results["generate_cli"]["command"]
    run = subprocess.run(cmd + ["--kv_cache", "f16"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip(), run.stdout
    bad = subprocess.run(cmd + ["--kv_cache", "bf16"], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert "--kv_cache: f32 or f16" in bad.stderr
