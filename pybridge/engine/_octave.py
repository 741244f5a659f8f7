"""The GNU Octave backend: one long-lived ``octave-cli`` running a small request loop.

Python and Octave talk over the wire of :mod:`pybridge._octpy.wire`, the same
one ``py.`` in Octave uses in the other direction: length-prefixed binary
messages over two FIFOs in a private folder (mode 0700, in /dev/shm where
there is one), with arrays above 64 KiB passed as files in Octave's own binary
format (``save -binary``/``load``), never as text and never through MAT files.
Values cross as the MATLAB value model (:mod:`pybridge._mtypes`);
:mod:`pybridge.convert` turns them into Python values and back. A large array
that is not column-major (a C-ordered numpy array, a torch tensor) is copied
into column-major order straight into its payload file, chunk by chunk, the
copy of one chunk overlapping the write of the one before
(:class:`~pybridge._octpy.wire.ColumnMajor`), and Octave's malloc backs large
arrays with transparent huge pages (:func:`_malloc_tunables`): an 80 MB array
crosses at 1.0-1.3 GB/s from C order (1.0 when another job holds both
cores), 1.3-1.4 GB/s from column-major order, and 2.8 GB/s back
(``benchmarks/bench_engine.py`` takes the stages apart).

How the engine's promises are kept:

- errors keep their identifier, message and .m stack (the loop catches them);
- ``stdout``/``stderr``: Octave's own output streams are read while a call
  runs and written to the call's streams; after each call the loop prints a
  marker with the call's number on both, so a call returns only once all its
  text has arrived;
- interrupt and timeout send SIGINT, Octave's Ctrl-C: the call stops, the
  loop is left for Octave's prompt, and the engine starts it again on fresh
  FIFOs (the workspace is kept);
- a dead Octave is reported as :class:`EngineDiedError` and replaced on the
  next call; its folder is removed, and a folder left by a killed Python is
  removed at the next start.
"""

from __future__ import annotations

import codecs
import errno
import os
import secrets
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

from .. import convert
from .._mtypes import MArray
from .._octpy import wire
from ._core import Backend
from ._errors import EngineDiedError, EngineError, EngineStartError, EngineTimeoutError

__all__ = ["OctaveBackend", "find_octave", "wire_dir"]

_INSTALL = (
    "install GNU Octave (Debian/Ubuntu: sudo apt-get install octave octave-image; "
    "macOS: brew install octave; Windows: https://octave.org/download)"
)
_PREFIX = "pybridge-octave-"
#: Seconds Octave has to start and open its end of the channel.
START_TIMEOUT = 60.0
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


def find_octave() -> tuple[str | None, str]:
    """Where Octave is: ``(executable or None, reason when missing)``."""
    exe = (
        os.environ.get("OCTAVE_EXECUTABLE") or shutil.which("octave-cli") or shutil.which("octave")
    )
    if not exe:
        return None, f"no octave-cli or octave on PATH (nor OCTAVE_EXECUTABLE); {_INSTALL}"
    return exe, ""


def wire_dir() -> Path:
    """The folder holding the Octave half of the wire (``+pbwire``), ``matlab/octave/wire``.

    The environment variable ``PYBRIDGE_OCTAVE_WIRE_DIR`` overrides it.
    """
    env = os.environ.get("PYBRIDGE_OCTAVE_WIRE_DIR")
    if env:
        here = Path(env)
    else:
        from .._install import matlab_folder  # the installed package data, or matlab/ in a checkout

        here = matlab_folder() / "octave" / "wire"
    if not (here / "+pbwire" / "serve.m").is_file():
        raise EngineStartError(
            f"the Octave half of pybridge's engine (+pbwire/serve.m) is not in {here}; "
            "reinstall pybridge (python -m pip install --force-reinstall pybridge-lab) or set PYBRIDGE_OCTAVE_WIRE_DIR to the "
            "folder that holds +pbwire",
            backend="octave",
        )
    return here


def _malloc_tunables(env: dict) -> dict:
    """The environment that lets Octave's malloc back large arrays with transparent huge pages.

    glibc hands each array above its mmap threshold fresh pages from the
    kernel, one page fault (and one zeroed 4 KiB page) at a time: a new 80 MB
    array costs 20,000 faults, and Octave's ``load`` of an 80 MB payload ran
    at 1.8 GB/s, no faster than its own ``x + 0``. With
    ``glibc.malloc.hugetlb=1`` (glibc 2.35 and later; older ones, and other C
    libraries, ignore it) malloc asks for transparent huge pages on those
    mappings, as numpy does for its own large arrays: ``load`` then ran at
    3.0-3.8 GB/s and ``x + 0`` at 3.6-4.5 GB/s (the stage table of
    ``benchmarks/bench_engine.py``), and ``massSegment`` on 512 x 512 images
    took the same time. Only blocks of 2 MB and more get huge pages
    (the heap grows in 2 MB steps: Octave's resident memory was about 2 MB
    larger in our runs). A user's own setting of that tunable wins.
    """
    if not sys.platform.startswith("linux"):
        return {}
    tunables = env.get("GLIBC_TUNABLES", "")
    if "glibc.malloc.hugetlb" in tunables:
        return {}
    return {"GLIBC_TUNABLES": f"{tunables}:glibc.malloc.hugetlb=1".lstrip(":")}


def _octave_text(s: str) -> str:
    """``s`` as an Octave single-quoted string literal."""
    return "'" + s.replace("'", "''") + "'"


class _Stream:
    """One of Octave's output streams: its text goes to the call's sink up to the end marker."""

    def __init__(self, fd: int, marker: bytes) -> None:
        self.fd = fd
        self.marker = marker
        self.pending = b""
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.done_seq = -1
        self.eof = False

    def feed(self, data: bytes, sink: Any) -> None:
        buf = self.pending + data
        while True:
            i = buf.find(self.marker)
            if i < 0:
                break
            end = buf.find(b";", i + len(self.marker))
            if end < 0:  # the marker's number has not all arrived
                self._emit(buf[:i], sink)
                self.pending = buf[i:]
                return
            self._emit(buf[:i], sink)
            seq = buf[i + len(self.marker) : end]
            self.done_seq = int(seq) if seq.isdigit() else self.done_seq
            buf = buf[end + 1 :]
        # keep back a tail that may be the start of a marker
        keep = 0
        for k in range(min(len(self.marker), len(buf)), 0, -1):
            if self.marker.startswith(buf[-k:]):
                keep = k
                break
        self._emit(buf[: len(buf) - keep], sink)
        self.pending = buf[len(buf) - keep :]

    def _emit(self, data: bytes, sink: Any) -> None:
        if not data:
            return
        text = self.decoder.decode(data)
        if text and sink is not None:
            sink.write(text)


class _Frame:
    """One reply being read from the response FIFO: ``u64`` length, then the bytes."""

    def __init__(self) -> None:
        self.head = b""
        self.data = bytearray()
        self.need = -1
        self.closed = False

    @property
    def complete(self) -> bool:
        return 0 <= self.need <= len(self.data)

    def read(self, fd: int) -> None:
        want = 8 - len(self.head) if self.need < 0 else max(self.need - len(self.data), 1)
        chunk = os.read(fd, min(want, 1 << 20))
        if not chunk:
            self.closed = True
        elif self.need < 0:
            self.head += chunk
            if len(self.head) == 8:
                self.need = _U64.unpack(self.head)[0]
        else:
            self.data += chunk

    def body(self) -> bytes:
        return bytes(self.data)


class OctaveBackend(Backend):
    """One ``octave-cli`` process serving calls over pybridge's Octave wire."""

    name = "octave"
    mvalues = True  # call/get_var/set_var exchange the MATLAB value model (pybridge._mtypes)

    def __init__(self, *, executable: str | None = None) -> None:
        exe, why = find_octave()
        if executable is None and exe is None:
            raise EngineStartError(f"cannot start GNU Octave: {why}", backend="octave")
        self._executable = executable or exe
        self._wire = wire_dir()
        self._proc: subprocess.Popen | None = None
        self._folders: wire.Folders | None = None
        self._req = self._resp = -1
        self._gen = 0
        self._seq = 0
        self._in_call = False
        self._interrupt = threading.Event()
        self._lock = threading.Lock()
        self._start()

    # --------------------------------------------------------- lifecycle
    def _start(self) -> None:
        base = wire.transport_base()
        try:
            spill = wire.private_dir(tempfile.gettempdir(), _PREFIX)
            try:
                main = wire.private_dir(base, _PREFIX)
            except OSError:  # /dev/shm full: the temporary folder serves alone
                main = spill
        except OSError as err:
            raise EngineStartError(
                f"cannot create a private folder for the Octave channel in {base}: {err}",
                backend="octave",
            ) from err
        self._folders = wire.Folders([main, spill], "p")
        self._token = ("[pybridge-" + secrets.token_hex(8) + "]").encode()
        env = dict(os.environ)
        env.pop("DISPLAY", None)  # no X11 warnings; figures stay invisible
        # Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which makes every
        # large Octave temporary a fresh, zeroed mapping (about 1.4x the CPU time of
        # image code); Octave takes glibc's own defaults unless the user set them
        if os.environ.get("MALLOC_TRIM_THRESHOLD_") == "65536":
            env.pop("MALLOC_TRIM_THRESHOLD_")
        env.update(_malloc_tunables(env))
        cmd = [
            self._executable,
            "--no-gui",
            "--no-window-system",
            "--norc",
            "--quiet",
            "--no-history",
            "--no-line-editing",
            "--interactive",
        ]
        try:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,  # Ctrl-C in Python's terminal is ours to forward
                umask=0o077,
            )
        except OSError as err:
            self._folders.remove()
            raise EngineStartError(
                f"GNU Octave ({self._executable}) did not start: {err}. {_INSTALL}",
                backend="octave",
            ) from err
        self._out = _Stream(self._proc.stdout.fileno(), self._token)
        self._err = _Stream(self._proc.stderr.fileno(), self._token)
        for s in (self._out, self._err):
            os.set_blocking(s.fd, False)
        setup = (
            "PS1(''); PS2(''); more off; page_screen_output(false); history_save(false); "
            "crash_dumps_octave_core(false); sigterm_dumps_octave_core(false); "
            "sighup_dumps_octave_core(false); warning('off', 'backtrace'); umask(77); "
            f"addpath({_octave_text(str(self._wire))});\n"
        )
        try:
            self._stdin(setup.encode())
            self._connect(START_TIMEOUT)
        except BaseException as err:
            detail = self._drain_text()
            self._kill()
            if isinstance(err, (EngineError, KeyboardInterrupt)):
                raise
            raise EngineStartError(
                f"GNU Octave ({self._executable}) did not start: {err}"
                + (f"\nOctave said: {detail}" if detail else "")
                + f". {_INSTALL}",
                backend="octave",
            ) from err

    def _stdin(self, data: bytes) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(data)
        self._proc.stdin.flush()

    def _connect(self, timeout: float) -> None:
        """Start the request loop on fresh FIFOs (generation ``gen + 1``) and wait until ready."""
        self._close_fifos()
        self._gen += 1
        gen = self._gen
        folder = self._folders.paths[0]
        req = os.path.join(folder, f"req{gen}")
        resp = os.path.join(folder, f"resp{gen}")
        for p in (req, resp):
            os.mkfifo(p, 0o600)
            os.chmod(p, 0o600)
        self._stdin(
            (
                f"pbwire.serve({_octave_text(folder)}, {_octave_text(self._folders.paths[1])}, "
                f"{gen}, {_octave_text(self._token.decode())});\n"
            ).encode()
        )
        fds: dict[str, Any] = {}

        def opener() -> None:
            try:
                fds["w"] = os.open(req, os.O_WRONLY)
                fds["r"] = os.open(resp, os.O_RDONLY)
            except OSError as err:
                fds["e"] = err

        th = threading.Thread(target=opener, name="pybridge-octave-open", daemon=True)
        th.start()
        deadline = time.monotonic() + timeout
        while th.is_alive():
            th.join(0.05)
            self._drain_text()
            dead = self._proc.poll() is not None
            if th.is_alive() and (dead or time.monotonic() > deadline):
                # unblock the opener: open the other ends ourselves
                for path, flags in ((req, os.O_RDONLY | os.O_NONBLOCK), (resp, os.O_RDWR)):
                    try:
                        os.close(os.open(path, flags))
                    except OSError:
                        pass
                th.join(5)
                for k in ("w", "r"):
                    if k in fds:
                        os.close(fds[k])
                why = "exited" if dead else f"did not open its channel within {timeout:g} s"
                raise EngineStartError(f"GNU Octave {why}", backend="octave")
        if "e" in fds:
            raise fds["e"]
        self._req, self._resp = fds["w"], fds["r"]
        for p in (req, resp):  # both ends are open: the names are no longer needed
            os.unlink(p)
        deadline = time.monotonic() + timeout
        kind, reply = self._read_reply(None, None, None, deadline, wait_marker=False)
        if kind != "reply" or reply[:1] != b"\x02" or _U32.unpack_from(reply, 1)[0] != gen:
            raise EngineStartError("GNU Octave's request loop did not answer", backend="octave")

    def _close_fifos(self) -> None:
        for fd in (self._req, self._resp):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._req = self._resp = -1

    def _drain_text(self) -> str:
        """Read what Octave printed outside a call (start-up, errors at its prompt)."""
        if self._proc is None:
            return ""
        text = []
        for s in (self._out, self._err):
            while True:
                try:
                    data = os.read(s.fd, 65536)
                except (BlockingIOError, OSError):
                    break
                if not data:
                    break
                text.append(data.decode("utf-8", "replace"))
        return "".join(text).strip()

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None and self._resp >= 0

    def restart(self) -> None:
        self._kill()
        self._start()

    def _kill(self) -> None:
        """Stop Octave (closing the channel first lets it leave its loop) and remove the folders."""
        proc, self._proc = self._proc, None
        self._close_fifos()
        if proc is not None:
            try:
                if proc.poll() is None:
                    try:
                        proc.stdin.write(b"exit(0);\n")
                        proc.stdin.flush()
                    except OSError:
                        pass
                    try:
                        proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(timeout=5)
            finally:
                for f in (proc.stdin, proc.stdout, proc.stderr):
                    try:
                        f.close()
                    except OSError:
                        pass
        if self._folders is not None:
            self._folders.remove()
            self._folders = None

    def close(self) -> None:
        self._kill()

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    # ------------------------------------------------------------- calls
    def interrupt(self) -> bool:
        proc = self._proc
        if not self._in_call or proc is None or proc.poll() is not None:
            return False
        self._interrupt.set()
        try:
            os.kill(proc.pid, signal.SIGINT)  # Octave's Ctrl-C: stops the call, keeps the session
        except ProcessLookupError:
            return False
        return True

    def call(self, name, args, nargout, *, stdout, stderr, timeout) -> list:
        """Run ``name(*args)`` with ``nargout`` outputs; arguments and results are MATLAB values."""
        if not self.alive():
            raise EngineDiedError(
                "Octave is not running; the next call starts a fresh Octave",
                identifier="pybridge:engine:died",
                backend="octave",
            )
        self._seq += 1
        seq = self._seq
        parts: list = [b"\x01", _U32.pack(seq), _U32.pack(int(nargout))]
        wire.put_str(name, parts)
        parts.append(_U32.pack(len(args)))
        folders = self._folders
        try:
            for a in args:
                wire.encode(a, parts, folders)
        except wire.WireError as err:
            folders.discard_written()
            raise TypeError(f"cannot pass this argument to octave: {err}") from err
        deadline = None if timeout is None else time.monotonic() + timeout
        self._interrupt.clear()
        self._in_call = True
        try:
            try:
                self._send(parts)
                kind, reply = self._read_reply(seq, stdout, stderr, deadline)
            except KeyboardInterrupt:
                try:
                    self._recover(seq, stdout, stderr, send_signal=True)
                except BaseException:  # a second Ctrl-C, or Octave gone: start afresh next time
                    self._kill()
                raise
            if kind == "died":
                raise self._died(name)
            if kind in ("timeout", "interrupted"):
                finished = self._recover(seq, stdout, stderr, send_signal=kind == "timeout")
                if finished is None:
                    if kind == "timeout":
                        raise EngineTimeoutError(
                            f"{name!r} did not finish within {timeout} s; Octave was interrupted "
                            "(the engine stays usable). Pass a larger timeout= to the call or to "
                            "start_matlab",
                            identifier="pybridge:engine:timeout",
                            backend="octave",
                        )
                    raise CancelledError(
                        f"the call to {name!r} was cancelled (interrupted in Octave)"
                    )
                reply = finished
        finally:
            self._in_call = False
            folders.discard_written()
        return self._parse_reply(reply, seq, name)

    def _send(self, parts: list) -> None:
        data = b"".join(wire.frame(parts))
        view = memoryview(data)
        while view:
            try:
                n = os.write(self._req, view)
            except BrokenPipeError:
                return  # Octave is gone: reading the reply says so
            view = view[n:]

    def _read_reply(self, seq, stdout, stderr, deadline, *, wait_marker: bool = True):
        """Read one reply while routing Octave's printed text; return ``(kind, bytes)``.

        ``kind`` is 'reply', 'died', 'timeout' or 'interrupted' (the loop
        closed the channel without answering, and Octave lives on: Ctrl-C,
        ours or someone else's, sent it back to its prompt). With
        ``wait_marker`` the reply counts only once both output streams have
        printed the call's end marker, so no text of the call comes late.
        """
        frame = _Frame()
        streams = [(self._out, stdout), (self._err, stderr)]
        while True:
            if frame.complete and (
                not wait_marker or all(s.done_seq >= seq or s.eof for s, _ in streams)
            ):
                return "reply", frame.body()
            if frame.closed:
                return ("interrupted", b"") if self._still_running() else ("died", b"")
            fds = [s.fd for s, _ in streams if not s.eof]
            if not frame.complete:
                fds.append(self._resp)
            wait = 0.25 if deadline is None else min(0.25, max(deadline - time.monotonic(), 0))
            try:
                ready, _, _ = select.select(fds, [], [], wait)
            except InterruptedError:
                ready = []
            if not ready:
                if self._proc.poll() is not None:  # gone; its last words are read
                    return ("reply", frame.body()) if frame.complete else ("died", b"")
                if not frame.complete and deadline is not None and time.monotonic() >= deadline:
                    return "timeout", b""
                continue
            for fd in ready:
                if fd == self._resp:
                    frame.read(fd)
                    continue
                for s, sink in streams:
                    if s.fd == fd:
                        try:
                            data = os.read(fd, 1 << 16)
                        except BlockingIOError:
                            continue
                        if data:
                            s.feed(data, sink)
                        else:
                            s.eof = True

    def _still_running(self, grace: float = 1.0) -> bool:
        """Whether Octave lives on (an exiting process gets ``grace`` seconds to finish)."""
        end = time.monotonic() + grace
        while self._proc.poll() is None:
            if time.monotonic() >= end:
                return True
            time.sleep(0.02)
        return False

    def _recover(self, seq, stdout, stderr, *, send_signal: bool = False) -> bytes | None:
        """After SIGINT: take the call's answer if it finished anyway, then restart the loop.

        Returns the reply when the call had finished before the interrupt took
        effect, else None.
        """
        if send_signal and self._proc is not None and self._proc.poll() is None:
            self._interrupt.set()
            try:
                os.kill(self._proc.pid, signal.SIGINT)
            except ProcessLookupError:
                pass  # it has just died: reading on says so
        deadline = time.monotonic() + 30
        # what Octave prints from here on is its own (the prompt's newline), not the call's
        kind, reply = self._read_reply(seq, None, None, deadline, wait_marker=False)
        # whichever way the loop is left (the interrupt, or the closed channel),
        # Octave is back at its prompt once it closes its end
        self._close_req_and_wait_eof(deadline)
        if self._proc is None or self._proc.poll() is not None:
            raise self._died("the interrupted call")
        self._drain_text()
        self._interrupt.clear()
        self._connect(START_TIMEOUT)
        self._sweep("o")  # what Octave wrote for an answer it never finished
        return reply if kind == "reply" else None

    def _close_req_and_wait_eof(self, deadline: float) -> None:
        if self._req >= 0:
            os.close(self._req)
            self._req = -1
        while self._resp >= 0 and time.monotonic() < deadline:
            ready, _, _ = select.select([self._resp], [], [], 0.25)
            if ready:
                try:
                    if not os.read(self._resp, 1 << 16):
                        break
                except OSError:
                    break
            elif self._proc.poll() is not None:
                break
            self._drain_text()

    def _died(self, name: str) -> EngineDiedError:
        code = None if self._proc is None else self._proc.poll()
        how = f"exit status {code}" if code is not None and code >= 0 else (
            f"signal {-code}" if code is not None else "its channel closed"
        )
        self._kill()
        return EngineDiedError(
            f"Octave died during {name!r} ({how}); its workspace is lost. The next call starts "
            "a fresh Octave (paths added with addpath are added again); rerun this call",
            identifier="pybridge:engine:died",
            backend="octave",
        )

    def _parse_reply(self, reply: bytes, seq: int, name: str) -> list:
        r = wire.Reader(reply, self._folders)
        try:
            status = r.u8()
            got = r.u32()
            if got != seq:
                raise wire.WireError(f"the answer is to call {got}, not {seq}")
            if status == 0:
                return [r.value() for _ in range(r.u32())]
            ident, msg = r.str(), r.str()
            frames = []
            for _ in range(r.u32()):
                file, fname = r.str(), r.str()
                frames.append((file, fname, r.i64()))
        except wire.WireError as err:
            self._sweep("o")
            raise EngineError(
                f"the answer to {name!r} could not be read: {err}", backend="octave"
            ) from err
        self._sweep("o")
        raise EngineError(msg, identifier=ident, stack=frames, backend="octave")

    def _sweep(self, prefix: str) -> None:
        """Remove payload files Octave wrote for an answer that was not read whole."""
        for folder in self._folders.paths if self._folders else ():
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for n in names:
                if n.startswith(prefix) and n.endswith(".oct"):
                    try:
                        os.unlink(os.path.join(folder, n))
                    except OSError as err:
                        if err.errno != errno.ENOENT:
                            raise

    def to_mvalue(self, value: Any, profile: str) -> Any:
        """Arguments as the MATLAB value model, except large arrays not in column-major order.

        Those cross as :class:`~pybridge._octpy.wire.ColumnMajor`: the same
        ``MArray`` to Octave, but their elements are copied straight into the
        payload file instead of first into a column-major array in memory.
        """
        fast = wire.column_major_value(value)
        return fast if fast is not None else convert.to_mvalue(value, profile=profile)

    def get_var(self, name: str, *, timeout) -> Any:
        args = [_char(s) for s in ("base", name)]
        return self.call("evalin", args, 1, stdout=None, stderr=None, timeout=timeout)[0]

    def set_var(self, name: str, value: Any, *, timeout) -> None:
        args = [_char("base"), _char(name), value]
        self.call("assignin", args, 0, stdout=None, stderr=None, timeout=timeout)


def _char(text: str) -> MArray:
    """A char row vector (a variable or workspace name) as a MATLAB value."""
    return convert.to_mvalue(text, profile="numpy")
