"""The Python process behind ``py.`` in GNU Octave: object table, requests and replies.

Channel
-------
Octave creates a private folder ``DIR`` (mode 0700) holding two FIFOs,
``req`` (Octave writes) and ``resp`` (Python writes), and starts ``python -m
pybridge._octpy DIR``. Both ends open them as ordinary blocking files, so a
large write can never be lost or stall the way a write into Octave's
non-blocking ``popen2`` pipes can. Messages and values follow the wire of
:mod:`pybridge._octpy.wire` (length-prefixed binary, arrays above 64 KiB as
files in ``DIR``), the same one the engine uses in the other direction. No
name or text can be taken for a token, and a request the server cannot read
is answered with an error: the process never dies of bad input.

Requests (Octave -> Python)
---------------------------
``u8 verb``, ``u32 seq``, ``u32 n``, ``n`` times ``i64 id`` (objects Octave
released since its last request: a release costs no round trip of its own),
then by verb:

- 1 EVAL: ``i32 nout`` (-1: the result converted whole, as
  ``pybridge.fromPython`` would), ``u8 start`` (1: ``str`` dotted name, 2:
  ``i64`` object id), ``u32 nops``, then each operation: ``u8 1`` ``str``
  attribute; ``u8 2`` call or ``u8 3`` ``{}`` index, each ``u32 nargs`` and
  the values;
- 2 CONV: ``i64 id``, ``str mode`` (num, char, cell, struct, tree, str,
  repr, len);
- 3 SET: ``i64 id``, ``str name``, a value;
- 5 CWD: ``str folder`` (Octave's current folder);
- 6 PING.

Replies (Python -> Octave)
--------------------------
``u8 status``, ``u32 seq``, then: 0 OK and a value; 1 ERR, ``str`` the
exception's type and ``str`` its message; 2 PRINT, ``u8 stream`` (1 stdout,
2 stderr) and ``str`` text, which Python printed during the call (Octave
prints it at once, in order, so ``evalc`` and ``diary`` capture it, and then
reads on: PRINT is never the last message of a call).

Values: Octave's arguments are converted by :func:`pybridge.convert.from_mvalue`
under the ``'py'`` profile (MATLAB's ``py.`` rules); results are what MATLAB
converts automatically (float, bool), or a handle to the object kept here,
and conversions asked for (``double(x)``, ``cell(x)``, ``tomatlab(x)``) go
through :func:`pybridge.convert.to_mvalue`.

Module search path
------------------
Octave's current folder is the process's working folder, and it is on
``sys.path`` *last*: a module there (``mymod.py``) can be imported, but
never shadows an installed one (a ``pydicom.py`` left in the current folder
is not what ``import pydicom`` finds). MATLAB's documentation asks users who
want their folder searched first to say so; the same works here:
``insert(py.sys.path, int32(0), pwd)``.
"""

from __future__ import annotations

import builtins
import importlib
import io
import itertools
import os
import shutil
import signal
import struct
import sys
import threading
import traceback
from typing import Any, BinaryIO

import numpy as np

from . import wire

__all__ = ["main", "Server"]

PROFILE = "py"
_CONSTANTS = {"None": None, "True": True, "False": False}
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_STDOUT, _STDERR = 1, 2


class _Reply(Exception):
    """Raised to answer with an error that is not a Python exception of the call."""


class _Unsupported(Exception):
    """An argument from Octave that Python cannot take (MATLAB:Python:UnsupportedInput)."""


class Server:
    """Serves one Octave session: owns the object table and the channel."""

    def __init__(self, folder: str, fin: BinaryIO, fout: BinaryIO, *, fallback: str | None = None):
        self.folder = folder
        self.fin = fin
        self.fout = fout
        self.folders = wire.Folders([folder, fallback or folder], "p")
        self.objects: dict[int, Any] = {}
        self.ids = itertools.count(1)
        self.seq = 0
        self.cwd: str | None = None
        self._out_lock = threading.Lock()

    # ---------------------------------------------------------------- replies

    def send(self, parts: list) -> None:
        with self._out_lock:
            for p in wire.frame(parts):
                self.fout.write(p)
            self.fout.flush()

    def printed(self, stream: int, text: str) -> None:
        """Text Python printed during the call under way: to Octave at once (PRINT)."""
        parts = [bytes([2]), _U32.pack(self.seq), bytes([stream])]
        wire.put_str(text, parts)
        self.send(parts)

    # ---------------------------------------------------------------- values

    def to_python(self, v: Any) -> Any:
        """A value from Octave (``_mtypes``, a reference or keywords) as a Python object."""
        if isinstance(v, wire.Ref):
            try:
                return self.objects[v.id]
            except KeyError:
                raise _Reply(f"the Python object {v.id} was released") from None
        if isinstance(v, wire.Keywords):
            return _Kwargs({k: self.to_python(x) for k, x in v.items()})
        from ..convert import from_mvalue

        held: dict[str, Any] = {}
        v = self._stand_ins(v, held)
        try:
            out = from_mvalue(v, profile=PROFILE)
        except (TypeError, ValueError) as err:
            raise _Unsupported(str(err)) from err
        return _put_back(out, held) if held else out

    def _stand_ins(self, v: Any, held: dict) -> Any:
        """``v`` with each Python object Octave holds (inside a cell or struct) replaced by a
        unique text that :func:`_put_back` swaps for the object after conversion."""
        from .._mtypes import MCell, MStruct

        if isinstance(v, wire.Ref):
            key = f"\x00pybridge-object-{len(held)}-{id(held)}\x00"
            held[key] = self.to_python(v)
            return _char_row(key)
        if isinstance(v, MCell):
            return MCell(v.dims, tuple(self._stand_ins(x, held) for x in v.items))
        if isinstance(v, MStruct):
            items = tuple({f: self._stand_ins(x, held) for f, x in d.items()} for d in v.items)
            return MStruct(v.dims, v.fields, items)
        return v

    def handle_of(self, x: Any) -> Any:
        """MATLAB's automatic conversion of a result: a float or bool crosses; else a handle."""
        if isinstance(x, (bool, np.bool_, float)):  # numpy.float64 is a float, as in MATLAB
            return self.tree(x)
        i = next(self.ids)
        self.objects[i] = x
        return wire.Handle(i, _pyclass(x))

    def tree(self, x: Any) -> Any:
        """The whole value converted, as ``pybridge.fromPython`` does on MATLAB.

        There it converts what :func:`pybridge.convert.for_matlab` hands back
        (MATLAB's ``py.`` result rules); here the same objects cross whole.
        """
        from ..convert import for_matlab, to_mvalue

        # a large array not in column-major order: the same MArray, its elements
        # copied straight into the payload file
        fast = wire.column_major_value(x)
        return fast if fast is not None else to_mvalue(for_matlab(x), profile=PROFILE)

    # ---------------------------------------------------------------- verbs

    def resolve(self, dotted: str) -> Any:
        parts = dotted.split(".")
        if not all(p.isidentifier() for p in parts):
            raise _Reply(f"{dotted!r} is not a dotted Python name")
        head = parts[0]
        if head in _CONSTANTS and len(parts) == 1:
            return _CONSTANTS[head]
        if hasattr(builtins, head) and head not in sys.modules:
            obj = getattr(builtins, head)
        else:
            obj = _import(head)
        name = head
        for part in parts[1:]:
            name = f"{name}.{part}"
            if hasattr(obj, part):
                obj = getattr(obj, part)
            else:
                try:
                    obj = _import(name)
                except ModuleNotFoundError:
                    raise AttributeError(
                        f"module or object {name.rsplit('.', 1)[0]!r} has no attribute {part!r}"
                    ) from None
        return obj

    def call_args(self, r: wire.Reader) -> tuple[list, dict]:
        args, kwargs = [], {}
        for _ in range(r.u32()):
            v = self.to_python(r.value())
            if isinstance(v, _Kwargs):
                kwargs.update(v)
            else:
                args.append(v)
        return args, kwargs

    def do_eval(self, r: wire.Reader) -> Any:
        nout = _I32.unpack(bytes(r.raw(4)))[0]
        kind = r.u8()
        if kind == 1:
            obj = self.resolve(r.str())
        elif kind == 2:
            obj = self.to_python(wire.Ref(r.i64()))
        else:
            raise _Reply(f"unknown start {kind} of a py. expression")
        for _ in range(r.u32()):
            op = r.u8()
            if op == 1:
                obj = getattr(obj, _attribute(r.str()))
            elif op == 2:
                args, kwargs = self.call_args(r)
                obj = obj(*args, **kwargs)
            elif op == 3:
                args, _ = self.call_args(r)
                key = args[0] if len(args) == 1 else tuple(args)
                obj = obj[_index(obj, key)]
            else:
                raise _Reply(f"unknown operation {op} in a py. expression")
        if nout < 0:  # pycall: the whole value converted, as pybridge.fromPython would
            return self.tree(obj)
        if obj is None and nout == 0:
            return self.tree(None)
        return self.handle_of(obj)

    def do_conv(self, r: wire.Reader) -> Any:
        obj = self.to_python(wire.Ref(r.i64()))
        mode = r.str()
        if mode == "num":
            return self.tree(_numeric(obj))
        if mode == "char":
            if not isinstance(obj, str):
                raise TypeError(
                    f"char() needs a Python str; got {type(obj).__name__} (use char(py.str(x)))"
                )
            return self.tree(obj)
        if mode == "str":
            return self.tree(str(obj))
        if mode == "repr":
            return self.tree(repr(obj))
        if mode == "len":
            return self.tree(float(len(obj)))
        if mode == "cell":
            if not isinstance(obj, (list, tuple)):
                raise TypeError(f"cell() needs a Python list or tuple; got {type(obj).__name__}")
            from .._mtypes import MCell

            items = tuple(self.handle_of(v) for v in obj)
            return MCell((1, len(items)) if items else (0, 0), items)
        if mode == "struct":
            if not isinstance(obj, dict):
                raise TypeError(f"struct() needs a Python dict; got {type(obj).__name__}")
            from .._mtypes import MStruct

            bad = [k for k in obj if not (isinstance(k, str) and k.isidentifier() and k.isascii())]
            if bad:
                raise ValueError(
                    f"struct() needs dict keys that are MATLAB field names; got {bad[0]!r} "
                    "(read it with d{key} instead)"
                )
            fields = tuple(obj)
            return MStruct((1, 1), fields, ({k: self.handle_of(obj[k]) for k in fields},))
        if mode == "tree":
            return self.tree(obj)
        raise _Reply(f"unknown conversion {mode!r}")

    def do_cwd(self, r: wire.Reader) -> Any:
        folder = r.str()
        os.chdir(folder)
        # Octave's current folder is searched last: it never shadows an installed module
        if self.cwd is not None and self.cwd in sys.path:
            sys.path.remove(self.cwd)
        sys.path.append(folder)
        self.cwd = folder
        importlib.invalidate_caches()
        return self.tree(None)

    def handle(self, body: bytes) -> Any:
        r = wire.Reader(body, self.folders)
        verb = r.u8()
        self.seq = r.u32()
        for _ in range(r.u32()):  # objects Octave released since the last request
            self.objects.pop(r.i64(), None)
        if verb == 1:
            return self.do_eval(r)
        if verb == 2:
            return self.do_conv(r)
        if verb == 3:
            obj = self.to_python(wire.Ref(r.i64()))
            name = _attribute(r.str())
            setattr(obj, name, self.to_python(r.value()))
            return self.tree(None)
        if verb == 5:
            return self.do_cwd(r)
        if verb == 6:
            return self.tree(float(os.getpid()))
        raise _Reply(f"unknown request {verb}")

    def serve(self) -> int:
        """Answer requests until Octave closes the channel; Python's printed text goes to Octave."""
        saved = sys.stdout, sys.stderr
        sys.stdout = _Stream(_STDOUT, saved[0])
        sys.stderr = _Stream(_STDERR, saved[1])
        try:
            return self._serve()
        finally:
            sys.stdout, sys.stderr = saved

    def _serve(self) -> int:
        while True:
            head = _read_exactly(self.fin, 8)
            if head is None:
                return 0  # Octave closed the channel: the session is over
            n = int.from_bytes(head, "little")
            body = _read_exactly(self.fin, n)
            if body is None:
                return 0
            try:
                _CALL.under_way = True  # from here Ctrl-C interrupts the call (see _on_sigint)
                _OUTPUT.server = self
                value = self.handle(body)
                _CALL.under_way = False
                parts = [b"\x00", _U32.pack(self.seq)]
                wire.encode(value, parts, self.folders)
            except (Exception, KeyboardInterrupt) as err:  # noqa: BLE001 - all go back to Octave
                _CALL.under_way = False
                self.folders.discard_written()
                if isinstance(err, (_Reply, wire.WireError)):
                    name = "ProtocolError"
                elif isinstance(err, _Unsupported):
                    name = "UnsupportedInput"
                else:
                    name = type(err).__name__
                msg = str(err) or name
                if os.environ.get("PYBRIDGE_OCTPY_TRACEBACK"):
                    msg += "\n" + traceback.format_exc()
                parts = [b"\x01", _U32.pack(self.seq)]
                wire.put_str(name, parts)
                wire.put_str(msg, parts)
            finally:
                _OUTPUT.flush()
                _OUTPUT.server = None
            self.folders.written.clear()  # Octave reads and removes them
            self.send(parts)


def _char_row(text: str) -> Any:
    from ..convert import to_mvalue

    return to_mvalue(text, profile=PROFILE)


def _put_back(x: Any, held: dict) -> Any:
    """Swap the stand-in texts of :meth:`Server._stand_ins` for the objects they stand for."""
    if isinstance(x, str):
        return held.get(x, x)
    if isinstance(x, tuple):
        return tuple(_put_back(i, held) for i in x)
    if isinstance(x, list):
        return [_put_back(i, held) for i in x]
    if isinstance(x, dict):  # a dict just made by the conversion: filled in place
        for k in list(x):
            x[k] = _put_back(x[k], held)
        return x
    if isinstance(x, np.ndarray) and x.dtype == object:
        out = x.copy()
        for i, item in enumerate(x.flat):
            out.flat[i] = _put_back(item, held)
        return out
    return x


def _read_exactly(f: BinaryIO, n: int) -> bytes | None:
    data = f.read(n)
    if data is None or len(data) < n:
        return None
    return data


# ----------------------------------------------------------------- printed text


class _Output:
    """Where Python's printed text goes: to Octave during a call, else to Octave's terminal."""

    server: Server | None = None

    def flush(self) -> None:
        for s in (sys.stdout, sys.stderr):
            if isinstance(s, _Stream):
                s.flush()


_OUTPUT = _Output()


class _Stream(io.TextIOBase):
    """sys.stdout/sys.stderr of the helper: text printed during a call goes back to Octave."""

    def __init__(self, which: int, original: Any) -> None:
        self.which = which
        self.original = original
        self._lock = threading.Lock()

    @property
    def encoding(self) -> str:  # what libraries ask before writing
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        server = _OUTPUT.server
        if server is None:
            self.original.write(text)
            self.original.flush()
        elif text:
            with self._lock:
                server.printed(self.which, text)
        return len(text)

    def flush(self) -> None:
        if _OUTPUT.server is None:
            self.original.flush()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.original.fileno()


# ----------------------------------------------------------------- helpers


class _CALL:
    """Whether a call is under way: Ctrl-C may interrupt it, and nothing else."""

    under_way = False


def _on_sigint(signum: int, frame: Any) -> None:
    """SIGINT (Ctrl-C in Octave's terminal reaches this process too).

    Python runs this handler in the main thread between bytecodes, whichever
    thread the signal was delivered to. During a call it raises
    KeyboardInterrupt, which goes back to Octave as the call's error; between
    calls (reading or writing a message) it does nothing, so a message is
    never cut in half.
    """
    if _CALL.under_way:
        raise KeyboardInterrupt


class _Kwargs(dict):
    """Keyword arguments built by Octave's ``pyargs``."""


def _attribute(name: str) -> str:
    if not name.isidentifier():
        raise _Reply(f"{name!r} is not a Python attribute name")
    return name


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        importlib.invalidate_caches()  # a module written after the process started
        return importlib.import_module(name)


def _pyclass(x: Any) -> str:
    t = type(x)
    mod = t.__module__
    if mod == "builtins":
        return f"py.{t.__qualname__}"
    return f"py.{mod}.{t.__qualname__}"


def _index(obj: Any, key: Any) -> Any:
    """MATLAB's 1-based ``{}`` index into a Python sequence; other keys as they are."""
    from collections.abc import Mapping

    from ..convert import index_to_zero_based

    if isinstance(obj, Mapping) or isinstance(key, (bool, str, tuple)):
        return key
    if isinstance(key, (int, np.integer, float)) and float(key) == int(key):
        if key < 1:
            raise IndexError(f"index {key} is not 1-based: MATLAB indices start at 1")
        return index_to_zero_based(int(key)).item()
    return key


def _numeric(obj: Any) -> Any:
    """What double()/logical()/int32()... convert: arrays, numbers, numeric sequences."""
    if isinstance(obj, str):
        raise TypeError("cannot convert a Python str to a number (use char(x))")
    if isinstance(obj, (list, tuple, range)):
        a = np.asarray(obj)
        if a.dtype.kind not in "biuf":
            raise TypeError(
                f"cannot convert this Python {type(obj).__name__} to a number: its items are "
                "not all numbers (use cell(x))"
            )
        return a
    if isinstance(obj, (bool, int, float, np.generic)):
        return np.asarray(obj)
    return obj


def _watch_parent(pid: int, folders: list[str]) -> None:
    """Exit when Octave (``pid``) is gone, even in the middle of a long call.

    Octave killed with SIGKILL cannot close the channel; without this the
    process would live on until its call ended, holding the payloads.
    """
    import time

    while True:
        time.sleep(0.5)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            for f in folders:
                shutil.rmtree(f, ignore_errors=True)
            os._exit(0)
        except PermissionError:
            pass


def main(argv: list[str]) -> int:
    """Entry point: ``python -m pybridge._octpy DIR [FALLBACK [OCTAVE_PID]]``."""
    if not 1 <= len(argv) <= 3:
        print("usage: python -m pybridge._octpy DIR [FALLBACK [OCTAVE_PID]]", file=sys.stderr)
        return 2
    folder = argv[0]
    fallback = argv[1] if len(argv) > 1 else None
    if len(argv) > 2:
        threading.Thread(
            target=_watch_parent,
            args=(int(argv[2]), [f for f in (folder, fallback) if f]),
            name="pybridge-octpy-watch",
            daemon=True,
        ).start()
    # Octave's current folder is not searched first (see the module notes)
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", cwd)]
    # Ctrl-C in Octave's terminal interrupts the Python call under way only.
    signal.signal(signal.SIGINT, _on_sigint)
    os.umask(0o077)
    try:
        with (
            open(os.path.join(folder, "req"), "rb") as fin,
            open(os.path.join(folder, "resp"), "wb") as fout,
        ):
            # both ends are open: tell the start-up watchdog (and drop the FIFOs' names)
            os.close(os.open(os.path.join(folder, "ready"), os.O_CREAT | os.O_WRONLY, 0o600))
            return Server(folder, fin, fout, fallback=fallback).serve()
    finally:
        # Octave closed the channel (or exited): the folders are ours to remove
        for f in (folder, fallback):
            if f:
                shutil.rmtree(f, ignore_errors=True)
