"""The binary wire between Python and GNU Octave, used in both directions.

Both the engine (Python drives Octave, :mod:`pybridge.engine._octave`) and
``py.`` in Octave (Octave drives Python, :mod:`pybridge._octpy.server`) send
MATLAB values with this format; the Octave half is ``matlab/octave/wire/
+pbwire`` (``encode.m``, ``decode.m``). Python holds the values as the MATLAB
value model of :mod:`pybridge._mtypes` (``MArray``, ``MCell``, ...); turning
them into Python objects is :mod:`pybridge.convert`'s job.

Framing
-------
A message is ``u64 n`` then ``n`` bytes, over a FIFO in a private folder.
Everything is little-endian. Every name and every text is length-prefixed
(``u32 n`` then ``n`` UTF-8 bytes), so no name or string can be taken for a
token.

Values
------
``u8 tag`` then:

====  ============  ==========================================================
tag   value         fields
====  ============  ==========================================================
1     full array    ``str class``, ``dims``, ``u8 complex``, real ``part``
                    (and imaginary ``part`` when complex)
2     char          ``dims`` (Octave's: one element a byte), ``part`` of the
                    UTF-8 bytes in column-major order
3     sparse        ``str class``, ``dims``, ``u8 complex``, ``u64 nnz``,
                    ``part`` rows, ``part`` cols (int64, 1-based), ``part``
                    values (and imaginary ``part``)
4     cell          ``dims``, the elements in column-major order
5     struct        ``dims``, ``u32 nfields``, the names (``str``), then for
                    each element in column-major order each field's value
6     map           ``str KeyType``, ``str ValueType``, ``u32 n``, n keys,
                    n values (``containers.Map``)
7     double        ``f64``: a real double scalar (the common case, kept short)
8     opaque        ``str class``, ``str text``: a function handle or object,
                    which cannot cross (the receiver refuses it)
9     reference     ``i64 id``, ``i64 generation``: a Python object Octave holds
10    handle        ``i64 id``, ``str class``: a new Python object for Octave
11    keywords      ``u32 n``, n times ``str name`` and a value (``pyargs``)
====  ============  ==========================================================

``dims`` is ``u8 ndims`` and ``ndims`` u64 (MATLAB's ``size``). A ``part``
is the elements of an array in column-major order: ``u8 0``, ``u64
nbytes``, the bytes (inline, up to :data:`INLINE_MAX`); or ``u8 loc``,
``str name``: a file in Octave's binary format (``save -binary``) in the
session's folder ``loc`` (1: the private folder in /dev/shm, 2: the
private fallback folder under the temporary directory, used when the first
is full). The receiver deletes a file once read. Python writes the file of
a large array that is not column-major (:class:`ColumnMajor`, a tag 1 value
like any other) straight from the array's own memory, in column-major order.
"""

from __future__ import annotations

import errno
import itertools
import os
import shutil
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _layout
from .._mtypes import MArray, MCell, MMap, MOpaque, MSparse, MString, MStruct

__all__ = [
    "INLINE_MAX",
    "WireError",
    "Ref",
    "Handle",
    "Keywords",
    "ColumnMajor",
    "column_major_value",
    "Folders",
    "encode",
    "decode",
    "frame",
    "put_str",
    "private_dir",
    "clean_stale",
    "transport_base",
]

#: Payloads up to this many bytes ride inside the message; larger ones go through files.
INLINE_MAX = 1 << 16

T_ARRAY, T_CHAR, T_SPARSE, T_CELL, T_STRUCT, T_MAP = 1, 2, 3, 4, 5, 6
T_DOUBLE, T_OPAQUE, T_REF, T_HANDLE, T_KEYWORDS = 7, 8, 9, 10, 11

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")


class WireError(ValueError):
    """A message that does not follow the format, or a value the wire cannot carry."""


@dataclass(frozen=True)
class Ref:
    """A Python object that Octave holds (``py.`` direction): its id and process generation."""

    id: int
    gen: int = 0


@dataclass(frozen=True)
class Handle:
    """A new Python object handed to Octave (``py.`` direction)."""

    id: int
    cls: str


class Keywords(dict):
    """Keyword arguments built by Octave's ``pyargs`` (name -> MATLAB value)."""


@dataclass(frozen=True, eq=False)
class ColumnMajor:
    """A real numeric or logical array still in its own memory order (Python -> Octave).

    It crosses exactly as ``MArray(mclass, dims, <its elements in
    column-major order>)`` would, but a large one is never laid out
    column-major in memory: its elements are copied (cache-blocked) straight
    into the payload file, so the transposing copy and the file write are one
    pass through memory instead of two, and overlap given a second core
    (:func:`pybridge._layout.write_column_major`).
    ``array`` holds ``prod(dims)`` elements; its values are cast to the
    class's element type on the way.
    """

    mclass: str
    dims: tuple[int, ...]
    array: np.ndarray


def column_major_value(x: Any) -> ColumnMajor | None:
    """``x`` as a :class:`ColumnMajor` when it is a large real array not in column-major order.

    What both directions of the Octave transport send instead of
    ``convert.to_mvalue(x)`` for such an array (the same ``MArray`` to Octave);
    None for any other value, which takes the ordinary conversion.
    """
    from ..convert import _layout_pending

    pending = _layout_pending(x)
    if pending is None or pending[2].nbytes <= INLINE_MAX:
        return None
    return ColumnMajor(*pending)


# ------------------------------------------------------------------ folders


def transport_base() -> str:
    """Where private transport folders go: ``PYBRIDGE_TRANSPORT_DIR``, /dev/shm, or tempdir."""
    env = os.environ.get("PYBRIDGE_TRANSPORT_DIR")
    if env:
        return env
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK | os.X_OK):
        return "/dev/shm"
    return tempfile.gettempdir()


def private_dir(base: str, prefix: str) -> str:
    """A new folder ``<base>/<prefix><pid>-<random>``, mode 0700 whatever the umask."""
    clean_stale(base, prefix)
    path = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=base)
    os.chmod(path, 0o700)
    return path


def clean_stale(base: str, prefix: str) -> list[str]:
    """Remove ``<base>/<prefix><pid>-*`` folders of this user whose process ``pid`` is gone.

    A run killed with SIGKILL cannot remove its own folder; the next start does.
    """
    removed = []
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    uid = os.getuid()
    for name in names:
        if not name.startswith(prefix):
            continue
        pid_text = name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit():
            continue
        path = os.path.join(base, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if st.st_uid != uid or not os.path.isdir(path) or os.path.islink(path):
            continue
        if _pid_alive(int(pid_text)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Folders:
    """The private folders of one session, and the payload files written into them.

    ``paths[0]`` is the main folder (in /dev/shm where there is one),
    ``paths[1]`` the fallback under the temporary directory, used when the
    first is full. Files this side writes are named ``<mine>N.oct``.
    """

    def __init__(self, paths: list[str], mine: str) -> None:
        self.paths = list(paths)
        self.mine = mine
        self._count = itertools.count(1)
        self.written: list[str] = []

    # writing ---------------------------------------------------------------
    def write(
        self, header: bytes, data: np.ndarray | Callable[[int], Any], nbytes: int | None = None
    ) -> tuple[int, str]:
        """Write one payload file (``header`` then ``data``'s bytes), mode 0600.

        ``data`` is an array, or a function that writes its ``nbytes`` bytes to
        the file descriptor it is given (it may be called again, for the
        fallback folder, when the first is full).
        """
        name = f"{self.mine}{next(self._count)}.oct"
        last: OSError | None = None
        for loc, folder in enumerate(self.paths, start=1):
            path = os.path.join(folder, name)
            try:
                _write_private(path, header, data)
            except OSError as err:
                if err.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.ENOENT):
                    raise
                last = err
                continue
            self.written.append(path)
            return loc, name
        if nbytes is None:
            nbytes = data.nbytes
        raise WireError(
            f"cannot write a payload of {nbytes} bytes: {' and '.join(self.paths)} are full "
            f"({last}); free space there or set PYBRIDGE_TRANSPORT_DIR to a roomier folder"
        )

    def discard_written(self) -> None:
        """Remove the files this side wrote that the other side has not consumed."""
        for path in self.written:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        self.written.clear()

    # reading ---------------------------------------------------------------
    def path(self, loc: int, name: str) -> str:
        if not 1 <= loc <= len(self.paths) or not name or "/" in name or name.startswith("."):
            raise WireError(f"payload file {name!r} (folder {loc}) is not a valid name")
        return os.path.join(self.paths[loc - 1], name)

    def remove(self) -> None:
        for p in self.paths:
            shutil.rmtree(p, ignore_errors=True)


def _write_private(path: str, header: bytes, data: np.ndarray | Callable[[int], Any]) -> None:
    """Write ``header`` and ``data``'s bytes to a new file only this user can read (0600).

    ``data`` is an array, or a function that writes the bytes to the file
    descriptor it is given. A file left incomplete (a full disk) is removed.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        chunks = [memoryview(header)]
        if not callable(data):
            chunks.append(memoryview(np.ascontiguousarray(data)).cast("B"))
        for chunk in chunks:
            while chunk:
                chunk = chunk[os.write(fd, chunk) :]
        if callable(data):
            data(fd)
    except BaseException:
        os.close(fd)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        raise
    os.close(fd)


# Octave's own binary format (``save -binary``/``load``), which Octave writes
# and reads several times faster than fwrite/fread: "Octave-1-L", a
# float-format byte, then the variable's name, doc string, global flag, type
# code 255, type name, -ndims, dims, (double/single only) a storage code, and
# the data in column-major order.
_OCT_MAGIC = b"Octave-1-L\x00"
# The storage codes Octave writes for double/single data it can narrow
# (whole numbers in a small range): code -> the element type in the file.
_OCT_STORAGE = ("u1", "<u2", "<u4", "i1", "<i2", "<i4", "<f4", "<f8", "<u8", "<i8")


def _octave_type_name(mclass: str) -> str:
    """The type name Octave's binary format gives a real full array of this class."""
    if mclass == "double":
        return "matrix"
    if mclass == "single":
        return "float matrix"
    if mclass == "logical":
        return "bool matrix"
    return f"{mclass} matrix"


def _octave_header(mclass: str, count: int, data: np.ndarray) -> bytes:
    """The header of a file holding ``count`` elements as a column (Octave reshapes it)."""
    tname = _octave_type_name(mclass).encode()
    head = [_OCT_MAGIC, (1).to_bytes(4, "little"), b"x", bytes(4), b"\x00", b"\xff"]
    head += [_U32.pack(len(tname)), tname, (-2).to_bytes(4, "little", signed=True)]
    head += [_U32.pack(count), _U32.pack(1)]
    if mclass in ("double", "single"):
        head.append(bytes([_OCT_STORAGE.index(data.dtype.newbyteorder("<").str)]))
    return b"".join(head)


def _read_octave_file(path: str, dtype: np.dtype, count: int) -> np.ndarray:
    """The one variable of an Octave binary file as a flat, writable array; the file is removed.

    The file is memory-mapped copy-on-write, not read: on /dev/shm that
    costs no copy, and the pages stay valid after the file is unlinked.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
            size = os.fstat(f.fileno()).st_size
        if not head.startswith(_OCT_MAGIC):
            raise WireError(f"payload {path} is not an Octave binary file")
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
            raise WireError(f"payload {path}: unexpected Octave type code {head[pos]}")
        pos += 1
        n = i32()
        tname = head[pos : pos + n].decode("ascii", "replace")
        pos += n
        ndims = -i32()
        pos += 4 * ndims
        storage = np.dtype(dtype)
        if tname in ("matrix", "float matrix"):
            code = head[pos]
            if code >= len(_OCT_STORAGE):
                raise WireError(f"payload {path}: unknown Octave storage code {code}")
            storage = np.dtype(_OCT_STORAGE[code])
            pos += 1
        if size - pos != count * storage.itemsize:
            raise WireError(
                f"payload {path} holds {size - pos} data bytes, expected {count * storage.itemsize}"
            )
        if count == 0:
            return np.zeros(0, dtype=dtype)
        flat = np.asarray(np.memmap(path, dtype=storage, mode="c", offset=pos, shape=(count,)))
        return flat if storage == dtype else flat.astype(dtype)
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


# ------------------------------------------------------------------ encoding


def frame(parts: list) -> list:
    """Prefix the message made of ``parts`` with its length."""
    n = sum(len(p) for p in parts)
    return [_U64.pack(n), *parts]


def put_str(s: str, out: list) -> None:
    """Append ``s`` as ``u32`` length and UTF-8 bytes (non-UTF-8 names as their own bytes)."""
    data = s.encode("utf-8", "surrogateescape")
    out.append(_U32.pack(len(data)))
    out.append(data)


def _dims(dims: tuple, out: list) -> None:
    dims = tuple(int(d) for d in dims)
    if len(dims) < 2 or any(d < 0 for d in dims) or len(dims) > 255:
        raise WireError(f"MATLAB dimensions must be 2 to 255 non-negative sizes; got {dims}")
    out.append(bytes([len(dims)]) + struct.pack(f"<{len(dims)}Q", *dims))


def _class_dtype(mclass: str) -> np.dtype:
    """The element type of a MATLAB class, from pybridge.convert (its one owner)."""
    from ..convert import MATLAB_CLASSES

    try:
        return MATLAB_CLASSES[mclass]
    except KeyError:
        raise WireError(f"{mclass!r} is not a MATLAB numeric or logical class") from None


def _part(mclass: str, data: np.ndarray, out: list, folders: Folders | None) -> None:
    data = np.ascontiguousarray(data)
    if data.ndim != 1:
        data = data.reshape(-1)
    nbytes = data.nbytes
    if nbytes <= INLINE_MAX or folders is None:
        out.append(b"\x00" + _U64.pack(nbytes))
        if nbytes:
            out.append(memoryview(data).cast("B"))
        return
    loc, name = folders.write(_octave_header(mclass, data.size, data), data)
    out.append(bytes([loc]))
    put_str(name, out)


def encode(v: Any, out: list, folders: Folders | None = None) -> None:
    """Append the bytes of one value (an ``_mtypes`` value, :class:`Ref`, :class:`Handle`,
    :class:`Keywords`) to ``out``."""
    if isinstance(v, MArray):
        if v.mclass == "double" and v.imag is None and v.dims == (1, 1) and v.real.size == 1:
            out.append(bytes([T_DOUBLE]) + _F64.pack(v.real[0]))
            return
        n = int(np.prod(v.dims))
        if v.real.size != n:
            raise WireError(f"{v.mclass} array of size {v.dims} holds {v.real.size} elements")
        if v.mclass == "char":
            data = _char_bytes(v)
            out.append(bytes([T_CHAR]))
            dims = v.dims if len(data) == n else (1, len(data))
            _dims(dims, out)
            _part("uint8", np.frombuffer(data, np.uint8), out, folders)
            return
        dtype = _class_dtype(v.mclass)
        out.append(bytes([T_ARRAY]))
        put_str(v.mclass, out)
        _dims(v.dims, out)
        out.append(b"\x01" if v.imag is not None else b"\x00")
        _part(v.mclass, np.asarray(v.real, dtype=dtype), out, folders)
        if v.imag is not None:
            _part(v.mclass, np.asarray(v.imag, dtype=dtype), out, folders)
    elif isinstance(v, ColumnMajor):
        _column_major(v, out, folders)
    elif isinstance(v, MCell):
        out.append(bytes([T_CELL]))
        _dims(v.dims, out)
        if len(v.items) != int(np.prod(v.dims)):
            raise WireError(f"cell of size {v.dims} holds {len(v.items)} items")
        for item in v.items:
            encode(item, out, folders)
    elif isinstance(v, MStruct):
        out.append(bytes([T_STRUCT]))
        _dims(v.dims, out)
        if len(v.items) != int(np.prod(v.dims)):
            raise WireError(f"struct array of size {v.dims} holds {len(v.items)} elements")
        out.append(_U32.pack(len(v.fields)))
        for f in v.fields:
            put_str(f, out)
        for item in v.items:
            for f in v.fields:
                encode(item[f], out, folders)
    elif isinstance(v, MSparse):
        dtype = _class_dtype(v.mclass)
        out.append(bytes([T_SPARSE]))
        put_str(v.mclass, out)
        _dims(v.dims, out)
        out.append(b"\x01" if v.imag is not None else b"\x00")
        out.append(_U64.pack(len(v.real)))
        _part("int64", np.asarray(v.rows, dtype=np.int64), out, folders)
        _part("int64", np.asarray(v.cols, dtype=np.int64), out, folders)
        _part(v.mclass, np.asarray(v.real, dtype=dtype), out, folders)
        if v.imag is not None:
            _part(v.mclass, np.asarray(v.imag, dtype=dtype), out, folders)
    elif isinstance(v, MMap):
        out.append(bytes([T_MAP]))
        put_str(v.key_type, out)
        put_str(v.value_type, out)
        out.append(_U32.pack(len(v.keys)))
        for k in v.keys:
            encode(k, out, folders)
        for x in v.values:
            encode(x, out, folders)
    elif isinstance(v, Ref):
        out.append(bytes([T_REF]) + _I64.pack(v.id) + _I64.pack(v.gen))
    elif isinstance(v, Handle):
        out.append(bytes([T_HANDLE]) + _I64.pack(v.id))
        put_str(v.cls, out)
    elif isinstance(v, Keywords):
        out.append(bytes([T_KEYWORDS]) + _U32.pack(len(v)))
        for k, x in v.items():
            put_str(k, out)
            encode(x, out, folders)
    elif isinstance(v, MOpaque):
        out.append(bytes([T_OPAQUE]))
        put_str(v.mclass, out)
        put_str(v.text, out)
    elif isinstance(v, MString):
        raise WireError(
            "GNU Octave has no string arrays; pass text as a str (char) or a list of str (cell)"
        )
    else:
        raise WireError(f"cannot send a {type(v).__name__} over the Octave wire")


def _column_major(v: ColumnMajor, out: list, folders: Folders | None) -> None:
    dtype = _class_dtype(v.mclass)
    a = v.array
    if a.size != int(np.prod(v.dims)):
        raise WireError(f"{v.mclass} array of size {v.dims} holds {a.size} elements")
    out.append(bytes([T_ARRAY]))
    put_str(v.mclass, out)
    _dims(v.dims, out)
    out.append(b"\x00")
    if a.size * dtype.itemsize <= INLINE_MAX or folders is None:
        _part(v.mclass, _layout.column_major(a, dtype), out, folders)
        return
    header = _octave_header(v.mclass, a.size, np.empty(0, dtype))
    loc, name = folders.write(
        header, lambda fd: _layout.write_column_major(fd, a, dtype), a.size * dtype.itemsize
    )
    out.append(bytes([loc]))
    put_str(name, out)


def _char_bytes(v: MArray) -> bytes:
    """The UTF-8 bytes of a char array, in column-major order.

    Octave keeps text as UTF-8 bytes, one char element a byte. ASCII text
    keeps its size; other text must be one row (its size becomes its
    number of bytes), since a matrix whose rows hold characters of
    different byte lengths has no Octave equivalent.
    """
    real = np.ascontiguousarray(v.real, dtype="<U1")
    text = real.tobytes().decode("utf-32-le", "surrogatepass")
    data = text.encode("utf-8", "surrogateescape")
    if len(data) != real.size and (len(v.dims) != 2 or v.dims[0] != 1):
        raise WireError(
            f"a {'x'.join(map(str, v.dims))} char array with non-ASCII text cannot cross to "
            "GNU Octave, which stores text as UTF-8 bytes; send its rows as a list of str (cell)"
        )
    return data


# ------------------------------------------------------------------ decoding


class Reader:
    """Reads values from one message; collects the payload files it consumed."""

    def __init__(self, buf: bytes | memoryview, folders: Folders | None = None) -> None:
        self.buf = memoryview(buf)
        self.pos = 0
        self.folders = folders

    def _need(self, n: int) -> None:
        if self.pos + n > len(self.buf):
            raise WireError(f"message ends at byte {len(self.buf)}; needed {n} more at {self.pos}")

    def u8(self) -> int:
        self._need(1)
        v = self.buf[self.pos]
        self.pos += 1
        return v

    def u32(self) -> int:
        self._need(4)
        v = _U32.unpack_from(self.buf, self.pos)[0]
        self.pos += 4
        return v

    def u64(self) -> int:
        self._need(8)
        v = _U64.unpack_from(self.buf, self.pos)[0]
        self.pos += 8
        return v

    def i64(self) -> int:
        self._need(8)
        v = _I64.unpack_from(self.buf, self.pos)[0]
        self.pos += 8
        return v

    def raw(self, n: int) -> memoryview:
        self._need(n)
        v = self.buf[self.pos : self.pos + n]
        self.pos += n
        return v

    def str(self) -> str:
        return bytes(self.raw(self.u32())).decode("utf-8", "surrogateescape")

    def dims(self) -> tuple[int, ...]:
        nd = self.u8()
        d = struct.unpack_from(f"<{nd}Q", self.raw(8 * nd))
        if nd < 2:
            raise WireError(f"MATLAB dimensions need at least 2 sizes; got {d}")
        return tuple(int(x) for x in d)

    def part(self, dtype: np.dtype, count: int) -> np.ndarray:
        loc = self.u8()
        if loc == 0:
            n = self.u64()
            data = self.raw(n)
            if n != count * dtype.itemsize:
                raise WireError(f"array part holds {n} bytes, expected {count * dtype.itemsize}")
            return np.frombuffer(data, dtype=dtype).copy()
        if self.folders is None:
            raise WireError("a payload file arrived on a channel without folders")
        path = self.folders.path(loc, self.str())
        return _read_octave_file(path, dtype, count)

    def value(self) -> Any:
        at = self.pos
        tag = self.u8()
        if tag == T_DOUBLE:
            self._need(8)
            x = np.frombuffer(self.buf, np.float64, 1, self.pos).copy()
            self.pos += 8
            return MArray("double", (1, 1), x)
        if tag == T_ARRAY:
            mclass = self.str()
            dims = self.dims()
            cx = self.u8()
            dtype = _class_dtype(mclass)
            n = int(np.prod(dims))
            real = self.part(dtype, n)
            imag = self.part(dtype, n) if cx else None
            return MArray(mclass, dims, real, imag)
        if tag == T_CHAR:
            dims = self.dims()
            data = self.part(np.dtype(np.uint8), int(np.prod(dims)))
            return _char_array(dims, data)
        if tag == T_SPARSE:
            mclass = self.str()
            dims = self.dims()
            cx = self.u8()
            nnz = self.u64()
            dtype = _class_dtype(mclass)
            rows = self.part(np.dtype(np.int64), nnz)
            cols = self.part(np.dtype(np.int64), nnz)
            real = self.part(dtype, nnz)
            imag = self.part(dtype, nnz) if cx else None
            return MSparse(mclass, dims, rows, cols, real, imag)
        if tag == T_CELL:
            dims = self.dims()
            return MCell(dims, tuple(self.value() for _ in range(int(np.prod(dims)))))
        if tag == T_STRUCT:
            dims = self.dims()
            fields = tuple(self.str() for _ in range(self.u32()))
            items = tuple(
                {f: self.value() for f in fields} for _ in range(int(np.prod(dims)))
            )
            return MStruct(dims, fields, items)
        if tag == T_MAP:
            kt, vt = self.str(), self.str()
            n = self.u32()
            keys = tuple(self.value() for _ in range(n))
            values = tuple(self.value() for _ in range(n))
            return MMap(kt, vt, keys, values)
        if tag == T_OPAQUE:
            return MOpaque(self.str(), self.str())
        if tag == T_REF:
            return Ref(self.i64(), self.i64())
        if tag == T_HANDLE:
            return Handle(self.i64(), self.str())
        if tag == T_KEYWORDS:
            n = self.u32()
            kw = Keywords()
            for _ in range(n):
                k = self.str()
                kw[k] = self.value()
            return kw
        raise WireError(f"unknown value tag {tag} at byte {at}")


def _char_array(dims: tuple[int, ...], data: np.ndarray) -> MArray:
    """Octave's char bytes as a MATLAB char array (one character an element)."""
    raw = data.tobytes()
    if raw.isascii():
        return MArray("char", dims, data.astype(np.uint32).view("<U1"))
    if len(dims) == 2 and dims[0] == 1:
        text = raw.decode("utf-8", "surrogateescape")
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), "<U1").copy()
        return MArray("char", (1, len(text)), codes)
    raise WireError(
        f"a {'x'.join(map(str, dims))} char array holding non-ASCII UTF-8 bytes has no "
        "one-character-an-element form; return its rows as a cell array (cellstr)"
    )


def decode(buf: bytes | memoryview, folders: Folders | None = None) -> Any:
    """The one value that makes up ``buf``."""
    r = Reader(buf, folders)
    v = r.value()
    if r.pos != len(r.buf):
        raise WireError(f"{len(r.buf) - r.pos} bytes left after the value")
    return v
