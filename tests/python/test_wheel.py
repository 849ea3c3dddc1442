"""The portable wheel (scripts/build-wheel.sh): built with pip and repaired by auditwheel, it
carries the C++ libraries it needs beside the extension and the `xval` command, so ldd of both,
installed into a fresh virtual environment, finds nothing outside the wheel but the C and C++
runtime; the venv imports xval, encodes as the development install does, and runs `xval`."""
import os
import re
import subprocess
import sys
import zipfile

import pytest

from conftest import DATA, ROOT

pytest.importorskip("auditwheel")
# glibc (libc, libm, the loader, vdso), libgcc_s and libstdc++: what every manylinux wheel may
# take from the system.
RUNTIME = re.compile(r"^(linux-vdso\.so\.1|/lib64/ld-linux-x86-64\.so\.2|ld-linux-x86-64\.so\.2|"
                     r"lib(c|m|dl|rt|pthread)\.so\.6|libgcc_s\.so\.1|libstdc\+\+\.so\.6)$")


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh virtual environment (no system site-packages) with the built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([str(ROOT / "scripts" / "build-wheel.sh"), str(root / "dist")],
                           capture_output=True, text=True, timeout=1200)
    assert built.returncode == 0, built.stderr
    wheel = built.stdout.strip().splitlines()[-1]
    env_dir = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel,
         "numpy==2.4.6"], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('platlib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    return {"wheel": wheel, "python": python, "bin": env_dir / "bin", "site": site}


def _ldd(path):
    """(name, resolved path or None) for each library ldd lists."""
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        parts = line.strip().split()
        if not parts:
            continue
        name = parts[0]
        resolved = parts[2] if len(parts) > 2 and parts[1] == "=>" else None
        libs.append((name, resolved))
    return libs


def test_the_wheel_carries_the_extension_the_command_and_their_libraries(venv):
    names = zipfile.ZipFile(venv["wheel"]).namelist()
    assert re.search(r"manylinux_\d+_\d+_x86_64\.whl$", venv["wheel"])
    assert any(re.match(r"xval/_xval\..*\.so$", n) for n in names)
    assert any(n.startswith("xval.libs/") for n in names)
    assert any(n.endswith("/xval") and "scripts" in n for n in names)


def test_ldd_finds_only_the_runtime_outside_the_wheel(venv):
    import glob
    site = venv["site"]
    extension = glob.glob(f"{site}/xval/_xval.*.so")
    binary = glob.glob(f"{site}/xval.scripts/xval")
    assert extension and binary
    for path in extension + binary:
        libs = _ldd(path)
        assert any(name.startswith("libstdc++") for name, _ in libs)
        for name, resolved in libs:
            if RUNTIME.match(name):
                continue
            inside = resolved is not None and os.path.realpath(resolved).startswith(
                os.path.realpath(f"{site}/xval.libs") + "/")
            assert inside, f"{path} takes {name} from {resolved}, outside the wheel"


def test_the_fresh_venv_imports_encodes_and_runs_the_command(venv):
    import xval
    text = "x = 1,234.5 and 3.14159"
    model = DATA / "tokenizers" / "llama2" / "tokenizer.model"
    script = ("import sys, xval; t = xval.Tokenizer.from_file(sys.argv[1]); "
              "print(xval.__file__); print(t.encode(sys.argv[2]).ids.tolist())")
    out = subprocess.run([str(venv["python"]), "-c", script, str(model), text],
                         capture_output=True, text=True, timeout=120, cwd="/")
    assert out.returncode == 0, out.stderr
    where, ids = out.stdout.strip().splitlines()
    assert where.startswith(venv["site"])  # the venv's copy, not the development install
    assert ids == str(xval.Tokenizer.from_file(str(model)).encode(text).ids.tolist())
    version = subprocess.run([str(venv["bin"] / "xval"), "--version"], capture_output=True,
                             text=True, timeout=60)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"xval {xval.__version__}"
