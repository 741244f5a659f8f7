"""The package as a user meets it: import is cheap, doctor answers, the CLI parses."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_import_starts_nothing():
    code = (
        "import sys, threading, pybridge\n"
        "heavy = sorted(m for m in ('torch', 'oct2py', 'matlab', 'matlab.engine', 'sklearn', 'pydicom') if m in sys.modules)\n"
        "print(heavy, threading.active_count())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] 1", out


def test_lazy_submodules_and_bad_names():
    import pybridge

    assert pybridge.convert.from_matlab([1.0]).shape == (1, 1)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pybridge.nope  # noqa: B018


@pytest.mark.timeout(300)
def test_doctor_lists_every_component():
    r = subprocess.run([sys.executable, "-m", "pybridge.cli", "doctor"], capture_output=True, text=True, timeout=280)
    for name in ("Python", "torch", "GPU", "MATLAB engine", "GNU Octave", "Octave image package",
                 "oct2py", "Octave Jupyter kernel"):
        assert name in r.stdout
    # MATLAB is not installed here: doctor must say so and give the fix
    assert "matlabengine" in r.stdout
    assert r.returncode in (0, 1)


def test_cli_rejects_unknown_engine(capsys):
    from pybridge.cli import main

    with pytest.raises(SystemExit):
        main(["lab", "--engine", "matlob"])
    assert "invalid choice" in capsys.readouterr().err
