"""Tests of the course folder loaders (pybridge.datasets._folders)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image

from pybridge._errors import PyBridgeError
from pybridge.datasets import load_mass_folder, load_patch_folder


def _png(path, arr):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)


@pytest.fixture
def patch_root(tmp_path, rng):
    truth = {}
    for split in ("Train", "Test"):
        for label in (0, 1):
            for k in range(3):
                arr = rng.integers(0, 256, (60, 60), dtype=np.uint8)
                rel = f"{split}/{label}/p{k}.png"
                _png(tmp_path / rel, arr)
                truth[rel] = (arr, label)
    return tmp_path, truth


def test_patch_folder_reads_pixels_and_labels(patch_root):
    root, truth = patch_root
    d = load_patch_folder(root)
    assert d["train_images"].shape == (6, 60, 60) and d["train_images"].dtype == np.float32
    for split in ("train", "test"):
        for img, lab, rel in zip(d[f"{split}_images"], d[f"{split}_labels"], d[f"{split}_files"], strict=True):
            arr, label = truth[rel.replace("\\", "/")]
            assert lab == label
            assert_allclose(img, arr / 255.0, rtol=1e-6)
    assert_array_equal(d["test_labels"], [0, 0, 0, 1, 1, 1])


def test_patch_folder_16bit(tmp_path):
    arr = np.array([[0, 1000], [40000, 65535]], np.uint16)
    for split in ("Train", "Test"):
        for lab in "01":
            p = tmp_path / split / lab / "x.png"
            p.parent.mkdir(parents=True)
            Image.fromarray(arr).save(p)
    d = load_patch_folder(tmp_path)
    assert_allclose(d["train_images"][0], arr / 65535.0, rtol=1e-6)


def test_patch_folder_errors(tmp_path, patch_root):
    with pytest.raises(FileNotFoundError, match="no folder"):
        load_patch_folder(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Train"):
        load_patch_folder(tmp_path / "empty")
    root, _ = patch_root
    (root / "Train" / "1" / "broken.png").write_bytes(b"not a png at all")
    with pytest.raises(PyBridgeError, match="broken.png"):
        load_patch_folder(root)
    (root / "Train" / "1" / "broken.png").unlink()
    _png(root / "Train" / "1" / "big.png", np.zeros((64, 64), np.uint8))
    with pytest.raises(PyBridgeError, match="differ in size"):
        load_patch_folder(root)


def test_patch_folder_missing_class(tmp_path):
    _png(tmp_path / "Train" / "0" / "a.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(FileNotFoundError, match="'1' folder"):
        load_patch_folder(tmp_path)


def test_mass_folder_pairs(tmp_path, rng):
    imgs = {}
    for name in ("b", "a"):
        im = rng.integers(0, 256, (30, 40), dtype=np.uint8)
        mask = np.zeros((30, 40), np.uint8)
        mask[5:10, 7:20] = 255
        _png(tmp_path / f"{name}_resized.pgm", im)
        _png(tmp_path / f"{name}_mass_mask.pgm", mask)
        imgs[name] = (im, mask > 0)
    d = load_mass_folder(tmp_path)
    assert d["names"] == ["a", "b"]
    assert d["images"].shape == (2, 30, 40) and d["masks"].dtype == bool
    for i, name in enumerate(d["names"]):
        assert_allclose(d["images"][i], imgs[name][0] / 255.0, rtol=1e-6)
        assert_array_equal(d["masks"][i], imgs[name][1])
    # the written PGM really is a PGM (magic number P5), read by Pillow
    assert (tmp_path / "a_resized.pgm").read_bytes()[:2] == b"P5"


def test_mass_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no folder"):
        load_mass_folder(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="_resized.pgm"):
        load_mass_folder(tmp_path)
    _png(tmp_path / "a_resized.pgm", np.zeros((8, 8), np.uint8))
    _png(tmp_path / "c_mass_mask.pgm", np.zeros((8, 8), np.uint8))
    with pytest.raises(PyBridgeError, match="a_resized.pgm.*c_mass_mask.pgm"):
        load_mass_folder(tmp_path)
    (tmp_path / "c_mass_mask.pgm").unlink()
    _png(tmp_path / "a_mass_mask.pgm", np.zeros((9, 8), np.uint8))
    with pytest.raises(PyBridgeError, match="must match its image"):
        load_mass_folder(tmp_path)
    _png(tmp_path / "a_mass_mask.pgm", np.zeros((8, 8), np.uint8))
    _png(tmp_path / "b_resized.pgm", np.zeros((10, 10), np.uint8))
    _png(tmp_path / "b_mass_mask.pgm", np.zeros((10, 10), np.uint8))
    with pytest.raises(PyBridgeError, match="stack=False"):
        load_mass_folder(tmp_path)
    d = load_mass_folder(tmp_path, stack=False)
    assert [m.shape for m in d["masks"]] == [(8, 8), (10, 10)]
    (tmp_path / "b_mass_mask.pgm").write_bytes(b"P5 garbage")
    with pytest.raises(PyBridgeError, match="cannot read"):
        load_mass_folder(tmp_path, stack=False)
