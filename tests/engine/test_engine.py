"""pybridge.engine: the same tests on the mock MATLAB (fake matlab.engine) and on real Octave."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pybridge.engine import (
    EngineClosedError,
    EngineDiedError,
    EngineError,
    EngineStartError,
    EngineTimeoutError,
    available_backends,
    start_matlab,
)

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parents[1]

BACKENDS = [
    pytest.param("mock", id="mock"),
    pytest.param(
        "octave", id="octave", marks=[pytest.mark.requires_octave, pytest.mark.timeout(120)]
    ),
]


@pytest.fixture(scope="module")
def fake_engine_module():
    """The fake ``matlab``/``matlab.engine`` installed for the whole module (one engine)."""
    import fake_matlab
    import fake_matlab.engine as fake_engine

    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "matlab", fake_matlab)
        mp.setitem(sys.modules, "matlab.engine", fake_engine)
        mp.setattr(fake_matlab, "engine", fake_engine, raising=False)
        yield fake_engine


@pytest.fixture(scope="module")
def engines(request):
    """Started engines by backend name, started lazily, quit at the end of the module."""
    started = {}

    def get(kind):
        if kind not in started:
            if kind == "mock":
                request.getfixturevalue("fake_engine_module")
                started[kind] = start_matlab(backend="matlab")
            else:
                started[kind] = start_matlab(backend="octave", timeout=60)
        return started[kind]

    yield get
    for eng in started.values():
        eng.quit()


@pytest.fixture(params=BACKENDS)
def eng(request, engines):
    return engines(request.param)


# ------------------------------------------------------------------ calls
def test_scalar_call_and_nargout(eng):
    assert eng.sqrt(16.0) == 4.0
    # MATLAB's documented example: [M, I] = max([3 7 5]) gives M = 7, I = 2 (1-based)
    assert eng.max(np.array([3.0, 7.0, 5.0]), nargout=2) == (7.0, 2.0)
    assert eng.max(np.array([3.0, 7.0, 5.0])) == 7.0
    assert eng.disp("quiet", nargout=0, stdout=io.StringIO()) is None


def test_classes_survive_the_trip(eng):
    img = np.array([[1, 2], [3, 250]], dtype=np.uint8)
    back = eng.uint8(img)
    assert back.dtype == np.uint8
    assert_array_equal(back, img)
    eq = eng.eq(np.array([1.0, 2.0, 1.0]), 1.0)
    assert eq.dtype == np.bool_
    assert_array_equal(eq, [[True, False, True]])
    # matlabengine sends a Python int as int64, a float as double, a bool as logical
    assert eng.feval("class", 3) == "int64"
    assert eng.feval("class", 3.0) == "double"
    assert eng.feval("class", True) == "logical"
    assert eng.feval("class", "txt") == "char"


def test_layout_is_matlab_layout_whatever_the_memory_order(eng):
    a = np.arange(6.0).reshape(2, 3)  # C order in Python
    assert_array_equal(eng.size(a), [[2.0, 3.0]])
    assert_array_equal(eng.plus(a, 0.0), a)
    assert_array_equal(eng.plus(np.asfortranarray(a), 0.0), a)
    assert eng.size(a, nargout=2) == (2.0, 3.0)


def test_empty_struct_and_cell_results(eng):
    z = eng.zeros(0.0, 3.0)
    assert isinstance(z, np.ndarray) and z.shape == (0, 3)
    assert eng.struct("a", 1.0, "b", "txt") == {"a": 1.0, "b": "txt"}
    assert eng.num2cell(np.array([1.0, 2.0])) == [1.0, 2.0]


def test_stdout_and_stderr_streams(eng):
    out, err = io.StringIO(), io.StringIO()
    eng.disp("hello from the engine", nargout=0, stdout=out, stderr=err)
    eng.warning("careful now", nargout=0, stdout=out, stderr=err)
    assert out.getvalue() == "hello from the engine\n"
    assert "careful now" in err.getvalue()
    assert "careful" not in out.getvalue()
    with pytest.raises(TypeError, match="StringIO"):
        eng.disp("x", nargout=0, stdout="not a stream")


def test_error_keeps_identifier_and_message(eng):
    with pytest.raises(EngineError) as info:
        eng.error("pybridge:test:boom", "boom %d", 3.0, nargout=0)
    assert info.value.identifier == "pybridge:test:boom"
    assert info.value.message == "boom 3"
    assert "pybridge:test:boom: boom 3" in str(info.value)
    with pytest.raises(EngineError, match="no_such_function_xyz"):
        eng.no_such_function_xyz(1.0)


def test_eval_and_workspace(eng):
    eng.eval("pb_x = [8 1 6; 3 5 7];", nargout=0, stdout=io.StringIO())
    assert_array_equal(eng.workspace["pb_x"], [[8, 1, 6], [3, 5, 7]])
    eng.workspace["pb_y"] = np.arange(6.0).reshape(2, 3)
    assert_array_equal(eng.workspace["pb_y"], np.arange(6.0).reshape(2, 3))
    assert "pb_y" in eng.workspace
    assert "pb_nothing_here" not in eng.workspace
    with pytest.raises(KeyError, match="pb_nothing_here"):
        eng.workspace["pb_nothing_here"]
    with pytest.raises(ValueError, match="variable name"):
        eng.workspace["1bad"] = 1.0


def test_background_futures(eng):
    fut = eng.plus(np.array([1.0, 2.0]), 1.0, background=True)
    assert_array_equal(fut.result(timeout=30), [[2.0, 3.0]])
    assert fut.done()
    slow = eng.pause(1.5, nargout=0, background=True)
    queued = eng.sqrt(4.0, background=True)
    with pytest.raises(TimeoutError):
        slow.result(timeout=0.05)
    assert queued.cancel()  # not started yet: a queued call can be cancelled
    assert queued.cancelled()
    assert slow.result(timeout=30) is None


def test_cancel_interrupts_a_running_call(eng):
    import concurrent.futures

    buf = io.StringIO()
    fut = eng.eval("disp('pb_started'); pause(30);", nargout=0, background=True, stdout=buf)
    end = time.monotonic() + 30
    while "pb_started" not in buf.getvalue() and time.monotonic() < end:
        time.sleep(0.01)
    assert fut.cancel()
    with pytest.raises(concurrent.futures.CancelledError):
        fut.result(timeout=20)
    assert fut.cancelled() and fut.done()
    assert eng.plus(1.0, 2.0) == 3.0  # the engine stays usable


def test_per_call_timeout_interrupts_and_engine_survives(eng):
    with pytest.raises(EngineTimeoutError) as info:
        eng.pause(20.0, nargout=0, timeout=0.5)
    assert isinstance(info.value, TimeoutError)
    assert info.value.identifier == "pybridge:engine:timeout"
    assert eng.plus(1.0, 2.0) == 3.0


def test_keyword_options_are_checked(eng):
    with pytest.raises(TypeError):
        eng.sqrt(4.0, nargot=1)  # a misspelt option fails
    with pytest.raises(TypeError, match="nargout"):
        eng.sqrt(4.0, nargout=-1)


# ------------------------------------------------------------ lifecycle
@pytest.mark.parametrize("kind", BACKENDS)
def test_quit_and_context_manager(kind, request):
    if kind == "mock":
        request.getfixturevalue("fake_engine_module")
        backend = "matlab"
    else:
        backend = "octave"
    with start_matlab(backend=backend) as eng:
        pid = eng.pid
        assert eng.plus(1.0, 1.0) == 2.0
    with pytest.raises(EngineClosedError, match="quit"):
        eng.plus(1.0, 1.0)
    if pid is not None:
        _wait_gone(pid)


def _wait_gone(pid, limit=10.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:  # a zombie child counts as gone once reaped
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
        except ChildProcessError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} is still running after quit()")


def test_mock_engine_death_is_reported_then_restarted(engines):
    eng = engines("mock")
    eng.addpath("/some/legacy/folder", nargout=0)
    eng._backend._eng._kill()  # MATLAB crashes
    with pytest.raises(EngineDiedError, match="next call starts a fresh MATLAB"):
        eng.sqrt(4.0)
    assert eng.sqrt(4.0) == 2.0
    assert eng.restarts == 1
    assert "/some/legacy/folder" in eng._backend._eng._session.path


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_octave_killed_while_idle_restarts_on_next_call(engines, tmp_path):
    eng = engines("octave")
    (tmp_path / "pb_twice.m").write_text("function y = pb_twice(x)\ny = 2 * x;\nend\n")
    eng.addpath(str(tmp_path))
    before = eng.restarts
    old = eng.pid
    os.kill(old, signal.SIGKILL)
    time.sleep(0.2)
    assert eng.pb_twice(4.0) == 8.0  # restarted, path added again
    assert eng.restarts == before + 1
    assert eng.pid != old


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_octave_killed_during_a_call_says_so(engines):
    eng = engines("octave")
    buf = io.StringIO()
    fut = eng.eval("disp('pb_started'); pause(30);", nargout=0, background=True, stdout=buf)
    end = time.monotonic() + 30
    while "pb_started" not in buf.getvalue() and time.monotonic() < end:
        time.sleep(0.01)  # wait until Octave is inside the call
    assert "pb_started" in buf.getvalue()
    os.kill(eng.pid, signal.SIGKILL)
    with pytest.raises(EngineDiedError) as info:
        fut.result(timeout=60)
    assert "died" in str(info.value) and "rerun" in str(info.value)
    assert eng.plus(2.0, 2.0) == 4.0


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_octave_error_stack_has_file_and_line(engines, tmp_path):
    eng = engines("octave")
    src = textwrap.dedent(
        """\
        function pb_fails(x)
        %PB_FAILS raise an error on line 4
        y = x + 1;
        error('pybridge:pb_fails:always', 'failed with %g', y);
        end
        """
    )
    (tmp_path / "pb_fails.m").write_text(src)
    eng.addpath(str(tmp_path))
    with pytest.raises(EngineError) as info:
        eng.pb_fails(1.0, nargout=0)
    err = info.value
    assert err.identifier == "pybridge:pb_fails:always"
    assert err.message == "failed with 2"
    assert err.stack[0].name == "pb_fails"
    assert err.stack[0].line == 4
    assert Path(err.stack[0].file).name == "pb_fails.m"
    assert "pb_fails.m:4" in str(err)


def test_mock_error_stack_from_matlab_text(engines, fake_engine_module):
    eng = engines("mock")

    def bad(nargout, x):
        fake_engine_module.matlab_error("legacy:bad:input", "input must be positive")

    fake_engine_module.register("pb_bad", bad, file="/lab/pb_bad.m")
    try:
        with pytest.raises(EngineError) as info:
            eng.pb_bad(-1.0)
    finally:
        fake_engine_module.unregister("pb_bad")
    assert info.value.identifier == "legacy:bad:input"
    assert info.value.message == "input must be positive"
    assert [tuple(f) for f in info.value.stack] == [("/lab/pb_bad.m", "pb_bad", 1)]


def test_mock_raw_values_on_request(fake_engine_module):
    import fake_matlab

    from pybridge._mtypes import MArray

    with start_matlab(backend="matlab", raw=True) as eng:
        r = eng.plus(np.array([1.0, 2.0]), 1.0)
    # raw: the MATLAB value model the backend returned, before any profile
    assert isinstance(r, MArray) and r.dims == (1, 2) and r.real.tolist() == [2.0, 3.0]
    assert fake_matlab.double is not None


def test_mock_arguments_are_converted_for_matlabengine(engines):
    # the fake refuses numpy arrays as matlabengine does: pybridge must convert them
    import fake_matlab.engine as fe

    with pytest.raises(TypeError, match="numpy"):
        fe.start_matlab().plus(np.ones(2), 1.0)
    assert_array_equal(
        engines("mock").plus(np.ones((2, 2), dtype=np.float32), 1.0), 2 * np.ones((2, 2))
    )


# ------------------------------------------------------ start and backends
def lab_script(start_matlab):
    """A lab script written for ``matlab.engine``; only its start_matlab is swapped."""
    eng = start_matlab()
    eng.eval("pb_a = [1 2; 3 4];", nargout=0)
    total = eng.plus(eng.workspace["pb_a"], 1.0)
    m, i = eng.max(eng.workspace["pb_a"], nargout=2)
    eng.quit()
    return total, m, i


def test_script_for_matlab_engine_runs_with_only_the_import_changed(request):
    """The same lab script runs on matlab.engine (fake) and on pybridge's engine."""
    request.getfixturevalue("fake_engine_module")
    import fake_matlab.engine as fe

    ref_total, ref_m, ref_i = lab_script(fe.start_matlab)  # matlabengine's own types
    total, m, i = lab_script(start_matlab)  # pybridge, backend auto = MATLAB (mock)
    assert_array_equal(total, np.array(ref_total._data).reshape(ref_total.size, order="F"))
    assert_array_equal(m, np.array(ref_m._data).reshape(ref_m.size, order="F"))
    assert_array_equal(i, [[2.0, 2.0]])  # column maxima of [1 2; 3 4] are in row 2


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_auto_falls_back_to_octave_without_matlab(monkeypatch):
    monkeypatch.setitem(sys.modules, "matlab.engine", None)  # import fails
    info = available_backends()
    assert not info["matlab"].available
    assert info["octave"].available
    with start_matlab() as eng:
        assert eng.backend == "octave"
    total, m, i = lab_script(start_matlab)  # the matlab.engine script, now on Octave
    assert_array_equal(total, [[2.0, 3.0], [4.0, 5.0]])
    assert_array_equal(m, [[3.0, 4.0]])
    assert_array_equal(i, [[2.0, 2.0]])


def test_available_backends_explains_what_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "matlab.engine", None)
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("OCTAVE_EXECUTABLE", raising=False)
    info = available_backends()
    assert not info["matlab"].available
    assert "pip install matlabengine" in info["matlab"].detail
    assert not info["octave"].available
    assert "apt-get install octave" in info["octave"].detail
    with pytest.raises(EngineStartError) as err:
        start_matlab()
    text = str(err.value)
    assert "- matlab:" in text and "- octave:" in text
    assert "pip install matlabengine" in text and "apt-get install octave" in text
    assert isinstance(err.value, ImportError)


def test_repository_matlab_folder_is_not_taken_for_matlabengine(monkeypatch):
    # with the repo root on sys.path, 'import matlab' finds the .m folder as a namespace package
    monkeypatch.syspath_prepend(str(ROOT))
    for name in ("matlab", "matlab.engine"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert not available_backends()["matlab"].available


def test_bad_backend_name():
    with pytest.raises(ValueError, match="did you mean 'octave'"):
        start_matlab(backend="octav")
    with pytest.raises(ValueError, match="option string.*backend='octave'"):
        start_matlab("octav")  # the first argument is MATLAB's option string
    with pytest.raises(ValueError, match="timeout"):
        start_matlab(backend="octave", timeout=0)


def test_eval_returns_one_output_by_default_as_matlabengine(engines):
    eng = engines("mock")
    assert eng.eval("plus(1, 2)") == 3.0  # nargout=1 by default, as matlabengine
    with pytest.raises(EngineError, match="Too many output"):
        eng.eval("pb_q = 1;")  # statements need nargout=0
    assert eng.eval("pb_q = 1;", nargout=0) is None


@pytest.mark.requires_octave
@pytest.mark.timeout(60)
def test_octave_start_failure_names_the_fix(tmp_path):
    missing = str(tmp_path / "no-octave-here")
    with pytest.raises(EngineStartError, match="apt-get install octave"):
        start_matlab(backend="octave", executable=missing)


def test_importing_pybridge_engine_starts_nothing():
    code = (
        "import sys, pybridge, pybridge.engine, pybridge.legacy\n"
        "bad = [m for m in ('oct2py', 'torch', 'matlab.engine') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(TESTS), timeout=120)


def test_fake_matlab_engine_follows_matlabengine_api(fake_engine_module):
    fe = fake_engine_module
    assert fe.find_matlab() == () or all(isinstance(n, str) for n in fe.find_matlab())
    shared = fe.connect_matlab()
    assert shared.name in fe.find_matlab()
    assert fe.connect_matlab(shared.name) is shared
    with pytest.raises(fe.EngineError):
        fe.connect_matlab("no_such_session")
    eng = fe.start_matlab(background=True).result()
    assert eng.sqrt(16.0) == 4.0
    with pytest.raises(fe.MatlabExecutionError, match="Too many output"):
        eng.disp("x", nargout=1)
    with pytest.raises(TypeError, match="keyword"):
        eng.sqrt(4.0, timeout=1)  # Python keyword arguments are not MATLAB's
    eng.quit()
    with pytest.raises(fe.RejectedExecutionError):
        eng.sqrt(4.0)


def test_start_in_background(fake_engine_module):
    fut = start_matlab(backend="matlab", background=True)
    eng = fut.result(timeout=30)
    try:
        assert eng.backend == "matlab" and eng.sqrt(9.0) == 3.0
    finally:
        eng.quit()
