"""Run the .m tests (matlab/tests/test_*.m) on GNU Octave, one pytest item per .m test.

The runner ``matlab/tests/runtests_pybridge.m`` runs once per session (one
Octave, one Python process behind its ``py.``); each ``test_*`` local
function of each .m file becomes its own pytest item, so a failing .m test
shows up under its own name with the MATLAB error id, message and line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from octave_tools import HAVE_OCTAVE, OCTAVE

ROOT = Path(__file__).resolve().parents[2]
MTESTS = ROOT / "matlab" / "tests"
RUNNER_TIMEOUT = 900


def _m_tests() -> list[tuple[str, str]]:
    found = []
    for path in sorted(MTESTS.glob("test_*.m")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in re.findall(r"^\s*function\s+(?:[^=\n]*=\s*)?(test_\w+)\s*(?:\(|$)", text, re.M):
            if name != path.stem:
                found.append((path.stem, name))
    return found


M_TESTS = _m_tests()

#: .m test files that train models, and the longer ones: slow (scripts/test.sh --fast leaves them out; CI runs them).
SLOW_MFILES = {"test_classification", "test_segmentation", "test_xai", "test_dicom", "test_first_hour"}
M_PARAMS = [pytest.param(f, t, id=f"{f}/{t}", marks=[pytest.mark.slow] if f in SLOW_MFILES else [])
            for f, t in M_TESTS]


def octave_env(pythonpath: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYBRIDGE_PYTHON"] = sys.executable
    env.setdefault("MPLBACKEND", "Agg")
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def run_runner(tmp: Path, *args: str, folder: Path | None = None, timeout: int = RUNNER_TIMEOUT,
               pythonpath: Path | None = None):
    """Run runtests_pybridge on Octave; returns (exit status, output, results rows)."""
    results = tmp / "results.tsv"
    opts = [f"'ResultsFile', '{results}'", "'Exit', true", *args]
    if folder is not None:
        opts.append(f"'Folder', '{folder}'")
    code = f"addpath('{MTESTS}'); runtests_pybridge({', '.join(opts)})"
    try:
        proc = subprocess.run(
            [*OCTAVE, "--eval", code],
            cwd=tmp,
            env=octave_env(pythonpath),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        status, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as err:  # keep the results of the tests that ran
        output = _text(err.stdout) + _text(err.stderr)
        status, output = "timeout", f"{output}\n[runner killed after {timeout} s]"
    rows = {}
    if results.exists():
        for line in results.read_text(encoding="utf-8", errors="replace").splitlines():
            result, file, name, seconds, message = (line.split("\t") + [""] * 5)[:5]
            rows[(file, name)] = (result, message)
    return status, output, rows


def _text(b: bytes | str | None) -> str:
    if b is None:
        return ""
    return b if isinstance(b, str) else b.decode(errors="replace")


@pytest.fixture(scope="module")
def suite(request, tmp_path_factory):
    """One run of the .m runner over the .m files whose tests were selected (all of them in CI)."""
    if not HAVE_OCTAVE:
        pytest.skip("GNU Octave (octave-cli) is not on PATH")
    selected = sorted({item.callspec.params["mfile"] for item in request.session.items
                       if getattr(item, "originalname", "") == "test_m" and hasattr(item, "callspec")})
    files = selected or sorted({f for f, _ in M_TESTS} - SLOW_MFILES)
    tmp = tmp_path_factory.mktemp("mtests")
    return run_runner(tmp, "'Files', {" + ", ".join(f"'{f}'" for f in files) + "}")


@pytest.mark.requires_octave
@pytest.mark.timeout(RUNNER_TIMEOUT + 60)
@pytest.mark.parametrize(("mfile", "mtest"), M_PARAMS)
def test_m(suite, mfile, mtest):
    status, output, rows = suite
    if ("runtests_pybridge", "setup") in rows:
        pytest.fail(f"pybridge.setup failed on Octave: {rows[('runtests_pybridge', 'setup')][1]}")
    if (mfile, "(file)") in rows:
        pytest.fail(f"{mfile}.m could not be loaded: {rows[(mfile, '(file)')][1]}")
    if (mfile, mtest) not in rows:
        pytest.fail(
            f"{mfile}/{mtest} did not run (exit status {status}); runner output:\n{output[-4000:]}"
        )
    result, message = rows[(mfile, mtest)]
    if result == "skip":
        pytest.skip(f"{mfile}/{mtest}: {message}")
    if result != "pass":
        pytest.fail(f"{mfile}.m {mtest} failed on Octave:\n{message.replace(' | ', chr(10))}")


@pytest.mark.requires_octave
@pytest.mark.timeout(RUNNER_TIMEOUT + 60)
def test_runner_exit_status_matches_results(suite):
    status, output, rows = suite
    failed = [k for k, (r, _) in rows.items() if r == "fail"]
    assert rows, f"the runner reported no results; output:\n{output[-4000:]}"
    assert not re.search(r"X11|disabling GUI|execution_exception", output), output[-4000:]
    assert status == (1 if failed else 0), f"exit status {status} with failures {failed}"
    assert re.search(r"\d+ passed, \d+ failed, \d+ skipped", output)


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_runner_reports_failures_and_skips(tmp_path):
    """A folder with one passing, one failing and one skipped test: exit 1, each reported."""
    folder = tmp_path / "mt"
    folder.mkdir()
    (folder / "test_demo.m").write_text(
        "function tests = test_demo\n"
        "tests = localfunctions;\n"
        "end\n"
        "function test_passes\n"
        "assert(1 + 1 == 2);\n"
        "end\n"
        "function test_fails\n"
        "error('demo:broken', 'it broke');\n"
        "end\n"
        "function test_skips\n"
        "pbtest.skip('no reason needed here');\n"
        "end\n"
        "function helper_is_not_a_test\n"
        "error('demo:helper', 'helpers must not run');\n"
        "end\n"
    )
    status, output, rows = run_runner(tmp_path, "'Setup', false", folder=folder, timeout=110)
    assert status == 1, output
    assert rows[("test_demo", "test_passes")][0] == "pass"
    assert rows[("test_demo", "test_fails")][0] == "fail"
    assert "demo:broken" in rows[("test_demo", "test_fails")][1]
    assert "line 8" in rows[("test_demo", "test_fails")][1]
    assert rows[("test_demo", "test_skips")] == ("skip", "no reason needed here")
    assert ("test_demo", "helper_is_not_a_test") not in rows
    assert "1 passed, 1 failed, 1 skipped" in output


def test_every_m_test_file_is_discovered():
    files = {f for f, _ in M_TESTS}
    assert {"test_core", "test_metrics", "test_py"} <= files, files


@pytest.mark.requires_octave
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_matlab_lab_runs_on_octave(tmp_path):
    """examples/matlab/lab.m, a student's lab using only pybridge.* calls, runs end to end."""
    lab = ROOT / "examples" / "matlab" / "lab.m"
    code = f"LAB_EPOCHS = 2; LAB_PATCHES = 16; run('{lab}')"
    proc = subprocess.run(
        [*OCTAVE, "--eval", code],
        cwd=tmp_path,
        env=octave_env(),
        capture_output=True,
        text=True,
        timeout=880,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "lab finished" in out, out[-4000:]
    # no load_path warnings, no Octave banner or exit noise
    assert not re.search(r"warning:|X11|disabling GUI|execution_exception", out), out[-4000:]
    dice = float(re.search(r"threshold method: Dice ([\d.]+)", out).group(1))
    assert 0.5 < dice <= 1.0, out[-4000:]
    assert "MATLAB [64 64 1 16] -> Python [16 1 64 64]" in out
    wrappers = ROOT / "matlab" / "+pybridge"
    has = {p.stem for p in wrappers.glob("*.m")}
    if {"trainClassifier", "classify"} <= has:
        assert re.search(r"logistic regression: accuracy [\d.]+ on 16 held-out", out), out[-4000:]
        assert re.search(r"CNN \(2 epochs\): accuracy [\d.]+ on 16 held-out", out), out[-4000:]
        if "gradcam" in has:
            assert re.search(r"CNN Grad-CAM: \d+% of the heat", out), out[-4000:]
    if {"trainSegmenter", "segment"} <= has:
        assert re.search(r"deep segmenter \(2 epochs\): Dice [\d.]+", out), out[-4000:]
        if "gradcam" in has:
            assert re.search(r"U-Net Grad-CAM: \d+% of the heat", out), out[-4000:]


# Reasons made by pybridge.internal.throwPython from a Python exception; test_core.m
# checks that translation once for all wrappers.
TRANSLATED = {
    "noPython",
    "invalidValue",
    "invalidType",
    "missingDependency",
    "fileNotFound",
    "pythonError",
}


def _help_ids() -> list[tuple[str, str]]:
    """Every wrapper-specific error id a help text lists, with the wrapper's file name."""
    found = []
    for path in sorted((ROOT / "matlab" / "+pybridge").rglob("*.m")):
        help_lines = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
            if not line.lstrip().startswith("%"):
                break
            help_lines.append(line)
        for ident in sorted(set(re.findall(r"pybridge:\w+:\w+", "\n".join(help_lines)))):
            if ident.rsplit(":", 1)[1] not in TRANSLATED:
                found.append((path.name, ident))
    return found


@pytest.mark.parametrize(("mfile", "ident"), _help_ids(), ids=[i for _, i in _help_ids()])
def test_every_error_id_in_a_help_text_is_tested(mfile, ident):
    tests = "\n".join(p.read_text(errors="replace") for p in MTESTS.glob("test_*.m"))
    assert ident in tests, f"{mfile} documents {ident} but no matlab/tests/test_*.m checks it"


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_runner_keeps_results_when_octave_dies_mid_run(tmp_path):
    folder = tmp_path / "mt"
    folder.mkdir()
    (folder / "test_crash.m").write_text(
        "function tests = test_crash\n"
        "tests = localfunctions;\n"
        "end\n"
        "function test_a_passes\n"
        "assert(true);\n"
        "end\n"
        "function test_b_exits\n"
        "exit(3);\n"
        "end\n"
    )
    status, output, rows = run_runner(tmp_path, "'Setup', false", folder=folder, timeout=110)
    assert status == 3, output
    assert rows == {("test_crash", "test_a_passes"): ("pass", "")}


@pytest.mark.requires_octave
@pytest.mark.timeout(300)
def test_require_python_fails_on_a_broken_pybridge_module_and_skips_a_missing_package(tmp_path):
    """pbtest.requirePython: a pybridge module that does not import is a FAILURE, never a skip.

    A copy of pybridge in which ``pybridge.metrics`` imports a module that does
    not exist (as a half-finished edit would), and a module that needs a
    third-party package that is not installed (an optional part: a skip).
    """
    import shutil

    copy = tmp_path / "py"
    shutil.copytree(ROOT / "pybridge", copy / "pybridge", ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "pybridge" / "metrics" / "__init__.py", "a") as f:
        f.write("\nfrom ._no_such_part import nothing  # broken on purpose\n")
    (copy / "pybridge" / "_needs_optional.py").write_text("import pybridge_test_absent_package\n")
    folder = tmp_path / "mt"
    folder.mkdir()
    (folder / "test_probe.m").write_text(
        "function tests = test_probe\n"
        "tests = localfunctions;\n"
        "end\n"
        "function test_broken_module\n"
        "pbtest.requirePython('pybridge.metrics');\n"
        "end\n"
        "function test_missing_optional_package\n"
        "pbtest.requirePython('pybridge._needs_optional');\n"
        "end\n"
        "function test_working_module\n"
        "pbtest.requirePython('pybridge.convert');\n"
        "end\n"
    )
    status, output, rows = run_runner(tmp_path, folder=folder, timeout=280, pythonpath=copy)
    assert status == 1, output
    result, message = rows[("test_probe", "test_broken_module")]
    assert result == "fail", output
    assert "pbtest:requirePython:brokenModule" in message and "pybridge.metrics._no_such_part" in message
    result, message = rows[("test_probe", "test_missing_optional_package")]
    assert result == "skip" and "pybridge_test_absent_package is not installed" in message, output
    assert rows[("test_probe", "test_working_module")][0] == "pass", output


@pytest.mark.requires_octave
@pytest.mark.timeout(300)
def test_setup_finds_the_python_it_is_installed_in(tmp_path):
    """pybridge.setup from <prefix>/lib/python3.X/site-packages/pybridge/_matlab picks <prefix>/bin/python3.X.

    The layout a pip install makes, built by hand: the .m code copied where
    the wheel puts it and the interpreter linked where a venv has it.
    No PYBRIDGE_PYTHON, no .venv next to the folder: setup must find it.
    """
    import shutil

    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    prefix = tmp_path / "prefix"
    folder = prefix / "lib" / ver / "site-packages" / "pybridge" / "_matlab"
    shutil.copytree(ROOT / "matlab", folder, ignore=shutil.ignore_patterns("tests"))
    (prefix / "bin").mkdir()
    exe = prefix / "bin" / ver  # a stand-in for the venv's interpreter: runs this one
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    exe.chmod(0o755)
    env = octave_env()
    env.pop("PYBRIDGE_PYTHON")
    env["PYTHONPATH"] = str(ROOT)  # the stand-in imports this pybridge
    code = (f"addpath('{folder}'); info = pybridge.setup('Verbose', false); "
            "printf('exe=%s\\n', info.Executable); printf('dice=%.4f\\n', pybridge.dice(true(2), [true false; true true]));")
    proc = subprocess.run([*OCTAVE, "--eval", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=280)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert f"exe={prefix / 'bin' / ver}" in out, out
    assert "dice=0.8571" in out, out  # 2*3/(4+3), by hand
