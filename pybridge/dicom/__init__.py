"""DICOM for the labs: read into arrays, write series, anonymise to the PS3.15 basic profile.

pydicom parses the files; this package adds slice ordering, the modality LUT,
series and DICOMDIR handling, and a de-identifier that follows the DICOM
basic application level confidentiality profile (PS3.15 Annex E), whose
attribute table lives in :mod:`pybridge.dicom._profile`.

What :func:`anonymize` handles, and how that is checked
-------------------------------------------------------

* Every row of the basic profile column of PS3.15 Table E.1-1, 2025b
  edition (643 tags, in :mod:`pybridge.dicom._profile`): X removed (a
  sequence with all its items), Z emptied, D given a dummy value of the
  right VR (a sequence: every value in its items replaced, at every depth),
  U given a new UID; compound codes (X/Z, X/D, Z/D, X/Z/D, X/Z/U*) resolve
  to the action that keeps every IOD valid. Plus the table's patterns:
  curve data (50xx,xxxx), overlay data and comments (60xx,3000/4000),
  private attributes. All of it at every depth of every sequence, and
  MediaStorageSOPInstanceUID in the file meta.
* Beyond the table: UIDs that are not registered DICOM UIDs (class, syntax
  and coding-scheme UIDs excepted) get new ones; other dates are emptied
  (or shifted with ``date_shift``) and other person names emptied; the file
  meta's source/sending/receiving AE titles are removed.
* The standard's options: Retain Longitudinal Temporal Information with
  Modified Dates (``date_shift``) or Full Dates, Retain UIDs, Retain Patient
  Characteristics, Retain Institution Identity (``options=[...]``). Refused
  with a ValueError: Clean Pixel Data, Clean Recognizable Visual Features,
  Clean Graphics, Clean Structured Content, Clean Descriptors, Retain Device
  Identity, Retain Safe Private. pybridge's own ``keep``, ``keep_private``
  and ``patient_id`` go beyond the profile (the report says so).
* New UIDs and the patient pseudonym are HMAC-SHA256 of the original under
  ``salt``: the same key links calls, another key does not.
* Files: outputs keep the permission bits of their inputs; writes go through
  a hidden temporary file named after the writing process, and a later call
  removes those of killed processes; an unwritable output folder or an
  existing output is refused before anything is written.
* Not handled: text burned into pixels (flagged in the report when
  BurnedInAnnotation is not NO), DICOMDIR index files (skipped).

Checks (tests/dicom): every table row's keyword equals pydicom's dictionary
entry for its tag; rows read off the standard by hand; every row of the
table filled with a VR-valid marker at three depths, in sequence items and
in a Structured Report content tree, with no marker left in the output
bytes (except the unlisted attributes of reference sequences, which the
profile keeps); on files bundled with pydicom no identifying value of the
input is left, each element is in the state its action asks for, every
value passes pydicom's VR validation, pixel data is byte-identical, and UIDs
agree across files, references and runs; SIGKILL mid-batch, read-only
output folders and hostile file names (tests marked slow).

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
