"""pybridge.dicom.anonymize: the PS3.15 basic profile, UIDs, dates, reports, bad files, safe writes."""

from __future__ import annotations

import io
import json
import re
import shutil
import warnings

import numpy as np
import pydicom
import pytest
from pydicom import config
from pydicom.datadict import tag_for_keyword
from pydicom.uid import UID_dictionary
from pydicom.valuerep import validate_value
from test_dicom_synth import IDENTIFIERS, bundled, write_series

from pybridge import dicom
from pybridge.dicom import DicomError
from pybridge.dicom._anonymize import REPORT_NAME
from pybridge.dicom._profile import action_for, resolve

BUNDLED = [
    "CT_small.dcm",
    "MR_small.dcm",
    "rtplan.dcm",
    "rtdose.dcm",
    "rtstruct.dcm",
    "test-SR.dcm",
    "JPEG2000.dcm",
    "SC_rgb_rle_2frame.dcm",
    "MR_small_implicit.dcm",
]
UID_RE = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")
# Attributes that name or identify someone, listed by hand (not taken from the table).
IDENTIFYING = [
    "PatientName", "PatientID", "PatientBirthDate", "OtherPatientIDs", "OtherPatientNames",
    "PatientAddress", "AccessionNumber", "StudyID", "InstitutionName", "InstitutionAddress",
    "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName", "StationName",
    "DeviceSerialNumber", "StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate",
    "StudyDescription", "SeriesDescription", "ImageComments", "PhysiciansOfRecord",
    "NameOfPhysiciansReadingStudy", "RequestingPhysician", "ReviewerName", "ReviewDate",
    "StructureSetDate", "RTPlanDate", "InstanceCreationDate", "VerifyingObserverName",
]  # fmt: skip


def _walk(ds, where=""):
    """(path, element) for every element at every depth."""
    for elem in ds:
        label = f"{where}{elem.keyword or elem.tag}"
        yield label, elem
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                yield from _walk(item, f"{label}[{i}].")


def _original_identifiers(ds):
    """Values in the input that must not survive: identifying attributes, names, dates, UIDs."""
    values = set()
    wanted = {tag_for_keyword(k) for k in IDENTIFYING}
    for _, elem in _walk(ds):
        if elem.VR == "SQ" or elem.value in (None, "", b""):
            continue
        vals = list(elem.value) if elem.VM > 1 else [elem.value]
        if elem.tag in wanted or elem.VR in ("PN", "DA", "DT"):
            # short values ('1', 'O') also occur as counts and codes: too short to test for
            values.update(str(v) for v in vals if len(str(v).strip()) >= 4)
        names_a_class = any(
            w in elem.keyword for w in ("SOPClass", "TransferSyntax", "CodingScheme")
        )
        if elem.VR == "UI" and not names_a_class:
            values.update(str(v) for v in vals if str(v) not in UID_dictionary)
    for _, elem in _walk(ds.file_meta):
        if elem.keyword == "MediaStorageSOPInstanceUID":
            values.add(str(elem.value))
    return values


def _output_values(ds):
    out = set()
    for source in (ds, ds.file_meta):
        for _, elem in _walk(source):
            if elem.VR == "SQ" or elem.keyword in ("PixelData", "ImplementationClassUID"):
                continue  # the writing software's UID may equal a UID of the input
            vals = list(elem.value) if elem.VM > 1 else [elem.value]
            out.update(str(v) for v in vals)
    return out


# --------------------------------------------------------------------------
# the profile on the files that ship with pydicom
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_file_follows_the_profile(tmp_path, name):
    src = bundled(name)
    before = dicom._io.open_dataset(src)
    out = tmp_path / name
    report = dicom.anonymize(src, out, salt="test-salt")
    after = pydicom.dcmread(out)

    # 1. no identifying value of the input is anywhere in the output
    with warnings.catch_warnings():  # rtdose.dcm holds a malformed UID pydicom warns about
        warnings.filterwarnings("ignore", "Invalid value for VR UI", UserWarning)
        original = _original_identifiers(before)
    leaked = original & _output_values(after)
    assert leaked == set()

    # 2. every element at every depth is in the state the table asks for
    for label, elem in _walk(after):
        assert not elem.tag.is_private, label
        action = action_for(elem.tag)
        if action is None:
            continue
        act = resolve(action)
        assert act != "X", f"{label} should have been removed"
        if act == "Z" and label not in ("PatientID", "PatientName"):
            assert elem.value in (None, "", []) or elem.VR == "SQ" and len(elem.value) == 0, label
        if act == "U":
            vals = list(elem.value) if elem.VM > 1 else [elem.value]
            assert all(str(v).startswith("2.25.") for v in vals), label

    # 3. the de-identification attributes, and the file meta UID follows the SOP instance
    assert after.PatientIdentityRemoved == "YES"
    assert after.LongitudinalTemporalInformationModified == "REMOVED"
    codes = [item.CodeValue for item in after.DeidentificationMethodCodeSequence]
    assert codes == ["113100"]
    assert after.file_meta.MediaStorageSOPInstanceUID == after.SOPInstanceUID
    assert after.SOPInstanceUID != before.SOPInstanceUID
    assert after.SOPClassUID == before.SOPClassUID
    assert report["n_files"] == 1 and report["files"][0]["output"] == str(out)


@pytest.mark.parametrize(
    "name", [n for n in BUNDLED if n not in ("rtplan.dcm", "rtstruct.dcm", "test-SR.dcm")]
)
def test_pixel_data_byte_identical(tmp_path, name):
    src = bundled(name)
    dicom.anonymize(src, tmp_path / name, salt="x")
    before = pydicom.dcmread(src)
    after = pydicom.dcmread(tmp_path / name)
    assert after.PixelData == before.PixelData
    assert after.file_meta.TransferSyntaxUID == before.file_meta.TransferSyntaxUID
    for kw in ("Rows", "Columns", "BitsAllocated", "PhotometricInterpretation", "RescaleSlope",
               "RescaleIntercept", "PixelSpacing", "ImagePositionPatient"):  # fmt: skip
        assert after.get(kw) == before.get(kw), kw


@pytest.mark.parametrize("name", BUNDLED)
def test_every_output_value_is_valid_for_its_vr(tmp_path, name):
    dicom.anonymize(bundled(name), tmp_path / name, salt="x", date_shift=-3)
    after = pydicom.dcmread(tmp_path / name)
    for source in (after, after.file_meta):
        for label, elem in _walk(source):
            if elem.VR in ("SQ", "OB", "OW", "UN", "OF", "OD", "OL", "OV") or elem.value is None:
                continue
            vals = list(elem.value) if elem.VM > 1 else [elem.value]
            for v in vals:
                text = str(v) if elem.VR in ("DS", "IS") else v
                validate_value(elem.VR, text, config.RAISE)  # pydicom's own VR rules
                if elem.VR == "UI" and v:
                    assert UID_RE.match(str(v)) and len(str(v)) <= 64, label
                if elem.VR == "DA" and v:
                    assert re.fullmatch(r"\d{8}", str(v)), label


# --------------------------------------------------------------------------
# a synthetic series: identifiers in sequences, UIDs across files and runs
# --------------------------------------------------------------------------


def test_no_identifier_survives_anywhere(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=3)
    report = dicom.anonymize(tmp_path / "in", tmp_path / "out", salt="k")
    for f in report["files"]:
        ds = pydicom.dcmread(f["output"])
        del ds.PixelData
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        blob = buf.getvalue()
        for keyword, value in IDENTIFIERS.items():
            assert value.encode() not in blob, f"{keyword} value {value!r} leaked"
        for uid in (s["study"], s["series"], s["frame"], *s["sop_uids"]):
            assert uid.encode() not in blob
        assert b"Observer^Otto" not in blob and b"Verifier^Vera" not in blob
        assert b"RP-777" not in blob and b"SPS-778" not in blob
        assert b"CTSTATION7" not in blob  # also gone from the file meta's source AE title


def test_sequences_are_recursed_and_reported(tmp_path, rng):
    write_series(tmp_path / "in", rng, n=2)
    report = dicom.anonymize(tmp_path / "in", tmp_path / "out", salt="k")
    second = next(
        f
        for f in report["files"]
        if "ReferencedImageSequence[0].ReferencedSOPInstanceUID" in f["uids_replaced"]
    )
    assert "RequestAttributesSequence" in second["removed"]
    assert "OtherPatientIDsSequence" in second["removed"]
    assert "VerifyingObserverSequence[0].VerifyingObserverName" in second["dummy"]
    assert "ContentSequence[0].PersonName" in second["dummy"]
    assert "ContentSequence[0].UID" in second["uids_replaced"]
    assert second["private_removed"] >= 3  # creator + value at the top, and inside an item
    ds = pydicom.dcmread(second["output"])
    assert ds.VerifyingObserverSequence[0].VerifyingObserverName == "ANONYMOUS"
    assert ds.VerifyingObserverSequence[0].VerifyingOrganization == "ANONYMOUS"
    assert len(ds.SourceImageSequence[0]) == 0  # its only content was private


def test_uids_consistent_across_a_series_and_referenced_between_files(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=4)
    report = dicom.anonymize(tmp_path / "in", tmp_path / "out", salt="study-42")
    outs = {f["source"]: pydicom.dcmread(f["output"]) for f in report["files"]}
    ordered = [outs[str(p)] for p in s["paths"]]
    for key in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
        values = {str(ds.get(key)) for ds in ordered}
        assert len(values) == 1 and values.pop() not in (s["study"], s["series"], s["frame"])
    sops = [str(ds.SOPInstanceUID) for ds in ordered]
    assert len(set(sops)) == 4 and not set(sops) & set(s["sop_uids"])
    for ds in ordered:
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    # slice k refers to slice k-1: the reference follows the new UID
    for k in range(1, 4):
        assert ordered[k].ReferencedImageSequence[0].ReferencedSOPInstanceUID == sops[k - 1]
    # one patient, one pseudonym
    assert len({str(ds.PatientID) for ds in ordered}) == 1
    assert str(ordered[0].PatientName) == str(ordered[0].PatientID)


def test_same_salt_same_uids_across_runs_and_other_salt_differs(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=2)

    def uids(out, **kw):
        rep = dicom.anonymize(tmp_path / "in", tmp_path / out, **kw)
        return {f["source"]: (str((d := pydicom.dcmread(f["output"])).StudyInstanceUID),
                              str(d.SOPInstanceUID), str(d.PatientID)) for f in rep["files"]}  # fmt: skip

    a = uids("a", salt="secret")
    b = uids("b", salt="secret")
    c = uids("c", salt="other")
    d = uids("d")
    e = uids("e")
    assert a == b
    for src in a:
        assert not set(a[src]) & set(c[src])
        assert not set(d[src]) & set(e[src])  # no salt: a fresh one per call
    assert len(a) == len(s["paths"])


def test_date_shift_keeps_intervals(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    src = s["paths"][0]
    report = dicom.anonymize(src, tmp_path / "out.dcm", date_shift=-30, salt="k")
    ds = pydicom.dcmread(tmp_path / "out.dcm")
    # 2024-01-17 minus 30 days is 2023-12-18 (17 days back to 2023-12-31, 13 more)
    assert ds.StudyDate == "20231218" and ds.SeriesDate == "20231218"
    assert ds.ContentDate == "20231218" and ds.AcquisitionDate == "20231218"
    assert ds.VerifyingObserverSequence[0].VerificationDateTime == "20231218103000"
    assert ds.StudyTime == "101500"  # whole-day shifts keep times
    assert ds.PatientBirthDate == ""  # never shifted: emptied
    assert ds.LongitudinalTemporalInformationModified == "MODIFIED"
    assert [c.CodeValue for c in ds.DeidentificationMethodCodeSequence] == ["113100", "113107"]
    assert "StudyDate" in report["files"][0]["dates_shifted"]
    assert report["options"]["date_shift_days"] == -30
    with pytest.raises(ValueError, match="whole number of days"):
        import datetime

        dicom.anonymize(src, tmp_path / "x.dcm", date_shift=datetime.timedelta(hours=5))
    with pytest.raises(TypeError, match="date_shift"):
        dicom.anonymize(src, tmp_path / "x.dcm", date_shift=1.5)


@pytest.mark.parametrize(("burned", "flagged"), [("YES", True), ("NO", False), (None, True)])
def test_burned_in_annotation_flagged(tmp_path, rng, burned, flagged):
    write_series(tmp_path / "in", rng, n=1, burned_in=burned)
    report = dicom.anonymize(tmp_path / "in", tmp_path / "out", salt="k")
    assert report["files"][0]["flagged"] is flagged
    assert report["files"][0]["burned_in_annotation"] == burned
    assert (report["flagged"] != []) is flagged
    if flagged:
        assert "BurnedInAnnotation" in report["files"][0]["flag_reason"]


def test_objects_without_pixels_are_not_flagged(tmp_path):
    report = dicom.anonymize(bundled("rtplan.dcm"), tmp_path / "plan.dcm", salt="k")
    assert report["files"][0]["flagged"] is False


def test_keep_and_keep_private(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    src = s["paths"][0]
    report = dicom.anonymize(
        src, tmp_path / "a.dcm", keep=["PatientSex", "(0010,1010)"], keep_private=True
    )
    ds = pydicom.dcmread(tmp_path / "a.dcm")
    assert ds.PatientSex == "F" and ds.PatientAge == "062Y"
    assert ds[0x00291001].value == "Jane Doe private copy"
    assert report["options"]["keep"] == ["PatientAge", "PatientSex"]
    assert "PatientSex" in report["files"][0]["kept"]
    with pytest.raises(ValueError, match="did you mean 'PatientSex'"):
        dicom.anonymize(src, tmp_path / "b.dcm", keep=["PatientSexx"])


def test_private_sop_class_uid_is_kept(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=2)
    ds = pydicom.dcmread(s["paths"][1])  # the second slice refers to the first
    vendor_class = "1.2.840.113619.4.27"  # a vendor's private SOP class, unknown to pydicom
    ds.SOPClassUID = vendor_class
    ds.file_meta.MediaStorageSOPClassUID = vendor_class
    ds.ReferencedImageSequence[0].ReferencedSOPClassUID = vendor_class
    ds.save_as(tmp_path / "vendor.dcm", enforce_file_format=True)
    dicom.anonymize(tmp_path / "vendor.dcm", tmp_path / "out.dcm", salt="k")
    out = pydicom.dcmread(tmp_path / "out.dcm")
    assert out.SOPClassUID == vendor_class
    assert out.file_meta.MediaStorageSOPClassUID == vendor_class
    assert out.ReferencedImageSequence[0].ReferencedSOPClassUID == vendor_class
    assert out.SOPInstanceUID != ds.SOPInstanceUID


def test_keeping_sop_instance_uid_keeps_the_file_meta_in_step(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    dicom.anonymize(s["paths"][0], tmp_path / "a.dcm", keep=["SOPInstanceUID"])
    ds = pydicom.dcmread(tmp_path / "a.dcm")
    assert ds.SOPInstanceUID == s["sop_uids"][0]
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def test_patient_id_option(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    dicom.anonymize(s["paths"][0], tmp_path / "a.dcm", patient_id="SUBJ-01")
    ds = pydicom.dcmread(tmp_path / "a.dcm")
    assert ds.PatientID == "SUBJ-01" and ds.PatientName == "SUBJ-01"


# --------------------------------------------------------------------------
# folders, reports, and never writing what should not be written
# --------------------------------------------------------------------------


def test_folder_in_folder_out_with_json_report(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=3)
    report = dicom.anonymize(tmp_path / "in", tmp_path / "out", salt="k")
    rel_in = sorted(str(p.relative_to(tmp_path / "in")) for p in s["paths"])
    rel_out = sorted(
        str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.dcm")
    )
    assert rel_in == rel_out  # same structure, including the sub folder
    text = (tmp_path / "out" / REPORT_NAME).read_text()
    saved = json.loads(text)
    assert str(tmp_path) not in text  # only relative paths leave with the data
    assert sorted(f["source"] for f in saved["files"]) == rel_in
    assert sorted(f["output"] for f in saved["files"]) == rel_in
    strip = ("source", "output")
    assert [{k: v for k, v in f.items() if k not in strip} for f in saved["files"]] == [
        {k: v for k, v in f.items() if k not in strip} for f in report["files"]
    ]
    assert saved["options"] == report["options"] and saved["n_uids"] == report["n_uids"]
    assert report["n_files"] == 3 and report["skipped"] == []
    assert "secret" not in json.dumps(saved) and "k" not in saved["options"].values()


def test_not_dicom_writes_nothing(tmp_path):
    p = tmp_path / "notes.dcm"
    p.write_bytes(b"\x00" * 200 + b"plain text, not DICOM")
    with pytest.raises(DicomError, match="not a DICOM file"):
        dicom.anonymize(p, tmp_path / "out.dcm")
    assert not (tmp_path / "out.dcm").exists()


@pytest.mark.parametrize("name", ["MR_truncated.dcm", "rtplan_truncated.dcm"])
def test_truncated_bundled_files_write_nothing(tmp_path, name):
    with pytest.raises(DicomError, match="truncated"):
        dicom.anonymize(bundled(name), tmp_path / "out.dcm")
    assert list(tmp_path.iterdir()) == []


def test_file_cut_short_writes_nothing(tmp_path):
    data = bundled("CT_small.dcm").read_bytes()
    cut = tmp_path / "in" / "cut.dcm"
    cut.parent.mkdir()
    cut.write_bytes(data[: len(data) - 5000])
    with pytest.raises(DicomError, match="truncated"):
        dicom.anonymize(cut, tmp_path / "out.dcm")
    assert not (tmp_path / "out.dcm").exists()


@pytest.mark.parametrize(
    "name",
    ["CT_small.dcm", "JPEG2000.dcm", "SC_rgb_rle_2frame.dcm", "test-SR.dcm", "rtstruct.dcm",
     "ExplVR_BigEnd.dcm", "rtdose.dcm"],
)  # fmt: skip
@pytest.mark.parametrize("keep", ["1", "10", "100", "third", "half", "head"])
def test_every_cut_is_caught(tmp_path, name, keep):
    # pydicom reads many of these silently (a sequence or encapsulated pixel
    # data cut short, a cut on an element boundary): none may pass as whole.
    data = bundled(name).read_bytes()
    drop = {"third": len(data) // 3, "half": len(data) // 2, "head": len(data) - 300}.get(keep)
    drop = int(keep) if drop is None else drop
    cut = tmp_path / f"cut_{name}"
    cut.write_bytes(data[:-drop])
    with pytest.raises(DicomError, match="truncated|corrupt|not a DICOM"):
        dicom.anonymize(cut, tmp_path / "out.dcm")
    assert not (tmp_path / "out.dcm").exists()
    with pytest.raises(DicomError):
        dicom.read(cut)


def test_data_set_without_sop_uids_is_refused(tmp_path):
    with pytest.raises(DicomError, match="no SOPClassUID"):
        dicom.anonymize(bundled("nested_priv_SQ.dcm"), tmp_path / "out.dcm")
    assert list(tmp_path.iterdir()) == []


def test_folder_with_a_bad_file_writes_nothing_then_skip_mode(tmp_path, rng):
    write_series(tmp_path / "in", rng, n=3)
    shutil.copy(bundled("MR_truncated.dcm"), tmp_path / "in" / "zz_truncated.dcm")
    with pytest.raises(DicomError, match="nothing was written"):
        dicom.anonymize(tmp_path / "in", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    report = dicom.anonymize(tmp_path / "in", tmp_path / "out", errors="skip")
    assert report["n_files"] == 3
    assert [s["source"] for s in report["skipped"]] == [str(tmp_path / "in" / "zz_truncated.dcm")]
    with pytest.raises(ValueError, match="did you mean 'skip'"):
        dicom.anonymize(tmp_path / "in", tmp_path / "out2", errors="skp")


def test_never_overwrites_unless_told(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    src = s["paths"][0]
    original = src.read_bytes()
    with pytest.raises(ValueError, match="overwrite=True"):
        dicom.anonymize(src)
    with pytest.raises(ValueError, match="in place"):
        dicom.anonymize(src, src)
    existing = tmp_path / "exists.dcm"
    existing.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        dicom.anonymize(src, existing)
    assert existing.read_bytes() == b"keep me"
    assert src.read_bytes() == original
    with pytest.raises(ValueError, match="inside src"):
        dicom.anonymize(tmp_path / "in", tmp_path / "in" / "anon")
    # in place, when asked
    dicom.anonymize(src, overwrite=True)
    ds = pydicom.dcmread(src)
    assert ds.PatientIdentityRemoved == "YES" and ds.PatientName != IDENTIFIERS["PatientName"]


def test_failed_write_leaves_no_partial_file(tmp_path, rng, monkeypatch):
    s = write_series(tmp_path / "in", rng, n=1)
    real = pydicom.dataset.Dataset.save_as

    def half_then_fail(self, f, *args, **kwargs):
        real(self, f, *args, **kwargs)  # the bytes reach the temporary file...
        raise OSError("disk full")  # ...then the write fails

    monkeypatch.setattr(pydicom.dataset.Dataset, "save_as", half_then_fail)
    (tmp_path / "out").mkdir()
    with pytest.raises(OSError, match="disk full"):
        dicom.anonymize(s["paths"][0], tmp_path / "out" / "a.dcm")
    assert list((tmp_path / "out").iterdir()) == []


# --------------------------------------------------------------------------
# the MATLAB-facing function
# --------------------------------------------------------------------------


def test_mapi_dicom_anonymize_takes_matlab_values(tmp_path, rng):
    from pybridge.mapi._dicom import dicom_anonymize

    s = write_series(tmp_path / "in", rng, n=2)
    report = dicom_anonymize(
        str(tmp_path / "in"), str(tmp_path / "out"), keep=("PatientSex",),
        date_shift=7.0, salt="k", patient_id=np.zeros((0, 0)),
    )  # fmt: skip
    assert report["n_files"] == 2
    ds = pydicom.dcmread(report["files"][0]["output"])
    assert ds.PatientSex == "F" and ds.StudyDate == "20240124"
    with pytest.raises(ValueError, match="whole number of days"):
        dicom_anonymize(str(s["paths"][0]), str(tmp_path / "x.dcm"), date_shift=1.5)
    with pytest.raises(TypeError, match="keep"):
        dicom_anonymize(str(s["paths"][0]), str(tmp_path / "x.dcm"), keep=(1.0,))


def test_mapi_dicom_anonymize_passes_the_standard_options(tmp_path, rng):
    from pybridge.mapi._dicom import dicom_anonymize

    s = write_series(tmp_path / "in", rng, n=1)
    report = dicom_anonymize(str(s["paths"][0]), str(tmp_path / "a.dcm"),
                             options=("retain_uids",), salt="k")  # fmt: skip
    assert report["options"]["standard_options"] == ["retain_uids"]
    assert pydicom.dcmread(tmp_path / "a.dcm").StudyInstanceUID == s["study"]
    with pytest.raises(ValueError, match="not implemented"):
        dicom_anonymize(str(s["paths"][0]), str(tmp_path / "b.dcm"), options="clean_graphics")
