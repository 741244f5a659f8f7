"""pybridge._batch.infer_folder: a saved model over a folder of images, local pool and Dask."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image

from pybridge import _batch
from pybridge.classification import TraditionalClassifier
from pybridge.datasets import masses, microcalcifications
from pybridge.segmentation import UNetSegmenter


def _save_pngs(folder, images):
    folder.mkdir()
    u8 = np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)
    for i, img in enumerate(u8):
        Image.fromarray(img).save(folder / f"p{i:02d}.png")
    return u8.astype(np.float32) / 255  # what the files hold, as im2double reads them


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    train = microcalcifications(60, seed=3)
    clf = TraditionalClassifier().fit(train["images"], train["labels"])
    path = tmp_path_factory.mktemp("model") / "clf.safetensors"
    clf.save(path)
    return clf, path


def test_classifier_over_a_folder_matches_predict_and_resumes(classifier, tmp_path):
    clf, path = classifier
    test = microcalcifications(9, seed=5)
    held = _save_pngs(tmp_path / "in", test["images"])
    out = tmp_path / "out"
    s = _batch.infer_folder(path, tmp_path / "in", out, workers=2, progress=False)
    assert sorted(s.done) == [f"p{i:02d}.png" for i in range(9)] and s.ok
    want = clf.predict_proba(held)[:, 1]
    with open(out / "predictions.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["image"] for r in rows] == sorted(s.done)
    assert_allclose([float(r["p1"]) for r in rows], want, atol=1e-6)
    assert_array_equal([int(r["label"]) for r in rows], (want >= 0.5).astype(int))
    (out / "p03.npz").unlink()  # as if killed before this image was written
    again = _batch.infer_folder(path, tmp_path / "in", out, progress=False)
    assert again.done == ["p03.png"] and len(again.skipped) == 8


@pytest.mark.slow  # trains a (tiny) U-Net
def test_segmenter_over_a_folder(tmp_path):
    train = masses(16, size=32, seed=0)
    seg = UNetSegmenter(width=4, depth=2, epochs=2, batch_size=8, progress=False)
    seg.fit(train["images"], train["masks"])
    test = masses(3, size=32, seed=9)
    held = _save_pngs(tmp_path / "in", test["images"])
    out = tmp_path / "out"
    s = _batch.infer_folder(seg, tmp_path / "in", out, progress=False)  # a model object
    assert s.ok and len(s.done) == 3
    want = seg.predict(held)
    for i in range(3):
        with np.load(out / f"p{i:02d}.npz") as r:
            assert_array_equal(r["mask"], want[i])
        assert_array_equal(np.asarray(Image.open(out / f"p{i:02d}_mask.png")) > 0, want[i])
    assert not (out / "predictions.csv").exists()


def test_infer_folder_refusals(classifier, tmp_path):
    clf, path = classifier
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(folder / "colour.png")
    s = _batch.infer_folder(path, folder, tmp_path / "out", progress=False)
    assert "colour image" in s.failed["colour.png"] and "rgb2gray" in s.failed["colour.png"]
    with pytest.raises(ValueError, match="input folder"):
        _batch.infer_folder(path, folder, folder, progress=False)
    with pytest.raises(ValueError, match="model's file"):
        _batch.infer_folder(clf, folder, tmp_path / "o2", client=object(), progress=False)
    with pytest.raises(FileNotFoundError):
        _batch.infer_folder(tmp_path / "none.safetensors", folder, tmp_path / "o3")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_classifier_on_a_dask_cluster(classifier, tmp_path):
    distributed = pytest.importorskip("distributed")
    clf, path = classifier
    test = microcalcifications(6, seed=8)
    held = _save_pngs(tmp_path / "in", test["images"])
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        s = _batch.infer_folder(
            path, tmp_path / "in", tmp_path / "out", client=client, progress=False
        )
        loaded = client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert s.ok and len(s.done) == 6
    assert all(f"pybridge-model-{path.name}" in p for p in loaded.values())
    with open(tmp_path / "out" / "predictions.csv") as fh:
        p1 = [float(r["p1"]) for r in csv.DictReader(fh)]
    assert_allclose(p1, clf.predict_proba(held)[:, 1], atol=1e-6)
