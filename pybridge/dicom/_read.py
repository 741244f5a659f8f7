"""Read DICOM files, series folders and DICOMDIRs into numpy, in slice order."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ._io import DicomError, check_complete, lenient_values, open_dataset

__all__ = ["read", "list_series", "HEADER_FIELDS"]

#: The header fields :func:`read` copies into ``result['header']`` (when present).
HEADER_FIELDS = (
    "PatientID",
    "PatientName",
    "PatientSex",
    "PatientAge",
    "PatientBirthDate",
    "StudyDate",
    "StudyTime",
    "StudyDescription",
    "SeriesDescription",
    "SeriesNumber",
    "Modality",
    "Manufacturer",
    "ManufacturerModelName",
    "BodyPartExamined",
    "ImageType",
    "SOPClassUID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "FrameOfReferenceUID",
    "Rows",
    "Columns",
    "NumberOfFrames",
    "SamplesPerPixel",
    "PhotometricInterpretation",
    "BitsAllocated",
    "BitsStored",
    "PixelRepresentation",
    "RescaleSlope",
    "RescaleIntercept",
    "RescaleType",
    "WindowCenter",
    "WindowWidth",
    "PixelSpacing",
    "SliceThickness",
    "SpacingBetweenSlices",
    "ImageOrientationPatient",
    "ImagePositionPatient",
    "KVP",
    "BurnedInAnnotation",
    "PatientIdentityRemoved",
    "DeidentificationMethod",
)


# --------------------------------------------------------------------------
# plain values out of pydicom values
# --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """pydicom value -> str, int, float or a list of them (what MATLAB's struct() takes)."""
    from pydicom.multival import MultiValue
    from pydicom.valuerep import IS, DSdecimal, DSfloat, PersonName

    if isinstance(value, (MultiValue, list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, PersonName):
        return str(value)
    if isinstance(value, IS):
        return int(value)
    if isinstance(value, (DSfloat, DSdecimal)):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("ascii", errors="replace")
    if isinstance(value, (int, float, str)):
        return type(value)(value) if not isinstance(value, bool) else value
    return str(value)


def _header(ds: Any) -> dict:
    out = {}
    for name in HEADER_FIELDS:
        elem = ds.get(name)
        if elem is None or elem == "":
            continue
        out[name] = _plain(elem)
    return out


# --------------------------------------------------------------------------
# finding the files of one series
# --------------------------------------------------------------------------


def _is_dicomdir(ds: Any) -> bool:
    return "DirectoryRecordSequence" in ds


def _dicomdir_files(dicomdir: Path, ds: Any) -> list[Path]:
    """Files the records of a DICOMDIR point to, confined to the DICOMDIR's folder.

    A ReferencedFileID is a list of folder names under the DICOMDIR's folder
    (PS3.10: at most 8 characters each, no separators). A component that is
    empty, ``.``, ``..``, absolute or holds a separator could point outside
    that folder, and is refused.
    """
    root = dicomdir.parent
    files = []
    for rec in ds.DirectoryRecordSequence:
        with lenient_values():  # a hostile component is not a valid CS either
            ref = rec.get("ReferencedFileID")
            if ref is None:
                continue
            parts = [str(ref)] if isinstance(ref, str) else [str(p) for p in ref]
        bad = [
            p
            for p in parts
            if p.strip() in ("", ".", "..")
            or "/" in p
            or "\\" in p
            or "\x00" in p
            or os.path.isabs(p)
            or (len(p) > 1 and p[1] == ":")
        ]
        target = root.joinpath(*parts)
        inside = os.path.normpath(target).startswith(os.path.normpath(root) + os.sep)
        if bad or not inside:
            raise DicomError(
                f"the DICOMDIR '{dicomdir}' has a ReferencedFileID {parts!r} that leaves its "
                "folder (an empty, '.', '..' or absolute component, or a path separator); "
                "a DICOMDIR may only name files below its own folder. Read the image files "
                "directly, or rebuild the DICOMDIR"
            )
        files.append(target)
    return files


def _scan(path: Path) -> list[tuple[Path, Any]]:
    """(file, header-only dataset) for every DICOM image file under ``path``."""
    if path.is_file():
        ds = open_dataset(path, lazy=True)
        if _is_dicomdir(ds):
            candidates = _dicomdir_files(path, ds)
            missing = [str(p) for p in candidates if not p.exists()]
            if missing:
                raise DicomError(
                    f"the DICOMDIR '{path}' refers to {len(missing)} file(s) that do not exist, "
                    f"e.g. '{missing[0]}'; copy the whole folder the DICOMDIR came with"
                )
        else:
            return [(path, ds)]
    elif path.is_dir():
        dicomdir = path / "DICOMDIR"
        if dicomdir.is_file():
            return _scan(dicomdir)
        candidates = sorted(
            p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
        )
    else:
        raise FileNotFoundError(f"no such DICOM file or folder: '{path}'")
    found = []
    for p in candidates:
        try:
            ds = open_dataset(p, lazy=True)
        except DicomError:
            continue  # a folder may hold notes, thumbnails, ...
        if _is_dicomdir(ds):
            continue
        found.append((p, ds))
    if not found:
        raise DicomError(f"no DICOM files found in '{path}'")
    return found


def _series_key(ds: Any) -> str:
    return str(ds.get("SeriesInstanceUID", "") or "")


def list_series(path: str | os.PathLike) -> list[dict]:
    """The image series under a folder, a DICOMDIR or a file.

    Parameters
    ----------
    path : str or path-like
        A DICOM file, a folder (searched recursively) or a DICOMDIR.

    Returns
    -------
    list of dict
        One dict per series with 'SeriesInstanceUID', 'Modality',
        'SeriesDescription', 'n_files' and 'files' (paths as str), in the order
        first met. Only files holding pixel data count.

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> s = list_series(get_testdata_file("CT_small.dcm"))
    >>> s[0]["Modality"], s[0]["n_files"]
    ('CT', 1)
    """
    groups: dict[str, dict] = {}
    for p, ds in _scan(Path(path)):
        if not _has_pixels(ds):
            continue
        g = groups.setdefault(
            _series_key(ds),
            {
                "SeriesInstanceUID": _series_key(ds),
                "Modality": str(ds.get("Modality", "")),
                "SeriesDescription": str(ds.get("SeriesDescription", "")),
                "n_files": 0,
                "files": [],
            },
        )
        g["n_files"] += 1
        g["files"].append(str(p))
    return list(groups.values())


def _has_pixels(ds: Any) -> bool:
    return any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData"))


# --------------------------------------------------------------------------
# geometry and the modality LUT, frame by frame
# --------------------------------------------------------------------------


def _fg(ds: Any, frame: int, seq: str, attr: str) -> Any:
    """An attribute from the per-frame, then shared functional groups, then the top level."""
    for groups_name, index in (
        ("PerFrameFunctionalGroupsSequence", frame),
        ("SharedFunctionalGroupsSequence", 0),
    ):
        groups = ds.get(groups_name)
        if groups is None or len(groups) <= index:
            continue
        inner = groups[index].get(seq)
        if inner and attr in inner[0]:
            return inner[0][attr].value
    elem = ds.get(attr)
    return elem


def _floats(value: Any, n: int) -> np.ndarray:
    if value is None or value == "":
        return np.full(n, np.nan)
    try:
        a = np.asarray(
            [float(v) for v in (value if not isinstance(value, (int, float)) else [value])]
        )
    except (TypeError, ValueError):
        return np.full(n, np.nan)
    return a if a.size == n else np.full(n, np.nan)


class _Frame:
    __slots__ = (
        "file",
        "ds",
        "index",
        "position",
        "orientation",
        "slope",
        "intercept",
        "pixel_spacing",
        "thickness",
        "instance",
    )

    def __init__(self, file: Path, ds: Any, index: int, n_frames: int):
        self.file, self.ds, self.index = file, ds, index
        self.orientation = _floats(
            _fg(ds, index, "PlaneOrientationSequence", "ImageOrientationPatient"), 6
        )
        pos = _floats(_fg(ds, index, "PlanePositionSequence", "ImagePositionPatient"), 3)
        offsets = ds.get("GridFrameOffsetVector")
        if n_frames > 1 and offsets is not None and "PerFrameFunctionalGroupsSequence" not in ds:
            off = _floats(offsets, n_frames)
            pos = pos + off[index] * _normal(self.orientation)
        self.position = pos
        slope = _fg(ds, index, "PixelValueTransformationSequence", "RescaleSlope")
        intercept = _fg(ds, index, "PixelValueTransformationSequence", "RescaleIntercept")
        self.slope = None if slope is None else float(slope)
        self.intercept = None if intercept is None else float(intercept)
        self.pixel_spacing = _floats(_fg(ds, index, "PixelMeasuresSequence", "PixelSpacing"), 2)
        self.thickness = _floats(_fg(ds, index, "PixelMeasuresSequence", "SliceThickness"), 1)[0]
        inst = ds.get("InstanceNumber")
        self.instance = float(inst) if inst not in (None, "") else np.nan


def _normal(orientation: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(orientation)):
        return np.full(3, np.nan)
    n = np.cross(orientation[:3], orientation[3:])
    norm = np.linalg.norm(n)
    return n / norm if norm > 0 else np.full(3, np.nan)


def _pixels(file: Path, ds: Any) -> np.ndarray:
    """All frames of one file as (frames, H, W) or (frames, H, W, samples)."""
    check_complete(file, ds)
    try:
        arr = ds.pixel_array
    except (ValueError, RuntimeError, NotImplementedError, AttributeError) as err:
        msg = str(err)
        if "less than expected" in msg or "truncat" in msg.lower():
            raise DicomError(f"'{file}' is truncated: {msg}") from err
        raise DicomError(
            f"cannot decode the pixel data of '{file}' "
            f"(transfer syntax {ds.file_meta.get('TransferSyntaxUID', '?')}): {msg}. "
            "Compressed files may need a decoder plug-in such as pylibjpeg or gdcm."
        ) from err
    n_frames = int(ds.get("NumberOfFrames", 1) or 1)
    spp = int(ds.get("SamplesPerPixel", 1) or 1)
    if n_frames == 1:
        arr = arr[None]
    if spp == 1 and arr.ndim != 3 or spp > 1 and arr.ndim != 4:
        raise DicomError(f"unexpected pixel array shape {arr.shape} in '{file}'")
    return arr


# --------------------------------------------------------------------------
# read
# --------------------------------------------------------------------------


def read(path: str | os.PathLike, *, series: str | None = None, rescale: bool = True) -> dict:
    """Read a DICOM file, a series folder or a DICOMDIR into a slice-ordered stack.

    Parameters
    ----------
    path : str or path-like
        One DICOM file (single- or multi-frame), a folder holding the files of
        a series (searched recursively; non-DICOM files are skipped), or a
        DICOMDIR (or a folder that holds one).
    series : str, optional
        The SeriesInstanceUID to read when the folder holds several series
        (:func:`list_series` lists them).
    rescale : bool, default True
        Apply the modality LUT: ``slope * stored + intercept`` with
        RescaleSlope/RescaleIntercept (Hounsfield units for CT), per frame.
        The result is float64 when a file carries a rescale; otherwise the
        stored dtype is kept.

    Returns
    -------
    dict
        image : ndarray of shape (slices, H, W), or (slices, C, H, W) for colour
            Frames and files sorted along the slice normal (the cross product
            of the row and column direction cosines) by ImagePositionPatient,
            not by file name; by InstanceNumber when positions are missing.
        spacing : ndarray of shape (3,)
            Voxel size in mm along (slice, row, column), matching the image
            axes: the median distance between neighbouring slice positions
            (SpacingBetweenSlices or SliceThickness for one slice), then
            PixelSpacing. NaN where the header does not say.
        pixel_spacing : ndarray of shape (2,)
            PixelSpacing: distance between rows, between columns (mm).
        slice_thickness : float
            SliceThickness (mm), NaN when absent.
        orientation : ndarray of shape (6,)
            ImageOrientationPatient (row then column direction cosines).
        normal : ndarray of shape (3,)
            Unit slice normal.
        positions : ndarray of shape (slices, 3)
            ImagePositionPatient of each slice, in the returned order.
        slope, intercept : ndarray of shape (slices,)
            The modality LUT applied to each slice (1 and 0 when none).
        uniform_spacing : bool
            False when the slice gaps differ by more than 1 % (missing slices).
        header : dict
            The fields of :data:`HEADER_FIELDS` present in the first slice, as
            str, int, float or lists of them.
        files : list of str
            The source file of each slice, in the returned order.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    DicomError
        Not DICOM, truncated, no pixel data, slices of different sizes, or
        undecodable pixel data.
    ValueError
        Several series and no ``series=``, or an unknown ``series``.

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> ct = read(get_testdata_file("CT_small.dcm"))
    >>> ct["image"].shape, ct["image"].dtype
    ((1, 128, 128), dtype('float64'))
    >>> ct["spacing"].round(4).tolist()
    [5.0, 0.6615, 0.6615]
    """
    if not isinstance(rescale, bool):
        raise TypeError(f"'rescale' must be True or False; got {rescale!r}")
    path = Path(path)
    entries = _scan(path)
    images = [(p, ds) for p, ds in entries if _has_pixels(ds)]
    if not images:
        p, ds = entries[0]
        kind = ds.get("Modality", "") or ds.get("SOPClassUID", "")
        where = (
            f"'{p}' has"
            if len(entries) == 1
            else f"none of the {len(entries)} files in '{path}' has"
        )
        raise DicomError(
            f"{where} no pixel data (a {kind or 'non-image'} object); read() reads images. "
            "Use pydicom.dcmread for other objects."
        )
    groups: dict[str, list[tuple[Path, Any]]] = {}
    for p, ds in images:
        groups.setdefault(_series_key(ds), []).append((p, ds))
    if series is not None:
        if series not in groups:
            raise ValueError(
                f"series {series!r} is not in '{path}'; it holds {sorted(groups)} "
                "(list_series(path) describes them)"
            )
        chosen = groups[series]
    elif len(groups) > 1:
        desc = "; ".join(
            f"{uid or '(no UID)'} ({len(v)} file(s), {v[0][1].get('Modality', '?')})"
            for uid, v in groups.items()
        )
        raise ValueError(
            f"'{path}' holds {len(groups)} series: {desc}. Pass series=<SeriesInstanceUID> "
            "to choose one (list_series(path) lists them)."
        )
    else:
        chosen = next(iter(groups.values()))
    with lenient_values():
        return _read_series(path, chosen, rescale=rescale)


def _read_series(path: Path, chosen: list[tuple[Path, Any]], *, rescale: bool) -> dict:
    frames: list[_Frame] = []
    pixels: list[np.ndarray] = []  # one (H, W[, samples]) view per frame, in file order
    for p, _ in chosen:
        ds = open_dataset(p, parse_all=False)
        arr = _pixels(p, ds)
        n = arr.shape[0]
        if len(chosen) > 1 and n > 1:
            raise DicomError(
                f"'{p}' is a multi-frame file inside a series of {len(chosen)} files; "
                "read the multi-frame file on its own"
            )
        try:
            frames.extend(_Frame(p, ds, i, n) for i in range(n))
        except (EOFError, OSError, ValueError, KeyError, TypeError) as err:
            raise DicomError(f"'{p}' has an unreadable geometry or rescale header: {err}") from err
        pixels.extend(arr)
    shapes = {a.shape for a in pixels}
    if len(shapes) > 1:
        raise DicomError(
            f"the slices in '{path}' differ in size ({sorted(shapes)}); "
            "they are not one series: read them one by one"
        )

    orientation = frames[0].orientation
    normal = _normal(orientation)
    positions = np.stack([f.position for f in frames])
    instance = np.array([f.instance for f in frames])
    if len(frames) > 1 and np.all(np.isfinite(positions)) and np.all(np.isfinite(normal)):
        along = positions @ normal
        tie = np.where(np.isfinite(instance), instance, 0.0)
        frame_index = np.array([f.index for f in frames])
        order = np.lexsort((frame_index, tie, along))
    elif len(frames) > 1 and len(chosen) > 1 and np.all(np.isfinite(instance)):
        along = None
        order = np.argsort(instance, kind="stable")
    else:
        along = None
        order = np.arange(len(frames))
    frames = [frames[i] for i in order]
    pixels = [pixels[i] for i in order]
    positions = positions[order]

    slope = np.array([1.0 if f.slope is None else f.slope for f in frames])
    intercept = np.array([0.0 if f.intercept is None else f.intercept for f in frames])
    has_lut = any(f.slope is not None or f.intercept is not None for f in frames)
    colour = pixels[0].ndim == 3
    apply_lut = rescale and has_lut and not colour
    if not apply_lut:
        slope = np.ones(len(frames))
        intercept = np.zeros(len(frames))
    # one output array, filled slice by slice in sorted order: no concatenate,
    # no fancy-index copy, no float temporaries
    dtype = np.float64 if apply_lut else pixels[0].dtype
    image = np.empty((len(pixels), *pixels[0].shape), dtype=dtype)
    for k, frame in enumerate(pixels):
        if apply_lut:
            np.multiply(frame, slope[k], out=image[k], casting="unsafe")
            image[k] += intercept[k]
        else:
            image[k] = frame
    if colour:
        image = np.ascontiguousarray(image.transpose(0, 3, 1, 2))

    thickness = frames[0].thickness
    uniform = True
    slice_spacing = np.nan
    if along is not None:
        gaps = np.diff(np.sort(along))
        gaps = gaps[np.abs(gaps) > 1e-6]
        if gaps.size:
            slice_spacing = float(np.median(gaps))
            uniform = bool(np.all(np.abs(gaps - slice_spacing) <= 0.01 * abs(slice_spacing)))
    if not np.isfinite(slice_spacing):
        between = frames[0].ds.get("SpacingBetweenSlices")
        slice_spacing = float(between) if between not in (None, "") else float(thickness)
    pixel_spacing = frames[0].pixel_spacing
    return {
        "image": image,
        "spacing": np.array([slice_spacing, *pixel_spacing], dtype=np.float64),
        "pixel_spacing": pixel_spacing,
        "slice_thickness": float(thickness),
        "orientation": orientation,
        "normal": normal,
        "positions": positions,
        "slope": slope,
        "intercept": intercept,
        "uniform_spacing": uniform,
        "header": _header(frames[0].ds),
        "files": [str(f.file) for f in frames],
    }
