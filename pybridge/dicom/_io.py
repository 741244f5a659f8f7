"""File-level helpers shared by read and anonymize: open with clear errors, never half-write."""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
import warnings
from pathlib import Path
from typing import Any

from .._errors import PyBridgeError

__all__ = [
    "DicomError",
    "open_dataset",
    "check_complete",
    "atomic_write",
    "is_dicom_file",
    "lenient_values",
]


class DicomError(PyBridgeError):
    """A DICOM file could not be read or written: not DICOM, truncated, no pixel data..."""


_SEQ_DELIMITER_LE = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
_SEQ_DELIMITER_BE = b"\xff\xfe\xe0\xdd\x00\x00\x00\x00"


def is_dicom_file(path: str | os.PathLike) -> bool:
    """True when the file starts with the DICOM preamble and 'DICM' marker (a Part 10 file)."""
    try:
        with open(path, "rb") as f:
            head = f.read(132)
    except OSError:
        return False
    return len(head) == 132 and head[128:132] == b"DICM"


def open_dataset(path: str | os.PathLike, *, lazy: bool = False) -> Any:
    """Read one DICOM file with pydicom, turning its failures into :class:`DicomError`.

    With ``lazy=True`` values above 4 KB (pixel data) are not loaded, only
    noted, which makes scanning a folder cheap. Files without the Part 10
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
        ds = pydicom.dcmread(path, defer_size=defer)
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
        raise DicomError(f"'{path}' holds no DICOM data elements; it is empty or not DICOM")
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


def _scan_lengths(path: Path, ds: Any) -> None:
    """Walk the element headers of the top-level data set and check each value fits the file.

    pydicom stops quietly when a defined-length element (a sequence, say)
    runs past the end of the file; this scan notices. It stops at the first
    undefined-length element (whose end is found by parsing, checked
    elsewhere) and skips deflated data sets.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(132)
        if len(head) == 132 and head[128:132] == b"DICM":
            pos = 132
            # the file meta group is always explicit VR little endian
            pos, _ = _walk_headers(f, pos, size, implicit=False, little=True, group=0x0002)
        else:
            pos = 0
        ts = ds.file_meta.get("TransferSyntaxUID") if getattr(ds, "file_meta", None) else None
        if ts is not None and str(ts) == "1.2.840.10008.1.2.1.99":  # deflated
            return
        if ts is not None:
            implicit, little = ts.is_implicit_VR, ts.is_little_endian
        else:
            implicit, little = getattr(ds, "original_encoding", (True, True))
        _walk_headers(f, pos, size, implicit=bool(implicit), little=bool(little), group=None)


def _walk_headers(f, pos: int, size: int, *, implicit: bool, little: bool, group: int | None):
    order = "<" if little else ">"
    while pos < size:
        f.seek(pos)
        raw = f.read(8)
        if len(raw) < 8:
            raise DicomError(f"'{f.name}' is truncated: it ends inside an element header")
        g, e = struct.unpack(order + "HH", raw[:4])
        if group is not None and g != group:
            return pos, None
        if implicit and g != 0x0002:
            (length,) = struct.unpack(order + "I", raw[4:8])
            header = 8
        elif raw[4:6] in _LONG_VRS:
            extra = f.read(4)
            if len(extra) < 4:
                raise DicomError(f"'{f.name}' is truncated: it ends inside an element header")
            (length,) = struct.unpack(order + "I", extra)
            header = 12
        else:
            (length,) = struct.unpack(order + "H", raw[6:8])
            header = 8
        if length == 0xFFFFFFFF:
            return pos, None  # undefined length: parsed by pydicom, checked by the caller
        if pos + header + length > size:
            raise DicomError(
                f"'{f.name}' is truncated: element ({g:04X},{e:04X}) declares {length} bytes "
                f"but the file ends {size - pos - header} bytes after its header"
            )
        pos += header + length
    return pos, None


def check_complete(path: str | os.PathLike, ds: Any) -> None:
    """Raise :class:`DicomError` when a file that pydicom read looks truncated.

    pydicom reads a file that ends early without complaint in two cases, both
    caught here: native pixel data shorter than Rows x Columns x frames x
    samples x bytes, and a file that ends inside an undefined-length sequence
    (no sequence delimitation item at the end).
    """
    if "PixelData" in ds and ds.file_meta.get("TransferSyntaxUID", None) is not None:
        ts = ds.file_meta.TransferSyntaxUID
        if not ts.is_compressed:
            expected = _expected_pixel_bytes(ds)
            got = len(ds.PixelData)
            if expected is not None and got < expected:
                raise DicomError(
                    f"'{path}' is truncated: its pixel data holds {got} bytes but Rows x Columns "
                    f"x frames x samples x bytes per sample needs {expected}"
                )
    # Walk the chain of last elements: an undefined-length sequence there means
    # the file must end with a sequence delimitation item.
    node = ds
    needs_delimiter = False
    while True:
        tags = list(node.keys()) if hasattr(node, "keys") else []
        if not tags:
            break
        last = node[tags[-1]]
        if last.VR != "SQ":
            break
        if getattr(last, "is_undefined_length", False):
            needs_delimiter = True
            break
        if not last.value:
            break
        node = last.value[-1]
    _scan_lengths(Path(path), ds)
    if needs_delimiter:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 8))
            tail = f.read(8)
        if tail not in (_SEQ_DELIMITER_LE, _SEQ_DELIMITER_BE):
            raise DicomError(
                f"'{path}' is truncated: it ends inside the sequence {last.keyword or last.tag} "
                "(no sequence delimitation item at the end of the file)"
            )


def atomic_write(ds: Any, dst: Path, *, overwrite: bool = False) -> None:
    """Write ``ds`` to ``dst`` through a temporary file in the same folder and ``os.replace``.

    A failure leaves no partial output behind; an existing ``dst`` is replaced
    only with ``overwrite=True``.
    """
    dst = Path(dst)
    if dst.exists() and not overwrite:
        raise FileExistsError(f"'{dst}' exists; pass overwrite=True to replace it")
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            ds.save_as(f, enforce_file_format=True)
        os.replace(tmp, dst)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
