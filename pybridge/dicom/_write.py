"""Write a numpy volume as a DICOM series that :func:`pybridge.dicom.read` (and viewers) read back."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

import numpy as np

from ._io import atomic_write, clean_stale_temp

__all__ = ["write"]

_SC_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture Image Storage
# Study-level fields copied from ``like`` so a derived series joins its study.
_STUDY_FIELDS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "StudyID",
    "StudyDescription",
    "FrameOfReferenceUID",
)


def _vector(x: Any, n: int, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64).reshape(-1)
    if a.size != n or not np.all(np.isfinite(a)):
        raise ValueError(f"'{name}' must be {n} finite numbers; got {x!r}")
    return a


def _storage(volume: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Stored integers plus (slope, intercept): exact for integer data that fits 16 bits."""
    if volume.dtype == np.bool_:
        return volume.astype(np.uint8), 1.0, 0.0
    if volume.dtype in (np.uint8, np.uint16, np.int16):
        return volume, 1.0, 0.0
    lo, hi = (float(volume.min()), float(volume.max())) if volume.size else (0.0, 0.0)
    integral = np.all(np.mod(volume, 1) == 0) if volume.dtype.kind == "f" else True
    if integral and -32768 <= lo and hi <= 32767:
        return volume.astype(np.int16), 1.0, 0.0
    if integral and 0 <= lo and hi <= 65535:
        return volume.astype(np.uint16), 1.0, 0.0
    # anything else: a linear map onto uint16 (the modality LUT undoes it)
    slope = (hi - lo) / 65535.0 if hi > lo else 1.0
    stored = np.rint((volume.astype(np.float64) - lo) / slope)
    return np.clip(stored, 0, 65535).astype(np.uint16), slope, lo


def write(
    dst: str | os.PathLike,
    image: Any,
    *,
    spacing: Any = None,
    origin: Any = None,
    orientation: Any = None,
    like: dict | None = None,
    modality: str = "OT",
    series_description: str = "pybridge",
    prefix: str = "IM",
    overwrite: bool = False,
) -> list[str]:
    """Write a volume as a DICOM series, one Secondary Capture file per slice.

    Parameters
    ----------
    dst : str or path-like
        Output folder (created when missing).
    image : array_like of shape (slices, H, W) or (H, W)
        Real numbers or bool. uint8, uint16, int16 and integral values that
        fit 16 bits are stored exactly; other values through a linear map onto
        uint16 recorded as RescaleSlope/RescaleIntercept (so :func:`read`
        returns them to within half a slope step).
    spacing : sequence of 3 floats, optional
        Voxel size in mm along (slice, row, column), as :func:`read` returns
        it. Default: ``like['spacing']``, else 1 mm.
    origin : sequence of 3 floats, optional
        ImagePositionPatient of the first slice. Default: ``like``'s first
        position, else (0, 0, 0).
    orientation : sequence of 6 floats, optional
        ImageOrientationPatient. Default: ``like``'s, else axial (1,0,0,0,1,0).
    like : dict, optional
        A result of :func:`read`: the new series joins its patient, study and
        frame of reference (a mask drawn on a CT lands next to the CT).
    modality : str, default 'OT'
    series_description : str, default 'pybridge'
    prefix : str, default 'IM'
        File names are ``<prefix>0001.dcm``, ``<prefix>0002.dcm``...
    overwrite : bool, default False
        Replace existing files of the same names.

    Returns
    -------
    list of str
        The files written, in slice order.

    Raises
    ------
    ValueError
        A bad shape, spacing, origin or orientation.
    FileExistsError
        A file exists and ``overwrite`` is False, or ``dst`` (or a folder on
        its path) is a file (nothing is written).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from pybridge.dicom import read
    >>> vol = np.arange(2 * 3 * 4, dtype=np.int16).reshape(2, 3, 4)
    >>> folder = tempfile.mkdtemp()
    >>> files = write(folder, vol, spacing=(2.5, 0.5, 0.5))
    >>> back = read(folder)
    >>> bool((back["image"] == vol).all()), back["spacing"].tolist()
    (True, [2.5, 0.5, 0.5])
    """
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    volume = np.asarray(image)
    if volume.ndim == 2:
        volume = volume[None]
    if volume.ndim != 3 or volume.shape[0] == 0 or 0 in volume.shape:
        raise ValueError(
            f"image must be (slices, H, W) or (H, W); got shape {np.shape(image)} "
            "(for a MATLAB H x W x slices array use pybridge.convert.batch_from_matlab first)"
        )
    if volume.dtype.kind not in "biuf":
        raise TypeError(f"image must hold real numbers or bool; got dtype {volume.dtype}")
    like = like or {}
    spacing = _vector(
        spacing if spacing is not None else like.get("spacing", (1.0, 1.0, 1.0)), 3, "spacing"
    )
    if np.any(np.isnan(spacing)) or np.any(spacing <= 0):
        raise ValueError(f"'spacing' must be positive; got {spacing.tolist()}")
    if orientation is None:
        orientation = like.get("orientation")
        if orientation is None or not np.all(np.isfinite(orientation)):
            orientation = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    orientation = _vector(orientation, 6, "orientation")
    row, col = orientation[:3], orientation[3:]
    if (
        abs(np.linalg.norm(row) - 1) > 1e-4
        or abs(np.linalg.norm(col) - 1) > 1e-4
        or abs(row @ col) > 1e-4
    ):
        raise ValueError(
            f"'orientation' must be two orthogonal unit vectors; got {orientation.tolist()}"
        )
    normal = np.cross(row, col)
    if origin is None:
        positions = like.get("positions")
        origin = (
            positions[0]
            if positions is not None and np.all(np.isfinite(positions[0]))
            else (0, 0, 0)
        )
    origin = _vector(origin, 3, "origin")

    dst = Path(dst)
    blocking = next((f for f in (dst, *dst.parents) if f.exists() and not f.is_dir()), None)
    if blocking is not None:
        raise FileExistsError(
            f"'{blocking}' is a file, so the output folder '{dst}' cannot be created: choose "
            "another folder (nothing was written)"
        )
    names = [dst / f"{prefix}{k + 1:04d}.dcm" for k in range(volume.shape[0])]
    clash = [str(p) for p in names if p.exists()]
    if clash and not overwrite:
        raise FileExistsError(
            f"{len(clash)} file(s) exist, e.g. '{clash[0]}'; pass overwrite=True "
            "(nothing was written)"
        )

    clean_stale_temp(dst)  # hidden temporary files of a killed earlier write
    stored, slope, intercept = _storage(volume)
    header = like.get("header", {})
    series_uid = generate_uid()
    study_uid = header.get("StudyInstanceUID") or generate_uid()
    frame_uid = header.get("FrameOfReferenceUID") or generate_uid()
    now = _dt.datetime.now()
    written = []
    for k, path in enumerate(names):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = _SC_IMAGE_STORAGE
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = _SC_IMAGE_STORAGE
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        for field in _STUDY_FIELDS:
            if field in header:
                setattr(ds, field, header[field])
        ds.StudyInstanceUID = study_uid
        ds.FrameOfReferenceUID = frame_uid
        ds.SeriesInstanceUID = series_uid
        ds.setdefault("PatientName", "")
        ds.setdefault("PatientID", "")
        ds.setdefault("StudyDate", now.strftime("%Y%m%d"))
        ds.setdefault("StudyTime", now.strftime("%H%M%S"))
        ds.Modality = str(modality)
        ds.ConversionType = "WSD"
        ds.SeriesDescription = str(series_description)
        ds.SeriesNumber = 900
        ds.InstanceNumber = k + 1
        ds.ContentDate = now.strftime("%Y%m%d")
        ds.ContentTime = now.strftime("%H%M%S")
        ds.ImagePositionPatient = [float(v) for v in origin + k * spacing[0] * normal]
        ds.ImageOrientationPatient = [float(v) for v in orientation]
        ds.PixelSpacing = [float(spacing[1]), float(spacing[2])]
        ds.SliceThickness = float(spacing[0])
        ds.SpacingBetweenSlices = float(spacing[0])
        ds.BurnedInAnnotation = "NO"
        ds.Rows, ds.Columns = stored.shape[1:]
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        bits = stored.dtype.itemsize * 8
        ds.BitsAllocated = ds.BitsStored = bits
        ds.HighBit = bits - 1
        ds.PixelRepresentation = 1 if stored.dtype.kind == "i" else 0
        if (slope, intercept) != (1.0, 0.0) or volume.dtype.kind == "f":
            ds.RescaleSlope = f"{slope:.10g}"
            ds.RescaleIntercept = f"{intercept:.10g}"
            ds.RescaleType = "US"
        ds.PixelData = (
            np.ascontiguousarray(stored[k]).astype(stored.dtype.newbyteorder("<")).tobytes()
        )
        atomic_write(ds, path, overwrite=overwrite)
        written.append(str(path))
    return written
