"""DICOM for the labs: read into arrays, write series, anonymise to the PS3.15 basic profile.

pydicom parses the files; this package adds slice ordering, the modality LUT,
series and DICOMDIR handling, and a de-identifier that follows the DICOM
basic application level confidentiality profile (PS3.15 Annex E), whose
attribute table lives in :mod:`pybridge.dicom._profile`.

What :func:`anonymize` handles, and how that is checked
-------------------------------------------------------

* Every row of the basic profile column of PS3.15 Table E.1-1 (456 tags, in
  :mod:`pybridge.dicom._profile`): X removed, Z emptied, D given a dummy
  value of the right VR, U given a new UID; compound codes (X/Z, X/D, Z/D,
  X/Z/D, X/Z/U*) resolve to the action that keeps every IOD valid. Plus the
  table's patterns: curve data (50xx,xxxx), overlay data and comments
  (60xx,3000/4000), private attributes. All of it at every depth of every
  sequence, and MediaStorageSOPInstanceUID in the file meta.
* Beyond the table: UIDs that are not registered DICOM UIDs (class, syntax
  and coding-scheme UIDs excepted) get new ones; other dates are emptied
  (or shifted with ``date_shift``) and other person names emptied; the file
  meta's source/sending/receiving AE titles are removed.
* Options: ``date_shift`` (retain longitudinal temporal information with
  modified dates), ``keep``, ``keep_private``, ``patient_id``.
* Not handled: text burned into pixels (flagged in the report when
  BurnedInAnnotation is not NO), the clean-descriptors/structured-content/
  graphics options, a safe-private list, DICOMDIR index files (skipped).

Checks (tests/test_dicom_profile.py, tests/test_dicom_anonymize.py): every
table row's keyword equals pydicom's dictionary entry for its tag; 35 rows
read off the standard by hand; on nine files bundled with pydicom and on a
synthetic series with identifiers two sequences deep, no identifying value of
the input is left anywhere in the output, each element is in the state its
action asks for, every value passes pydicom's VR validation, pixel data is
byte-identical, and UIDs agree across files, references and runs.

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
