"""pybridge.dicom.read and the MATLAB-facing dicom_read: shapes, order, spacing, Hounsfield values."""

from __future__ import annotations

import shutil

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from test_dicom_synth import PYDICOM_FILES, bundled, write_series

from pybridge import dicom
from pybridge.dicom import DicomError

# --------------------------------------------------------------------------
# bundled pydicom files
# --------------------------------------------------------------------------


def test_ct_small_hounsfield_units_by_hand():
    path = bundled("CT_small.dcm")
    ds = pydicom.dcmread(path)
    raw = ds.pixel_array  # pydicom's decoding, no modality LUT
    out = dicom.read(path)
    assert out["image"].shape == (1, 128, 128)
    assert out["image"].dtype == np.float64
    # CT_small: RescaleSlope 1, RescaleIntercept -1024 (read off the header by hand)
    assert float(ds.RescaleSlope) == 1.0 and float(ds.RescaleIntercept) == -1024.0
    np.testing.assert_array_equal(out["image"][0], raw.astype(np.float64) - 1024.0)
    # one pixel worked out from the stored bytes themselves
    stored = np.frombuffer(ds.PixelData, dtype="<i2").reshape(128, 128)
    assert out["image"][0, 64, 37] == float(stored[64, 37]) * 1.0 - 1024.0
    assert out["slope"].tolist() == [1.0] and out["intercept"].tolist() == [-1024.0]


def test_ct_small_geometry():
    out = dicom.read(bundled("CT_small.dcm"))
    np.testing.assert_allclose(out["pixel_spacing"], [0.661468, 0.661468])
    # one slice: the slice spacing is SpacingBetweenSlices (5 mm in this file)
    np.testing.assert_allclose(out["spacing"], [5.0, 0.661468, 0.661468])
    assert out["slice_thickness"] == 5.0
    np.testing.assert_allclose(out["orientation"], [1, 0, 0, 0, 1, 0])
    np.testing.assert_allclose(out["normal"], [0, 0, 1])
    np.testing.assert_allclose(out["positions"], [[-158.135803, -179.035797, -75.699997]])
    h = out["header"]
    assert h["Modality"] == "CT" and h["Rows"] == 128 and h["PatientID"] == "1CT1"
    assert h["PixelSpacing"] == [0.661468, 0.661468]
    assert h["ImageType"] == ["ORIGINAL", "PRIMARY", "AXIAL"]


def test_mr_small_without_rescale_keeps_stored_dtype():
    out = dicom.read(bundled("MR_small.dcm"))
    ref = pydicom.dcmread(bundled("MR_small.dcm")).pixel_array
    assert out["image"].dtype == ref.dtype
    np.testing.assert_array_equal(out["image"][0], ref)
    np.testing.assert_allclose(out["pixel_spacing"], [0.3125, 0.3125])


def test_rescale_false_gives_stored_values():
    out = dicom.read(bundled("CT_small.dcm"), rescale=False)
    np.testing.assert_array_equal(
        out["image"][0], pydicom.dcmread(bundled("CT_small.dcm")).pixel_array
    )
    assert out["slope"].tolist() == [1.0] and out["intercept"].tolist() == [0.0]


def test_multiframe_rtdose_positions_from_grid_frame_offsets():
    path = bundled("rtdose.dcm")
    ds = pydicom.dcmread(path)
    out = dicom.read(path)
    assert out["image"].shape == (int(ds.NumberOfFrames), int(ds.Rows), int(ds.Columns))
    offsets = np.array([float(v) for v in ds.GridFrameOffsetVector])
    z0 = float(ds.ImagePositionPatient[2])
    np.testing.assert_allclose(out["positions"][:, 2], np.sort(z0 + offsets))
    np.testing.assert_allclose(out["spacing"][0], np.median(np.diff(np.sort(offsets))))
    np.testing.assert_array_equal(out["image"], ds.pixel_array[np.argsort(offsets, kind="stable")])


def test_colour_multiframe_is_slices_channels_rows_cols():
    path = bundled("SC_rgb_rle_2frame.dcm")
    ref = pydicom.dcmread(path).pixel_array  # (frames, H, W, 3)
    out = dicom.read(path)
    assert out["image"].shape == (2, 3, 100, 100)
    np.testing.assert_array_equal(out["image"], ref.transpose(0, 3, 1, 2))


# --------------------------------------------------------------------------
# synthetic series: slice order by position, spacing, per-slice rescale
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "orientation",
    [
        (1.0, 0.0, 0.0, 0.0, 1.0, 0.0),  # axial
        (0.0, 1.0, 0.0, 0.0, 0.0, -1.0),  # sagittal: the normal is +x
        (
            np.cos(0.3),
            np.sin(0.3),
            0.0,
            -np.sin(0.3) * np.cos(0.4),
            np.cos(0.3) * np.cos(0.4),
            -np.sin(0.4),
        ),  # oblique
    ],
)
def test_series_sorted_along_normal_not_by_name(tmp_path, rng, orientation):
    orientation = tuple(float(v) for v in orientation)
    s = write_series(
        tmp_path,
        rng,
        n=5,
        orientation=orientation,
        spacing=2.0,
        slopes=[1.0, 2.0, 0.5, 1.0, 3.0],
        intercepts=[-1024.0, -1000.0, 0.0, 10.0, -2048.0],
    )
    out = dicom.read(tmp_path)
    expected = s["raw"] * s["slopes"][:, None, None] + s["intercepts"][:, None, None]
    np.testing.assert_array_equal(out["image"], expected)
    np.testing.assert_allclose(out["positions"], s["positions"])
    assert out["files"] == [str(p) for p in s["paths"]]
    assert out["spacing"][0] == pytest.approx(2.0)
    np.testing.assert_allclose(out["spacing"][1:], [0.7, 0.8])
    assert out["uniform_spacing"] is True
    np.testing.assert_allclose(out["normal"], s["normal"], atol=1e-12)
    # the file names run against the slice order: name order would be wrong
    by_name = sorted(out["files"], key=lambda p: p.rsplit("/", 1)[-1])
    assert by_name != out["files"]


def test_series_with_a_missing_slice_reports_nonuniform_spacing(tmp_path, rng):
    s = write_series(tmp_path, rng, n=5, spacing=1.5)
    s["paths"][2].unlink()
    out = dicom.read(tmp_path)
    assert out["image"].shape[0] == 4
    assert out["spacing"][0] == pytest.approx(1.5)
    assert out["uniform_spacing"] is False


def test_folder_with_notes_and_two_series(tmp_path, rng):
    a = write_series(tmp_path / "a", rng, n=2)
    write_series(tmp_path / "b", rng, n=3)
    (tmp_path / "notes.txt").write_text("not dicom")
    with pytest.raises(ValueError, match="holds 2 series.*series="):
        dicom.read(tmp_path)
    listed = dicom.list_series(tmp_path)
    assert sorted(s["n_files"] for s in listed) == [2, 3]
    out = dicom.read(tmp_path, series=a["series"])
    assert out["image"].shape == (2, 6, 5)
    with pytest.raises(ValueError, match="not in"):
        dicom.read(tmp_path, series="1.2.3")


def _enhanced_multiframe(rng, z_values):
    """An enhanced-style multi-frame file with positions and rescale per frame."""
    n = len(z_values)
    raw = rng.integers(0, 4000, size=(n, 4, 3)).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2.1"  # Enhanced CT Image Storage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "CT"
    ds.NumberOfFrames = n
    ds.Rows, ds.Columns = 4, 3
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    shared = Dataset()
    measures = Dataset()
    measures.PixelSpacing = [0.5, 0.25]
    measures.SliceThickness = 1.0
    shared.PixelMeasuresSequence = Sequence([measures])
    orient = Dataset()
    orient.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    shared.PlaneOrientationSequence = Sequence([orient])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    frames = []
    slopes = rng.uniform(0.5, 2.0, size=n).round(3)
    for k, z in enumerate(z_values):
        fg = Dataset()
        pos = Dataset()
        pos.ImagePositionPatient = [0.0, 0.0, float(z)]
        fg.PlanePositionSequence = Sequence([pos])
        lut = Dataset()
        lut.RescaleSlope = float(slopes[k])
        lut.RescaleIntercept = -1024.0
        lut.RescaleType = "HU"
        fg.PixelValueTransformationSequence = Sequence([lut])
        frames.append(fg)
    ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
    ds.PixelData = raw.astype("<u2").tobytes()
    return ds, raw, slopes


def test_enhanced_multiframe_per_frame_groups(tmp_path, rng):
    z = [7.0, 1.0, 4.0, 10.0]  # stored out of order
    ds, raw, slopes = _enhanced_multiframe(rng, z)
    path = tmp_path / "enhanced.dcm"
    ds.save_as(path, enforce_file_format=True)
    out = dicom.read(path)
    order = np.argsort(z)
    expected = raw[order].astype(float) * slopes[order][:, None, None] - 1024.0
    np.testing.assert_allclose(out["image"], expected)
    np.testing.assert_allclose(out["positions"][:, 2], np.sort(z))
    np.testing.assert_allclose(out["spacing"], [3.0, 0.5, 0.25])
    assert out["slice_thickness"] == 1.0


def test_dicomdir_written_by_pydicom(tmp_path, rng):
    from pydicom.fileset import FileSet

    s = write_series(tmp_path / "src", rng, n=3)
    fs = FileSet()
    for p in s["paths"]:
        fs.add(pydicom.dcmread(p))
    fs.write(tmp_path / "media")
    # FileSet stages files in a TemporaryDirectory it leaves to the garbage
    # collector (a ResourceWarning, an error here): clean it up now.
    stage = getattr(fs, "_stage", {}).get("t")
    if stage is not None:
        stage.cleanup()
    dicomdir = tmp_path / "media" / "DICOMDIR"
    assert dicomdir.exists()
    for target in (dicomdir, tmp_path / "media"):
        out = dicom.read(target)
        np.testing.assert_array_equal(out["image"], s["raw"] - 1024.0)
        np.testing.assert_allclose(out["positions"], s["positions"])


def test_bundled_dicomdir_series_in_slice_order():
    root = PYDICOM_FILES / "dicomdirtests"
    series = [s for s in dicom.list_series(root / "DICOMDIR") if s["n_files"] == 5]
    assert len(series) == 1
    out = dicom.read(root / "DICOMDIR", series=series[0]["SeriesInstanceUID"])
    # reference order: each file's position along its normal, worked out with pydicom
    keys = {}
    for f in series[0]["files"]:
        ds = pydicom.dcmread(f)
        iop = np.array([float(v) for v in ds.ImageOrientationPatient])
        normal = np.cross(iop[:3], iop[3:])
        keys[f] = float(np.dot([float(v) for v in ds.ImagePositionPatient], normal))
    assert out["files"] == sorted(keys, key=keys.get)
    assert out["image"].shape[0] == 5


# --------------------------------------------------------------------------
# bad input: clear errors
# --------------------------------------------------------------------------


def test_not_dicom(tmp_path):
    p = tmp_path / "notes.dcm"
    p.write_text("hello, I am not DICOM\n" * 20)
    with pytest.raises(DicomError, match="not a DICOM file"):
        dicom.read(p)


def test_truncated_pixel_data():
    with pytest.raises(DicomError, match="truncated.*8130 bytes.*8192"):
        dicom.read(bundled("MR_truncated.dcm"))


def test_truncated_file_cut_by_hand(tmp_path):
    data = bundled("CT_small.dcm").read_bytes()
    p = tmp_path / "cut.dcm"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(DicomError, match="truncated"):
        dicom.read(p)


def test_no_pixel_data():
    with pytest.raises(DicomError, match="no pixel data.*RTPLAN"):
        dicom.read(bundled("rtplan.dcm"))


def test_image_series_next_to_a_non_image_object(tmp_path, rng):
    s = write_series(tmp_path, rng, n=2)
    shutil.copy(bundled("rtplan.dcm"), tmp_path / "plan.dcm")  # another series, no pixels
    out = dicom.read(tmp_path)
    assert out["files"] == [str(p) for p in s["paths"]]
    assert [x["n_files"] for x in dicom.list_series(tmp_path)] == [2]


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        dicom.read(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DicomError, match="no DICOM files"):
        dicom.read(tmp_path / "empty")


def test_slices_of_different_sizes(tmp_path, rng):
    s = write_series(tmp_path, rng, n=2)
    ds = pydicom.dcmread(s["paths"][0])
    ds.Rows, ds.Columns = 5, 6
    ds.save_as(s["paths"][0], enforce_file_format=True)
    with pytest.raises(DicomError, match="differ in size"):
        dicom.read(tmp_path)


def test_bad_option():
    with pytest.raises(TypeError, match="rescale"):
        dicom.read(bundled("CT_small.dcm"), rescale="yes")


# --------------------------------------------------------------------------
# the MATLAB-facing function
# --------------------------------------------------------------------------


def test_mapi_dicom_read_matlab_layout(tmp_path, rng):
    from pybridge.mapi._dicom import dicom_read

    s = write_series(tmp_path, rng, n=3, shape=(6, 5), spacing=2.5)
    r = dicom_read(str(tmp_path))
    assert r["image"].shape == (6, 5, 3) and r["image"].flags.f_contiguous
    for k in range(3):  # MATLAB's image(:, :, k) is slice k
        np.testing.assert_array_equal(r["image"][:, :, k], s["raw"][k] - 1024.0)
    np.testing.assert_allclose(r["spacing"], [[0.7, 0.8, 2.5]])
    assert r["positions"].shape == (3, 3)
    assert r["slope"].shape == (3, 1)
    assert r["header"]["Modality"] == "CT"
    assert isinstance(r["files"], list) and len(r["files"]) == 3


def test_mapi_dicom_read_colour_and_series_option():
    from pybridge.mapi._dicom import dicom_read

    r = dicom_read(str(bundled("SC_rgb_rle_2frame.dcm")), series="")
    assert r["image"].shape == (100, 100, 3, 2)
    ref = pydicom.dcmread(bundled("SC_rgb_rle_2frame.dcm")).pixel_array
    np.testing.assert_array_equal(r["image"][:, :, :, 1], ref[1])


def test_mapi_dicom_read_through_call(tmp_path):
    from pybridge import mapi

    if "dicom_read" not in mapi.__all__:
        pytest.fail("pybridge/mapi/__init__.py lacks the line 'from . import _dicom'")
    shutil.copy(bundled("CT_small.dcm"), tmp_path / "ct.dcm")
    r = mapi.call("dicom_read", str(tmp_path / "ct.dcm"))
    assert r["image"].shape == (128, 128)  # one slice: MATLAB drops the trailing 1


# --------------------------------------------------------------------------
# write: a series that read() and pydicom read back
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.uint8, bool])
def test_write_read_round_trip_exact(tmp_path, rng, dtype):
    vol = rng.integers(0, 200, size=(3, 5, 4)).astype(dtype)
    files = dicom.write(tmp_path, vol, spacing=(2.5, 0.6, 0.7), origin=(1.0, 2.0, 3.0))
    assert [p.rsplit("/", 1)[-1] for p in files] == ["IM0001.dcm", "IM0002.dcm", "IM0003.dcm"]
    back = dicom.read(tmp_path)
    np.testing.assert_array_equal(back["image"], vol.astype(back["image"].dtype))
    np.testing.assert_allclose(back["spacing"], [2.5, 0.6, 0.7])
    np.testing.assert_allclose(back["positions"], [[1, 2, 3], [1, 2, 5.5], [1, 2, 8]])
    ds = pydicom.dcmread(files[1])  # an independent reader agrees
    np.testing.assert_array_equal(ds.pixel_array, vol[1].astype(ds.pixel_array.dtype))


def test_write_float_volume_within_half_a_step(tmp_path, rng):
    vol = rng.normal(0.0, 300.0, size=(2, 6, 6))
    dicom.write(tmp_path, vol)
    back = dicom.read(tmp_path)
    step = (vol.max() - vol.min()) / 65535
    np.testing.assert_allclose(back["image"], vol, atol=0.5 * step * 1.001)


def test_write_like_joins_the_study_and_geometry(tmp_path):
    ct = dicom.read(bundled("CT_small.dcm"))
    mask = ct["image"] > 0
    dicom.write(tmp_path, mask, like=ct, modality="SEG")
    back = dicom.read(tmp_path)
    assert back["header"]["StudyInstanceUID"] == ct["header"]["StudyInstanceUID"]
    assert back["header"]["FrameOfReferenceUID"] == ct["header"]["FrameOfReferenceUID"]
    assert back["header"]["SeriesInstanceUID"] != ct["header"]["SeriesInstanceUID"]
    np.testing.assert_allclose(back["positions"], ct["positions"])
    np.testing.assert_allclose(back["spacing"], ct["spacing"])
    np.testing.assert_array_equal(back["image"].astype(bool), mask)


def test_write_refuses_to_overwrite_and_bad_input(tmp_path):
    dicom.write(tmp_path, np.zeros((2, 3, 3), np.uint8))
    before = (tmp_path / "IM0001.dcm").read_bytes()
    with pytest.raises(FileExistsError, match="nothing was written"):
        dicom.write(tmp_path, np.ones((2, 3, 3), np.uint8))
    assert (tmp_path / "IM0001.dcm").read_bytes() == before
    dicom.write(tmp_path, np.ones((2, 3, 3), np.uint8), overwrite=True)
    assert dicom.read(tmp_path)["image"].max() == 1
    with pytest.raises(ValueError, match="slices, H, W"):
        dicom.write(tmp_path / "x", np.zeros((1, 2, 3, 4)))
    with pytest.raises(ValueError, match="orthogonal"):
        dicom.write(tmp_path / "x", np.zeros((2, 2)), orientation=(1, 0, 0, 1, 0, 0))
    with pytest.raises(ValueError, match="positive"):
        dicom.write(tmp_path / "x", np.zeros((2, 2)), spacing=(0, 1, 1))
