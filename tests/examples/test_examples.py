"""Every example runs, from any folder, with no Octave noise: the Python lab
script, both tours and both notebooks (on their own kernels).

The MATLAB lab script (examples/matlab/lab.m) runs in the .m suite on Octave
(tests/mfiles/test_matlab_suite.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from octave_tools import OCTAVE

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "examples" / "notebooks"

#: What Octave prints when started carelessly; no example may show any of it.
NOISE = re.compile(r"X11 DISPLAY|disabling GUI features|execution_exception|load_path|warning: called from")


def _env() -> dict[str, str]:
    """The environment of an example: this Python's scripts first on PATH, no display."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("MPLBACKEND", "Agg")
    return env


def assert_quiet(output: str) -> None:
    noise = [ln for ln in output.splitlines() if NOISE.search(ln)]
    assert not noise, "Octave noise in the output:\n" + "\n".join(noise)


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(900)
def test_python_lab_script_runs(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "lab.py"), "--quick"],
                       capture_output=True, text=True, timeout=880, cwd=tmp_path, env=_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "CNN test AUC" in r.stdout and "legacy segmentation" in r.stdout
    steps = re.findall(r"^\[\d\d:\d\d:\d\d\] (\d)/4 ", r.stdout, re.M)
    assert steps == ["1", "2", "3", "4"], r.stdout  # one line per step: never silent for minutes
    assert_quiet(r.stdout + r.stderr)


class NotebookFailed(AssertionError):
    """A notebook cell failed (an error output, or an Octave 'error:' line)."""


def cell_errors(nb) -> list[str]:
    """The failures in an executed notebook, on either kernel.

    The Python kernel reports a failing cell as an ``error`` output. The
    Octave kernel reports it as text on stderr starting with ``error:`` and
    still says the cell ran, so nbclient (and ``jupyter execute``) would
    carry on and succeed: both are looked for here.
    """
    found = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                found.append(f"cell {i}: {o.get('ename')}: {o.get('evalue')}")
            elif o.get("output_type") == "stream":
                for line in "".join(o.get("text", "")).splitlines():
                    if line.startswith("error:") or (o.get("name") == "stderr" and line.startswith("error")):
                        found.append(f"cell {i}: {line}")
    return found


def run_notebook(path: Path, kernel: str, cwd: Path) -> list[str]:
    """Execute a notebook from the folder ``cwd``; raise NotebookFailed on any failing cell."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    env = _env()
    env["OCTAVE_EXECUTABLE"] = OCTAVE[0]  # the GUI-less Octave: no X11 lines from the kernel
    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        client = NotebookClient(nb, timeout=600, kernel_name=kernel, resources={"metadata": {"path": str(cwd)}})
        try:
            client.execute()  # stops at the first cell the kernel itself reports as failed
        except CellExecutionError as err:
            raise NotebookFailed(f"{path.name}: {err}") from err
    finally:
        os.environ.clear()
        os.environ.update(saved)
    errors = cell_errors(nb)
    if errors:
        raise NotebookFailed(f"{path.name}: " + "; ".join(errors))
    out = ["".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
           if o.get("output_type") == "stream"]
    assert_quiet("\n".join(out))
    return out


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(900)
def test_python_notebook_drives_legacy_matlab(tmp_path):
    out = run_notebook(NOTEBOOKS / "python_calls_matlab.ipynb", "python3", cwd=tmp_path)
    assert any("Dice against the true mask" in s for s in out)


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(900)
def test_octave_notebook_calls_pybridge(tmp_path):
    pytest.importorskip("octave_kernel")
    out = run_notebook(NOTEBOOKS / "octave_calls_python.ipynb", "octave", cwd=tmp_path)
    assert any("d = 0.5625" in s for s in out), out  # 2*9/32, by hand


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(600)
def test_a_failing_octave_cell_fails_the_notebook_run(tmp_path):
    """The Octave kernel reports errors as text: the run must still fail."""
    import nbformat

    pytest.importorskip("octave_kernel")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "octave", "display_name": "Octave", "language": "octave"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1 + 1"),
                nbformat.v4.new_code_cell("error('lab:broken', 'this cell fails on purpose')"),
                nbformat.v4.new_code_cell("y = 3")]
    path = tmp_path / "failing.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(NotebookFailed, match="this cell fails on purpose"):
        run_notebook(path, "octave", cwd=tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_failing_python_cell_fails_the_notebook_run(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("raise ValueError('this cell fails on purpose')")]
    path = tmp_path / "failing.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(NotebookFailed, match="this cell fails on purpose"):
        run_notebook(path, "python3", cwd=tmp_path)


@pytest.mark.slow
def test_cell_errors_reads_both_kernels_reports():
    import nbformat

    nb = nbformat.v4.new_notebook()
    ok = nbformat.v4.new_code_cell("d = 1")
    ok.outputs = [nbformat.v4.new_output("stream", name="stdout", text="d = 1\n")]
    octave = nbformat.v4.new_code_cell("bad")
    octave.outputs = [nbformat.v4.new_output("stream", name="stderr", text="error: 'bad' undefined\n")]
    python = nbformat.v4.new_code_cell("1/0")
    python.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                             traceback=[])]
    nb.cells = [ok, octave, python]
    assert cell_errors(nb) == ["cell 1: error: 'bad' undefined", "cell 2: ZeroDivisionError: division by zero"]


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(600)
def test_matlab_tour_runs_on_octave(tmp_path):
    tour = ROOT / "examples" / "matlab" / "tour.m"
    r = subprocess.run([*OCTAVE, "--eval", f"run('{tour}')"],
                       capture_output=True, text=True, timeout=580, cwd=tmp_path, env=_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert_quiet(r.stdout + r.stderr)
    assert "d = 0.5625" in r.stdout  # 2*9/(16+16), worked by hand
    dice_line = [ln for ln in r.stdout.splitlines() if ln.startswith("diceOnLesions")]
    assert dice_line and float(dice_line[0].split("=")[1]) > 0.7


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(600)
def test_python_tour_runs(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "tour.py")],
                       capture_output=True, text=True, timeout=580, cwd=tmp_path, env=_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Dice of the legacy segmentation" in r.stdout
    assert_quiet(r.stdout + r.stderr)


@pytest.mark.parametrize("path", ["examples/matlab/tour.m", "examples/python/tour.py"])
def test_readme_shows_the_tours_that_run(path):
    readme = (ROOT / "README.md").read_text()
    body = (ROOT / path).read_text().strip()
    assert body in readme, f"README's copy of {path} is out of date: paste the file into it again"
