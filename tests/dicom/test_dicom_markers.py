"""Every attribute of PS3.15 Table E.1-1 carries a marker, at every depth: none may survive.

The input is built here with pydicom alone: each row of the profile's table
gets a unique, VR-valid marker (text, a date, time or date-time derived
from the marker's number, a UID under a marker root, a number, marker
bytes), at the top level, one and two sequence levels down, inside the items
of every sequence of the table, and inside a Structured Report content tree.
The anonymised file is then read as bytes and searched for every marker.
"""

from __future__ import annotations

import datetime as _dt
import struct

import pydicom
import pytest
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import BasicTextSRStorage, ExplicitVRLittleEndian

from pybridge import dicom
from pybridge.dicom._profile import BASIC_PROFILE, NEWER_THAN_PYDICOM

MARKER_ROOT = "1.2.826.0.1.3680043.10.999"  # an arbitrary UID root for the markers
CONTAINER = 0x00081115  # Referenced Series Sequence: not in the table, so it is walked into
# pydicom 3.0 does not know the 2024-2025 rows: the file carries them with the VR
# chosen here from their names (the anonymiser acts on the tag, whatever the VR).
NEWER_VR = {"Sequence": "SQ", "DateTime": "DT"}
# Sequences whose action resolves to U* (X/Z/U*): the standard replaces the UIDs
# inside and keeps the rest of each item. Markers in attributes the table does
# not list (here Code Value and Code Meaning of the item) survive there by design.
KEEPS_UNLISTED = ("ReferencedImageSequence", "SourceImageSequence")


def _vr(tag: int, keyword: str) -> str:
    if tag in NEWER_THAN_PYDICOM:
        return next((vr for end, vr in NEWER_VR.items() if keyword.endswith(end)), "LO")
    return dictionary_VR(tag).split(" or ")[0]


class Markers:
    """Unique marker values, one per (depth, row), and the bytes to search for."""

    def __init__(self):
        self.n = 0
        self.searched: dict[bytes, str] = {}  # marker bytes -> where it was put
        self.checked: list[tuple[str, object]] = []  # (where, value) checked by element

    def value(self, vr: str, where: str):
        self.n += 1
        k = self.n
        text = f"MK{k:05d}Z"
        day = _dt.date(1800, 1, 1) + _dt.timedelta(days=k)
        if vr in ("AE", "CS", "SH", "LO", "PN", "LT", "ST", "UT", "UC", "UR"):
            value, needle = text, text.encode()
        elif vr == "DA":
            value = day.strftime("%Y%m%d")
            needle = value.encode()
        elif vr == "TM":
            value = f"2359{k % 60:02d}.{700000 + k}"
            needle = value.encode()
        elif vr == "DT":
            value = day.strftime("%Y%m%d") + f"235959.{700000 + k}"
            needle = value.encode()
        elif vr == "UI":
            value = f"{MARKER_ROOT}.{k}.1"
            needle = value.encode()
        elif vr == "DS":
            value = f"7{k:05d}.25"
            needle = value.encode()
        elif vr == "IS":
            value = f"7{k:05d}3"
            needle = value.encode()
        elif vr in ("OB", "UN", "OW"):
            value = needle = f"MK{k:05d}Z".encode()
        elif vr in ("FL", "FD"):
            value = 7000.0 + k + 0.125
            needle = struct.pack("<d" if vr == "FD" else "<f", value)
        else:  # US, SS, UL, SL, AS: too short to search the bytes for; checked per element
            value = {"AS": f"{k % 100:03d}Y", "US": 40000 + k % 20000}.get(vr, 7000 + k)
            self.checked.append((where, value))
            return value
        self.searched[needle] = where
        return value


def _sequence_item(markers: Markers, where: str) -> Dataset:
    """One item: a code (attributes the table does not list) and a person name (a row)."""
    item = Dataset()
    item.CodeValue = markers.value("SH", f"{where}.CodeValue")
    item.CodingSchemeDesignator = "99MARK"
    item.CodeMeaning = markers.value("LO", f"{where}.CodeMeaning")
    item.PersonName = markers.value("PN", f"{where}.PersonName")
    return item


def fill(ds: Dataset, markers: Markers, where: str, *, top: bool) -> None:
    """Every row of the table, with a marker value, into ``ds``."""
    for tag, (_, keyword) in sorted(BASIC_PROFILE.items()):
        group = tag >> 16
        if group == 0x0002 or (top and group == 0x0000) or (not top and group == 0xFFFC):
            # file meta rows go to the file meta; a Part 10 file cannot hold command
            # elements (0000,eeee) at its top level, so those rows are tested in items
            # only; trailing padding belongs at the end of the top level only
            continue
        vr = _vr(tag, keyword)
        label = f"{where}{keyword}"
        if vr == "SQ":
            ds.add_new(tag, "SQ", Sequence([_sequence_item(markers, f"{label}[0]")]))
        else:
            ds.add_new(tag, vr, markers.value(vr, label))


def sr_content(markers: Markers, depth: int = 0) -> Sequence:
    """A small SR content tree: text, person, date-time, UID, number, nested content."""

    def code(where):
        c = Dataset()
        c.CodeValue = markers.value("SH", f"{where}.CodeValue")
        c.CodingSchemeDesignator = "99MARK"
        c.CodeMeaning = markers.value("LO", f"{where}.CodeMeaning")
        return Sequence([c])

    where = f"SR{depth}"
    text = Dataset()
    text.RelationshipType = "CONTAINS"
    text.ValueType = "TEXT"
    text.ConceptNameCodeSequence = code(f"{where}.text")
    text.TextValue = f"Patient Jane Doe, MRN123456 {markers.value('UT', f'{where}.TextValue')}"
    person = Dataset()
    person.RelationshipType = "HAS OBS CONTEXT"
    person.ValueType = "PNAME"
    person.ConceptNameCodeSequence = code(f"{where}.pname")
    person.PersonName = markers.value("PN", f"{where}.PersonName")
    when = Dataset()
    when.RelationshipType = "HAS OBS CONTEXT"
    when.ValueType = "DATETIME"
    when.ConceptNameCodeSequence = code(f"{where}.datetime")
    when.DateTime = markers.value("DT", f"{where}.DateTime")
    when.Date = markers.value("DA", f"{where}.Date")
    when.Time = markers.value("TM", f"{where}.Time")
    uid = Dataset()
    uid.RelationshipType = "HAS OBS CONTEXT"
    uid.ValueType = "UIDREF"
    uid.ConceptNameCodeSequence = code(f"{where}.uidref")
    uid.UID = markers.value("UI", f"{where}.UID")
    num = Dataset()
    num.RelationshipType = "CONTAINS"
    num.ValueType = "NUM"
    num.ConceptNameCodeSequence = code(f"{where}.num")
    measured = Dataset()
    measured.NumericValue = markers.value("DS", f"{where}.NumericValue")
    measured.MeasurementUnitsCodeSequence = code(f"{where}.units")
    num.MeasuredValueSequence = Sequence([measured])
    container = Dataset()
    container.RelationshipType = "CONTAINS"
    container.ValueType = "CONTAINER"
    container.ConceptNameCodeSequence = code(f"{where}.container")
    container.ContinuityOfContent = "SEPARATE"
    if depth < 2:
        container.ContentSequence = sr_content(markers, depth + 1)
    return Sequence([text, person, when, uid, num, container])


def marked_file(path) -> Markers:
    markers = Markers()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = BasicTextSRStorage
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    fill(ds, markers, "", top=True)
    ds.SOPClassUID = BasicTextSRStorage
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID  # the SOPInstanceUID row's marker
    ds.Modality = "SR"
    # the table's rows one and two sequence levels down, in a sequence it does not list
    outer = Dataset()
    fill(outer, markers, "L1.", top=False)
    inner = Dataset()
    fill(inner, markers, "L2.", top=False)
    outer.add_new(CONTAINER, "SQ", Sequence([inner]))
    ds.add_new(CONTAINER, "SQ", Sequence([outer]))
    # a Structured Report content tree, three levels deep, before the row's own item
    ds.ContentSequence = Sequence([*sr_content(markers), *ds.ContentSequence])
    ds.BurnedInAnnotation = "NO"
    ds.save_as(path, enforce_file_format=True)
    return markers


def _survives_by_design(where: str) -> bool:
    return any(f"{seq}[0].Code" in where for seq in KEEPS_UNLISTED)


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("markers")
    src = folder / "marked.dcm"
    markers = marked_file(src)
    out = folder / "anon.dcm"
    report = dicom.anonymize(src, out, salt="fixed key: the output is deterministic")
    return markers, src.read_bytes(), out.read_bytes(), out, report


def test_every_marker_is_in_the_input(marked):
    markers, before, _, _, _ = marked
    missing = [w for needle, w in markers.searched.items() if needle not in before]
    assert missing == []
    assert len(markers.searched) > 3 * len(BASIC_PROFILE)  # three depths, plus items and SR


def test_no_marker_survives_in_the_output_bytes(marked):
    markers, _, after, _, _ = marked
    leaked = sorted(
        w
        for needle, w in markers.searched.items()
        if needle in after and not _survives_by_design(w)
    )
    assert leaked == []
    assert b"Jane Doe" not in after and b"MRN123456" not in after


def test_only_the_unlisted_attributes_of_reference_sequences_survive(marked):
    # X/Z/U*: the profile replaces the UIDs of a reference item and keeps the rest.
    # These survivors also show that the byte search does find what is there.
    markers, _, after, _, _ = marked
    kept = sorted(w for needle, w in markers.searched.items() if needle in after)
    assert kept and all(_survives_by_design(w) for w in kept)
    assert {w.split("[0].")[0].split(".")[-1] for w in kept} == set(KEEPS_UNLISTED)


def test_short_values_are_gone_element_by_element(marked):
    markers, _, _, out, _ = marked
    ds = pydicom.dcmread(out)
    values = {str(e.value) for e in ds.iterall() if e.VR != "SQ"}
    assert len(markers.checked) >= 4  # the US and AS rows, at three depths
    survived = [where for where, value in markers.checked if str(value) in values]
    assert survived == []


def test_sr_content_is_replaced_but_kept_as_a_tree(marked):
    # Content Sequence is D (2025b): dummy items, the shape of the tree stays
    _, _, _, out, report = marked
    ds = pydicom.dcmread(out)
    assert len(ds.ContentSequence) == 7
    assert ds.ContentSequence[0].TextValue == "ANONYMOUS"
    assert ds.ContentSequence[1].PersonName == "ANONYMOUS"
    assert str(ds.ContentSequence[3].UID).startswith("2.25.")
    assert "ContentSequence[0].TextValue" in report["files"][0]["dummy"]


def test_output_values_are_valid_for_their_vr(marked):
    from pydicom import config
    from pydicom.valuerep import validate_value

    _, _, _, out, _ = marked
    ds = pydicom.dcmread(out)
    for elem in ds.iterall():
        if elem.VR in ("SQ", "OB", "OW", "UN") or elem.value in (None, ""):
            continue
        if int(elem.tag) in NEWER_THAN_PYDICOM:
            continue  # read back as UN by pydicom 3.0
        for v in list(elem.value) if elem.VM > 1 else [elem.value]:
            validate_value(elem.VR, str(v) if elem.VR in ("DS", "IS") else v, config.RAISE)
