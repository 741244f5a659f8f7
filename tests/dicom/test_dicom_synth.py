"""Builders of small synthetic DICOM series for the dicom tests (and a check that they are valid).

The other dicom test modules import these builders; the files they write are
checked here with pydicom alone, so the tests of pybridge.dicom start from
inputs that pybridge did not produce.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

PYDICOM_FILES = Path(pydicom.data.__file__).resolve().parent / "test_files"


def bundled(name: str) -> Path:
    """A file bundled inside the pydicom wheel (never downloaded)."""
    path = PYDICOM_FILES / name
    assert path.exists(), f"{name} is not bundled with this pydicom"
    return path


# Values that identify someone; the anonymiser tests look for each of them in the output.
IDENTIFIERS = {
    "PatientName": "Doe^Jane^Q",
    "PatientID": "MRN-4711-0815",
    "PatientBirthDate": "19610412",
    "OtherPatientIDs": "ALT-99-1234",
    "InstitutionName": "St Elsewhere Hospital",
    "InstitutionAddress": "1 Hospital Road, Springfield",
    "ReferringPhysicianName": "House^Gregory",
    "PerformingPhysicianName": "Quinn^Michaela",
    "OperatorsName": "Operator^Olga",
    "StationName": "CTSTATION7",
    "DeviceSerialNumber": "SN-88442211",
    "AccessionNumber": "ACC20240117",
    "StudyID": "STUDY-555",
    "StudyDate": "20240117",
    "SeriesDate": "20240117",
    "AcquisitionDate": "20240117",
    "ContentDate": "20240117",
    "StudyDescription": "Chest CT for Jane Doe",
    "SeriesDescription": "Lung window, Jane Doe",
    "PatientAddress": "42 Elm Street, Springfield",
    "PatientTelephoneNumbers": "555-0100",
    "ImageComments": "patient anxious, husband John present",
    "RequestingPhysician": "Cuddy^Lisa",
}


def ct_slice(
    *,
    pixels: np.ndarray,
    position: tuple[float, float, float],
    orientation: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0),
    slope: float = 1.0,
    intercept: float = -1024.0,
    study_uid: str,
    series_uid: str,
    frame_uid: str,
    instance: int,
    burned_in: str | None = "NO",
    referenced_uid: str | None = None,
) -> Dataset:
    """One CT slice with identifiers at the top level and inside sequences."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.SourceApplicationEntityTitle = "CTSTATION7"
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.FrameOfReferenceUID = frame_uid
    ds.Modality = "CT"
    for keyword, value in IDENTIFIERS.items():
        setattr(ds, keyword, value)
    ds.StudyTime = "101500"
    ds.SeriesTime = "101600"
    ds.PatientSex = "F"
    ds.PatientAge = "062Y"
    ds.Manufacturer = "ACME"
    ds.InstanceNumber = instance
    ds.SeriesNumber = 3
    ds.ImagePositionPatient = list(position)
    ds.ImageOrientationPatient = list(orientation)
    ds.PixelSpacing = [0.7, 0.8]
    ds.SliceThickness = 2.5
    ds.RescaleSlope = slope
    ds.RescaleIntercept = intercept
    ds.RescaleType = "HU"
    if burned_in is not None:
        ds.BurnedInAnnotation = burned_in
    # identifiers nested in sequences, two levels deep
    observer = Dataset()
    observer.VerifyingObserverName = "Verifier^Vera"
    observer.VerifyingOrganization = "St Elsewhere Hospital"
    observer.VerificationDateTime = "20240117103000"
    ds.VerifyingObserverSequence = Sequence([observer])
    content = Dataset()
    content.PersonName = "Observer^Otto"
    content.UID = generate_uid()
    ds.ContentSequence = Sequence([content])
    request = Dataset()
    request.RequestedProcedureID = "RP-777"
    request.ScheduledProcedureStepID = "SPS-778"
    ds.RequestAttributesSequence = Sequence([request])
    other = Dataset()
    other.PatientID = "ALT-99-1234"
    other.TypeOfPatientID = "TEXT"
    ds.OtherPatientIDsSequence = Sequence([other])
    if referenced_uid is not None:
        ref = Dataset()
        ref.ReferencedSOPClassUID = CTImageStorage
        ref.ReferencedSOPInstanceUID = referenced_uid
        ds.ReferencedImageSequence = Sequence([ref])
    # a private block, top level and inside a sequence item
    block = ds.private_block(0x0029, "ACME SECRET", create=True)
    block.add_new(0x01, "LO", "Jane Doe private copy")
    item = Dataset()
    item_block = item.private_block(0x0031, "ACME SECRET", create=True)
    item_block.add_new(0x02, "LO", "MRN-4711-0815")
    ds.SourceImageSequence = Sequence([item])
    pixels = np.asarray(pixels)
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.PixelData = pixels.astype("<i2").tobytes()
    return ds


def write_series(
    folder: Path,
    rng: np.random.Generator,
    *,
    n: int = 4,
    shape: tuple[int, int] = (6, 5),
    orientation: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0),
    spacing: float = 3.0,
    slopes: list[float] | None = None,
    intercepts: list[float] | None = None,
    burned_in: str | None = "NO",
) -> dict:
    """Write an n-slice series whose file names run against the slice order.

    Returns a dict with the raw pixel arrays and positions in true slice
    order (increasing along the normal), the file paths in that order, and
    the UIDs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    row, col = np.asarray(orientation[:3]), np.asarray(orientation[3:])
    normal = np.cross(row, col)
    normal = normal / np.linalg.norm(normal)
    origin = np.array([-20.0, 10.0, 35.0])
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    slopes = slopes or [1.0] * n
    intercepts = intercepts or [-1024.0] * n
    raws, positions, paths, sop_uids = [], [], [], []
    # instance numbers deliberately scrambled too: only positions give the order
    instance_numbers = list(rng.permutation(n) + 1)
    previous_uid = None
    datasets = []
    for k in range(n):
        raw = rng.integers(-200, 1800, size=shape).astype(np.int16)
        position = origin + k * spacing * normal
        ds = ct_slice(
            pixels=raw,
            position=tuple(float(v) for v in position),
            orientation=orientation,
            slope=slopes[k],
            intercept=intercepts[k],
            study_uid=study,
            series_uid=series,
            frame_uid=frame,
            instance=int(instance_numbers[k]),
            burned_in=burned_in,
            referenced_uid=previous_uid,
        )
        previous_uid = ds.SOPInstanceUID
        datasets.append(ds)
        raws.append(raw)
        positions.append(position)
        sop_uids.append(str(ds.SOPInstanceUID))
    # file names in reverse slice order, in a nested folder
    for k, ds in enumerate(datasets):
        path = folder / "sub" / f"IM{n - k:04d}.dcm" if k % 2 else folder / f"IM{n - k:04d}.dcm"
        path.parent.mkdir(parents=True, exist_ok=True)
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return {
        "raw": np.stack(raws),
        "positions": np.stack(positions),
        "paths": paths,
        "study": study,
        "series": series,
        "frame": frame,
        "sop_uids": sop_uids,
        "slopes": np.asarray(slopes, dtype=float),
        "intercepts": np.asarray(intercepts, dtype=float),
        "normal": normal,
    }


def test_synthetic_series_reads_back_with_pydicom(tmp_path, rng):
    s = write_series(tmp_path, rng, n=3)
    for k, path in enumerate(s["paths"]):
        ds = pydicom.dcmread(path)
        np.testing.assert_array_equal(ds.pixel_array, s["raw"][k])
        assert ds.PatientName == IDENTIFIERS["PatientName"]
        assert (
            ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID == s["sop_uids"][k - 1]
            if k
            else True
        )
        assert ds.SourceImageSequence[0][0x00311002].value == "MRN-4711-0815"


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "rtdose.dcm"])
def test_bundled_files_are_local(name):
    assert bundled(name).stat().st_size > 0
