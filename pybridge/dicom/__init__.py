"""DICOM for the labs: read into arrays, write series, anonymise to the PS3.15 basic profile.

pydicom parses the files; this package adds slice ordering, the modality LUT,
series and DICOMDIR handling, and a de-identifier that follows the DICOM
basic application level confidentiality profile (PS3.15 Annex E), whose
attribute table lives in :mod:`pybridge.dicom._profile`.

>>> from pydicom.data import get_testdata_file
>>> from pybridge import dicom
>>> dicom.read(get_testdata_file("MR_small.dcm"))["image"].shape
(1, 64, 64)
"""

from __future__ import annotations

from ._anonymize import anonymize
from ._io import DicomError
from ._read import HEADER_FIELDS, list_series, read
from ._write import write

__all__ = ["read", "list_series", "write", "anonymize", "DicomError", "HEADER_FIELDS"]
