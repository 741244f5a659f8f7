"""File-level helpers shared by read and anonymize: open with clear errors, never half-write."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .._errors import PyBridgeError

__all__ = ["DicomError", "open_dataset", "check_complete", "atomic_write", "is_dicom_file"]


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


def open_dataset(path: str | os.PathLike, *, stop_before_pixels: bool = False) -> Any:
    """Read one DICOM file with pydicom, turning its failures into :class:`DicomError`.

    Files without the Part 10 preamble are refused unless pydicom can still
    read them as a raw data set that holds at least an SOP Class UID.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such DICOM file or folder: '{path}'")
    if path.is_dir():
        raise DicomError(f"'{path}' is a folder; expected a DICOM file")
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=stop_before_pixels)
    except InvalidDicomError as err:
        ds = _read_raw(path, stop_before_pixels)
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


def _read_raw(path: Path, stop_before_pixels: bool) -> Any:
    """A data set written without the Part 10 header (older files), or None if it is not one."""
    import warnings

    import pydicom
    from pydicom.uid import UID

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydicom warns while guessing the encoding
            ds = pydicom.dcmread(path, stop_before_pixels=stop_before_pixels, force=True)
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
