"""Tests of the evaluation helpers against scikit-learn and hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold, cross_val_score

from pybridge.classification import (
    TraditionalClassifier,
    auc,
    confusion_matrix,
    cross_validate,
    learning_curve,
    roc,
    sensitivity,
    specificity,
)


def test_hand_worked_counts():
    y = [0, 0, 0, 0, 1, 1, 1]
    p = [0, 1, 0, 0, 1, 1, 0]
    # TN 3, FP 1, FN 1, TP 2
    assert_array_equal(confusion_matrix(y, p), [[3, 1], [1, 2]])
    assert sensitivity(y, p) == pytest.approx(2 / 3)
    assert specificity(y, p) == pytest.approx(3 / 4)
    assert np.isnan(sensitivity([0, 0], [0, 1]))
    assert np.isnan(specificity([1, 1], [0, 1]))


def test_auc_hand_worked_and_sklearn(rng):
    # 2 x 2 pairs, 3 ranked right: 0.75 (Mann-Whitney count)
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    y = rng.integers(0, 2, 50)
    s = rng.random(50) + 0.3 * y
    assert auc(y, s) == pytest.approx(roc_auc_score(y, s))
    r = roc(y, np.column_stack([1 - s, s]))  # predict_proba layout works too
    fpr, tpr, thr = roc_curve(y, s)
    assert_allclose(r["fpr"], fpr)
    assert_allclose(r["tpr"], tpr)
    assert_allclose(r["thresholds"], thr)
    assert r["auc"] == pytest.approx(roc_auc_score(y, s))


def test_evaluation_errors():
    with pytest.raises(ValueError, match="single class"):
        auc([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"one score per sample \(3\); got 2"):
        auc([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="binary labels 0/1"):
        sensitivity([0, 2], [0, 1])


def test_cross_validate_matches_sklearn(rng):
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + 0.8 * rng.normal(size=60) > 0).astype(int)
    cv = cross_validate(LogisticRegression(), X, y, n_splits=5, seed=3)
    ref = cross_val_score(LogisticRegression(), X, y, scoring="roc_auc",
                          cv=StratifiedKFold(5, shuffle=True, random_state=3))
    assert_allclose(cv["auc"], ref)
    assert cv["auc_mean"] == pytest.approx(ref.mean())
    assert cv["auc_std"] == pytest.approx(ref.std(ddof=1))
    acc = cross_val_score(LogisticRegression(), X, y, scoring="accuracy",
                          cv=StratifiedKFold(5, shuffle=True, random_state=3))
    assert_allclose(cv["accuracy"], acc)
    for _tr, te in cv["folds"]:
        assert abs(y[te].mean() - y.mean()) < 0.15  # stratified folds


def test_cross_validate_pybridge_estimator_and_factory():
    from pybridge.datasets import microcalcifications

    d = microcalcifications(40, seed=1)
    cv = cross_validate(TraditionalClassifier(), d["images"], d["labels"], n_splits=4)
    assert cv["auc"].shape == (4,)
    cv2 = cross_validate(lambda: TraditionalClassifier(), d["images"], d["labels"], n_splits=4)
    assert_allclose(cv["auc"], cv2["auc"])


def test_learning_curve_shapes_and_same_subsets(rng):
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] > 0).astype(int)
    seen = []
    lc = learning_curve({"a": LogisticRegression(), "b": LogisticRegression(C=1.0)}, X[:60], y[:60],
                        X[60:], y[60:], sizes=(10, 30, 60), repeats=2,
                        callback=lambda name, size, a: seen.append((name, size)))
    assert_array_equal(lc["sizes"], [10, 30, 60])
    assert lc["auc"]["a"].shape == (3, 2) and lc["mean"]["b"].shape == (3,)
    assert_allclose(lc["auc"]["a"], lc["auc"]["b"])  # same estimator, same subsets
    assert len(seen) == 12
    with pytest.raises(ValueError, match="sizes"):
        learning_curve({"a": LogisticRegression()}, X, y, X, y, sizes=(2,))
