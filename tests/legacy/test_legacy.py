"""pybridge.legacy and matlab/legacy/massSegment.m: on Octave and on the mock MATLAB."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image
from scipy.signal import convolve2d

from pybridge.engine import EngineError, start_matlab
from pybridge.legacy import legacy_dir, mass_segment, result_paths, segment_folder

octave = [pytest.mark.requires_octave, pytest.mark.timeout(300)]


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """Hand-written Sorensen-Dice: 2 |A and B| / (|A| + |B|)."""
    a, b = a.astype(bool), b.astype(bool)
    return 2.0 * np.logical_and(a, b).sum() / (a.sum() + b.sum())


def upsample(mask: np.ndarray, scale: int, shape: tuple[int, int]) -> np.ndarray:
    """A mask on the down-scaled grid back on the full-size grid (each pixel a scale x scale block)."""
    full = np.zeros(shape, dtype=bool)
    big = np.kron(mask, np.ones((scale, scale), dtype=bool))
    full[: big.shape[0], : big.shape[1]] = big
    return full


@pytest.fixture(scope="module")
def oct_eng():
    with start_matlab("octave", timeout=120) as eng:
        eng.addpath(str(legacy_dir()))
        yield eng


def _octave_children() -> set[int]:
    """Octave processes whose parent is this test process."""
    found = set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == os.getpid() and "octave" in name:
            found.add(int(d.name))
    return found


@pytest.mark.slow
# ----------------------------------------------------------- the method
@pytest.mark.requires_octave
@pytest.mark.timeout(300)
def test_dice_on_ten_synthetic_mammograms(oct_eng):
    from pybridge.datasets import mammogram

    scores, recalls = [], []
    for seed in range(10):
        m = mammogram(seed=seed)
        mask, resized = mass_segment(m["image"], m["roi"], engine=oct_eng)  # defaults 8, 8, 5, 32
        assert mask.shape == resized.shape == (125, 125)
        # resized pixel j is centred on full-size pixel 8 * j (0-based): sample the truth there
        truth = m["mask"][::8, ::8]
        scores.append(dice(mask, truth))
        recalls.append(np.logical_and(mask, truth).sum() / truth.sum())
    print("Dice per seed:", np.round(scores, 3), "recall:", np.round(recalls, 3))
    # the course method finds the whole mass and adds about one coarse pixel around it
    assert min(recalls) >= 0.95, recalls
    assert min(scores) >= 0.6 and np.median(scores) >= 0.7, scores


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_disc_hand_worked(oct_eng):
    # a bright disc of radius 60 centred at row 180, column 200 (0-based) in a 400 x 400 image
    yy, xx = np.mgrid[0:400, 0:400]
    disc = (yy - 180) ** 2 + (xx - 200) ** 2 < 60**2
    img = disc.astype(np.float64) * 0.5 + 0.2
    mask, _ = mass_segment(
        img, (100, 120, 260, 280), smooth=4, scale=4, nhood=5, n_lines=32, engine=oct_eng
    )
    assert mask.shape == (100, 100)
    assert dice(upsample(mask, 4, disc.shape), disc) > 0.88
    # the centre of mass of the result is the disc's centre (within one coarse pixel);
    # resized pixel j is centred on full-size pixel 4 * j (0-based)
    r, c = np.argwhere(mask).mean(axis=0)
    assert abs(r * 4 - 180) <= 4 and abs(c * 4 - 200) <= 4


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_resized_image_is_smoothed_resized_and_max_normalised(oct_eng, rng):
    img = rng.random((64, 48))
    _, resized = mass_segment(img, (10, 10, 50, 40), smooth=5, scale=4, engine=oct_eng)
    # reference: scipy's full convolution with a 5 x 5 box, the image package's bicubic
    # imresize by 1/4, divided by its maximum; the pixels whose centres lie on the image
    conv = convolve2d(img, np.ones((5, 5)) / 25, mode="full")
    oct_eng.eval("pkg load image", nargout=0)
    small = np.asarray(oct_eng.imresize(conv, 0.25))
    ref = small / small.max()
    assert resized.shape == (16, 12)
    assert_allclose(resized, ref[:16, :12], atol=1e-12)


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_path_and_integer_images_give_the_same_result(oct_eng, tmp_path):
    from pybridge.datasets import mammogram

    m = mammogram(size=400, seed=4)
    u8 = np.round(m["image"] * 255).astype(np.uint8)
    Image.fromarray(u8).save(tmp_path / "scan.pgm")
    from_array = mass_segment(u8, m["roi"], scale=4, smooth=4, engine=oct_eng)
    from_file = mass_segment(tmp_path / "scan.pgm", m["roi"], scale=4, smooth=4, engine=oct_eng)
    assert_array_equal(from_array[0], from_file[0])
    assert_allclose(from_array[1], from_file[1])


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "args, ident",
    [
        (("IMG",), "pybridge:massSegment:notEnoughInputs"),
        (("/no/such/scan.pgm", "ROI"), "pybridge:massSegment:fileNotFound"),
        (("FLAT", "ROI"), "pybridge:massSegment:badImage"),
        (("IMG", np.array([[1.0, 1.0, 40.0]])), "pybridge:massSegment:badRoi"),
        (("IMG", np.array([[30.0, 30.0, 40.0, 40.0]])), "pybridge:massSegment:badRoi"),
        (("IMG", "ROI", 8.0, 8.0, 4.0, 32.0), "pybridge:massSegment:badParameter"),
        (("IMG", "ROI", 8.0, 0.0), "pybridge:massSegment:badParameter"),
    ],
)
def test_massSegment_error_identifiers(oct_eng, rng, args, ident):
    subst = {
        "IMG": rng.random((64, 64)),
        "FLAT": np.full((64, 64), 0.5),
        "ROI": np.array([[5.0, 5.0, 30.0, 30.0]]),
    }
    real = [subst.get(a, a) if isinstance(a, str) else a for a in args]
    with pytest.raises(EngineError) as info:
        oct_eng.massSegment(*real, nargout=2)
    assert info.value.identifier == ident
    assert info.value.stack and info.value.stack[-1].name == "massSegment"


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_bad_roi_is_a_value_error(oct_eng, tmp_path):
    Image.fromarray(np.zeros((40, 40), np.uint8)).save(tmp_path / "small.png")
    with pytest.raises(ValueError, match="badRoi"):  # only MATLAB knows the size of a file
        mass_segment(tmp_path / "small.png", (0, 0, 80, 80), scale=2, smooth=2, engine=oct_eng)
    with pytest.raises(ValueError, match="outside"):  # checked in Python for arrays
        mass_segment(np.zeros((40, 40)), (0, 0, 80, 80), engine=oct_eng)
    with pytest.raises(ValueError, match="odd"):
        mass_segment(np.zeros((40, 40)), (0, 0, 20, 20), nhood=4, engine=oct_eng)


# ------------------------------------------------------------ on the mock
@pytest.fixture
def mock_eng(fake_matlab):
    calls = []

    def fake_mass_segment(nargout, image, roi, smooth, scale, nhood, n_lines):
        calls.append((image, roi, smooth, scale, nhood, n_lines))
        if isinstance(image, str):
            image = np.asarray(Image.open(image), dtype=np.float64)
        s = int(scale[0, 0])
        h, w = image.shape[0] // s, image.shape[1] // s
        x, y, wd, ht = roi.ravel()
        mask = np.zeros((h, w), dtype=bool)
        mask[int(y - 1) // s : int(y + ht - 1) // s, int(x - 1) // s : int(x + wd - 1) // s] = True
        return mask, np.zeros((h, w))

    fake_matlab.engine.register("massSegment", fake_mass_segment)
    with start_matlab("matlab") as eng:
        eng.calls = calls
        yield eng
    fake_matlab.engine.unregister("massSegment")


def test_mock_receives_matlab_conventions(mock_eng):
    img = np.zeros((40, 30), dtype=np.uint8)
    mask, resized = mass_segment(img, (19, 9, 22, 14), scale=1, smooth=1, engine=mock_eng)
    image, roi, smooth, scale, nhood, n_lines = mock_eng.calls[-1]
    assert image.dtype == np.uint8 and image.shape == (40, 30)
    # 0-based end-exclusive (19, 9, 22, 14) is MATLAB's [x y width height] = [10 20 5 3]
    assert_array_equal(roi, [[10.0, 20.0, 5.0, 3.0]])
    assert [a.dtype for a in (smooth, scale, nhood, n_lines)] == [np.float64] * 4
    assert mask.dtype == np.bool_
    assert_array_equal(np.argwhere(mask)[[0, -1]], [[19, 9], [21, 13]])
    assert resized.shape == (40, 30)


def _write_folder(folder: Path, n: int, size: int = 200) -> dict:
    from pybridge.datasets import mammogram

    folder.mkdir()
    rois = {}
    for i in range(n):
        m = mammogram(size=size, seed=i, radius=(0.06, 0.08))
        Image.fromarray(np.round(m["image"] * 255).astype(np.uint8)).save(folder / f"scan{i}.png")
        rois[f"scan{i}.png"] = m["roi"]
    return rois


def test_mock_segment_folder_resumes_after_interrupt(mock_eng, fake_matlab, tmp_path):
    rois = _write_folder(tmp_path / "in", 5, size=96)
    out = tmp_path / "out"
    real = fake_matlab.engine._USER["massSegment"][0]
    count = {"n": 0}

    def interrupted(nargout, *args):
        count["n"] += 1
        if count["n"] == 3:
            raise KeyboardInterrupt  # Ctrl-C during the third image
        return real(nargout, *args)

    fake_matlab.engine.register("massSegment", interrupted)
    with pytest.raises(KeyboardInterrupt):
        segment_folder(tmp_path / "in", rois, out, engine=mock_eng, scale=4, progress=False)
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.npz")}
    assert sorted(first) == ["scan0.npz", "scan1.npz"]
    fake_matlab.engine.register("massSegment", real)
    summary = segment_folder(tmp_path / "in", rois, out, engine=mock_eng, scale=4, progress=False)
    assert sorted(summary.skipped) == ["scan0.png", "scan1.png"]
    assert sorted(summary.done) == ["scan2.png", "scan3.png", "scan4.png"]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("scan[01].npz")} == first


def test_mock_engine_death_during_an_image_is_retried(mock_eng, fake_matlab, tmp_path):
    rois = _write_folder(tmp_path / "in", 3, size=96)
    real = fake_matlab.engine._USER["massSegment"][0]
    count = {"n": 0}

    def crashing(nargout, *args):
        count["n"] += 1
        if count["n"] == 2:
            mock_eng._backend._eng._kill()  # MATLAB dies while segmenting scan1
        return real(nargout, *args)

    fake_matlab.engine.register("massSegment", crashing)
    summary = segment_folder(
        tmp_path / "in", rois, tmp_path / "out", engine=mock_eng, scale=4, progress=False
    )
    assert summary.retried == ["scan1.png"]
    assert sorted(summary.done) == ["scan0.png", "scan1.png", "scan2.png"] and summary.ok
    assert mock_eng.restarts == 1


def test_mock_segment_folder_lists_failures(mock_eng, tmp_path):
    rois = _write_folder(tmp_path / "in", 3, size=96)
    (tmp_path / "in" / "broken.png").write_bytes(b"not a png at all")
    (tmp_path / "in" / "no_roi.pgm").write_bytes(b"P5\n2 2\n255\n\x00\x00\x00\x00")
    rois["broken.png"] = (0, 0, 10, 10)
    out = tmp_path / "out"
    summary = segment_folder(tmp_path / "in", rois, out, engine=mock_eng, scale=4, progress=False)
    assert sorted(summary.done) == ["scan0.png", "scan1.png", "scan2.png"]
    assert sorted(summary.failed) == ["broken.png", "no_roi.pgm"]
    assert "no ROI" in summary.failed["no_roi.pgm"]
    import json

    written = json.loads((out / "summary.json").read_text())
    assert sorted(written["failed"]) == ["broken.png", "no_roi.pgm"]
    npz, png = result_paths(out, "scan0.png")
    with np.load(npz) as r:
        assert r["mask"].dtype == np.bool_
        assert_array_equal(np.asarray(Image.open(png)) > 0, r["mask"])
    with pytest.raises(ValueError, match="engine"):
        segment_folder(tmp_path / "in", rois, out, engine=mock_eng, workers=2, progress=False)


@pytest.mark.slow
# --------------------------------------------------------- on real Octave
@pytest.mark.requires_octave
@pytest.mark.timeout(300)
def test_octave_killed_mid_batch_nothing_lost_or_redone(tmp_path):
    rois = _write_folder(tmp_path / "in", 6, size=600)
    out = tmp_path / "out"
    with start_matlab("octave", timeout=120) as eng:
        victim = eng.pid

        def killer():
            end = time.monotonic() + 60
            while time.monotonic() < end and not list(out.glob("*.npz")):
                time.sleep(0.005)
            os.kill(victim, signal.SIGKILL)

        t = threading.Thread(target=killer)
        t.start()
        summary = segment_folder(tmp_path / "in", rois, out, engine=eng, scale=4, progress=False)
        t.join()
        assert eng.restarts >= 1 and eng.pid != victim
        assert summary.ok, summary.failed
        assert len(summary.done) == 6
        print("killed; retried:", summary.retried, "restarts:", eng.restarts)
        before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.npz")}
        assert len(before) == 6
        again = segment_folder(tmp_path / "in", rois, out, engine=eng, scale=4, progress=False)
    assert again.done == [] and sorted(again.skipped) == sorted(rois)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.npz")} == before


@pytest.mark.requires_octave
@pytest.mark.timeout(300)
def test_octave_two_workers_match_one_and_leave_no_process(oct_eng, tmp_path):
    rois = _write_folder(tmp_path / "in", 4)
    children = _octave_children()
    two = segment_folder(
        tmp_path / "in", rois, tmp_path / "two", workers=2, scale=4, smooth=4, progress=False
    )
    assert _octave_children() <= children  # both engines quit
    one = segment_folder(
        tmp_path / "in", rois, tmp_path / "one", engine=oct_eng, scale=4, smooth=4, progress=False
    )
    assert sorted(two.done) == sorted(one.done) == sorted(rois)
    for name in rois:
        with (
            np.load(result_paths(tmp_path / "one", name)[0]) as a,
            np.load(result_paths(tmp_path / "two", name)[0]) as b,
        ):
            assert_array_equal(a["mask"], b["mask"])
            assert a["mask"].any()


def test_legacy_dir_holds_mass_segment():
    assert (legacy_dir() / "massSegment.m").is_file()
    text = (legacy_dir() / "massSegment.m").read_text()
    # the .m code must run on MATLAB and Octave alike
    for bad in ("#", "!=", "++", "endfunction", "endif", "arguments", "imbinarize", '"'):
        assert bad not in text, bad
