"""File-level helpers shared by read and anonymize: open with clear errors, never half-write."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import struct
import warnings
from pathlib import Path
from typing import Any

from .._errors import PyBridgeError

__all__ = [
    "DicomError",
    "open_dataset",
    "check_complete",
    "atomic_write",
    "clean_stale_temp",
    "temp_name",
    "lenient_values",
]


class DicomError(PyBridgeError):
    """A DICOM file could not be read or written: not DICOM, truncated, no pixel data..."""


def open_dataset(path: str | os.PathLike, *, lazy: bool = False, parse_all: bool = True) -> Any:
    """Read one DICOM file with pydicom, turning its failures into :class:`DicomError`.

    With ``lazy=True`` values above 4 KB (pixel data) are not loaded, only
    noted, which makes scanning a folder cheap. With ``parse_all`` (the
    default unless lazy) every sequence is decoded here, so that a parse
    error surfaces as :class:`DicomError` and not later. Files without the Part 10
    preamble are refused unless pydicom can still read them as a raw data set
    that holds an SOP Class UID and an SOP Instance UID.
    """
    defer = 4096 if lazy else None
    import pydicom
    from pydicom.errors import InvalidDicomError

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such DICOM file or folder: '{path}'")
    if path.is_dir():
        raise DicomError(f"'{path}' is a folder; expected a DICOM file")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = pydicom.dcmread(path, defer_size=defer)
        for w in caught:
            if "End of file reached" in str(w.message):
                raise DicomError(f"'{path}' is truncated: {w.message}")
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    except InvalidDicomError as err:
        ds = _read_raw(path, defer)
        if ds is not None:
            return ds
        raise DicomError(
            f"'{path}' is not a DICOM file (no 'DICM' marker after the 128-byte preamble). "
            "Pass a DICOM Part 10 file (.dcm), a folder of them, or a DICOMDIR."
        ) from err
    except (EOFError, OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise DicomError(
            f"'{path}' could not be parsed as DICOM ({type(err).__name__}: {err}); "
            "the file is probably truncated or corrupt"
        ) from err
    if len(ds) == 0:
        raise DicomError(
            f"'{path}' holds no DICOM data elements: it is empty, truncated or corrupt"
        )
    if parse_all and not lazy:
        try:  # pydicom decodes sequences on first access: do it now, inside this guard
            with lenient_values():
                for _ in ds.iterall():
                    pass
        except (EOFError, OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise DicomError(
                f"'{path}' could not be parsed as DICOM ({type(err).__name__}: {err}); "
                "the file is probably truncated or corrupt"
            ) from err
    return ds


def _read_raw(path: Path, defer: int | None) -> Any:
    """A data set written without the Part 10 header (older files), or None if it is not one."""
    import warnings

    import pydicom
    from pydicom.uid import UID

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydicom warns while guessing the encoding
            ds = pydicom.dcmread(path, defer_size=defer, force=True)
            sop_class = ds.get("SOPClassUID")
            sop_instance = ds.get("SOPInstanceUID")
    except Exception:  # noqa: BLE001 - anything pydicom cannot parse is not DICOM
        return None
    if not sop_class or not sop_instance or not UID(str(sop_class)).is_valid:
        return None
    return ds


def _expected_pixel_bytes(ds: Any) -> int | None:
    try:
        rows, cols = int(ds.Rows), int(ds.Columns)
        bits = int(ds.BitsAllocated)
        spp = int(ds.get("SamplesPerPixel", 1) or 1)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (AttributeError, TypeError, ValueError):
        return None
    n = rows * cols * spp * frames
    if bits == 1:
        return (n + 7) // 8
    return n * (bits // 8)


@contextlib.contextmanager
def lenient_values():
    """Silence pydicom's warnings about malformed values in the input while they are read.

    Real files carry UIDs with leading zeros, over-long strings and the like;
    pydicom warns as it decodes them. The anonymiser replaces such values and
    the reader passes them on as they are, so the warning only adds noise.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Invalid value for VR", category=UserWarning)
        warnings.filterwarnings(
            "ignore", message=r".*(is|are) not valid for VR", category=UserWarning
        )
        yield


_LONG_VRS = {
    b"OB",
    b"OD",
    b"OF",
    b"OL",
    b"OV",
    b"OW",
    b"SQ",
    b"SV",
    b"UC",
    b"UN",
    b"UR",
    b"UT",
    b"UV",
}
_UNDEFINED = 0xFFFFFFFF
_ITEM, _ITEM_END, _SEQ_END = 0xE000, 0xE00D, 0xE0DD


class _Truncated(Exception):
    pass


class _Walker:
    """Walk the byte structure of a DICOM file: every element, item and fragment must fit.

    pydicom reads a file that ends early without complaint in several cases
    (a defined-length sequence cut short, encapsulated pixel data without its
    closing delimiter); walking the element headers finds all of them
    without decoding a single value.
    """

    def __init__(self, f, size: int, *, implicit: bool, little: bool):
        self.f, self.size = f, size
        self.implicit, self.order = implicit, "<" if little else ">"

    def _read(self, pos: int, n: int) -> bytes:
        self.f.seek(pos)
        raw = self.f.read(n)
        if len(raw) < n:
            raise _Truncated(f"it ends inside the header at byte {pos}")
        return raw

    def _header(self, pos: int, implicit: bool) -> tuple[int, int, bytes, int, int]:
        raw = self._read(pos, 8)
        g, e = struct.unpack(self.order + "HH", raw[:4])
        if g == 0xFFFE or implicit:
            (length,) = struct.unpack(self.order + "I", raw[4:8])
            return g, e, b"", length, 8
        vr = raw[4:6]
        if vr in _LONG_VRS:
            (length,) = struct.unpack(self.order + "I", self._read(pos + 8, 4))
            return g, e, vr, length, 12
        (length,) = struct.unpack(self.order + "H", raw[6:8])
        return g, e, vr, length, 8

    def dataset(
        self,
        pos: int,
        end: int | None,
        *,
        implicit: bool,
        in_item: bool = False,
        group: int | None = None,
    ) -> int:
        limit = self.size if end is None else end
        while pos < limit:
            if group is not None:
                (g,) = struct.unpack(self.order + "H", self._read(pos, 2))
                if g != group:
                    return pos
            g, e, vr, length, header = self._header(pos, implicit)
            if g == 0xFFFE and e == _ITEM_END:
                if in_item:
                    return pos + 8
                raise _Truncated(f"an item delimiter stands outside any item at byte {pos}")
            if length == _UNDEFINED:
                nested_implicit = implicit or vr == b"UN"
                pos = self.items(pos + header, implicit=nested_implicit)
                continue
            if pos + header + length > self.size:
                raise _Truncated(
                    f"element ({g:04X},{e:04X}) declares {length} bytes but the file ends "
                    f"{self.size - pos - header} bytes after its header"
                )
            pos += header + length
        if in_item and end is None:
            raise _Truncated("it ends inside a sequence item (no item delimitation item)")
        return pos

    def items(self, pos: int, *, implicit: bool) -> int:
        """Items of an undefined-length sequence or encapsulated pixel data, up to the delimiter."""
        while True:
            if pos >= self.size:
                raise _Truncated(
                    "it ends inside a sequence or encapsulated pixel data (no delimiter)"
                )
            g, e, _, length, _ = self._header(pos, True)
            if (g, e) == (0xFFFE, _SEQ_END):
                return pos + 8
            if (g, e) != (0xFFFE, _ITEM):
                raise _Truncated(f"expected an item at byte {pos}, found ({g:04X},{e:04X})")
            if length == _UNDEFINED:
                pos = self.dataset(pos + 8, None, implicit=implicit, in_item=True)
            else:
                if pos + 8 + length > self.size:
                    raise _Truncated(
                        f"an item declares {length} bytes but the file ends "
                        f"{self.size - pos - 8} bytes after its header"
                    )
                pos += 8 + length


def _scan_lengths(path: Path, ds: Any) -> None:
    size = os.path.getsize(path)
    meta = getattr(ds, "file_meta", None)
    ts = meta.get("TransferSyntaxUID") if meta is not None else None
    if ts is not None and str(ts) == "1.2.840.10008.1.2.1.99":  # deflated: not walkable
        return
    if ts is not None and ts.is_transfer_syntax:
        implicit, little = ts.is_implicit_VR, ts.is_little_endian
    else:
        implicit, little = getattr(ds, "original_encoding", (True, True))
    with open(path, "rb") as f:
        head = f.read(132)
        pos = 0
        if len(head) == 132 and head[128:132] == b"DICM":
            # the file meta group is always explicit VR little endian
            meta_walker = _Walker(f, size, implicit=False, little=True)
            pos = meta_walker.dataset(132, None, implicit=False, group=0x0002)
        walker = _Walker(f, size, implicit=bool(implicit), little=bool(little))
        try:
            walker.dataset(pos, None, implicit=bool(implicit))
        except struct.error as err:  # pragma: no cover - guarded by _read
            raise _Truncated(str(err)) from err


def check_complete(path: str | os.PathLike, ds: Any) -> None:
    """Raise :class:`DicomError` when a file that pydicom read looks truncated.

    Two checks: native pixel data must hold Rows x Columns x frames x
    samples x bytes, and every element, item and fragment in the file must
    fit inside it, closing delimiters included (:class:`_Walker`).
    """
    if "PixelData" in ds and getattr(ds, "file_meta", None) is not None:
        ts = ds.file_meta.get("TransferSyntaxUID")
        if ts is not None and not ts.is_compressed:
            expected = _expected_pixel_bytes(ds)
            got = len(ds.PixelData)
            if expected is not None and got < expected:
                raise DicomError(
                    f"'{path}' is truncated: its pixel data holds {got} bytes but Rows x Columns "
                    f"x frames x samples x bytes per sample needs {expected}"
                )
    if not any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        sop_class = ds.get("SOPClassUID")
        name = getattr(sop_class, "name", "") if sop_class is not None else ""
        if "Image Storage" in name:
            raise DicomError(
                f"'{path}' is an image ({name}) without pixel data: it is truncated or incomplete"
            )
    try:
        _scan_lengths(Path(path), ds)
    except _Truncated as err:
        raise DicomError(f"'{path}' is truncated or corrupt: {err}") from None


def _save(ds: Any, f: Any) -> None:
    """Write a conformant Part 10 file (preamble, complete file meta) with pydicom 3 or 2."""
    import pydicom

    if int(pydicom.__version__.split(".")[0]) >= 3:
        ds.save_as(f, enforce_file_format=True)
    else:  # pragma: no cover - pydicom 2.x
        ds.save_as(f, write_like_original=False)


_TEMP_RE = re.compile(r"^\..+\.pybridge-(\d+)-[0-9a-z_]+\.tmp$")


def temp_name(dst: Path) -> Path:
    """A hidden temporary file next to ``dst`` whose name carries this process id.

    ``.<name>.pybridge-<pid>-<random>.tmp``: :func:`clean_stale_temp` finds
    such files and removes those whose process is gone (killed mid-write).
    """
    return dst.with_name(f".{dst.name}.pybridge-{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def clean_stale_temp(folder: str | os.PathLike) -> list[str]:
    """Remove temporary files a killed pybridge process left in ``folder``.

    Only files named by :func:`temp_name` whose process no longer runs on
    this machine are removed; a write in progress in another process is left
    alone. Returns the names removed.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return removed
    for entry in entries:
        m = _TEMP_RE.match(entry.name)
        if m is None or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        try:
            os.unlink(entry.path)
            removed.append(entry.name)
        except FileNotFoundError:  # another process cleaned it first
            pass
    return removed


def _default_mode() -> int:
    """The permissions a plain ``open(path, 'w')`` would give: 0o666 less the umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(
    ds: Any, dst: Path, *, overwrite: bool = False, mode: int | None = None
) -> None:
    """Write ``ds`` to ``dst`` through a temporary file in the same folder and ``os.replace``.

    A failure leaves no partial output behind (a SIGKILL leaves the hidden
    temporary file, which the next call removes: :func:`clean_stale_temp`);
    an existing ``dst`` is replaced only with ``overwrite=True``. ``mode``
    (permission bits; default those of a newly created file under the
    umask) is set on the file before it takes its name, so the output never
    exists with other permissions.
    """
    dst = Path(dst)
    if dst.exists() and not overwrite:
        raise FileExistsError(
            f"'{dst}' exists; pass overwrite=True to replace it, or choose another name"
        )
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(dst)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            _save(ds, f)
        os.chmod(tmp, _default_mode() if mode is None else mode)
        os.replace(tmp, dst)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
