"""The Python process behind ``py.`` in GNU Octave: object table and wire protocol.

Channel
-------
Octave creates a private directory ``DIR`` holding two FIFOs, ``req`` (Octave
writes) and ``resp`` (Python writes), and starts ``python -m pybridge._octpy
DIR``. Both ends open them as ordinary blocking files, so a large write can
never be lost or stall the way a write into Octave's non-blocking ``popen2``
pipes can. Control messages are one text line each; binary payloads follow
the line on the FIFO when small and travel through files in ``DIR`` (a
folder under /dev/shm where it exists) when larger than ``INLINE_MAX`` bytes.
Arrays never travel as text.

Request: ``<seq> <payload_bytes> <n> <id1..idn> <verb> <tokens...>\\n`` then
``payload_bytes`` bytes of inline payloads, in the order the tokens name
them; ``id1..idn`` are the objects Octave released since its last request
(a release costs no round trip of its own). Replies have the
same form except that the header line is preceded by its length (4 bytes,
little-endian) instead of ending in a newline: Octave's ``fgetl`` reads one
byte past the newline and would block on a FIFO with nothing more in it.

Requests (Octave -> Python): ``EVAL nout start ops...`` (``nout`` -1 asks
for the result converted whole, as ``pybridge.fromPython`` would; ``start`` is ``G
dotted.name`` or ``R id``; ops are ``. name``, ``( nargs values...``, ``{
nargs values...``), ``CONV id mode`` (mode: num, char, cell, struct, tree,
str, repr, len), ``SET id name value``, ``DEL n ids...``, ``CWD`` (payload:
the folder), ``PING``.

Replies (Python -> Octave): ``OK value`` or ``ERR TypeName`` with the message
as payload.

Values, both ways (prefix notation):
``F x`` float, ``I class x`` integer scalar, ``B 0|1`` bool, ``S n`` str (n
UTF-8 bytes inline), ``A class ndim d1..dn loc`` array in column-major order
(``loc`` is ``-`` for inline or ``@name`` for a file in DIR), ``T n v..``
tuple, ``C n v..`` cell row (Python -> Octave), ``D n key v..`` dict/struct,
``K n key v..`` keyword arguments, ``R id`` an object Octave holds, ``O id
class`` a new object handle, ``N`` None / ``[]``.
"""

from __future__ import annotations

import builtins
import importlib
import itertools
import os
import shutil
import signal
import sys
import traceback
from typing import Any, BinaryIO

import numpy as np

__all__ = ["main", "Server"]

#: Payloads up to this size ride on the FIFO; larger ones go through files.
INLINE_MAX = 1 << 16

_CLASSES = {
    "double": np.float64,
    "single": np.float32,
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "uint16": np.uint16,
    "int32": np.int32,
    "uint32": np.uint32,
    "int64": np.int64,
    "uint64": np.uint64,
    "logical": np.bool_,
}


_CONSTANTS = {"None": None, "True": True, "False": False}


class _Reply(Exception):
    """Raised to answer with an Octave-side error that is not a Python exception."""


class _Tokens:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.pos = 0

    def next(self) -> str:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def done(self) -> bool:
        return self.pos >= len(self.tokens)


class Server:
    """Serves one Octave session: owns the object table and the channel."""

    def __init__(self, folder: str, fin: BinaryIO, fout: BinaryIO):
        self.folder = folder
        self.fin = fin
        self.fout = fout
        self.objects: dict[int, Any] = {}
        self.ids = itertools.count(1)
        self.files = itertools.count(1)
        self.payload = b""
        self.payload_pos = 0

    # ---------------------------------------------------------------- reading

    def _read_payload(self, n: int) -> memoryview:
        view = memoryview(self.payload)[self.payload_pos : self.payload_pos + n]
        self.payload_pos += n
        return view

    def decode(self, t: _Tokens) -> Any:
        tag = t.next()
        if tag == "F":
            return float(t.next())
        if tag == "I":
            t.next()
            return int(t.next())
        if tag == "B":
            return t.next() == "1"
        if tag == "S":
            return bytes(self._read_payload(int(t.next()))).decode("utf-8", "surrogateescape")
        if tag == "A":
            cls = t.next()
            dtype = np.dtype(_CLASSES[cls])
            ndim = int(t.next())
            shape = tuple(int(t.next()) for _ in range(ndim))
            loc = t.next()
            count = int(np.prod(shape))
            if loc == "-":
                buf = self._read_payload(count * dtype.itemsize)
                flat = np.frombuffer(buf, dtype=dtype).copy()
            else:
                path = os.path.join(self.folder, loc[1:])
                try:
                    flat = _read_octave_binary(path, dtype, count)
                finally:
                    os.unlink(path)
            return flat.reshape(shape, order="F")
        if tag == "T":
            return tuple(self.decode(t) for _ in range(int(t.next())))
        if tag in ("D", "K"):
            n = int(t.next())
            out = {}
            for _ in range(n):
                key = t.next()
                out[key] = self.decode(t)
            return _Kwargs(out) if tag == "K" else out
        if tag == "R":
            return self.objects[int(t.next())]
        if tag == "N":
            return None
        raise _Reply(f"protocol: unknown value tag {tag!r}")

    # ---------------------------------------------------------------- writing

    def _new_id(self, obj: Any) -> int:
        i = next(self.ids)
        self.objects[i] = obj
        return i

    def encode_auto(self, x: Any, out: list[str], blobs: list) -> None:
        """MATLAB's automatic conversion of a returned value: float, bool; else a handle."""
        if isinstance(x, (bool, np.bool_)):
            out += ["B", "1" if x else "0"]
        elif isinstance(x, float):  # numpy.float64 too, as in MATLAB
            out += ["F", repr(float(x))]
        else:
            out += ["O", str(self._new_id(x)), _pyclass(x)]

    def encode_tree(self, x: Any, out: list[str], blobs: list) -> None:
        """A value already normalised by pybridge.mapi.from_python, as a MATLAB value."""
        if x is None:
            out.append("N")
        elif isinstance(x, bool):
            out += ["B", "1" if x else "0"]
        elif isinstance(x, float):
            out += ["F", repr(float(x))]
        elif isinstance(x, str):
            data = x.encode("utf-8", "surrogateescape")
            out += ["S", str(len(data))]
            blobs.append(data)
        elif isinstance(x, np.ndarray):
            self.encode_array(x, out, blobs)
        elif isinstance(x, dict):
            out += ["D", str(len(x))]
            for k, v in x.items():
                out.append(k)
                self.encode_tree(v, out, blobs)
        elif isinstance(x, list):
            out += ["C", str(len(x))]
            for v in x:
                self.encode_tree(v, out, blobs)
        else:  # pragma: no cover - from_python leaves nothing else
            raise TypeError(f"cannot send {type(x).__name__} to Octave")

    def encode_array(self, a: np.ndarray, out: list[str], blobs: list) -> None:
        from ..convert import matlab_class, to_matlab

        a = to_matlab(a)  # Fortran order, a MATLAB class, at least 2-D
        cls = matlab_class(a)
        out += ["A", cls, str(a.ndim), *(str(d) for d in a.shape)]
        # a.T of a Fortran-ordered array is C-ordered over the same memory
        if a.nbytes <= INLINE_MAX:
            out.append("-")
            blobs.append(a.T.tobytes() if a.size else b"")
        else:
            name = f"p{next(self.files)}.oct"
            _write_octave_binary(os.path.join(self.folder, name), a, cls)
            out.append("@" + name)

    # ---------------------------------------------------------------- verbs

    def resolve(self, dotted: str) -> Any:
        parts = dotted.split(".")
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

    def call_args(self, t: _Tokens) -> tuple[list, dict]:
        args, kwargs = [], {}
        for _ in range(int(t.next())):
            v = self.decode(t)
            if isinstance(v, _Kwargs):
                kwargs.update(v)
            else:
                args.append(v)
        return args, kwargs

    def do_eval(self, t: _Tokens, out: list[str], blobs: list) -> None:
        nout = int(t.next())
        kind = t.next()
        obj = self.resolve(t.next()) if kind == "G" else self.objects[int(t.next())]
        while not t.done():
            op = t.next()
            if op == ".":
                obj = getattr(obj, t.next())
            elif op == "(":
                args, kwargs = self.call_args(t)
                obj = obj(*args, **kwargs)
            elif op == "{":
                args, _ = self.call_args(t)
                key = args[0] if len(args) == 1 else tuple(args)
                obj = obj[_index(obj, key)]
            else:
                raise _Reply(f"protocol: unknown operation {op!r}")
        if nout < 0:  # pycall: the whole value converted, as pybridge.fromPython would
            from ..mapi._core import from_python

            self.encode_tree(from_python(obj), out, blobs)
        elif obj is None and nout == 0:
            out.append("N")
        else:
            self.encode_auto(obj, out, blobs)

    def do_conv(self, t: _Tokens, out: list[str], blobs: list) -> None:
        obj = self.objects[int(t.next())]
        mode = t.next()
        if mode == "num":
            self.encode_array(_numeric(obj), out, blobs)
        elif mode == "char":
            if not isinstance(obj, str):
                raise TypeError(
                    f"char() needs a Python str; got {type(obj).__name__} (use char(py.str(x)))"
                )
            self.encode_tree(obj, out, blobs)
        elif mode == "str":
            self.encode_tree(str(obj), out, blobs)
        elif mode == "repr":
            self.encode_tree(repr(obj), out, blobs)
        elif mode == "len":
            out += ["F", repr(float(len(obj)))]
        elif mode == "cell":
            if not isinstance(obj, (list, tuple)):
                raise TypeError(f"cell() needs a Python list or tuple; got {type(obj).__name__}")
            out += ["C", str(len(obj))]
            for v in obj:
                self.encode_auto(v, out, blobs)
        elif mode == "struct":
            if not isinstance(obj, dict):
                raise TypeError(f"struct() needs a Python dict; got {type(obj).__name__}")
            from ..mapi._core import _field_name

            out += ["D", str(len(obj))]
            for k, v in obj.items():
                out.append(_field_name(k))
                self.encode_auto(v, out, blobs)
        elif mode == "tree":
            from ..mapi._core import from_python

            self.encode_tree(from_python(obj), out, blobs)
        else:
            raise _Reply(f"protocol: unknown conversion {mode!r}")

    def handle(self, verb: str, t: _Tokens) -> tuple[list[str], list]:
        out: list[str] = ["OK"]
        blobs: list = []
        if verb == "EVAL":
            self.do_eval(t, out, blobs)
        elif verb == "CONV":
            self.do_conv(t, out, blobs)
        elif verb == "SET":
            obj = self.objects[int(t.next())]
            name = t.next()
            setattr(obj, name, self.decode(t))
            out.append("N")
        elif verb == "DEL":
            for _ in range(int(t.next())):
                self.objects.pop(int(t.next()), None)
            out.append("N")
        elif verb == "CWD":
            folder = self.decode(t)
            os.chdir(folder)
            if sys.path[0] != folder:
                sys.path.insert(0, folder)
            importlib.invalidate_caches()
            out.append("N")
        elif verb == "PING":
            out += ["F", repr(float(os.getpid()))]
        else:
            raise _Reply(f"protocol: unknown request {verb!r}")
        return out, blobs

    def serve(self) -> int:
        fin, fout = self.fin, self.fout
        while True:
            line = fin.readline()
            if not line:
                return 0  # Octave closed the channel: the session is over
            parts = line.decode("utf-8", "surrogateescape").split()
            seq, nbytes, nfree = parts[0], int(parts[1]), int(parts[2])
            for i in parts[3 : 3 + nfree]:  # objects Octave released since the last request
                self.objects.pop(int(i), None)
            verb = parts[3 + nfree]
            self.payload = fin.read(nbytes) if nbytes else b""
            self.payload_pos = 0
            try:
                _CALL.under_way = True  # from here Ctrl-C interrupts the call (see _on_sigint)
                out, blobs = self.handle(verb, _Tokens(parts[4 + nfree :]))
                _CALL.under_way = False
            except (Exception, KeyboardInterrupt) as err:  # noqa: BLE001 - all go back to Octave
                _CALL.under_way = False
                name = "ProtocolError" if isinstance(err, _Reply) else type(err).__name__
                msg = str(err) if str(err) else name
                if os.environ.get("PYBRIDGE_OCTPY_TRACEBACK"):
                    msg += "\n" + traceback.format_exc()
                data = msg.encode("utf-8", "surrogateescape")
                out, blobs = ["ERR", name], [data]
            total = sum(len(b) for b in blobs)
            head = f"{seq} {total} {' '.join(out)}".encode("utf-8", "surrogateescape")
            fout.write(len(head).to_bytes(4, "little") + head)
            for b in blobs:
                fout.write(b)
            fout.flush()


# Octave's own binary format (``save -binary``/``load``), which Octave writes and
# reads about twice as fast as fwrite/fread: "Octave-1-L", a float-format byte,
# then per variable: name, doc string, global flag, type name, -ndims, dims,
# (for double/single matrices) a storage-type byte, and the data, column-major.
_OCT_MAGIC = b"Octave-1-L\x00"
_OCT_TYPES = {
    "double": "matrix",
    "single": "float matrix",
    "logical": "bool matrix",
    **{c: f"{c} matrix" for c in _CLASSES if c.startswith(("int", "uint"))},
}
# storage types Octave uses for double/single matrices (it narrows whole numbers)
_OCT_STORAGE = {
    0: np.uint8,
    1: np.uint16,
    2: np.uint32,
    3: np.int8,
    4: np.int16,
    5: np.int32,
    6: np.float32,
    7: np.float64,
    8: np.uint64,
    9: np.int64,
}


def _write_octave_binary(path: str, a: np.ndarray, cls: str) -> None:
    """Write the Fortran-ordered array ``a`` as variable ``x`` of an Octave binary file."""
    tname = _OCT_TYPES[cls].encode()
    head = [_OCT_MAGIC, (1).to_bytes(4, "little"), b"x", bytes(4), b"\x00", b"\xff"]
    head += [len(tname).to_bytes(4, "little"), tname]
    head.append((-a.ndim).to_bytes(4, "little", signed=True))
    head += [int(d).to_bytes(4, "little") for d in a.shape]
    if cls in ("double", "single"):
        head.append(b"\x07" if cls == "double" else b"\x06")
    with open(path, "wb") as f:
        f.write(b"".join(head))
        a.T.tofile(f)  # a.T of a Fortran-ordered array is C-ordered over the same memory


def _read_octave_binary(path: str, dtype: np.dtype, count: int) -> np.ndarray:
    """The one variable of an Octave binary file (``save -binary``) as a flat, writable array.

    The file is memory-mapped (copy on write), not read: on /dev/shm that
    costs no copy at all.
    """
    with open(path, "rb") as f:
        head = f.read(4096)
        if not head.startswith(_OCT_MAGIC):
            raise _Reply(f"protocol: {path} is not an Octave binary file")
        pos = len(_OCT_MAGIC)

        def i32() -> int:
            nonlocal pos
            v = int.from_bytes(head[pos : pos + 4], "little", signed=True)
            pos += 4
            return v

        for _ in range(2):  # the name, then the doc string
            n = i32()
            pos += n
        pos += 1  # global flag
        if head[pos] != 255:
            raise _Reply("protocol: unexpected Octave binary type code")
        pos += 1
        n = i32()
        tname = head[pos : pos + n].decode()
        pos += n
        ndims = -i32()
        pos += 4 * ndims  # the dims: the request's header already gave them
        storage = np.dtype(dtype)
        if tname in ("matrix", "float matrix"):
            storage = np.dtype(_OCT_STORAGE[head[pos]])
            pos += 1
        size = os.fstat(f.fileno()).st_size
    if size - pos != count * storage.itemsize:
        raise _Reply(
            f"protocol: {path} holds {size - pos} data bytes, expected {count * storage.itemsize}"
        )
    if count == 0:
        return np.zeros(0, dtype=dtype)
    # A private copy-on-write mapping: no copy is made, the pages stay valid after
    # the caller unlinks the file, and writes to the array never reach the file.
    flat = np.asarray(np.memmap(path, dtype=storage, mode="c", offset=pos, shape=(count,)))
    if storage != dtype:
        flat = flat.astype(dtype)
    return flat


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

    if isinstance(obj, Mapping):
        return key
    if isinstance(key, float) and key == int(key):
        key = int(key)
    if isinstance(key, int) and not isinstance(key, bool):
        if key < 1:
            raise IndexError(f"index {key} is not 1-based: MATLAB indices start at 1")
        return key - 1
    return key


def _numeric(obj: Any) -> np.ndarray:
    """What double()/logical()/int32()... convert: arrays, numbers, numeric sequences."""
    from ..convert import from_matlab

    if isinstance(obj, str):
        raise TypeError("cannot convert a Python str to a number (use char(x))")
    if isinstance(obj, (bool, int, float, np.generic)):
        return np.asarray(obj).reshape(1, 1)
    if _is_torch(obj):
        obj = obj.detach().cpu().numpy()
    if isinstance(obj, np.ndarray):
        return obj
    return from_matlab(obj)


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def main(argv: list[str]) -> int:
    """Entry point: ``python -m pybridge._octpy DIR``."""
    if len(argv) != 1:
        print("usage: python -m pybridge._octpy DIR", file=sys.stderr)
        return 2
    folder = argv[0]
    # Ctrl-C in Octave's terminal interrupts the Python call under way only.
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        with (
            open(os.path.join(folder, "req"), "rb") as fin,
            open(os.path.join(folder, "resp"), "wb") as fout,
        ):
            cwd = os.getcwd()
            if sys.path[0] != cwd:
                sys.path.insert(0, cwd)
            return Server(folder, fin, fout).serve()
    finally:
        # Octave closed the channel (or exited): the folder is ours to remove
        shutil.rmtree(folder, ignore_errors=True)
