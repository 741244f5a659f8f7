"""Every example runs: the Python lab script and both notebooks (on their own kernels).

The MATLAB lab script (examples/matlab/lab.m) runs in the .m suite on Octave
(tests/test_matlab_suite.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "examples" / "notebooks"


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(900)
def test_python_lab_script_runs():
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "lab.py"), "--quick"],
                       capture_output=True, text=True, timeout=880, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "CNN test AUC" in r.stdout and "legacy segmentation" in r.stdout


def _run_notebook(path: Path, kernel: str) -> list[str]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name=kernel,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
    return ["".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("output_type") == "stream"]


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(900)
def test_python_notebook_drives_legacy_matlab():
    out = _run_notebook(NOTEBOOKS / "python_calls_matlab.ipynb", "python3")
    assert any("Dice against the true mask" in s for s in out)


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(900)
def test_octave_notebook_calls_pybridge():
    pytest.importorskip("octave_kernel")
    _run_notebook(NOTEBOOKS / "octave_calls_python.ipynb", "octave")


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(600)
def test_matlab_tour_runs_on_octave(tmp_path):
    tour = ROOT / "examples" / "matlab" / "tour.m"
    r = subprocess.run(["octave-cli", "--no-gui", "--norc", "--eval", f"run('{tour}')"],
                       capture_output=True, text=True, timeout=580, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "d = 0.5625" in r.stdout  # 2*9/(16+16), worked by hand
    dice_line = [ln for ln in r.stdout.splitlines() if ln.startswith("diceOnLesions")]
    assert dice_line and float(dice_line[0].split("=")[1]) > 0.7


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(600)
def test_python_tour_runs(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "tour.py")],
                       capture_output=True, text=True, timeout=580, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Dice of the legacy segmentation" in r.stdout


@pytest.mark.parametrize("path", ["examples/matlab/tour.m", "examples/python/tour.py"])
def test_readme_shows_the_tours_that_run(path):
    readme = (ROOT / "README.md").read_text()
    body = (ROOT / path).read_text().strip()
    assert body in readme, f"README's copy of {path} is out of date: paste the file into it again"
