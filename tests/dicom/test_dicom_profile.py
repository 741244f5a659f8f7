"""The basic-profile table: every row checked against pydicom's data dictionary and the standard."""

from __future__ import annotations

import pytest
from pydicom.datadict import dictionary_VR, keyword_for_tag

from pybridge.dicom._profile import (
    ACTIONS,
    BASIC_PROFILE,
    INSTITUTION_IDENTITY,
    NEWER_THAN_PYDICOM,
    PATIENT_CHARACTERISTICS,
    action_for,
    resolve,
)


def test_every_row_matches_pydicoms_dictionary():
    # A mistyped tag would name another attribute (or none): the keyword written
    # next to it in the table must be the one pydicom's dictionary gives.
    wrong = {
        f"{tag:08X}": (kw, keyword_for_tag(tag))
        for tag, (_, kw) in BASIC_PROFILE.items()
        if tag not in NEWER_THAN_PYDICOM and keyword_for_tag(tag) != kw
    }
    assert wrong == {}
    assert all(action in ACTIONS for action, _ in BASIC_PROFILE.values())


def test_rows_newer_than_pydicom_are_unknown_to_it():
    # The rows marked "+" name 2024-2025 attributes; once pydicom's dictionary
    # learns one, its keyword must be checked like the others (drop the mark).
    known = {f"{t:08X}": keyword_for_tag(t) for t in NEWER_THAN_PYDICOM if keyword_for_tag(t)}
    assert known == {}
    assert len(NEWER_THAN_PYDICOM) == 24


def test_table_size():
    # PS3.15 Table E.1-1, 2025b: 643 rows with a plain tag, plus the curve,
    # overlay and private-attribute patterns handled in action_for.
    assert len(BASIC_PROFILE) == 643


def test_option_rows_are_rows_of_the_table():
    assert PATIENT_CHARACTERISTICS <= set(BASIC_PROFILE)
    assert INSTITUTION_IDENTITY <= set(BASIC_PROFILE)


def test_every_u_row_is_a_uid_attribute():
    not_ui = [
        kw for tag, (a, kw) in BASIC_PROFILE.items() if a == "U" and dictionary_VR(tag) != "UI"
    ]
    assert not_ui == []


# Rows read off PS3.15 Table E.1-1 by hand, independently of the transcription.
@pytest.mark.parametrize(
    ("keyword", "action"),
    [
        ("PatientName", "Z"),
        ("PatientID", "Z/D"),
        ("PatientBirthDate", "Z"),
        ("PatientSex", "Z"),
        ("PatientAge", "X"),
        ("PatientAddress", "X"),
        ("OtherPatientIDsSequence", "X"),
        ("AccessionNumber", "Z"),
        ("StudyID", "Z"),
        ("StudyDate", "Z"),
        ("StudyTime", "Z"),
        ("SeriesDate", "X/D"),
        ("ContentDate", "Z/D"),
        ("AcquisitionDateTime", "X/Z/D"),
        ("InstitutionName", "X/Z/D"),
        ("InstitutionAddress", "X"),
        ("ReferringPhysicianName", "Z"),
        ("PerformingPhysicianName", "X"),
        ("OperatorsName", "X/Z/D"),
        ("StationName", "X/Z/D"),
        ("DeviceSerialNumber", "X/Z/D"),
        ("StudyInstanceUID", "U"),
        ("SeriesInstanceUID", "U"),
        ("SOPInstanceUID", "U"),
        ("FrameOfReferenceUID", "U"),
        ("MediaStorageSOPInstanceUID", "U"),
        ("ReferencedSOPInstanceUID", "U"),
        ("ReferencedImageSequence", "X/Z/U*"),
        ("SourceImageSequence", "X/Z/U*"),
        ("ImageComments", "X"),
        ("StudyDescription", "X"),
        ("SeriesDescription", "X"),
        ("ContentSequence", "D"),  # 2025b (X up to the 2013 edition)
        ("TextValue", None),  # not a row: inside Content Sequence, whose D replaces it
        ("DateTime", "D"),  # SR content item attributes
        ("Date", "D"),
        ("Time", "D"),
        ("PersonName", "D"),
        ("EncapsulatedDocument", "D"),
        ("AcquisitionUID", "U"),
        ("StructureSetTime", "Z"),
        ("TreatmentMachineName", "X/Z"),
        ("TreatmentSite", "X/D"),
        ("VerifyingObserverSequence", "D"),
        ("GraphicAnnotationSequence", "D"),
        ("SpecimenPreparationSequence", "Z"),
        ("InstitutionCodeSequence", "X/Z/D"),
        ("OperatorIdentificationSequence", "X/D"),
        ("RequestAttributesSequence", "X"),
        ("IconImageSequence", "X"),
    ],
)
def test_rows_from_the_standard(keyword, action):
    from pydicom.datadict import tag_for_keyword

    assert action_for(tag_for_keyword(keyword)) == action


@pytest.mark.parametrize(
    ("tag", "action"),
    [
        (0x50001234, "X"),  # curve data, repeating group
        (0x501E0010, "X"),
        (0x60003000, "X"),  # overlay data
        (0x60024000, "X"),  # overlay comments
        (0x60000010, None),  # overlay rows: not listed
        (0x00091001, "X"),  # private
        (0x00290010, "X"),  # private creator
        (0x00280010, None),  # Rows
        (0x00080016, None),  # SOP Class UID: kept
        (0x7FE00010, None),  # Pixel Data: kept
    ],
)
def test_patterns(tag, action):
    assert action_for(tag) == action


def test_resolve_picks_the_action_that_keeps_every_iod_valid():
    assert [resolve(a) for a in ACTIONS] == ["D", "Z", "X", "U", "Z", "D", "D", "D", "U*"]
    with pytest.raises(ValueError, match="unknown action"):
        resolve("K")
