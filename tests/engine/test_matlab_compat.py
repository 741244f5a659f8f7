"""``import matlab.engine`` where MathWorks' matlabengine is absent: pybridge's stand-in.

The examples are MathWorks' own, from its engine documentation, run unchanged:

- "matlab.engine.MatlabEngine" (https://www.mathworks.com/help/matlab/apiref/matlab.engine.matlabengine-class.html):
  ``eng.sqrt(4.0)`` is 2.0; ``eng.eval('a = pi;', nargout=0)`` then
  ``eng.workspace['a']``; ``px = eng.linspace(0.0, 6.28, 1000)`` then
  ``eng.workspace['mx'] = px``.
- "Call MATLAB Functions from Python" (https://www.mathworks.com/help/matlab/matlab_external/call-matlab-functions-from-python.html):
  ``eng.isprime(37)`` is True; ``eng.gcd(100.0, 80.0, nargout=3)`` is
  ``(20.0, 1.0, -1.0)``.
- "Call MATLAB Functions Asynchronously from Python"
  (https://www.mathworks.com/help/matlab/matlab_external/call-matlab-functions-asynchronously-from-python.html):
  ``future = eng.sqrt(4.0, background=True)``; ``future.result()`` is 2.0.
- "MATLAB Arrays as Python Variables" (https://www.mathworks.com/help/matlab/matlab_external/matlab-arrays-as-python-variables.html):
  ``matlab.int8([1, 2, 3, 4, 5]).size`` is ``(1, 5)``; ``reshape`` in place.

The ``.pth`` start-up hook is exercised in fresh interpreters through
``site.addsitedir``, which processes ``.pth`` files as site-packages does.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parents[1]
PTH = ROOT / "pybridge-matlab.pth"


def run_python(code: str, *, site_dir: Path | None, extra_path: list[Path] = (), cwd: Path) -> str:
    """Run ``code`` in a fresh interpreter whose site-packages hold ``site_dir``'s .pth files."""
    prelude = ""
    if site_dir is not None:
        prelude = f"import site; site.addsitedir({str(site_dir)!r})\n"
    for p in extra_path:
        prelude += f"import sys; sys.path.insert(0, {str(p)!r})\n"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True, text=True, cwd=str(cwd), env=env, timeout=240,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture
def site_dir(tmp_path):
    d = tmp_path / "site-packages"
    d.mkdir()
    shutil.copy(PTH, d / PTH.name)
    return d


def test_the_shipped_hook_is_the_one_write_pth_writes(tmp_path):
    from pybridge import _matlab_finder

    assert PTH.read_text() == _matlab_finder.PTH_LINE
    out = run_python(
        f"import runpy, sys; sys.argv = ['x', {str(tmp_path)!r}]; "
        "runpy.run_module('pybridge._matlab_finder', run_name='__main__')",
        site_dir=None, cwd=tmp_path,
    )
    assert (tmp_path / PTH.name).read_text() == PTH.read_text() and "wrote" in out


def test_import_matlab_gives_pybridge_where_matlabengine_is_absent(site_dir):
    out = run_python(
        """
        import matlab.engine, matlab
        x = matlab.double([[1, 2], [3, 4]])
        print(matlab.__pybridge__, x.size, x[1][0], matlab.engine.__pybridge__)
        """,
        site_dir=site_dir, cwd=site_dir,
    )
    assert out.split() == ["True", "(2,", "2)", "3.0", "True"]


def test_a_folder_of_m_files_named_matlab_does_not_hide_it(site_dir):
    # the repository root holds matlab/ (.m files, no __init__.py): a namespace package
    out = run_python(
        "import matlab; print(getattr(matlab, '__pybridge__', False))",
        site_dir=site_dir, cwd=ROOT,
    )
    assert out.strip() == "True"


def test_real_matlabengine_is_never_shadowed(site_dir, tmp_path):
    real = tmp_path / "real"
    (real / "matlab" / "engine").mkdir(parents=True)
    (real / "matlab" / "__init__.py").write_text("REAL = True\n")
    (real / "matlab" / "engine" / "__init__.py").write_text("def start_matlab(*a):\n    return 'real'\n")
    code = """
        import matlab, matlab.engine
        print(getattr(matlab, 'REAL', False), getattr(matlab, '__pybridge__', False), matlab.engine.start_matlab())
        """
    # installed before and after the hook was set up: the real one wins both times
    assert run_python(code, site_dir=site_dir, extra_path=[real], cwd=tmp_path).split() == ["True", "False", "real"]
    env_code = f"import sys; sys.path.append({str(real)!r})\n" + textwrap.dedent(code)
    assert run_python(env_code, site_dir=site_dir, cwd=tmp_path).split() == ["True", "False", "real"]


def test_pybridge_engine_does_not_take_the_stand_in_for_matlabengine(site_dir):
    out = run_python(
        """
        import matlab.engine
        from pybridge.engine import available_backends
        info = available_backends()["matlab"]
        print(info.available, "compatibility layer" in info.detail)
        """,
        site_dir=site_dir, cwd=site_dir,
    )
    assert out.split() == ["False", "True"]


def test_the_import_swap_stays_available():
    from pybridge import engine as me

    assert callable(me.start_matlab) and callable(me.connect_matlab) and callable(me.find_matlab)
    for name in ("MatlabExecutionError", "RejectedExecutionError", "CancelledError",
                 "InterruptedError", "TimeoutError", "EngineError"):
        assert isinstance(getattr(me, name), type)


def test_exception_classes_match_matlabengine_roles():
    import concurrent.futures

    from pybridge import engine as me

    assert issubclass(me.MatlabExecutionError, me.EngineError)
    assert issubclass(me.EngineClosedError, me.RejectedExecutionError)
    assert issubclass(me.EngineDiedError, me.RejectedExecutionError)
    assert me.CancelledError is concurrent.futures.CancelledError
    assert issubclass(me.EngineTimeoutError, me.TimeoutError)


def test_connect_to_an_unknown_session_is_a_clear_error(monkeypatch):
    from pybridge import engine as me

    monkeypatch.setitem(sys.modules, "matlab.engine", None)
    with pytest.raises(me.EngineStartError, match="no shared session named 'nope'.*connect_matlab\\(\\) without a name"):
        me.connect_matlab("nope")


# ---------------------------------------------------------------- on Octave
@pytest.fixture
def matlab_pkg(monkeypatch):
    """``import matlab`` through the start-up hook, in this process."""
    from pybridge import _matlab_finder

    for name in [n for n in sys.modules if n == "matlab" or n.startswith("matlab.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    _matlab_finder.install()
    import matlab.engine

    import matlab

    assert matlab.__pybridge__
    return matlab


@pytest.fixture
def eng(matlab_pkg):
    e = matlab_pkg.engine.start_matlab()
    yield e
    e.quit()


@pytest.mark.requires_octave
@pytest.mark.timeout(240)
def test_the_issue_script_runs_unchanged_on_octave(site_dir):
    out = run_python(
        """
        import matlab.engine
        eng = matlab.engine.start_matlab()
        x = matlab.double([[1, 2], [3, 4]])
        r = eng.sqrt(x)
        print(type(r).__name__, r.size, r[1][1])
        eng.quit()
        """,
        site_dir=site_dir, cwd=site_dir,
    )
    name, *rest = out.split()
    assert name == "double"
    assert float(rest[-1]) == pytest.approx(2.0)


@pytest.mark.requires_octave
@pytest.mark.timeout(240)
def test_mathworks_engine_examples_run_on_octave(eng, matlab_pkg):
    matlab = matlab_pkg
    # "matlab.engine.MatlabEngine"
    assert eng.sqrt(4.0) == 2.0
    eng.eval("a = pi;", nargout=0)
    assert eng.workspace["a"] == pytest.approx(math.pi)
    px = eng.linspace(0.0, 6.28, 1000)
    assert type(px) is matlab.double and px.size == (1, 1000)
    eng.workspace["mx"] = px
    assert eng.eval("numel(mx)") == 1000.0
    # "Call MATLAB Functions from Python"
    assert eng.isprime(37) is True
    assert eng.gcd(100.0, 80.0, nargout=3) == (20.0, 1.0, -1.0)
    # "Call MATLAB Functions Asynchronously from Python"
    future = eng.sqrt(4.0, background=True)
    assert future.result() == 2.0
    # "MATLAB Arrays as Python Variables"
    a = matlab.int8([1, 2, 3, 4, 5])
    assert a.size == (1, 5)
    a.reshape((5, 1))
    assert a.size == (5, 1)
    assert eng.feval("class", a) == "int8"


@pytest.mark.requires_octave
@pytest.mark.timeout(240)
def test_matlabengine_rules_on_octave(eng, matlab_pkg):
    matlab = matlab_pkg
    assert eng.feval("class", 3) == "int64"  # a Python int is int64
    with pytest.raises(TypeError, match="None is not supported"):
        eng.disp(None, nargout=0)
    with pytest.raises(matlab.engine.MatlabExecutionError):
        eng.no_such_function_abc(1.0)
    r = eng.eval("[1 2; 3 4]")
    assert type(r) is matlab.double and r.size == (2, 2) and r[1][0] == 3.0
    eng.quit()
    with pytest.raises(matlab.engine.RejectedExecutionError):
        eng.sqrt(4.0)


@pytest.mark.requires_octave
@pytest.mark.timeout(240)
def test_connect_and_find_on_octave(matlab_pkg):
    me = matlab_pkg.engine
    eng = me.connect_matlab()
    try:
        names = me.find_matlab()
        assert len(names) >= 1
        assert me.connect_matlab(names[0]) is eng
        assert eng.sqrt(9.0) == 3.0
    finally:
        eng.quit()
    assert all(n not in me.find_matlab() for n in names)


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(240)
def test_background_start_and_option_string_on_octave(matlab_pkg):
    me = matlab_pkg.engine
    future = me.start_matlab("-nojvm -nodesktop", background=True)  # MATLAB's options, as written
    eng = future.result(timeout=200)
    try:
        assert future.done() and eng.sqrt(16.0) == 4.0
        slow = eng.pause(20.0, nargout=0, background=True)
        assert isinstance(slow, me.FutureResult)
        with pytest.raises(me.TimeoutError):
            slow.result(timeout=0.1)
        assert slow.cancel()
        with pytest.raises(me.CancelledError):
            slow.result(timeout=60)
        assert eng.sqrt(9.0) == 3.0
    finally:
        eng.quit()
