"""pybridge.dicom: keyed linkage, the standard's options, file modes, clear errors, leftovers."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import stat
import subprocess
import sys
import warnings

import pydicom
import pytest
from test_dicom_synth import IDENTIFIERS, bundled, write_series

from pybridge import dicom
from pybridge.dicom import DicomError
from pybridge.dicom._anonymize import OPTIONS


def _reference_uid(key: bytes, old: str) -> str:
    """The documented derivation, written out with the standard library."""
    digest = hmac.new(key, b"uid\x00" + old.encode(), hashlib.sha256).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


# --------------------------------------------------------------------------
# linkage with a key
# --------------------------------------------------------------------------


def test_uids_and_pseudonym_are_hmac_sha256_of_the_key(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    dicom.anonymize(s["paths"][0], tmp_path / "a.dcm", salt="lab key 2024")
    ds = pydicom.dcmread(tmp_path / "a.dcm")
    assert ds.StudyInstanceUID == _reference_uid(b"lab key 2024", s["study"])
    assert ds.SOPInstanceUID == _reference_uid(b"lab key 2024", s["sop_uids"][0])
    mac = hmac.new(b"lab key 2024", b"patient\x00" + IDENTIFIERS["PatientID"].encode(), "sha256")
    assert ds.PatientID == "ANON" + mac.hexdigest()[:12].upper()


def test_same_key_links_across_calls_another_key_does_not(tmp_path, rng):
    a = write_series(tmp_path / "a", rng, n=1)
    b = write_series(tmp_path / "b", rng, n=1)
    # a later series of the same patient and study, anonymised in another call
    later = pydicom.dcmread(b["paths"][0])
    later.StudyInstanceUID = a["study"]
    later.save_as(b["paths"][0], enforce_file_format=True)
    dicom.anonymize(a["paths"][0], tmp_path / "a1.dcm", salt=b"k1")
    dicom.anonymize(b["paths"][0], tmp_path / "b1.dcm", salt=b"k1")
    dicom.anonymize(b["paths"][0], tmp_path / "b2.dcm", salt=b"k2")
    a1, b1, b2 = (pydicom.dcmread(tmp_path / f) for f in ("a1.dcm", "b1.dcm", "b2.dcm"))
    assert a1.StudyInstanceUID == b1.StudyInstanceUID != b2.StudyInstanceUID
    assert a1.PatientID == b1.PatientID != b2.PatientID
    with pytest.raises(ValueError, match="must not be empty"):
        dicom.anonymize(a["paths"][0], tmp_path / "x.dcm", salt="")


# --------------------------------------------------------------------------
# the standard's options
# --------------------------------------------------------------------------


def test_retain_options(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    src = s["paths"][0]
    x = pydicom.dcmread(src)
    x.PatientWeight = "61.5"
    x.save_as(src, enforce_file_format=True)
    opts = ["retain_uids", "retain_full_dates", "retain_patient_characteristics",
            "retain_institution_identity"]  # fmt: skip
    report = dicom.anonymize(src, tmp_path / "a.dcm", options=opts)
    ds = pydicom.dcmread(tmp_path / "a.dcm")
    assert ds.StudyInstanceUID == s["study"] and ds.SOPInstanceUID == s["sop_uids"][0]
    assert ds.StudyDate == IDENTIFIERS["StudyDate"] and ds.StudyTime == "101500"
    assert ds.PatientBirthDate == ""  # no option retains it
    assert ds.PatientSex == "F" and ds.PatientAge == "062Y" and ds.PatientWeight == 61.5
    assert ds.InstitutionName == IDENTIFIERS["InstitutionName"]
    assert "PatientName" not in report["files"][0]["retained"]
    assert ds.PatientName != IDENTIFIERS["PatientName"]
    assert "ImageComments" not in ds and "OtherPatientIDsSequence" not in ds
    codes = [c.CodeValue for c in ds.DeidentificationMethodCodeSequence]
    assert codes == ["113100", "113110", "113106", "113108", "113112"]
    assert ds.LongitudinalTemporalInformationModified == "UNMODIFIED"
    assert report["options"]["standard_options"] == opts


@pytest.mark.parametrize("name", [k for k, v in OPTIONS.items() if not v[2]])
def test_options_not_implemented_are_refused_before_anything_is_written(tmp_path, rng, name):
    s = write_series(tmp_path / "in", rng, n=1)
    with pytest.raises(ValueError, match=f"{name}.*not implemented.*nothing was written"):
        dicom.anonymize(tmp_path / "in", tmp_path / "out", options=[name])
    assert not (tmp_path / "out").exists()
    assert len(s["paths"]) == 1


def test_option_errors(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    with pytest.raises(ValueError, match="did you mean 'retain_uids'"):
        dicom.anonymize(s["paths"][0], tmp_path / "a.dcm", options=["retain_uid"])
    with pytest.raises(ValueError, match="exclude each other"):
        dicom.anonymize(s["paths"][0], tmp_path / "a.dcm", options=["retain_full_dates"],
                        date_shift=3)  # fmt: skip
    with pytest.raises(ValueError, match="date_shift"):
        dicom.anonymize(s["paths"][0], tmp_path / "a.dcm", options=["retain_modified_dates"])
    assert not (tmp_path / "a.dcm").exists()


# --------------------------------------------------------------------------
# file modes, existing outputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_output_keeps_the_mode_of_its_input(tmp_path, rng, mode):
    s = write_series(tmp_path / "in", rng, n=2)
    for p in s["paths"]:
        os.chmod(p, mode)
    out = tmp_path / "one.dcm"
    dicom.anonymize(s["paths"][0], out)
    assert stat.S_IMODE(out.stat().st_mode) == mode
    dicom.anonymize(tmp_path / "in", tmp_path / "out")
    for p in s["paths"]:
        copy = tmp_path / "out" / p.relative_to(tmp_path / "in")
        assert stat.S_IMODE(copy.stat().st_mode) == mode
    dicom.anonymize(s["paths"][1], overwrite=True)  # in place
    assert stat.S_IMODE(s["paths"][1].stat().st_mode) == mode
    assert pydicom.dcmread(s["paths"][1]).PatientIdentityRemoved == "YES"


def test_existing_dst_gives_a_clear_error_with_the_fix(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    existing = tmp_path / "exists.dcm"
    existing.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="overwrite=True.*another name"):
        dicom.anonymize(s["paths"][0], existing)
    with pytest.raises(FileExistsError, match="existing file.*folder"):
        dicom.anonymize(tmp_path / "in", existing)  # a folder into a file
    with pytest.raises(FileExistsError, match="is a file"):
        dicom.anonymize(s["paths"][0], existing / "sub" / "x.dcm")
    with pytest.raises(FileExistsError, match="is a file"):
        dicom.anonymize(tmp_path / "in", existing / "out")
    assert existing.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists.dcm", "in"]


def test_write_into_a_file_path_is_refused(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    for dst in (blocker, blocker / "series"):
        with pytest.raises(FileExistsError, match="is a file.*nothing was written"):
            dicom.write(dst, [[1, 2], [3, 4]])
    assert blocker.read_text() == "x"


# --------------------------------------------------------------------------
# leftovers of a killed write
# --------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_stale_temp_files_of_dead_processes_are_removed(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=1)
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f".a.dcm.pybridge-{_dead_pid()}-0a1b2c3d.tmp"
    stale.write_bytes(b"half a file")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = out / f".b.dcm.pybridge-{sleeper.pid}-0a1b2c3d.tmp"
        live.write_bytes(b"a write in progress")
        other = out / ".notes.tmp"  # not pybridge's: left alone
        other.write_bytes(b"x")
        dicom.anonymize(s["paths"][0], out / "a.dcm")
        assert not stale.exists()
        assert live.exists() and other.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    left = sorted(p.name for p in out.iterdir())
    assert left == sorted([live.name, other.name, "a.dcm"])


# --------------------------------------------------------------------------
# DICOMDIR references stay inside their folder
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [["..", "..", "etc", "passwd"], ["/etc/passwd"], ["IMAGES", "..", "..", "x"], ["a/../../b"],
     ["C:", "x"]],
)  # fmt: skip
def test_dicomdir_reference_outside_its_folder_is_refused(tmp_path, ref):
    folder = tmp_path / "media"
    shutil.copytree(bundled("dicomdirtests"), folder)
    dd = pydicom.dcmread(folder / "DICOMDIR")
    record = next(r for r in dd.DirectoryRecordSequence if "ReferencedFileID" in r)
    with warnings.catch_warnings():  # a hostile value is not a valid CS: pydicom says so
        warnings.simplefilter("ignore", UserWarning)
        record.ReferencedFileID = ref
        dd.save_as(folder / "DICOMDIR")
    with pytest.raises(DicomError, match="leaves its folder"):
        dicom.read(folder / "DICOMDIR")
    with pytest.raises(DicomError, match="leaves its folder"):
        dicom.list_series(folder)


def test_dicomdir_inside_its_folder_still_reads(tmp_path):
    folder = tmp_path / "media"
    shutil.copytree(bundled("dicomdirtests"), folder)
    assert sum(s["n_files"] for s in dicom.list_series(folder / "DICOMDIR")) > 0
