"""Batch inference over folders (classify_folder, segment_folder): local pool, resume, refusals.

References: the fitted estimator's own ``predict``/``predict_proba`` on images
read here with PIL.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from inference_helpers import assert_masks_match, read_reference, save_8bit
from numpy.testing import assert_allclose
from PIL import Image

from pybridge import PyBridgeError
from pybridge._batch import BatchLockedError, out_dir_lock
from pybridge._inference import classify_folder, segment_folder

ROOT = Path(__file__).resolve().parents[2]


def _listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def _no_partials(out: Path) -> None:
    assert not [p for p in out.rglob("*") if ".part" in p.name]


# ------------------------------------------------------------ refusals (no model needed)
@pytest.fixture
def dummy_model(tmp_path) -> Path:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"not read: these calls are refused before the model is")
    return path


@pytest.mark.parametrize("run", [classify_folder, segment_folder])
def test_refusals_write_nothing(run, tmp_path, dummy_model):
    folder = tmp_path / "in"
    for name in ("a.png", "a.pgm", "b.png"):
        save_8bit(folder / name, np.zeros((8, 8)))
    before = _listing(folder)
    with pytest.raises(ValueError, match=r"a\.pgm and a\.png -> 'a'"):
        run(dummy_model, folder, tmp_path / "out", progress=False)
    (folder / "a.pgm").unlink()
    before = _listing(folder)
    for same in (folder, folder / ".", folder / ".." / "in"):
        with pytest.raises(ValueError, match="out_dir is the input folder"):
            run(dummy_model, folder, same, progress=False)
    os.symlink(folder, tmp_path / "link")
    with pytest.raises(ValueError, match="out_dir is the input folder"):
        run(dummy_model, folder, tmp_path / "link", progress=False)
    with pytest.raises(FileNotFoundError, match="no model file"):
        run(tmp_path / "missing.safetensors", folder, tmp_path / "out", progress=False)
    with pytest.raises(TypeError, match="got int"):
        run(42, folder, tmp_path / "out", progress=False)
    with pytest.raises(FileNotFoundError, match=r"holds no files matching '\*\.tif'"):
        run(dummy_model, folder, tmp_path / "out", pattern="*.tif", progress=False)
    with pytest.raises(ValueError, match="pattern must be a glob inside the folder"):
        run(dummy_model, folder, tmp_path / "out", pattern="../*.png", progress=False)
    with pytest.raises(FileNotFoundError, match="no folder"):
        run(dummy_model, tmp_path / "nowhere", tmp_path / "out", progress=False)
    with pytest.raises(ValueError, match="workers must be a positive int; got 0"):
        run(dummy_model, folder, tmp_path / "out", workers=0, progress=False)
    with pytest.raises(ValueError, match="with client= the cluster's workers"):
        run(dummy_model, folder, tmp_path / "out", workers=2, client=object(), progress=False)
    assert _listing(folder) == before  # inputs untouched, nothing written among them
    assert not (tmp_path / "out").exists()


def test_a_second_run_on_the_same_out_dir_is_refused(tmp_path, dummy_model):
    folder = tmp_path / "in"
    save_8bit(folder / "a.png", np.zeros((8, 8)))
    out = tmp_path / "out"
    out.mkdir()
    with out_dir_lock(out):
        with pytest.raises(BatchLockedError, match=f"pid {os.getpid()}"):
            classify_folder(dummy_model, folder, out, progress=False)
    assert sorted(p.name for p in out.iterdir()) == [".pybridge-batch.lock"]


# ------------------------------------------------------------ classification
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_classify_folder_matches_predict_and_writes_the_table(tmp_path, patches, classifier):
    folder = tmp_path / "Test"
    files = {}
    for i in range(8):
        rel = f"{patches['labels'][i]}/p{i}.png"
        save_8bit(folder / rel, patches["images"][i])
        files[rel] = folder / rel
    wide = np.round(patches["images"][8] * 65535).astype(np.uint16)  # a 16-bit patch
    Image.fromarray(wide).save(folder / "1" / "wide.png")
    files["1/wide.png"] = folder / "1" / "wide.png"
    save_8bit(folder / "odd.png", np.zeros((40, 40)))  # not 60 x 60: the model refuses it
    out = tmp_path / "out"
    # the fitted estimator itself (saved for the workers), two threads
    summary = classify_folder(classifier, folder, out, pattern="**/*.png", workers=2,
                              progress=False)
    assert sorted(summary.done) == sorted(files)
    assert list(summary.failed) == ["odd.png"]
    assert "ValueError: images must be 60 x 60" in summary.failed["odd.png"]
    images = np.stack([read_reference(p) for p in files.values()])
    want_p = classifier.predict_proba(images)
    want = classifier.predict(images)
    for k, rel in enumerate(files):
        rec = json.loads((out / rel.replace(".png", "_prediction.json")).read_text())
        assert rec["image"] == rel and rec["prediction"] == want[k]
        assert_allclose([rec["probabilities"]["0"], rec["probabilities"]["1"]], want_p[k],
                        rtol=1e-5, atol=1e-6)
    with open(out / "predictions.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["image"] for r in rows] == sorted(files)
    by_name = {r["image"]: r for r in rows}
    for k, rel in enumerate(files):
        assert int(by_name[rel]["prediction"]) == want[k]
        assert_allclose(float(by_name[rel]["p_1"]), want_p[k, 1], rtol=1e-5, atol=1e-6)
    assert json.loads((out / "summary.json").read_text())["failed"] == summary.failed
    _no_partials(out)
    # the model that made the results is kept with them, and recorded
    run = json.loads((out / ".pybridge-inference" / "run.json").read_text())
    assert run["estimator"] == "CNNClassifier" and run["task"] == "classify"
    assert (out / ".pybridge-inference" / run["model_file"]).is_file()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_another_model_is_refused_on_an_out_dir_with_results(tmp_path, patches, classifier,
                                                             classifier_file, segmenter_file):
    from pybridge.classification import TraditionalClassifier

    folder = tmp_path / "in"
    for i in range(3):
        save_8bit(folder / f"p{i}.pgm", patches["images"][i])
    out = tmp_path / "out"
    first = classify_folder(classifier_file, folder, out, progress=False)
    assert len(first.done) == 3
    # the same model, as a path or as the estimator: a resume with nothing left to do
    again = classify_folder(classifier, folder, out, progress=False)
    assert again.done == [] and sorted(again.skipped) == ["p0.pgm", "p1.pgm", "p2.pgm"]
    other = TraditionalClassifier().fit(patches["images"], patches["labels"])
    with pytest.raises(ValueError, match="holds results of another model"):
        classify_folder(other, folder, out, progress=False)
    with pytest.raises(PyBridgeError, match="UNetSegmenter"):  # a segmenter is no classifier
        classify_folder(segmenter_file, folder, tmp_path / "out2", progress=False)
    with pytest.raises(PyBridgeError, match="CNNClassifier"):
        segment_folder(classifier_file, folder, tmp_path / "out3", progress=False)
    models = sorted(p.name for p in (out / ".pybridge-inference").glob("*.safetensors"))
    assert len(models) == 1  # the refused model's copy was removed
    for p in out.glob("*_prediction.json"):
        p.unlink()
    redo = classify_folder(other, folder, out, progress=False)  # no results left: accepted
    assert len(redo.done) == 3
    want = other.predict(np.stack([read_reference(p) for p in sorted(folder.iterdir())]))
    got = [json.loads((out / f"p{i}_prediction.json").read_text())["prediction"] for i in range(3)]
    assert got == want.tolist()


# ------------------------------------------------------------ segmentation
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_segment_folder_matches_predict(tmp_path, lesions, segmenter_file, segmenter):
    from pybridge.datasets import masses

    folder = tmp_path / "scans"
    names = []
    for i in range(4):
        name = f"m{i}.png" if i % 2 else f"m{i}.pgm"
        save_8bit(folder / name, lesions["images"][i])
        names.append(name)
    big = masses(1, size=72, seed=9)["images"][0][:, :56]  # any size: 72 x 56
    save_8bit(folder / "big.png", big)
    names.append("big.png")
    out = folder / "masks"  # a subfolder of the input folder is fine
    summary = segment_folder(segmenter_file, folder, out, progress=False)
    assert summary.ok and sorted(summary.done) == sorted(names)
    for name in names:
        with Image.open(out / (Path(name).stem + "_mask.png")) as im:
            got = np.asarray(im)
        assert got.dtype == np.uint8 and set(np.unique(got)) <= {0, 255}
        assert_masks_match(got > 0, segmenter, read_reference(folder / name))
    # a rerun does not take the masks as new inputs, and redoes nothing
    again = segment_folder(segmenter_file, folder, out, pattern="**/*.p[gn][gm]", progress=False)
    assert again.done == [] and sorted(again.skipped) == sorted(names)


_KILLED_RUN = """
import sys
from pybridge._inference import segment_folder
segment_folder(sys.argv[1], sys.argv[2], sys.argv[3], progress=False)
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_run_killed_mid_batch_resumes(tmp_path, lesions, segmenter_file, segmenter):
    folder = tmp_path / "in"
    n = 24
    for i in range(n):
        save_8bit(folder / f"s{i:02d}.png", lesions["images"][i])
    out = tmp_path / "out"
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(segmenter_file), str(folder),
                             str(out)], env=env)
    try:
        end = time.monotonic() + 240
        while time.monotonic() < end and len(list(out.glob("*_mask.png"))) < 2:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)  # the whole run dies, images in flight
    finally:
        proc.wait()
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*_mask.png")}
    assert 2 <= len(first) < n, len(first)
    summary = segment_folder(segmenter_file, folder, out, progress=False)
    assert summary.ok
    assert sorted(summary.skipped) == sorted(k.replace("_mask", "") for k in first)
    assert len(summary.done) == n - len(first)
    kept = {p.name: p.stat().st_mtime_ns for p in out.glob("*_mask.png") if p.name in first}
    assert kept == first  # not redone
    _no_partials(out)
    for i in range(n):
        with Image.open(out / f"s{i:02d}_mask.png") as im:
            got = np.asarray(im) > 0
        assert_masks_match(got, segmenter, read_reference(folder / f"s{i:02d}.png"))


# ------------------------------------------------------------ the Dask workers' allocator
_MMAPPED = """
import ctypes, sys
import numpy as np
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                 "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
if sys.argv[1] == "tuned":
    from pybridge._inference import _heap_for_buffers
    _heap_for_buffers()
before = libc.mallinfo2()
buffer = np.ones(1 << 20, np.float32)  # 4 MiB, the size of a U-Net activation
mapped = libc.mallinfo2().hblks - before.hblks
del buffer
# freed: kept in the heap for the next one (the heap grew by the buffer and did not shrink)
print(mapped, libc.mallinfo2().arena - before.arena >= 4 << 20)
"""


def _glibc_has_mallinfo2() -> bool:
    import ctypes

    try:
        return hasattr(ctypes.CDLL("libc.so.6"), "mallinfo2")
    except OSError:
        return False


@pytest.mark.skipif(not _glibc_has_mallinfo2(), reason="needs glibc >= 2.33 (mallinfo2)")
def test_dask_worker_buffers_come_from_the_heap(tmp_path):
    """With Dask's MALLOC_TRIM_THRESHOLD_, a 4 MiB buffer is its own mmap, unmapped when freed,
    unless tuned: then it comes from the heap, which keeps it for the next image."""
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("MALLOC_MMAP_THRESHOLD_", None)

    def mmapped_and_kept(mode: str) -> str:
        done = subprocess.run([sys.executable, "-c", _MMAPPED, mode], env=env, check=True,
                              capture_output=True, text=True, timeout=120)
        return done.stdout.strip()

    assert mmapped_and_kept("plain") == "1 False"
    assert mmapped_and_kept("tuned") == "0 True"
