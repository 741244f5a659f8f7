"""pybridge.mapi.train_segmenter / segment: MATLAB layouts in, MATLAB layouts out."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

pytest.importorskip("torch")

from pybridge import convert, mapi  # noqa: E402
from pybridge.datasets import masses  # noqa: E402
from pybridge.segmentation import UNetSegmenter  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = masses(24, size=32, seed=5)
    # MATLAB's H x W x N, column-major, as py. hands it over
    X = np.asfortranarray(np.moveaxis(d["images"].astype(np.float64), 0, -1))
    M = np.asfortranarray(np.moveaxis(d["masks"], 0, -1))
    path = tmp_path_factory.mktemp("seg") / "unet.safetensors"
    info = mapi.call(
        "train_segmenter", X, M, model="unet", epochs=2.0, width=4.0, depth=2.0, file=str(path)
    )
    return d, X, M, info


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_train_returns_a_struct_naming_the_saved_model(trained):
    d, X, M, info = trained
    assert set(info) == {"file", "model", "threshold", "history"}
    assert info["model"] == "unet" and 0 < info["threshold"] < 1
    h = info["history"]
    assert h["loss"].shape == h["valLoss"].shape == h["valDice"].shape == (1, 2)  # MATLAB rows
    assert 1 <= h["bestEpoch"] <= 2  # 1-based for MATLAB
    est = UNetSegmenter.load(info["file"])
    assert est.width == 4 and est.depth == 2


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_segment_gives_matlab_layout_and_agrees_with_python(trained):
    d, X, M, info = trained
    out = mapi.call("segment", info, X)
    assert out["mask"].shape == X.shape and out["mask"].dtype == np.bool_
    assert out["probability"].shape == X.shape and out["probability"].dtype == np.float32
    assert out["mask"].flags.f_contiguous
    est = UNetSegmenter.load(info["file"])
    python = est.predict(d["images"])  # N x H x W
    assert_array_equal(convert.batch_from_matlab(out["mask"]), python)
    # one image: H x W in, H x W out; a file name works as the model
    one = mapi.call("segment", info["file"], X[:, :, 0])
    assert one["mask"].shape == (32, 32)
    assert_array_equal(one["mask"], python[0])
    # H x W x 1 x N works as H x W x N
    four = mapi.call("segment", info, X[:, :, None, :])
    assert_array_equal(four["mask"], out["mask"])
    # a memoryview, as MATLAB before R2025a passes matrices
    mv = mapi.call("segment", info, memoryview(X))
    assert_array_equal(mv["mask"], out["mask"])


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_segment_threshold_and_postprocess_overrides(trained):
    _, X, _, info = trained
    out = mapi.call("segment", info, X, threshold=0.999999)
    assert_array_equal(out["mask"], out["probability"] > 0.999999)
    low = mapi.call("segment", info, X, threshold=0.01, postprocess=("largest", "fill"))
    from scipy import ndimage

    for k in range(X.shape[2]):
        assert ndimage.label(low["mask"][:, :, k], structure=np.ones((3, 3)))[1] <= 1


def test_errors(tmp_path):
    X = np.zeros((8, 8, 2), order="F")
    with pytest.raises(ValueError, match="MASKS must be 8x8x2, one H x W mask per image of IMAGES; got size 8x7x2"):
        mapi.call("train_segmenter", X, np.zeros((8, 7, 2), dtype=bool, order="F"))
    with pytest.raises(ValueError, match="'Model' must be one of 'unet', 'cae'; got 'fcn'"):
        mapi.call("train_segmenter", X, np.zeros((8, 8, 2), dtype=bool, order="F"), model="fcn")
    with pytest.raises(TypeError, match="'Epochs' must be a whole number; got 2.5"):
        mapi.call("train_segmenter", X, np.zeros((8, 8, 2), dtype=bool, order="F"), epochs=2.5)
    with pytest.raises(FileNotFoundError, match="trainSegmenter"):
        mapi.call("segment", str(tmp_path / "missing.safetensors"), X)
    with pytest.raises(ValueError, match="'file' field"):
        mapi.call("segment", {"model": "unet"}, X)
    with pytest.raises(FileNotFoundError, match="MODEL: no model file"):
        mapi.call("segment", str(tmp_path / "x"), np.zeros((8, 8, 3, 2), order="F"))
