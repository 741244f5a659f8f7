"""MATLAB-facing DICOM functions: ``pybridge.dicomRead`` and ``pybridge.dicomAnonymize``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import convert

__all__ = ["dicom_read", "dicom_anonymize"]


def _text(x: Any, name: str, *, allow_none: bool = True) -> str | None:
    """A MATLAB char (str) argument; '' and [] mean 'not given'."""
    if x is None:
        return None
    if isinstance(x, str):
        return x if x or not allow_none else None
    if isinstance(x, np.ndarray) and x.size == 0:
        return None
    raise TypeError(f"'{name}' must be text (char); got {type(x).__name__}")


def _texts(x: Any, name: str) -> list[str]:
    """A char or a cell of char (tuple from MATLAB's py.) -> list of str."""
    if x is None or isinstance(x, np.ndarray) and x.size == 0:
        return []
    if isinstance(x, str):
        return [x] if x else []
    items = convert.cell_to_list(x) if isinstance(x, (tuple, list, np.ndarray)) else None
    if items is None or not all(isinstance(v, str) for v in items):
        raise TypeError(f"'{name}' must be a char or a cell array of char; got {x!r}")
    return items


def _doubles(x: Any) -> Any:
    """Python ints (counts, Rows, SeriesNumber) as floats: MATLAB users get double, not int64."""
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return float(x)
    if isinstance(x, dict):
        return {k: _doubles(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_doubles(v) for v in x]
    return x


def dicom_read(path: str, *, series: Any = None, rescale: bool = True) -> dict:
    """Read a DICOM file, series folder or DICOMDIR for MATLAB.

    Parameters
    ----------
    path : str
        File, folder or DICOMDIR (see :func:`pybridge.dicom.read`).
    series : str, optional
        SeriesInstanceUID when the folder holds several series ('' = not given).
    rescale : bool, default True
        Apply RescaleSlope/RescaleIntercept (Hounsfield units for CT).

    Returns
    -------
    dict (a struct in MATLAB)
        image : H x W x slices (colour: H x W x 3 x slices), slices sorted
            along the slice normal.
        spacing : 1 x 3, mm along the dimensions of ``image``: [row spacing,
            column spacing, slice spacing].
        pixelSpacing : 1 x 2; sliceThickness : scalar; orientation : 1 x 6;
        normal : 1 x 3; positions : slices x 3 (ImagePositionPatient per
        slice); slope, intercept : slices x 1; uniformSpacing : logical;
        header : struct of the main header fields; files : cell of char.

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> r = dicom_read(get_testdata_file("CT_small.dcm"))
    >>> r["image"].shape, r["spacing"].round(3).tolist()
    ((128, 128), [[0.661, 0.661, 5.0]])
    """
    from .. import dicom

    path = _text(path, "path", allow_none=False)
    r = dicom.read(path, series=_text(series, "series"), rescale=bool(rescale))
    image = r["image"]
    if image.ndim == 4:  # slices x C x H x W -> H x W x C x slices
        image = convert.numpy_to_matlab(image, "HWCN")
    else:  # slices x H x W -> H x W x slices
        image = convert.batch_to_matlab(image)
    # the slice axis moves from first (Python) to last (MATLAB): so does its spacing
    spacing = np.concatenate([r["spacing"][1:], r["spacing"][:1]])
    return {
        "image": image,
        "spacing": convert.to_matlab(spacing),
        "pixelSpacing": convert.to_matlab(r["pixel_spacing"]),
        "sliceThickness": float(r["slice_thickness"]),
        "orientation": convert.to_matlab(r["orientation"]),
        "normal": convert.to_matlab(r["normal"]),
        "positions": convert.to_matlab(r["positions"]),
        "slope": convert.to_matlab(r["slope"].reshape(-1, 1)),
        "intercept": convert.to_matlab(r["intercept"].reshape(-1, 1)),
        "uniformSpacing": bool(r["uniform_spacing"]),
        "header": _doubles(r["header"]),
        "files": list(r["files"]),
    }


def dicom_anonymize(
    src: str,
    dst: Any = None,
    *,
    keep: Any = None,
    keep_private: bool = False,
    date_shift: Any = None,
    options: Any = None,
    salt: Any = None,
    patient_id: Any = None,
    overwrite: bool = False,
    errors: str = "raise",
) -> dict:
    """Anonymise DICOM files for MATLAB (see :func:`pybridge.dicom.anonymize`).

    Parameters
    ----------
    src : str
        File or folder.
    dst : str, optional
        Output file or folder; '' or [] with ``overwrite=True`` anonymises in place.
    keep : char or cell of char, optional
        Keywords to keep untouched.
    keep_private, overwrite : logical
    date_shift : double, optional
        Whole days to shift dates by ([] = remove dates as the profile says).
    options : char or cell of char, optional
        Names of the standard's options (``'retain_uids'``, ...; see
        :func:`pybridge.dicom.anonymize`).
    salt, patient_id : char, optional
        ``salt`` is the HMAC-SHA256 key that links UIDs and pseudonyms
        across calls.
    errors : {'raise', 'skip'}

    Returns
    -------
    dict (a struct in MATLAB)
        The report of :func:`pybridge.dicom.anonymize`: ``files`` is a cell of
        structs, one per file.

    Examples
    --------
    >>> import tempfile, os
    >>> from pydicom.data import get_testdata_file
    >>> out = os.path.join(tempfile.mkdtemp(), "mr.dcm")
    >>> dicom_anonymize(get_testdata_file("MR_small.dcm"), out, salt="s")["n_files"]
    1.0
    """
    from .. import dicom

    shift = None
    if date_shift is not None and not (isinstance(date_shift, np.ndarray) and date_shift.size == 0):
        value = np.asarray(convert.from_matlab(date_shift)).reshape(-1)
        if (
            value.size != 1
            or not np.isfinite(value[0])
            or float(value[0]) != round(float(value[0]))
        ):
            raise ValueError(f"'date_shift' must be a whole number of days; got {date_shift!r}")
        shift = int(round(float(value[0])))
    report = dicom.anonymize(
        _text(src, "src", allow_none=False),
        _text(dst, "dst"),
        keep=_texts(keep, "keep"),
        keep_private=bool(keep_private),
        date_shift=shift,
        options=_texts(options, "options"),
        salt=_text(salt, "salt"),
        patient_id=_text(patient_id, "patient_id"),
        overwrite=bool(overwrite),
        errors=str(errors),
    )
    return _doubles(report)
