"""The Octave engine under faults: private files, nothing lost, nothing left behind.

Every test puts the engine's transport folder in a test folder
(``PYBRIDGE_TRANSPORT_DIR``) and checks that no folder or payload is left
there after SIGKILL or SIGINT of Octave mid-call, Ctrl-C in Python, a killed
Python, a full transport folder, and errors after a large transfer.
"""

from __future__ import annotations

import concurrent.futures
import errno
import io
import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pybridge._octpy import wire
from pybridge.engine import EngineDiedError, EngineError, start_matlab

pytestmark = [pytest.mark.requires_octave, pytest.mark.slow, pytest.mark.timeout(180)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def base(tmp_path, monkeypatch):
    d = tmp_path / "transport"
    d.mkdir()
    monkeypatch.setenv("PYBRIDGE_TRANSPORT_DIR", str(d))
    return d


def folders(base: Path) -> list[Path]:
    return sorted(base.glob("pybridge-octave-*"))


def spill_folders(pid: int) -> list[str]:
    return [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(f"pybridge-octave-{pid}-")]


def wait_until(cond, limit: float = 15.0) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def running_call(eng, code: str):
    """Start ``code`` in the background; return once Octave is inside it."""
    buf = io.StringIO()
    fut = eng.eval(f"disp('pb_started'); {code}", nargout=0, background=True, stdout=buf)
    assert wait_until(lambda: "pb_started" in buf.getvalue(), 30)
    return fut


def test_modes_0700_and_0600_whatever_the_umask(base, monkeypatch):
    seen = []
    real_read, real_write = wire._read_octave_file, wire._write_private

    def read(path, dtype, count):
        seen.append(("octave", stat.S_IMODE(os.stat(path).st_mode)))
        return real_read(path, dtype, count)

    def write(path, header, data):
        real_write(path, header, data)
        seen.append(("python", stat.S_IMODE(os.stat(path).st_mode)))

    monkeypatch.setattr(wire, "_read_octave_file", read)
    monkeypatch.setattr(wire, "_write_private", write)
    old = os.umask(0)
    try:
        eng = start_matlab(backend="octave")
    finally:
        os.umask(old)
    try:
        (folder,) = folders(base)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        big = np.arange(100_000.0).reshape(250, 400)
        assert_array_equal(eng.plus(big, 1.0), big + 1)
        assert ("python", 0o600) in seen and ("octave", 0o600) in seen
        assert all(mode == 0o600 for _, mode in seen), seen
        assert not [p for p in folder.iterdir()], "no payload stays once read"
    finally:
        eng.quit()
    assert not folders(base) and not spill_folders(os.getpid())


@pytest.mark.skipif(os.geteuid() != 0, reason="reading as another user needs root to switch users")
def test_another_user_reads_nothing(base):
    with start_matlab(backend="octave") as eng:
        eng.workspace["x"] = np.ones((300, 300))
        (folder,) = folders(base)
        probe = (
            "import os, sys\n"
            "os.setgid(65534); os.setuid(65534)\n"
            "try:\n    os.listdir(sys.argv[1]); print('READ')\n"
            "except PermissionError:\n    print('DENIED')\n"
        )
        out = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True,
                             text=True, timeout=60)
        assert out.stdout.strip() == "DENIED", out


def test_stale_folder_of_a_killed_run_is_removed_at_the_next_start(base):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = base / f"pybridge-octave-{dead.pid}-x1"
    stale.mkdir(mode=0o700)
    (stale / "p1.oct").write_bytes(b"patient data")
    live = base / f"pybridge-octave-{os.getpid()}-kept"
    live.mkdir(mode=0o700)
    with start_matlab(backend="octave") as eng:
        assert eng.plus(1.0, 1.0) == 2.0
    assert not stale.exists()
    assert live.exists(), "a folder whose process still runs is not touched"


def test_sigkill_of_octave_mid_call(base):
    with start_matlab(backend="octave") as eng:
        eng.workspace["x"] = np.ones((300, 300))
        (first,) = folders(base)
        fut = running_call(eng, "pause(30);")
        os.kill(eng.pid, signal.SIGKILL)
        with pytest.raises(EngineDiedError, match="rerun"):
            fut.result(timeout=60)
        assert not first.exists(), "the dead session's folder is removed"
        assert eng.plus(2.0, 2.0) == 4.0  # a fresh Octave
        assert len(folders(base)) == 1
    assert not folders(base) and not spill_folders(os.getpid())


def test_sigint_to_octave_from_outside_cancels_the_call_only(base):
    with start_matlab(backend="octave") as eng:
        eng.workspace["kept"] = 5.0
        pid = eng.pid
        fut = running_call(eng, "pause(30);")
        os.kill(pid, signal.SIGINT)
        with pytest.raises(concurrent.futures.CancelledError):
            fut.result(timeout=60)
        assert eng.pid == pid and eng.workspace["kept"] == 5.0
        assert not [p for f in folders(base) for p in f.iterdir()]


def test_ctrl_c_in_python_interrupts_octave_and_the_engine_lives_on(base, tmp_path):
    script = textwrap.dedent(
        """\
        import sys, time
        from pybridge.engine import start_matlab
        eng = start_matlab(backend="octave")
        eng.workspace["kept"] = 7.0
        print("READY", flush=True)
        try:
            eng.pause(60.0, nargout=0)
        except KeyboardInterrupt:
            print("INTERRUPTED", flush=True)
        print("KEPT", eng.workspace["kept"], eng.plus(1.0, 2.0), flush=True)
        eng.quit()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    assert proc.stdout.readline().strip() == "READY"
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=60)[0]
    assert "INTERRUPTED" in out and "KEPT 7.0 3.0" in out, out
    assert proc.returncode == 0
    assert not folders(base) and not spill_folders(proc.pid)


def test_killed_python_leaves_no_octave_and_its_folder_goes_at_the_next_start(base, tmp_path):
    script = textwrap.dedent(
        """\
        import os, signal
        from pybridge.engine import start_matlab
        eng = start_matlab(backend="octave")
        eng.workspace["x"] = 1.0
        print(eng.pid, os.getpid(), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    octave_pid, python_pid = map(int, proc.stdout.split()[:2])

    def gone():
        try:
            os.kill(octave_pid, 0)
        except ProcessLookupError:
            return True
        return False

    assert wait_until(gone, 20), "Octave exits once its Python is gone"
    assert len(folders(base)) == 1, "SIGKILL leaves the folder..."
    assert spill_folders(python_pid)
    with start_matlab(backend="octave") as eng:
        eng.plus(1.0, 1.0)
        assert len(folders(base)) == 1, "...and the next start removes it"
    assert not folders(base)
    assert not spill_folders(python_pid), "the stale fallback folder is removed too"


def test_error_after_a_large_transfer_leaves_nothing(base):
    with start_matlab(backend="octave") as eng:
        big = np.ones((400, 400))
        with pytest.raises(EngineError):
            eng.no_such_function_pb(big, big)
        with pytest.raises(EngineError, match="undefined|too many"):
            eng.max(big, nargout=3)  # fails after the transfer
        (folder,) = folders(base)
        assert not list(folder.iterdir())
        assert_array_equal(eng.plus(big, 0.0), big)


def test_full_transport_folder_falls_back_to_the_temporary_folder(base, monkeypatch):
    real = wire._write_private
    main = []

    def full(path, header, data):
        if main and path.startswith(main[0]):
            raise OSError(errno.ENOSPC, "No space left on device", path)
        real(path, header, data)

    monkeypatch.setattr(wire, "_write_private", full)
    with start_matlab(backend="octave") as eng:
        main.append(str(folders(base)[0]))
        big = np.random.default_rng(0).random((500, 400))
        assert_array_equal(eng.plus(big, 0.0), big)
        assert not [p for f in eng._backend._folders.paths for p in os.listdir(f)]


def _tiny_tmpfs(path: Path) -> bool:
    path.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(path)],
                       capture_output=True)
    return r.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tiny tmpfs needs root")
def test_really_full_tmpfs_both_ways(tmp_path, monkeypatch):
    tiny = tmp_path / "tiny"
    if not _tiny_tmpfs(tiny):
        pytest.skip("this system does not allow mounting a tmpfs here")
    monkeypatch.setenv("PYBRIDGE_TRANSPORT_DIR", str(tiny))
    try:
        with start_matlab(backend="octave") as eng:
            big = np.random.default_rng(1).random((1000, 1000))  # 8 MB, 16x the tmpfs
            assert_array_equal(eng.plus(big, 0.0), big)  # both ways
            made = eng.eval("reshape(1:2e6, 1000, 2000)", nargout=1)  # Octave -> Python
            assert_array_equal(made, np.arange(1, 2e6 + 1).reshape(1000, 2000, order="F"))
            assert not [p for f in eng._backend._folders.paths for p in os.listdir(f)]
        assert not list(tiny.iterdir()) and not spill_folders(os.getpid())
    finally:
        subprocess.run(["umount", "-l", str(tiny)], check=False)


def test_no_octave_banner_reaches_the_user(tmp_path, monkeypatch, capfd):
    # the conditions that make Octave print them: a DISPLAY without X, and no
    # ~/.local/share/octave to save its history into
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setenv("HOME", str(tmp_path))
    with start_matlab(backend="octave") as eng:
        assert eng.plus(1.0, 2.0) == 3.0
    out, err = capfd.readouterr()
    assert out == "" and err == "", (out, err)


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's tunables are a Linux matter")
@pytest.mark.parametrize(
    "user, octave_sees",
    [
        (None, "glibc.malloc.hugetlb=1"),
        ("glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"),
        ("glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=0"),  # the user's own setting wins
    ],
)
def test_octave_gets_huge_pages_for_large_arrays_unless_the_user_says_otherwise(
    user, octave_sees, monkeypatch
):
    if user is None:
        monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    else:
        monkeypatch.setenv("GLIBC_TUNABLES", user)
    with start_matlab(backend="octave") as eng:
        assert eng.getenv("GLIBC_TUNABLES") == octave_sees
        big = np.random.default_rng(2).random((3000, 1000))
        eng.workspace["pb_big"] = big
        assert_array_equal(eng.workspace["pb_big"], big)
    assert os.environ.get("GLIBC_TUNABLES") == user, "Python's own environment is left alone"
