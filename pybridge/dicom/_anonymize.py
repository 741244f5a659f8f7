"""De-identify DICOM files with the PS3.15 Annex E basic application level confidentiality profile."""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._io import (
    DicomError,
    atomic_write,
    check_complete,
    clean_stale_temp,
    lenient_values,
    open_dataset,
    temp_name,
)
from ._profile import EDITION, INSTITUTION_IDENTITY, PATIENT_CHARACTERISTICS, action_for, resolve

__all__ = ["anonymize", "REPORT_NAME", "OPTIONS"]

#: File name of the JSON report written next to the output when a folder is processed.
REPORT_NAME = "anonymization_report.json"

_PROFILE_NAME = "DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile"
_METHOD = "PS3.15 E Basic Profile (pybridge)"
_DUMMY_TEXT = "ANONYMOUS"
_DUMMY = {
    "AE": _DUMMY_TEXT,
    "AS": "000Y",
    "CS": _DUMMY_TEXT,
    "DA": "19000101",
    "DS": "0",
    "DT": "19000101000000",
    "IS": "0",
    "LO": _DUMMY_TEXT,
    "LT": _DUMMY_TEXT,
    "PN": _DUMMY_TEXT,
    "SH": _DUMMY_TEXT,
    "ST": _DUMMY_TEXT,
    "TM": "000000",
    "UC": _DUMMY_TEXT,
    "UR": _DUMMY_TEXT,
    "UT": _DUMMY_TEXT,
    "FL": 0.0,
    "FD": 0.0,
    "SL": 0,
    "SS": 0,
    "SV": 0,
    "UL": 0,
    "US": 0,
    "UV": 0,
}
# Dates the "retain longitudinal temporal information, modified dates" option
# shifts: every date/time of the table except the patient's birth.
_NEVER_SHIFT = {0x00100030, 0x00100032}
# UID attributes that name a class, a syntax or a coding scheme, never an
# instance: kept even when the UID is a private one pydicom does not know.
_CLASS_UID_KEYWORDS = (
    "SOPClassUID",
    "ReferencedSOPClassUID",
    "ReferencedSOPClassUIDInFile",
    "ReferencedTransferSyntaxUIDInFile",
    "RelatedGeneralSOPClassUID",
    "OriginalSpecializedSOPClassUID",
    "SOPClassesInStudy",
    "AffectedSOPClassUID",
    "RequestedSOPClassUID",
    "CodingSchemeUID",
    "TransferSyntaxUID",
    "MediaStorageSOPClassUID",
)
# File meta attributes naming the sending station; not in the table (which
# covers data sets), removed because they identify the site just as well.
_META_REMOVE = (0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102)


def _name(tag: int) -> str:
    from pydicom.datadict import keyword_for_tag
    from pydicom.tag import Tag

    return keyword_for_tag(tag) or str(Tag(tag))


def _parse_keep(keep: Iterable[str | int]) -> set[int]:
    from pydicom.datadict import keyword_dict, tag_for_keyword

    if isinstance(keep, (str, int)):
        keep = [keep]
    tags = set()
    for item in keep:
        if isinstance(item, int) and not isinstance(item, bool):
            tags.add(int(item))
            continue
        if not isinstance(item, str):
            raise TypeError(f"'keep' entries must be keywords or tags (int); got {item!r}")
        text = item.strip()
        hexa = text.strip("()").replace(",", "").replace(" ", "")
        if len(hexa) == 8 and all(c in "0123456789abcdefABCDEF" for c in hexa):
            tags.add(int(hexa, 16))
            continue
        tag = tag_for_keyword(text)
        if tag is None:
            close = difflib.get_close_matches(text, list(keyword_dict), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"'keep' names {item!r}, which is not a DICOM keyword{hint}; "
                "use keywords such as 'PatientSex' or tags such as 0x00101010 or '(0010,1010)'"
            )
        tags.add(tag)
    return tags


def _parse_shift(date_shift: Any) -> _dt.timedelta | None:
    if date_shift is None:
        return None
    if isinstance(date_shift, bool):
        raise TypeError(f"'date_shift' must be whole days (int) or a timedelta; got {date_shift!r}")
    if isinstance(date_shift, _dt.timedelta):
        shift = date_shift
    elif isinstance(date_shift, (int, float)) and float(date_shift).is_integer():
        shift = _dt.timedelta(days=int(date_shift))
    else:
        raise TypeError(
            f"'date_shift' must be whole days (int) or a timedelta of whole days; got {date_shift!r}"
        )
    if shift % _dt.timedelta(days=1):
        raise ValueError(
            f"'date_shift' must be a whole number of days (times are kept); got {shift}"
        )
    return shift


# The standard's options (PS3.15 Table E.1-1 columns, codes of CID 7050):
# name -> (title, code, implemented)
OPTIONS = {
    "retain_uids": ("Retain UIDs Option", "113110", True),
    "retain_full_dates": (
        "Retain Longitudinal Temporal Information Full Dates Option", "113106", True),
    "retain_patient_characteristics": ("Retain Patient Characteristics Option", "113108", True),
    "retain_institution_identity": ("Retain Institution Identity Option", "113112", True),
    "clean_pixel_data": ("Clean Pixel Data Option", "113101", False),
    "clean_recognizable_visual_features": (
        "Clean Recognizable Visual Features Option", "113102", False),
    "clean_graphics": ("Clean Graphics Option", "113103", False),
    "clean_structured_content": ("Clean Structured Content Option", "113104", False),
    "clean_descriptors": ("Clean Descriptors Option", "113105", False),
    "retain_device_identity": ("Retain Device Identity Option", "113109", False),
    "retain_safe_private": ("Retain Safe Private Option", "113111", False),
}  # fmt: skip
_MODIFIED_DATES = ("113107", "Retain Longitudinal Temporal Information Modified Dates Option")


def _parse_options(options: Iterable[str], shift: _dt.timedelta | None) -> list[str]:
    if isinstance(options, str):
        options = [options]
    chosen = []
    for item in options:
        if not isinstance(item, str):
            raise TypeError(f"'options' entries must be option names (str); got {item!r}")
        name = item.strip().lower()
        if name in ("retain_modified_dates", "retain_longitudinal_modified_dates"):
            raise ValueError(
                "the Retain Longitudinal Temporal Information Modified Dates Option is "
                "date_shift=<days>; pass that instead of naming the option"
            )
        if name not in OPTIONS:
            close = difflib.get_close_matches(name, list(OPTIONS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"'options' names {item!r}, which is not an option of the profile{hint}; "
                f"implemented: {[k for k, v in OPTIONS.items() if v[2]]}"
            )
        title, code, implemented = OPTIONS[name]
        if not implemented:
            raise ValueError(
                f"option {name!r} (the {title}, DCM {code}) is not implemented by pybridge: "
                "nothing was written. Leave it out to apply the basic profile, which removes "
                "or replaces what the option would clean or retain; implemented options are "
                f"{[k for k, v in OPTIONS.items() if v[2]]}"
            )
        if name not in chosen:
            chosen.append(name)
    if "retain_full_dates" in chosen and shift is not None:
        raise ValueError(
            "options 'retain_full_dates' and date_shift exclude each other: keep the dates "
            "as they are, or shift them, not both"
        )
    return chosen


@functools.lru_cache(maxsize=1)
def _class_uid_tags() -> frozenset[int]:
    from pydicom.datadict import tag_for_keyword

    return frozenset(t for t in map(tag_for_keyword, _CLASS_UID_KEYWORDS) if t is not None)


_DATE_VRS = ("DA", "DT", "TM")
_TOP_PSEUDONYM = ("PatientID", "PatientName")


class _Anonymizer:
    """The profile applied to data sets; one instance per call so UIDs map consistently."""

    def __init__(
        self,
        *,
        keep: set[int],
        keep_private: bool,
        shift: _dt.timedelta | None,
        salt: bytes,
        patient_id: str | None,
        options: list[str] = (),
    ):
        self.keep = keep
        self.keep_private = keep_private
        self.shift = shift
        self.salt = salt
        self.patient_id = patient_id
        self.options = list(options)
        self.retain_uids = "retain_uids" in options
        self.retain_dates = "retain_full_dates" in options
        self.retained_tags: set[int] = set()
        if "retain_patient_characteristics" in options:
            self.retained_tags |= PATIENT_CHARACTERISTICS
        if "retain_institution_identity" in options:
            self.retained_tags |= INSTITUTION_IDENTITY
        if self.retain_dates:
            self.retained_tags.add(0x00080201)  # Timezone Offset From UTC (an SH)
        self.uid_map: dict[str, str] = {}

    # -- values --------------------------------------------------------------

    def _hmac(self, purpose: bytes, value: str) -> bytes:
        # HMAC-SHA256 keyed with the salt: without the key nobody can test a
        # guess of an original UID or ID against the output.
        return hmac.new(self.salt, purpose + b"\x00" + value.encode(), hashlib.sha256).digest()

    def uid(self, old: str) -> str:
        old = str(old).strip().rstrip("\x00")
        if not old or self.retain_uids:
            return old
        new = self.uid_map.get(old)
        if new is None:
            new = "2.25." + str(int.from_bytes(self._hmac(b"uid", old)[:16], "big"))
            self.uid_map[old] = new
        return new

    def pseudonym(self, value: str) -> str:
        return "ANON" + self._hmac(b"patient", value).hex()[:12].upper()

    def shifted(self, vr: str, value: str) -> str | None:
        """The date shifted by self.shift, or None when the value is not a valid date."""
        text = str(value).strip()
        if vr == "TM":
            return text  # whole-day shifts leave times alone
        try:
            if vr == "DA":
                if len(text) != 8:
                    return None
                d = _dt.datetime.strptime(text, "%Y%m%d").date() + self.shift
                return d.strftime("%Y%m%d")
            if vr == "DT":
                if len(text) < 8:
                    return None
                d = _dt.datetime.strptime(text[:8], "%Y%m%d").date() + self.shift
                return d.strftime("%Y%m%d") + text[8:]
        except ValueError:
            return None
        return None

    # -- the walk ------------------------------------------------------------

    def _retained(self, tag: int, vr: str) -> bool:
        """Kept by one of the standard's retain options."""
        if tag in self.retained_tags:
            return True
        if self.retain_uids and vr == "UI":
            return True
        return self.retain_dates and vr in _DATE_VRS and tag not in _NEVER_SHIFT

    def apply(self, ds: Any, log: dict, where: str = "", *, dummy: bool = False) -> None:
        """Apply the profile to one data set; ``dummy`` inside a sequence whose action is D."""
        for elem in list(ds):
            tag = int(elem.tag)
            label = f"{where}{_name(tag)}"
            if tag in self.keep:
                log["kept"].append(label)
                continue
            if elem.tag.is_private:
                if self.keep_private:
                    log["kept"].append(label)
                else:
                    del ds[elem.tag]
                    log["private_removed"] += 1
                continue
            if self._retained(tag, elem.VR):
                log["retained"].append(label)
                if elem.VR == "SQ":  # K: "cleaned for sequences"
                    self._recurse(elem, log, label, dummy=dummy)
                continue
            if not where and label in _TOP_PSEUDONYM and self._pseudonymise(elem, log, label):
                continue
            action = action_for(tag)
            if action is not None:
                self._listed(ds, elem, resolve(action), log, label, dummy=dummy)
            elif dummy:
                self._dummy(ds, elem, log, label)
            else:
                self._unlisted(ds, elem, log, label)

    def _recurse(self, elem: Any, log: dict, label: str, *, dummy: bool) -> None:
        for i, item in enumerate(elem.value):
            self.apply(item, log, f"{label}[{i}].", dummy=dummy)

    def _set_uids(self, elem: Any) -> None:
        if elem.VM > 1:
            elem.value = [self.uid(v) for v in elem.value]
        else:
            elem.value = self.uid(elem.value)

    def _listed(
        self, ds: Any, elem: Any, act: str, log: dict, label: str, *, dummy: bool
    ) -> None:
        vr = elem.VR
        if self.shift is not None and vr in _DATE_VRS and int(elem.tag) not in _NEVER_SHIFT:
            self._shift_element(ds, elem, log, label)
            return
        if act == "X":
            del ds[elem.tag]
            log["removed"].append(label)
        elif act == "Z":
            elem.value = [] if vr == "SQ" else ""
            log["emptied"].append(label)
        elif act == "D":
            if vr == "SQ":  # a sequence of dummy items: nothing of the original survives
                self._recurse(elem, log, label, dummy=True)
            else:
                self._dummy(ds, elem, log, label, listed=True)
        elif act == "U":
            self._set_uids(elem)
            log["uids_replaced"].append(label)
        elif act == "U*":  # a sequence of references: the UIDs inside are replaced
            self._recurse(elem, log, label, dummy=dummy)

    def _dummy(self, ds: Any, elem: Any, log: dict, label: str, *, listed: bool = False) -> None:
        """Replace a value with a dummy of its VR (D), keeping class UIDs and tags."""
        from pydicom.uid import UID_dictionary

        vr = elem.VR
        if vr == "SQ":
            self._recurse(elem, log, label, dummy=True)
            return
        if vr == "AT" or (elem.value in (None, "", b"") and not listed):
            return  # a tag names an attribute, not a person; empty stays empty
        if vr == "UI":
            values = list(elem.value) if elem.VM > 1 else [elem.value]
            if int(elem.tag) in _class_uid_tags() or all(str(v) in UID_dictionary for v in values):
                return
            self._set_uids(elem)
            log["uids_replaced"].append(label)
            return
        if self.shift is not None and vr in _DATE_VRS:
            self._shift_element(ds, elem, log, label)
            return
        if vr in _DUMMY:
            elem.value = _DUMMY[vr]
        else:  # binary VRs: zero bytes (8: a whole number of values for every binary VR)
            elem.value = b"\x00" * 8
        log["dummy"].append(label)

    def _pseudonymise(self, elem: Any, log: dict, label: str) -> bool:
        original = str(elem.value or "")
        if not (original or self.patient_id):
            return False  # empty: the table's action leaves it empty
        log["_patient"] = (
            log.get("_patient")
            or self.patient_id
            or self.pseudonym(str(log.get("_patient_key") or original))
        )
        elem.value = log["_patient"]
        log["dummy"].append(label)
        return True

    def _shift_element(self, ds: Any, elem: Any, log: dict, label: str) -> None:
        if elem.value in (None, ""):
            return
        values = list(elem.value) if elem.VM > 1 else [elem.value]
        new = [self.shifted(elem.VR, v) for v in values]
        if any(v is None for v in new):
            elem.value = ""  # not a valid date: never write an invalid value
            log["emptied"].append(label)
            return
        elem.value = new if len(new) > 1 else new[0]
        log["dates_shifted"].append(label)

    def _unlisted(self, ds: Any, elem: Any, log: dict, label: str) -> None:
        """Attributes the table does not list: keep, but never leak a UID, name or date."""
        from pydicom.uid import UID_dictionary

        vr = elem.VR
        if vr == "SQ":
            self._recurse(elem, log, label, dummy=False)
        elif vr == "UI" and elem.value and int(elem.tag) not in _class_uid_tags():
            values = list(elem.value) if elem.VM > 1 else [elem.value]
            new = [v if str(v) in UID_dictionary else self.uid(v) for v in values]
            if new != values:  # registered UIDs (classes, syntaxes) stay as they are
                elem.value = new if elem.VM > 1 else new[0]
                log["uids_replaced"].append(label)
        elif vr in ("DA", "DT") and elem.value not in (None, ""):
            if self.shift is not None:
                self._shift_element(ds, elem, log, label)
            else:
                elem.value = ""
                log["emptied"].append(label)
        elif vr == "PN" and elem.value not in (None, ""):
            elem.value = ""
            log["emptied"].append(label)

    def _file_meta(self, ds: Any, log: dict) -> None:
        from pydicom.dataset import FileMetaDataset
        from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

        meta = getattr(ds, "file_meta", None)
        if meta is None:
            meta = ds.file_meta = FileMetaDataset()
        before = str(meta.get("MediaStorageSOPInstanceUID", "") or "")
        if "SOPInstanceUID" in ds:
            # the data set's UID is settled (replaced, or kept on request): follow it
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        elif before:
            meta.MediaStorageSOPInstanceUID = self.uid(before)
        if before and str(meta.MediaStorageSOPInstanceUID) != before:
            log["uids_replaced"].append("file_meta.MediaStorageSOPInstanceUID")
        if not meta.get("MediaStorageSOPClassUID") and "SOPClassUID" in ds:
            meta.MediaStorageSOPClassUID = ds.SOPClassUID
        if not meta.get("TransferSyntaxUID"):
            implicit, little = getattr(ds, "original_encoding", (True, True))
            meta.TransferSyntaxUID = (
                ImplicitVRLittleEndian
                if implicit
                else ExplicitVRLittleEndian
                if little
                else ExplicitVRBigEndian
            )
        for tag in _META_REMOVE:
            if tag in meta:
                del meta[tag]
                log["removed"].append(f"file_meta.{_name(tag)}")

    # -- one data set ----------------------------------------------------------

    def anonymize_dataset(self, ds: Any) -> dict:
        from pydicom.dataset import Dataset
        from pydicom.sequence import Sequence

        log: dict[str, Any] = {
            "removed": [],
            "emptied": [],
            "dummy": [],
            "uids_replaced": [],
            "dates_shifted": [],
            "kept": [],
            "retained": [],
            "private_removed": 0,
        }
        if "PatientID" in ds and ds.PatientID:
            log["_patient_key"] = str(ds.PatientID)
        burned = ds.get("BurnedInAnnotation")
        self.apply(ds, log)
        self._file_meta(ds, log)
        ds.PatientIdentityRemoved = "YES"
        codes = [("113100", "Basic Application Confidentiality Profile")]
        if self.shift is not None:
            codes.append(_MODIFIED_DATES)
        codes += [(OPTIONS[name][1], OPTIONS[name][0]) for name in self.options]
        methods = [_METHOD] + [meaning.replace(" Option", "") for _, meaning in codes[1:]]
        ds.DeidentificationMethod = methods[0] if len(methods) == 1 else methods
        items = []
        for value, meaning in codes:
            item = Dataset()
            item.CodeValue = value
            item.CodingSchemeDesignator = "DCM"
            item.CodeMeaning = meaning
            items.append(item)
        ds.DeidentificationMethodCodeSequence = Sequence(items)
        ds.LongitudinalTemporalInformationModified = (
            "UNMODIFIED" if self.retain_dates else "REMOVED" if self.shift is None else "MODIFIED"
        )
        has_pixels = "PixelData" in ds or "FloatPixelData" in ds or "DoubleFloatPixelData" in ds
        burned_text = None if burned is None else str(burned).strip().upper()
        flagged = has_pixels and burned_text != "NO"
        log.pop("_patient", None)
        log.pop("_patient_key", None)
        log["burned_in_annotation"] = burned_text
        log["flagged"] = bool(flagged)
        if flagged:
            log["flag_reason"] = (
                "BurnedInAnnotation is absent"
                if burned_text is None
                else f"BurnedInAnnotation is {burned_text!r}"
            ) + ": text burned into the pixels is out of reach of a header tool; check the image"
        return log


# --------------------------------------------------------------------------
# anonymize
# --------------------------------------------------------------------------


def anonymize(
    src: str | os.PathLike,
    dst: str | os.PathLike | None = None,
    *,
    keep: Iterable[str | int] = (),
    keep_private: bool = False,
    date_shift: int | _dt.timedelta | None = None,
    options: Iterable[str] = (),
    salt: str | bytes | None = None,
    patient_id: str | None = None,
    overwrite: bool = False,
    errors: str = "raise",
) -> dict:
    """De-identify DICOM files with the PS3.15 Annex E basic confidentiality profile.

    Every attribute of the profile's table (PS3.15 Table E.1-1, 2025b
    edition: :mod:`pybridge.dicom._profile`) is removed (X; a sequence with
    all its items), emptied (Z), given a dummy value (D; for a sequence,
    every value in its items at every depth), or a new UID (U) as the table
    says, at every depth of every sequence; private attributes, curve data
    and overlays are removed. Attributes the table does not list are kept,
    except that UIDs that are not registered DICOM UIDs are replaced, and
    other dates and person names are emptied (or shifted). The file meta's
    MediaStorageSOPInstanceUID gets the same new UID as SOPInstanceUID.
    PatientIdentityRemoved, DeidentificationMethod (and its code sequence,
    one code per option) and LongitudinalTemporalInformationModified are
    set. Pixel data is never touched: text burned into the pixels is flagged
    in the report (every image whose BurnedInAnnotation is not ``NO``), not
    removed. Output files keep the permission bits of their input.

    The standard's options (columns of Table E.1-1):

    ===================================== =========================================
    option                                here
    ===================================== =========================================
    Retain Longitudinal ... Modified Dates ``date_shift=<days>``
    Retain Longitudinal ... Full Dates     ``options=['retain_full_dates']``
    Retain UIDs                            ``options=['retain_uids']``
    Retain Patient Characteristics         ``options=['retain_patient_characteristics']``
                                           (its K rows; its C rows stay removed)
    Retain Institution Identity            ``options=['retain_institution_identity']``
    Clean Pixel Data, Clean Recognizable   refused with ValueError: not implemented
    Visual Features, Clean Graphics,
    Clean Structured Content, Clean
    Descriptors, Retain Device Identity,
    Retain Safe Private
    ===================================== =========================================

    Parameters
    ----------
    src : str or path-like
        A DICOM file or a folder (searched recursively).
    dst : str or path-like, optional
        Output file, or output folder for a folder (the structure under
        ``src`` is repeated there). For a file, an existing folder means
        "write into it under the same name". Leave it out only with
        ``overwrite=True`` to anonymise in place.
    keep : iterable of str or int, optional
        Keywords or tags (``'PatientSex'``, ``0x00101010``, ``'(0010,1010)'``)
        to leave untouched. Keeping identifying attributes breaks conformance
        with the profile: the report lists what was kept.
    keep_private : bool, default False
        Keep private attributes (by default they are removed). This is not
        the standard's Retain Safe Private Option: it keeps every private
        attribute and breaks conformance with the profile.
    date_shift : int or datetime.timedelta, optional
        Shift the dates of the table (and other dates) by this many whole days
        instead of removing them: the Retain Longitudinal Temporal
        Information Modified Dates Option. Times are kept. The patient's
        birth date is emptied regardless.
    options : iterable of str, optional
        Names of the standard's options (table above); an option pybridge
        does not implement raises ValueError before anything is read.
    salt : str or bytes, optional
        Secret key of the HMAC-SHA256 that derives the new UIDs and the
        patient pseudonym: the same input UID gives the same output UID
        within a call always, and across calls with the same salt (so later
        series of a study still link); another salt gives unrelated values.
        Without it a random key is drawn per call (no linkage). Keep it
        secret: anyone with the salt can test a guess of an original UID.
    patient_id : str, optional
        Value for PatientID and PatientName. By default a pseudonym derived
        from the original PatientID and the salt (``'ANON'`` + 12 hex digits).
    overwrite : bool, default False
        Allow replacing existing outputs, or the input itself.
    errors : {'raise', 'skip'}, default 'raise'
        For a folder: with 'raise' every file is checked (not DICOM,
        truncated) before anything is written, and the first bad one raises
        with nothing written; with 'skip' bad files are left out and listed in
        the report.

    Returns
    -------
    dict
        profile, edition, options, n_files, files (one dict per file:
        source, output, removed, emptied, dummy, uids_replaced,
        dates_shifted, kept, retained, private_removed,
        burned_in_annotation, flagged[, flag_reason]), flagged (sources
        whose burned-in text must be checked), skipped (source, reason),
        report_path (the JSON file, folders only). Entries inside sequences
        read ``SequenceKeyword[i].Keyword``. The JSON file holds the same
        report with paths relative to ``src`` and ``dst`` (an absolute path
        may name the patient). Folder and file names are copied as they
        are: rename them first if they identify someone.

    Raises
    ------
    DicomError
        A file is not DICOM or is truncated (nothing is written).
    FileExistsError
        An output exists and ``overwrite`` is False, or ``dst`` (or a folder
        on its path) is a file where a folder is needed (nothing is written).
    PermissionError
        The output folder is not writable (checked before anything is
        written).
    ValueError
        ``dst`` missing without ``overwrite=True``, ``dst`` inside ``src``,
        unknown keywords in ``keep``, an unknown or unimplemented option, a
        bad ``errors``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from pydicom.data import get_testdata_file
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "ct.dcm"
    >>> rep = anonymize(get_testdata_file("CT_small.dcm"), out, salt="lab-secret")
    >>> import pydicom
    >>> ds = pydicom.dcmread(out)
    >>> ds.PatientIdentityRemoved, ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    ('YES', True)
    >>> rep["files"][0]["flagged"]   # CT_small.dcm does not say BurnedInAnnotation NO
    True
    """
    if errors not in ("raise", "skip"):
        close = difflib.get_close_matches(str(errors), ["raise", "skip"], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"'errors' must be one of {{'raise', 'skip'}}; got {errors!r}{hint}")
    if not isinstance(keep_private, bool) or not isinstance(overwrite, bool):
        raise TypeError("'keep_private' and 'overwrite' must be True or False")
    if patient_id is not None and (not isinstance(patient_id, str) or len(patient_id) > 64):
        raise ValueError(f"'patient_id' must be a str of at most 64 characters; got {patient_id!r}")
    keep_tags = _parse_keep(keep)
    shift = _parse_shift(date_shift)
    chosen = _parse_options(options, shift)
    if salt is None:
        salt_bytes = secrets.token_bytes(32)
    elif isinstance(salt, str) and salt:
        salt_bytes = salt.encode()
    elif isinstance(salt, bytes) and salt:
        salt_bytes = salt
    elif isinstance(salt, (str, bytes)):
        raise ValueError("'salt' must not be empty; leave it out for a random one")
    else:
        raise TypeError(f"'salt' must be str or bytes; got {type(salt).__name__}")

    src = Path(src)
    if not src.exists():
        raise FileNotFoundError(f"no such DICOM file or folder: '{src}'")
    if dst is None:
        if not overwrite:
            raise ValueError(
                "pass dst (an output file or folder); to anonymise the input in place pass "
                "overwrite=True"
            )
        dst = src
    dst = Path(dst)
    if src.is_file() and dst.is_dir():
        dst = dst / src.name
    same = dst.exists() and src.resolve() == dst.resolve()
    if same and not overwrite:
        raise ValueError(f"dst is the input '{src}'; pass overwrite=True to anonymise in place")
    if src.is_dir() and not same:
        try:
            dst.resolve().relative_to(src.resolve())
            raise ValueError(f"dst '{dst}' lies inside src '{src}'; choose a folder outside it")
        except ValueError as err:
            if "lies inside" in str(err):
                raise
    _check_destination(src, dst, overwrite=overwrite or same)

    anon = _Anonymizer(
        keep=keep_tags,
        keep_private=keep_private,
        shift=shift,
        salt=salt_bytes,
        patient_id=patient_id,
        options=chosen,
    )
    report: dict[str, Any] = {
        "profile": _PROFILE_NAME,
        "edition": f"PS3.15 Table E.1-1, {EDITION}",
        "options": {
            "keep": sorted(_name(t) for t in keep_tags),
            "keep_private": keep_private,
            "date_shift_days": None if shift is None else shift.days,
            "standard_options": chosen,
            "salt_given": salt is not None,
            "patient_id_given": patient_id is not None,
        },
        "files": [],
        "flagged": [],
        "skipped": [],
    }

    if src.is_file():
        if dst.exists() and not overwrite:
            raise FileExistsError(
                f"'{dst}' exists; pass overwrite=True to replace it, or choose another name "
                "(nothing was written)"
            )
        ds = open_dataset(src)
        check_complete(src, ds)
        _refuse_dicomdir(src, ds)
        _require_sop(src, ds)
        _check_writable([dst.parent])
        with lenient_values():
            log = anon.anonymize_dataset(ds)
        clean_stale_temp(dst.parent)
        atomic_write(ds, dst, overwrite=overwrite, mode=_mode_of(src))
        report["files"].append({"source": str(src), "output": str(dst), **log})
    else:
        pairs = [
            (p, dst / p.relative_to(src))
            for p in sorted(src.rglob("*"))
            if p.is_file()
            and p.name != REPORT_NAME
            and not any(part.startswith(".") for part in p.relative_to(src).parts)
        ]
        good = []
        for p, out in pairs:  # pass 1: check everything before writing anything
            try:
                ds = open_dataset(p)
                check_complete(p, ds)
                if "DirectoryRecordSequence" not in ds:
                    _require_sop(p, ds)
            except DicomError as err:
                if errors == "raise":
                    raise DicomError(
                        f"{err} -- nothing was written; pass errors='skip' to leave bad files out"
                    ) from err
                report["skipped"].append({"source": str(p), "reason": str(err)})
                continue
            if "DirectoryRecordSequence" in ds:
                report["skipped"].append({"source": str(p), "reason": _DICOMDIR_REASON})
                continue
            if out.exists() and not overwrite and not same:
                raise FileExistsError(
                    f"'{out}' exists; pass overwrite=True to replace it, or choose another "
                    "output folder (nothing was written)"
                )
            good.append((p, out))
        _check_writable(sorted({out.parent for _, out in good} | {dst}))
        cleaned = set()
        for p, out in good:  # pass 2: anonymise and write, one file at a time
            if out.parent not in cleaned:
                clean_stale_temp(out.parent)
                cleaned.add(out.parent)
            ds = open_dataset(p)
            with lenient_values():
                log = anon.anonymize_dataset(ds)
            atomic_write(ds, out, overwrite=overwrite or same, mode=_mode_of(p))
            report["files"].append({"source": str(p), "output": str(out), **log})
    report["n_files"] = len(report["files"])
    report["n_uids"] = len(anon.uid_map)
    report["flagged"] = [f["source"] for f in report["files"] if f["flagged"]]
    if src.is_dir():
        report_path = dst / REPORT_NAME
        dst.mkdir(parents=True, exist_ok=True)
        clean_stale_temp(dst)
        text = json.dumps(_portable(report, src, dst), indent=2)
        tmp = temp_name(report_path)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, report_path)
        report["report_path"] = str(report_path)
    return report


def _mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _check_destination(src: Path, dst: Path, *, overwrite: bool) -> None:
    """Refuse, before reading anything, an output path that cannot be a file or folder."""
    want_dir = src.is_dir()
    if dst.exists() and want_dir and not dst.is_dir():
        raise FileExistsError(
            f"dst '{dst}' is an existing file, but a folder is anonymised into a folder: "
            "choose a folder name (nothing was written)"
        )
    if dst.exists() and not want_dir and dst.is_dir():  # pragma: no cover - joined above
        raise FileExistsError(f"dst '{dst}' is a folder")
    parent = dst.parent if not want_dir else dst
    for folder in (parent, *parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise FileExistsError(
                    f"'{folder}' is a file, so '{dst}' cannot be created under it: choose "
                    "another output path (nothing was written)"
                )
            break


def _check_writable(folders: Iterable[Path]) -> None:
    """Probe each output folder (or the folder that will hold it) with a temporary file.

    Permission bits alone do not tell (ACLs, read-only mounts, root): creating
    and removing a file does. Raises PermissionError before anything is written.
    """
    for folder in folders:
        probe_in = next((f for f in (folder, *folder.parents) if f.exists()), None)
        if probe_in is None:  # pragma: no cover - the root always exists
            continue
        probe = temp_name(probe_in / "write-probe")
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as err:
            raise PermissionError(
                f"cannot write into '{probe_in}' ({err.strerror}); nothing was written. "
                "Choose a writable output folder or change its permissions"
            ) from err
        os.close(fd)
        os.unlink(probe)


def _portable(report: dict, src: Path, dst: Path) -> dict:
    """The report as saved next to the output: paths relative to src and dst.

    The absolute input path (``/data/Doe_Jane/...``) may itself identify the
    patient; the saved report must not carry it out of the hospital.
    """

    def rel(path: str, root: Path) -> str:
        try:
            return str(Path(path).relative_to(root))
        except ValueError:  # pragma: no cover - every path lies under its root
            return Path(path).name

    out = {k: v for k, v in report.items() if k not in ("report_path",)}
    out["files"] = [
        {**f, "source": rel(f["source"], src), "output": rel(f["output"], dst)}
        for f in report["files"]
    ]
    out["flagged"] = [rel(p, src) for p in report["flagged"]]
    out["skipped"] = [
        {"source": rel(s["source"], src), "reason": s["reason"].replace(str(src), "<src>")}
        for s in report["skipped"]
    ]
    return out


_DICOMDIR_REASON = (
    "a DICOMDIR (a media index holding names and UIDs) is not anonymised file by file: "
    "anonymise the image files and build a new DICOMDIR"
)


def _refuse_dicomdir(path: Path, ds: Any) -> None:
    if "DirectoryRecordSequence" in ds:
        raise DicomError(f"'{path}' is a DICOMDIR; {_DICOMDIR_REASON}")


def _require_sop(path: Path, ds: Any) -> None:
    missing = [k for k in ("SOPClassUID", "SOPInstanceUID") if not ds.get(k)]
    if missing:
        raise DicomError(
            f"'{path}' has no {' and no '.join(missing)}: it is not a complete DICOM object, "
            "and no valid DICOM file can be written from it"
        )
