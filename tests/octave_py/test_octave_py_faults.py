"""``py.`` in GNU Octave under faults: private files, no hang, nothing lost or left behind.

Each test runs a real ``octave-cli`` whose ``py.`` transport folder is put in
a test folder (``PYBRIDGE_TRANSPORT_DIR``), and checks afterwards that no
transport folder or payload is left there: after a SIGKILL of Octave or of
the Python helper, a SIGINT, a helper that dies or hangs at start-up, a
full transport folder, and hostile names.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.requires_octave, pytest.mark.slow, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
OCTAVE_DIR = ROOT / "matlab" / "octave"


def _env(base: Path, python: str | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYBRIDGE_PYTHON"] = python or sys.executable
    env["PYBRIDGE_TRANSPORT_DIR"] = str(base)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    env.update(extra)
    return env


class Octave:
    """An interactive octave-cli with pybridge's py. on its path, driven line by line."""

    def __init__(
        self, base: Path, cwd: Path, *, python: str | None = None, umask: int | None = None
    ):
        pre = (lambda: os.umask(umask)) if umask is not None else None
        self.proc = subprocess.Popen(
            ["octave-cli", "--no-gui", "--no-window-system", "--norc", "--no-history", "-q",
             "--interactive", "--no-line-editing"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=_env(base, python),
            text=True,
            start_new_session=True,
            preexec_fn=pre,
        )
        self.send(f"PS1(''); addpath('{OCTAVE_DIR}');")

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def ask(self, code: str, timeout: float = 60) -> str:
        """Run code; return what it printed (up to a marker)."""
        marker = f"__done_{time.monotonic_ns()}__"
        self.send(f"{code}\ndisp('{marker}'); fflush(stdout);")
        out = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            line = self.proc.stdout.readline()
            if not line:
                break
            if marker in line:
                return "".join(out)
            out.append(line)
        raise AssertionError(f"Octave did not answer within {timeout} s: {''.join(out)}")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("exit")
                self.proc.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


@pytest.fixture
def base(tmp_path):
    d = tmp_path / "transport"
    d.mkdir()
    return d


def folders(base: Path) -> list[Path]:
    return sorted(base.glob("pybridge-octpy-*"))


def wait_until(cond, limit: float = 15.0) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_folder_0700_fifos_and_payloads_0600_whatever_the_umask(base, tmp_path):
    octave = Octave(base, tmp_path, umask=0)
    try:
        out = octave.ask("disp(py.math.sqrt(4))")
        assert "2" in out
        (folder,) = folders(base)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for name in ("req", "resp"):
            assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
        # a payload file as Octave writes it, with the umask still 000
        out = octave.ask(
            f"umask(0); addpath('{OCTAVE_DIR / 'wire'}'); b = pbwire.encode(rand(300), "
            f"{{'{tmp_path}'}}); [s, e] = stat(fullfile('{tmp_path}', 'o1.oct')); "
            "printf('mode %o\\n', bitand(s.mode, 511));"
        )
        assert "mode 600" in out, out
    finally:
        octave.close()
    assert wait_until(lambda: not folders(base)), "the folder goes when Octave exits"


@pytest.mark.skipif(os.geteuid() != 0, reason="reading as another user needs root to switch users")
def test_another_user_reads_nothing(base, tmp_path):
    octave = Octave(base, tmp_path, umask=0)
    try:
        octave.ask("x = py.numpy.asarray(rand(400));")
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
    finally:
        octave.close()


def test_stale_folder_of_a_killed_session_is_removed_at_the_next_start(base, tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = base / f"pybridge-octpy-{dead.pid}-DEADBEEF"
    stale.mkdir(mode=0o700)
    (stale / "o1.oct").write_bytes(b"patient data")
    live = base / f"pybridge-octpy-{os.getpid()}-ALIVE000"  # its owner still runs: kept
    live.mkdir(mode=0o700)
    octave = Octave(base, tmp_path)
    try:
        octave.ask("py.math.sqrt(1);")
        assert not stale.exists()
        assert live.exists()
    finally:
        octave.close()


def test_sigkill_of_octave_mid_call_leaves_nothing(base, tmp_path):
    octave = Octave(base, tmp_path)
    pid = int(octave.ask("disp(double(py.os.getpid()))").split()[-1])
    octave.send("x = py.numpy.asarray(rand(500)); py.time.sleep(60)")
    time.sleep(1.0)
    os.kill(octave.proc.pid, signal.SIGKILL)
    octave.proc.wait()
    assert wait_until(lambda: not alive(pid)), "the helper does not outlive Octave"
    assert wait_until(lambda: not folders(base)), "nor does its folder"
    octave.proc.stdin.close()
    octave.proc.stdout.close()


def test_sigkill_of_the_helper_mid_call_then_a_fresh_one(base, tmp_path):
    octave = Octave(base, tmp_path)
    try:
        pid = int(octave.ask("disp(double(py.os.getpid()))").split()[-1])
        (first,) = folders(base)
        octave.send("try, py.time.sleep(60), catch e, disp(e.identifier), end")
        time.sleep(1.0)
        os.kill(pid, signal.SIGKILL)
        out = octave.ask("")
        assert "MATLAB:Python:ProcessTerminated" in out
        assert not first.exists(), "the dead helper's folder is removed"
        out = octave.ask("disp(py.math.sqrt(9))")
        assert "3" in out
        assert len(folders(base)) == 1
    finally:
        octave.close()
    assert wait_until(lambda: not folders(base))


def test_sigint_of_the_helper_interrupts_its_call_only(base, tmp_path):
    octave = Octave(base, tmp_path)
    try:
        pid = int(octave.ask("l = py.list({1}); disp(double(py.os.getpid()))").split()[-1])
        octave.send("try, py.time.sleep(60), catch e, disp(e.message), end")
        time.sleep(1.0)
        os.kill(pid, signal.SIGINT)
        out = octave.ask("disp(double(py.len(l)))", timeout=30)
        assert "KeyboardInterrupt" in out and out.strip().endswith("1"), out
        assert int(octave.ask("disp(double(py.os.getpid()))").split()[-1]) == pid
    finally:
        octave.close()


@pytest.mark.parametrize("how", ["dies", "hangs"])
def test_helper_failing_at_start_up_gives_an_error_within_10_s(base, tmp_path, how):
    # passes the import check, then dies (or hangs) instead of opening its FIFOs
    fake = tmp_path / "python"
    act = "exit 7" if how == "dies" else "exec sleep 600"
    fake.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-m" ]; then {act}; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    fake.chmod(0o700)
    octave = Octave(base, tmp_path, python=str(fake))
    try:
        t = time.monotonic()
        out = octave.ask(
            "try, py.math.sqrt(1), catch e, disp(e.identifier), disp(e.message), end", timeout=40
        )
        took = time.monotonic() - t
        assert "MATLAB:Python:CannotStart" in out, out
        why = "exited with status 7" if how == "dies" else "did not open its channel within 10 s"
        assert why in out, out
        assert took < 15, f"took {took:.1f} s"
    finally:
        octave.close()
    assert wait_until(lambda: not folders(base))


def _tiny_tmpfs(path: Path) -> bool:
    path.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(path)],
                       capture_output=True)
    return r.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tiny tmpfs needs root")
def test_full_transport_folder_falls_back_to_tempdir(tmp_path):
    base = tmp_path / "tiny"
    if not _tiny_tmpfs(base):
        pytest.skip("this system does not allow mounting a tmpfs here")
    try:
        octave = Octave(base, tmp_path)
        try:
            out = octave.ask(
                "x = reshape(1:1e6, 1000, 1000) / 3; a = py.numpy.asarray(x); y = double(a); "
                "printf('same %d sum %.6f\\n', isequal(x, y), double(a.sum()));"
            )
            assert "same 1" in out and f"sum {sum(range(1, 10**6 + 1)) / 3:.6f}" in out, out
            (folder,) = folders(base)
            assert [p.name for p in folder.iterdir() if p.suffix == ".oct"] == []
        finally:
            octave.close()
        assert wait_until(lambda: not folders(base))
        spill = f"pybridge-octpy-{octave.proc.pid}-"
        tmp = tempfile.gettempdir()
        assert wait_until(lambda: not [n for n in os.listdir(tmp) if n.startswith(spill)])
    finally:
        subprocess.run(["umount", "-l", str(base)], check=False)


def test_hostile_names_never_kill_the_helper(base, tmp_path):
    octave = Octave(base, tmp_path)
    try:
        pid = octave.ask("disp(double(py.os.getpid()))").split()[-1]
        for code in (
            "py.math.(sprintf('pi\\nPING'))",
            "py.math.(sprintf('pi 5 OK F 1'))",
            "py.(sprintf('os.system(\\'true\\')'))",
            "s = struct(); s.(sprintf('a b\\nc')) = 1; py.dict(s)",
            "py.getattr(py.math, sprintf('\\xff\\xfe'))",
        ):
            octave.ask(f"try, {code}, catch e, disp(e.identifier), end")
        assert octave.ask("disp(double(py.os.getpid()))").split()[-1] == pid
    finally:
        octave.close()


def test_ctrl_c_during_a_call_restarts_python_cleanly(tmp_path):
    """Ctrl-C during a long Python call interrupts it; the next calls work, no stale answer.

    The call sleeps for 600 s: if Ctrl-C did not interrupt it, the test times out.
    """
    matlab_dir = ROOT / "matlab"
    env = _env(tmp_path / "transport")
    (tmp_path / "transport").mkdir()
    proc = subprocess.Popen(
        ["octave-cli", "--interactive", "--no-gui", "--no-window-system", "--norc",
         "--no-history", "-q"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        env=env,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    try:
        proc.stdin.write(
            f"addpath('{matlab_dir}'); pybridge.setup('Verbose', false);"
            " l = py.list({1}); disp('READY'); fflush(stdout);\n"
        )
        proc.stdin.flush()
        seen = ""
        while "READY" not in seen:
            line = proc.stdout.readline()
            assert line, f"Octave ended early: {seen}"
            seen += line
        proc.stdin.write("disp('SLEEPING'); fflush(stdout); py.time.sleep(600)\n")
        proc.stdin.flush()
        while "SLEEPING" not in seen:
            seen += proc.stdout.readline()
        time.sleep(1.0)  # Octave is now waiting for Python's answer
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: to Octave and to its Python
        proc.stdin.write(
            "x = py.math.sqrt(16)\n"
            "try, py.len(l), catch e, disp(e.identifier), end\n"
            "y = py.math.sqrt(25)\n"
            "exit\n"
        )
        proc.stdin.close()
        out = seen + proc.stdout.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # Octave and its Python, never orphans
            proc.wait()
        proc.stdout.close()
    assert "the previous Python call was interrupted" in out, out
    assert "x = 4" in out, out
    assert "MATLAB:Python:StaleObject" in out, out
    assert "y = 5" in out, out
    assert wait_until(lambda: not folders(tmp_path / "transport"))
