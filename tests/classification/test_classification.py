"""Tests of CNNClassifier and TraditionalClassifier (pybridge.classification)."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal

from pybridge._errors import PyBridgeError
from pybridge.classification import (
    CNNClassifier,
    CourseCNN,
    TraditionalClassifier,
    auc,
    load,
    patch_features,
)
from pybridge.datasets import microcalcifications

# An easy version of the task, so a few seconds of training are enough.
EASY = {"contrast": (0.3, 0.5), "noise": 0.02}


@pytest.fixture(scope="module")
def tiny():
    return microcalcifications(40, seed=11)


@pytest.fixture(scope="module")
def tiny_cnn(tiny):
    return CNNClassifier(epochs=2, progress=False, seed=0).fit(tiny["images"], tiny["labels"])


def _auc_bound(y, z=5.0):
    """AUC a random scorer exceeds with probability < 3e-7: 0.5 + z * sd under H0.

    sd of the Mann-Whitney AUC under the null: sqrt((n0 + n1 + 1) / (12 n0 n1)).
    """
    n1 = int(np.sum(y))
    n0 = len(y) - n1
    return 0.5 + z * np.sqrt((n0 + n1 + 1) / (12 * n0 * n1))


def test_course_architecture_parameter_count():
    net = CourseCNN((60, 60))
    trainable = sum(p.numel() for p in net.parameters())
    # hand count: convs 80 + 1168 + 4640, batch norm 2 * (8 + 16 + 32),
    # dense 32*7*7*10 + 10, output 11
    assert trainable == 80 + 1168 + 4640 + 112 + 15690 + 11 == 21701
    # the course quotes Keras' count (~21.8k), which adds batch norm's running mean and var
    assert trainable + 2 * (8 + 16 + 32) == 21813
    with pytest.raises(ValueError, match="too small"):
        CourseCNN((6, 6))


def test_estimator_contract(tiny, tiny_cnn):
    X = tiny["images"][:7]
    p = tiny_cnn.predict_proba(X)
    assert p.shape == (7, 2)
    assert_allclose(p.sum(axis=1), 1.0)
    assert_array_equal(tiny_cnn.classes_, [0, 1])
    assert_array_equal(tiny_cnn.predict(X), (p[:, 1] >= 0.5).astype(int))
    assert not tiny_cnn.network_.training
    assert tiny_cnn.device_ == torch.device("cuda" if torch.cuda.is_available() else "cpu")
    t = tiny_cnn.to_tensor(X)
    assert t.shape == (7, 1, 60, 60) and t.dtype == torch.float32
    with torch.no_grad():
        logits = tiny_cnn.network_(t)
    assert logits.shape == (7, 1)
    assert_allclose(torch.sigmoid(logits).cpu().numpy()[:, 0], p[:, 1], rtol=1e-5)
    assert tiny_cnn.embed(X).shape == (7, 10)
    # (N, 1, H, W) works like (N, H, W); integer images are accepted
    assert_allclose(tiny_cnn.predict_proba(X[:, None]), p)
    assert tiny_cnn.predict_proba((X * 255).astype(np.uint8)).shape == (7, 2)
    h = tiny_cnn.history_
    assert {"loss", "val_loss", "val_auc", "lr", "best_epoch"} <= set(h)
    assert len(h["loss"]) == len(h["val_loss"]) == len(h["lr"]) == 2
    assert 0 <= tiny_cnn.score(tiny["images"], tiny["labels"]) <= 1


def test_patch_normalisation_is_exact(tiny, tiny_cnn):
    X = tiny["images"][:3]
    t = tiny_cnn.to_tensor(X).cpu().numpy()[:, 0]
    expected = (X - X.mean(axis=(1, 2), keepdims=True)) / tiny_cnn.std_
    assert_allclose(t, expected, rtol=1e-5, atol=1e-6)


def test_same_seed_same_weights_on_cpu(tiny):
    kw = {"epochs": 3, "progress": False, "device": "cpu", "augment": True}
    a = CNNClassifier(seed=4, **kw).fit(tiny["images"], tiny["labels"])
    b = CNNClassifier(seed=4, **kw).fit(tiny["images"], tiny["labels"])
    c = CNNClassifier(seed=5, **kw).fit(tiny["images"], tiny["labels"])
    sa, sb = a.network_.state_dict(), b.network_.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert a.history_ == b.history_
    assert not torch.equal(sa["blocks.0.0.weight"], c.network_.state_dict()["blocks.0.0.weight"])


@pytest.mark.slow
def test_cnn_learns_beyond_chance():
    d = microcalcifications(160, seed=21, **EASY)
    X, y = d["images"], d["labels"]
    clf = CNNClassifier(epochs=15, progress=False, seed=0, device="cpu").fit(X[:100], y[:100])
    a = auc(y[100:], clf.predict_proba(X[100:]))
    assert a > _auc_bound(y[100:], z=4.5)  # 60 test patches: bound ~0.84, chance p < 4e-6


def test_baseline_learns_beyond_chance():
    d = microcalcifications(160, seed=22, **EASY)
    X, y = d["images"], d["labels"]
    clf = TraditionalClassifier().fit(X[:80], y[:80])
    assert auc(y[80:], clf.predict_proba(X[80:])[:, 1]) > _auc_bound(y[80:])


def test_baseline_interface(tiny):
    clf = TraditionalClassifier().fit(tiny["images"], tiny["labels"])
    F = clf.features(tiny["images"])
    assert F.shape == (40, len(clf.feature_names_))
    assert_allclose(clf.pipeline_.predict_proba(F), clf.predict_proba(tiny["images"]))
    assert_array_equal(clf.classes_, [0, 1])
    # permutation importance runs over the features through pipeline_
    from sklearn.inspection import permutation_importance

    r = permutation_importance(clf.pipeline_, F, tiny["labels"], n_repeats=2, random_state=0)
    assert r.importances_mean.shape == (F.shape[1],)


def test_features_hand_worked(rng):
    flat = np.zeros((1, 20, 20))
    flat[0, 10, 10] = 1.0  # one bright pixel on black
    names = TraditionalClassifier().fit(np.r_[flat, np.zeros((1, 20, 20))], [1, 0]).feature_names_
    f = dict(zip(names, patch_features(flat)[0], strict=True))
    assert_allclose(f["mean"], 1 / 400)
    assert_allclose(f["max_minus_median"], 1.0)
    # faint noise with one 3 x 3 bright speck: exactly one blob far above the noise
    noise = 0.01 * rng.standard_normal((1, 40, 40))
    speck = noise.copy()
    speck[0, 19:22, 19:22] += 0.5
    g0 = dict(zip(names, patch_features(noise)[0], strict=True))
    g1 = dict(zip(names, patch_features(speck)[0], strict=True))
    assert g0["blob1.5_count6"] == 0
    assert g1["blob1.5_count6"] == 1


def test_save_load_round_trip(tmp_path, tiny, tiny_cnn):
    p = tmp_path / "cnn.safetensors"
    tiny_cnn.save(p)
    again = load(p)
    assert type(again) is CNNClassifier
    assert_allclose(again.predict_proba(tiny["images"]), tiny_cnn.predict_proba(tiny["images"]), rtol=1e-6)
    assert CNNClassifier.load(p).get_params()["epochs"] == 2
    # safetensors: an 8-byte header length, then a JSON header; no pickle opcodes
    raw = p.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = json.loads(header["__metadata__"]["pybridge"])
    assert meta["architecture"]["filters"] == [8, 16, 32]
    assert meta["normalisation"]["std"] == pytest.approx(tiny_cnn.std_)
    base = TraditionalClassifier().fit(tiny["images"], tiny["labels"])
    q = tmp_path / "base.safetensors"
    base.save(q)
    assert_allclose(load(q).predict_proba(tiny["images"]), base.predict_proba(tiny["images"]))
    with pytest.raises(PyBridgeError, match="TraditionalClassifier"):
        CNNClassifier.load(q)


@pytest.mark.parametrize(
    "X, y, err, match",
    [
        (np.zeros((4, 60)), [0, 1, 0, 1], ValueError, "N x H x W"),
        (np.zeros((4, 3, 60, 60)), [0, 1, 0, 1], ValueError, "N x H x W"),
        (np.zeros((4, 60, 60)), [1, 2, 1, 2], ValueError, "labels_from_matlab"),
        (np.zeros((4, 60, 60)), [0, 1, 0], ValueError, "4 labels"),
        (np.zeros((4, 60, 60)), [1, 1, 1, 1], ValueError, "single class"),
        (np.full((4, 60, 60), np.nan), [0, 1, 0, 1], ValueError, "NaN"),
        (np.zeros((4, 60, 60), complex), [0, 1, 0, 1], TypeError, "real"),
    ],
)
def test_fit_errors(X, y, err, match):
    with pytest.raises(err, match=match):
        CNNClassifier(progress=False).fit(X, y)


def test_other_errors(tiny, tiny_cnn):
    with pytest.raises(PyBridgeError, match="not trained"):
        CNNClassifier().predict(tiny["images"])
    with pytest.raises(PyBridgeError, match="not trained"):
        TraditionalClassifier().predict(tiny["images"])
    with pytest.raises(ValueError, match="60 x 60"):
        tiny_cnn.predict(np.zeros((2, 32, 32)))
    with pytest.raises(ValueError, match="optimizer"):
        CNNClassifier(optimizer="rmsprop", epochs=1, progress=False).fit(tiny["images"], tiny["labels"])
    with pytest.raises(ValueError, match="class_weight"):
        CNNClassifier(class_weight="auto", epochs=1, progress=False).fit(tiny["images"], tiny["labels"])
    with pytest.raises(ValueError, match="X_val"):
        CNNClassifier(progress=False).fit(tiny["images"], tiny["labels"], X_val=tiny["images"])


def test_class_weight_balanced_matches_sklearn(tiny):
    from sklearn.utils.class_weight import compute_class_weight

    from pybridge.classification._cnn import _class_weights

    y = np.array([0] * 30 + [1] * 10)
    assert_allclose(_class_weights("balanced", y), compute_class_weight("balanced", classes=np.array([0, 1]), y=y))
    assert _class_weights({0: 1, 1: 3}, y) == (1.0, 3.0)
    clf = CNNClassifier(class_weight="balanced", epochs=1, progress=False)
    clf.fit(tiny["images"], tiny["labels"], X_val=tiny["images"][:10], y_val=tiny["labels"][:10])
    assert len(clf.history_["val_loss"]) == 1


def test_adam_and_dataset_normalisation(tiny):
    clf = CNNClassifier(optimizer="adam", lr=1e-3, normalisation="dataset", epochs=1, progress=False)
    clf.fit(tiny["images"], tiny["labels"])
    t = clf.to_tensor(tiny["images"][:2]).cpu().numpy()
    assert_allclose(t[:, 0], (tiny["images"][:2] - clf.mean_) / clf.std_, rtol=1e-5, atol=1e-6)
