"""Tests of the MATLAB-facing classification functions (pybridge.mapi._classification)."""

from __future__ import annotations

import array

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pybridge import convert, mapi
from pybridge.classification import TraditionalClassifier
from pybridge.datasets import microcalcifications


@pytest.fixture(scope="module")
def data():
    return microcalcifications(30, seed=13, contrast=(0.3, 0.5))


def test_train_and_classify_like_python(tmp_path, data):
    X = convert.numpy_to_matlab(data["images"][:, None], "HWCN")  # as MATLAB holds it
    assert X.shape == (60, 60, 1, 30)
    labels = array.array("d", data["labels"].astype(float))  # a MATLAB row vector
    f = str(tmp_path / "m.safetensors")
    info = mapi.call("train_classifier", X, labels, model="traditional", file=f)
    assert info["file"] == f and info["model"] == "traditional"
    out = mapi.call("classify", info, X)
    assert out["labels"].shape == (30, 1) and out["scores"].shape == (30, 2)
    ref = TraditionalClassifier().fit(data["images"], data["labels"]).predict_proba(data["images"])
    assert_allclose(out["scores"], ref, rtol=1e-10)
    assert_array_equal(out["labels"][:, 0], (ref[:, 1] >= 0.5).astype(float))
    # H x W x N and 1-based labels: the same model
    info2 = mapi.call("train_classifier", convert.batch_to_matlab(data["images"]),
                      (data["labels"] + 1).astype(float), model="traditional")
    out2 = mapi.call("classify", info2["file"], X)
    assert_allclose(out2["scores"], ref, rtol=1e-10)
    assert_array_equal(out2["labels"], out["labels"] + 1)  # answers in the training labels, 1/2
    # one H x W patch
    one = mapi.call("classify", info, np.asfortranarray(data["images"][4]))
    assert_allclose(one["scores"], ref[4:5], rtol=1e-10)


@pytest.mark.slow
def test_cnn_history_is_matlab_shaped(data):
    info = mapi.call("train_classifier", convert.batch_to_matlab(data["images"]),
                     data["labels"].astype(float), epochs=2.0)
    h = info["history"]
    assert h["loss"].shape == (1, 2) and h["valAuc"].shape == (1, 2)
    assert 1 <= h["bestEpoch"] <= 2  # 1-based


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"model": "svm"}, ValueError, "'Model' must be one of 'cnn', 'traditional', 'transfer'; got 'svm'"),
        ({"model": "cnnn"}, ValueError, "did you mean 'cnn'"),
        ({"class_weight": "auto"}, ValueError, "'ClassWeight'"),
        ({"epochs": 2.5}, TypeError, "'Epochs' must be a whole number; got 2.5"),
        ({"seed": -1.0}, ValueError, "'Seed' must be >= 0; got -1"),
        ({"validation_fraction": 1.0}, ValueError, r"'ValidationFraction' must be a number in \[0, 1\); got 1"),
    ],
)
def test_train_errors(data, kwargs, err, match):
    X = convert.batch_to_matlab(data["images"])
    with pytest.raises(err, match=match):
        mapi.call("train_classifier", X, data["labels"].astype(float), **kwargs)


def test_shape_and_model_errors(tmp_path, data):
    X = convert.batch_to_matlab(data["images"])
    with pytest.raises(ValueError, match=r"LABELS must hold one label per patch \(30\); got 5"):
        mapi.call("train_classifier", X, data["labels"][:5].astype(float))
    with pytest.raises(ValueError, match="IMAGES is 8x8x3x2: colour .* rgb2gray"):
        mapi.call("train_classifier", np.zeros((8, 8, 3, 2), order="F"), [0.0, 1.0])
    with pytest.raises(ValueError, match="LABELS hold one class only"):
        mapi.call("train_classifier", X, np.ones(30))
    with pytest.raises(FileNotFoundError, match="trainClassifier"):
        mapi.call("classify", str(tmp_path / "none.safetensors"), X)
    with pytest.raises(ValueError, match="'file' field"):
        mapi.call("classify", {"name": "x"}, X)
    with pytest.raises(ValueError, match="'Threshold' must be a number between 0 and 1; got 1.5"):
        mapi.call("classify", "m.safetensors", X, threshold=1.5)
