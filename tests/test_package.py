"""The package as a user meets it: the install, the command line, doctor, the .m folder, no torch needed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import tomllib
from machine_tools import X86

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


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


# A Python in which torch and the rest of the `ml` extra are not installed:
# `None` in sys.modules makes `import torch` fail exactly as a missing package does.
_NO_ML = "import sys\nfor m in ('torch', 'monai', 'captum', 'safetensors', 'sklearn'): sys.modules[m] = None\n"


def test_core_works_without_torch():
    code = _NO_ML + (
        "import numpy as np\n"
        "import pybridge, pybridge.dicom, pybridge.metrics, pybridge.engine, pybridge.convert, pybridge.mapi\n"
        "a = np.zeros((8, 8), bool); a[1:5, 1:5] = True\n"
        "b = np.zeros((8, 8), bool); b[2:6, 2:6] = True\n"
        "print(pybridge.metrics.dice(a, b))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert float(r.stdout) == pytest.approx(2 * 9 / 32)  # two 4 x 4 squares sharing 3 x 3, by hand


@pytest.mark.parametrize("module", ["pybridge.classification", "pybridge.segmentation"])
def test_a_module_needing_torch_names_the_extra(module):
    code = _NO_ML + f"import {module}\n"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError:"), last
    assert "No module named" in last and "pip install 'pybridge-lab[ml]'" in last, last


def test_other_import_errors_are_not_rewritten():
    # only a missing `ml` package gets the hint; pybridge's own bugs keep their message
    from pybridge import _NeedsExtra

    class Broken:
        def create_module(self, spec):
            return None

        def exec_module(self, module):
            raise ModuleNotFoundError("No module named 'pybridge._gone'", name="pybridge._gone")

    import types

    with pytest.raises(ModuleNotFoundError, match="pybridge._gone") as info:
        _NeedsExtra(Broken()).exec_module(types.ModuleType("pybridge.classification"))
    assert "pip install" not in str(info.value)


def test_pyproject_core_has_no_torch_and_extras_are_complete():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["name"] == "pybridge-lab"
    assert meta["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert not any(d.startswith(("torch", "monai", "captum")) for d in meta["dependencies"])
    extras = meta["optional-dependencies"]
    assert {"ml", "octave", "matlab", "dask", "notebooks", "all", "test"} <= set(extras)
    assert "torch>=2.1,<=2.13.0" in extras["ml"]
    assert all(d.startswith("matlabengine==") for k, v in extras.items() if k.startswith("matlab") for d in v)
    assert (ROOT / "pybridge" / "py.typed").is_file()


def test_matlabengine_pins_agree_with_doctor_and_readme():
    from pybridge._doctor import MATLAB_ENGINE

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    readme = (ROOT / "README.md").read_text()
    for release, series in MATLAB_ENGINE.items():
        assert extras[f"matlab-{release.lower()}"] == [f"matlabengine=={series}.*"]
        assert re.search(rf"\| {release} \| {re.escape(series)}\.\* \| `pybridge-lab\[matlab-{release.lower()}\]`",
                         readme), f"README's matlabengine table lacks {release}"
    newest = max(MATLAB_ENGINE)
    assert extras["matlab"] == extras[f"matlab-{newest.lower()}"]


def test_version_agrees_with_pyproject():
    import pybridge

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert pybridge.__version__ == meta["version"]
    r = _run("--version")
    assert r.returncode == 0 and r.stdout.startswith(f"pybridge {meta['version']} ")


def test_matlab_path_points_at_the_wrappers():
    r = _run("matlab-path")
    assert r.returncode == 0, r.stderr
    folder = Path(r.stdout.strip())
    assert (folder / "+pybridge" / "setup.m").is_file()
    assert (folder / "octave" / "py.m").is_file()


def test_setup_matlab_prints_the_line_and_writes_it_once(tmp_path):
    from pybridge._install import matlab_folder

    r = _run("setup-matlab")
    assert r.returncode == 0
    assert f"addpath('{matlab_folder()}');" in r.stdout
    rc = tmp_path / "octaverc"
    rc.write_text("more off\n")
    for expected in ("added", "unchanged"):
        r = _run("setup-matlab", "--write", "octave", "--startup", str(rc))
        assert r.returncode == 0 and r.stdout.strip().endswith(expected), r.stdout + r.stderr
    text = rc.read_text()
    assert text.startswith("more off\n")  # the user's own lines are kept
    assert text.count("addpath(") == 1


def test_setup_matlab_replaces_an_old_block(tmp_path):
    from pybridge._install import _BEGIN, _END, write_startup

    start = tmp_path / "startup.m"
    start.write_text(f"x = 1;\n{_BEGIN}\naddpath('/old/place');\n{_END}\ny = 2;\n")
    assert write_startup(start, tmp_path) == "updated"
    text = start.read_text()
    assert "/old/place" not in text and f"addpath('{tmp_path}');" in text
    assert text.startswith("x = 1;\n") and text.endswith("y = 2;\n")


def test_startup_file_locations(monkeypatch, tmp_path):
    from pybridge._install import startup_file

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("MATLAB_USERPATH", raising=False)
    assert startup_file("octave") == tmp_path / ".octaverc"
    assert startup_file("matlab") == tmp_path / "Documents" / "MATLAB" / "startup.m"
    monkeypatch.setenv("MATLAB_USERPATH", str(tmp_path / "mine"))
    assert startup_file("matlab") == tmp_path / "mine" / "startup.m"
    with pytest.raises(ValueError, match="'matlab' or 'octave'"):
        startup_file("scilab")


@pytest.mark.parametrize(("args", "words"), [
    (["lab", "--data", "/no/such/folder"], "/no/such/folder: no such folder"),
    (["lab", "--engine", "matlob"], "invalid choice: 'matlob'"),
    (["lab", "--quik"], "unrecognized arguments: --quik"),
    ([], "required: command"),
    (["setup-matlab", "--startup", "x.m"], "--startup needs --write"),
])
def test_bad_arguments_are_one_line_and_exit_2(args, words):
    r = _run(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("pybridge: error: ") and words in lines[0], lines[0]
    assert "Traceback" not in r.stderr


def test_a_failed_run_is_one_line_and_exit_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = _run("lab", "--quick", "--out", str(blocker / "lab"))
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and r.stderr.startswith("pybridge: error: "), r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_doctor_lists_every_part_with_one_fix_each():
    r = _run("doctor", timeout=280)
    assert r.returncode in (0, 1)
    for name in ("Python", "numpy", ".m code for MATLAB/Octave", "torch", "monai", "captum", "GPU",
                 "MATLAB engine", "GNU Octave", "Octave image package", "dask.distributed",
                 "JupyterLab", "Octave Jupyter kernel"):
        assert name in r.stdout, name
    for part in ("core", "extra [ml]", "extra [octave]", "extra [matlab]", "extra [dask]", "extra [notebooks]"):
        assert part in r.stdout
    # one line per part that misses something, never two
    fixes = [ln.split()[0] for ln in r.stdout.split("one command per part:")[-1].splitlines() if ln.strip()]
    assert len(fixes) == len(set(fixes)), r.stdout


def test_doctor_report_gives_one_command_per_missing_part():
    from pybridge._doctor import Check, fix_command, report

    checks = [Check("Python", True, "3.11"), Check("torch", False, "not installed", "ml"),
              Check("monai", False, "not installed", "ml"), Check("GNU Octave", False, "missing", "octave",
                                                                 "sudo apt-get install octave octave-image")]
    text = report(checks)
    assert text.count(fix_command("ml")) == 1
    assert "sudo apt-get install octave octave-image" in text
    assert "the core works" in text
    assert "[ml]" in fix_command("ml")


def test_doctor_says_whether_the_c_layout_copy_is_built(monkeypatch):
    from pybridge import _doctor, _layout

    built = _doctor._layout_copy()
    assert built.ok and built.part == "core"
    if X86:  # SSE2
        assert "pybridge._transpose (SSE2" in built.detail  # the test command builds it
        assert ("AVX2" in built.detail) == bool(_layout._BUILT.AVX2)
        assert ("second thread" in built.detail) == (_layout._SPLIT and bool(_layout._BUILT.THREADS))
    else:
        assert "without SSE2" in built.detail
    monkeypatch.setattr(_layout, "KERNEL", None)
    assert "turned off by PYBRIDGE_LAYOUT_KERNEL=0" in _doctor._layout_copy().detail
    monkeypatch.setattr(_layout, "_BUILT", SimpleNamespace(SIMD=0))  # as built on ARM
    assert "without SSE2" in _doctor._layout_copy().detail
    monkeypatch.setattr(_layout, "_BUILT", None)
    missing = _doctor._layout_copy()
    # the core still works (numpy copies), and the line says how to get the kernel
    assert missing.ok and "not built" in missing.detail
    assert "sudo apt-get install gcc python3-dev" in missing.detail and "reinstall" in missing.detail
    assert "the core works" not in _doctor.report([_doctor._python(), missing])


def test_matlab_release_is_read_from_the_matlab_on_path(tmp_path, monkeypatch):
    from pybridge._doctor import matlab_release

    root = tmp_path / "MATLAB" / "R2024b"
    (root / "bin").mkdir(parents=True)
    exe = root / "bin" / "matlab"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    (root / "VersionInfo.xml").write_text("<MathWorks_version_info><release>R2024b</release></MathWorks_version_info>")
    monkeypatch.setenv("PATH", f"{root / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert matlab_release() == "R2024b"


def test_octave_children_are_quiet():
    code = "import os, pybridge; print(os.environ.get('OCTAVE_HISTFILE'))"
    env = {k: v for k, v in os.environ.items() if k != "OCTAVE_HISTFILE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stdout
    assert out.strip() == os.devnull


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_wheel_carries_the_m_code_and_the_templates(tmp_path):
    """Built from a copy of the source tree: the .m code (not its tests), the report template, py.typed."""
    import shutil
    import zipfile

    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "build", "*.egg-info", "*.so",
                                                              ".hypothesis", "pybridge-lab"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                        "--wheel-dir", str(tmp_path / "dist"), str(src)],
                       capture_output=True, text=True, timeout=580)
    assert r.returncode == 0, r.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("pybridge_lab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for must in ("pybridge/_matlab/+pybridge/setup.m", "pybridge/_matlab/+pybridge/dice.m",
                 "pybridge/_matlab/+pybridge/+internal/callPython.m", "pybridge/_matlab/octave/py.m",
                 "pybridge/_matlab/octave/private/pyconn.m", "pybridge/_matlab/legacy/massSegment.m",
                 "pybridge/lab/templates/report.html.j2", "pybridge/py.typed", "pybridge/_data/microcalc_source.safetensors"):
        assert must in names, must
    m_in_repo = {p.relative_to(ROOT / "matlab").as_posix() for p in (ROOT / "matlab").rglob("*.m")
                 if p.relative_to(ROOT / "matlab").parts[0] != "tests"}
    m_in_wheel = {n.removeprefix("pybridge/_matlab/") for n in names if n.startswith("pybridge/_matlab/") and n.endswith(".m")}
    assert m_in_wheel == m_in_repo  # every .m file outside matlab/tests, whatever folder it is in
    assert not any("/tests/" in n for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    meta = next(zipfile.ZipFile(wheel).read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "Name: pybridge-lab" in meta and "Provides-Extra: ml" in meta
    assert not re.search(r"^Requires-Dist: torch.*(?<!extra == \"ml\")$", meta, re.M), "torch is a core dependency"
    # the C transposing copy rides in the wheel, which is then for this platform only
    assert any(re.fullmatch(r"pybridge/_transpose\.[^/]*\.so", n) for n in names), "no pybridge._transpose"
    assert not wheel.name.endswith("-py3-none-any.whl"), wheel.name

    # PYBRIDGE_PURE=1: the same wheel without the C code, for any platform
    env = {**os.environ, "PYBRIDGE_PURE": "1"}
    shutil.rmtree(src / "build", ignore_errors=True)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                        "--wheel-dir", str(tmp_path / "pure"), str(src)],
                       capture_output=True, text=True, timeout=580, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    (pure,) = (tmp_path / "pure").glob("pybridge_lab-*.whl")
    assert pure.name.endswith("-py3-none-any.whl"), pure.name
    pure_names = set(zipfile.ZipFile(pure).namelist())
    assert not any(n.endswith((".so", ".pyd", ".c")) for n in pure_names)
    assert {n for n in names if not n.endswith(".so") and ".dist-info/" not in n} == {
        n for n in pure_names if ".dist-info/" not in n}
