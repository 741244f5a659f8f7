"""pybridge.mapi explanations: MATLAB layouts in, H x W x N heatmaps and structs out."""

from __future__ import annotations

import array

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression

from pybridge import mapi, xai


def _net(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, 1),
    ).eval()


def test_gradcam_matlab_stack_in_hwn_out(rng):
    net = _net()
    images = rng.random((4, 12, 10), dtype=np.float32)  # Python N x H x W
    stack = np.asfortranarray(np.moveaxis(images, 0, -1))  # MATLAB H x W x N
    got = mapi.call("gradcam", net, stack, target=2.0)  # class 2 (1-based) = Python's class 1
    assert got.shape == (12, 10, 4) and got.dtype == np.float64 and got.flags.f_contiguous
    expected = xai.gradcam(net, images[:, None], target=1)
    assert_allclose(np.moveaxis(got, -1, 0), expected, rtol=1e-6)
    # H x W x 1 x N (the Deep Learning Toolbox layout) and a memoryview give the same
    as4 = np.asfortranarray(stack[:, :, None, :])
    assert_allclose(mapi.gradcam(net, memoryview(as4), target=2.0), got)
    # one image H x W
    one = mapi.gradcam(net, np.asfortranarray(images[2]), target=2.0)
    assert one.shape == (12, 10)
    assert_allclose(one, got[:, :, 2], rtol=1e-6)


def test_gradcam_per_image_targets_and_regions(rng):
    net = _net(1)
    images = rng.random((3, 8, 8), dtype=np.float32)
    stack = np.asfortranarray(np.moveaxis(images, 0, -1)[:, :, None, :])  # 3 images: H x W x 1 x 3
    got = mapi.gradcam(net, stack, target=array.array("d", [1, 2, 1]))  # 1-based classes
    expected = xai.gradcam(net, images, target=np.array([0, 1, 0]))
    assert_allclose(np.moveaxis(got, -1, 0), expected, rtol=1e-6)

    torch.manual_seed(2)
    seg = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(3, 1, 1)
    ).eval()
    region = np.zeros((8, 8), bool)
    region[2:5, 3:7] = True
    got = mapi.gradcam(seg, stack, target=np.asfortranarray(region))
    expected = xai.gradcam(seg, images, target=region)
    assert_allclose(np.moveaxis(got, -1, 0), expected, rtol=1e-6)


def test_saliency_through_mapi(rng):
    net = _net(3)
    images = rng.random((2, 6, 7), dtype=np.float32)
    stack = np.asfortranarray(np.moveaxis(images, 0, -1))
    assert_allclose(
        np.moveaxis(mapi.call("saliency", net, stack, smooth=3.0, seed=5.0), -1, 0),
        xai.saliency(net, images, smooth=3, seed=5),
        rtol=1e-6,
    )
    with pytest.raises(TypeError, match="whole number"):
        mapi.saliency(net, stack, smooth=1.5)


def test_permutation_importance_struct(rng):
    X = rng.normal(size=(120, 3))
    y = (X[:, 1] - 0.3 * X[:, 0] + 0.3 * rng.normal(size=120) > 0).astype(float)
    est = LogisticRegression().fit(X, y.astype(int))
    s = mapi.call(
        "permutation_importance",
        est,
        np.asfortranarray(X),
        array.array("d", y),
        n_repeats=3.0,
        seed=2.0,
        feature_names=("a", "b", "c"),
    )
    ref = xai.permutation_importance(
        est, X, y.astype(int), n_repeats=3, seed=2, feature_names="abc"
    )
    assert s["features"] == ref["features"] and s["features"][0] == "b"
    assert_array_equal(s["order"].ravel(), ref["order"] + 1)  # 1-based for MATLAB
    assert s["order"].shape == (3, 1)
    assert_allclose(s["importance"].ravel(), ref["importances_mean"])
    assert s["importances"].shape == (3, 3)
    assert s["baselineError"] == pytest.approx(ref["baseline_error"])


def test_model_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file"):
        mapi.gradcam(str(tmp_path / "missing.safetensors"), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="'file' field"):
        mapi.gradcam({"name": "x"}, np.zeros((4, 4)))
    with pytest.raises(TypeError, match="MODEL must be a model file name"):
        mapi.gradcam(3.0, np.zeros((4, 4)))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_saved_classifier_file(tmp_path):
    """A model file from CNNClassifier.save is loaded (once) and explained."""
    classification = pytest.importorskip("pybridge.classification")
    from pybridge.datasets import microcalcifications

    d = microcalcifications(24, seed=0)
    clf = classification.CNNClassifier(epochs=1, seed=0, progress=False).fit(
        d["images"], d["labels"]
    )
    path = tmp_path / "clf.safetensors"
    clf.save(path)
    stack = np.asfortranarray(np.moveaxis(d["images"][:4], 0, -1))
    got = mapi.gradcam({"file": str(path)}, stack, target=2.0)
    assert_allclose(np.moveaxis(got, -1, 0), xai.gradcam(clf, d["images"][:4], target=1), atol=1e-6)
    assert_allclose(mapi.gradcam(str(path), stack, target=2.0), got)
