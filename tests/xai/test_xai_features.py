"""pybridge.xai permutation importance, nearest examples and overlay."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import make_scorer, zero_one_loss
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pybridge import xai


@pytest.fixture
def data(rng):
    X = rng.normal(size=(150, 4))
    y = (2 * X[:, 0] - X[:, 2] + 0.8 * rng.normal(size=150) > 0).astype(int)
    return X, y


# --------------------------------------------------------------------------
# permutation importance
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric,sk_scoring",
    [
        ("error", make_scorer(zero_one_loss, greater_is_better=False)),
        ("log_loss", "neg_log_loss"),
        ("brier", "neg_brier_score"),
    ],
)
def test_difference_equals_scikit_learn(metric, sk_scoring, data):
    X, y = data
    est = RandomForestClassifier(n_estimators=15, random_state=0, max_depth=3).fit(X, y)
    ours = xai.permutation_importance(est, X, y, metric=metric, n_repeats=4, seed=7)
    ref = sk_permutation_importance(est, X, y, scoring=sk_scoring, n_repeats=4, random_state=7)
    assert_allclose(ours["importances_mean"], ref.importances_mean[ours["order"]], atol=1e-12)
    assert_allclose(ours["importances"], ref.importances[ours["order"]], atol=1e-12)
    assert_allclose(ours["importances_std"], ref.importances_std[ours["order"]], atol=1e-12)
    assert list(ours["order"]) == list(np.argsort(-ref.importances_mean, kind="stable"))
    assert ours["features"] == [f"x{j}" for j in ours["order"]]
    assert set(ours["features"][:2]) == {"x0", "x2"}


def test_ratio_is_permuted_over_original_error(data):
    X, y = data
    est = LogisticRegression().fit(X, y)
    e_orig = zero_one_loss(y, est.predict(X))
    assert e_orig > 0
    ratio = xai.permutation_importance(est, X, y, mode="ratio", n_repeats=3, seed=1)
    diff = xai.permutation_importance(est, X, y, mode="difference", n_repeats=3, seed=1)
    assert ratio["baseline_error"] == pytest.approx(e_orig)
    assert_array_equal(ratio["order"], diff["order"])
    # e_perm / e_orig from the hand-computed e_orig and scikit-learn's e_perm - e_orig
    sk = sk_permutation_importance(
        est,
        X,
        y,
        scoring=make_scorer(zero_one_loss, greater_is_better=False),
        n_repeats=3,
        random_state=1,
    )
    assert_allclose(ratio["importances"], ((sk.importances + e_orig) / e_orig)[ratio["order"]])
    assert_allclose(ratio["permuted_error"], diff["permuted_error"])


def test_ignored_feature_has_ratio_one_and_difference_zero(rng):
    """A model that never reads a feature: shuffling it changes nothing, exactly."""
    X = rng.normal(size=(80, 3))
    y = X[:, 0] * 3 + rng.normal(size=80)
    est = LinearRegression().fit(X[:, :1], y)

    class OnlyFirst(RegressorMixin, BaseEstimator):  # reads column 0 only
        def fit(self, X, y):
            return self

        def predict(self, X):
            return est.predict(np.asarray(X)[:, :1])

    for mode, neutral in (("difference", 0.0), ("ratio", 1.0)):
        res = xai.permutation_importance(OnlyFirst(), X, y, metric="mse", mode=mode, seed=0)
        assert res["features"][0] == "x0"
        by_name = dict(zip(res["features"], res["importances_mean"], strict=True))
        assert by_name["x1"] == pytest.approx(neutral, abs=1e-12)
        assert by_name["x2"] == pytest.approx(neutral, abs=1e-12)


def test_ratio_with_zero_error_is_refused(rng):
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    est = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="ratio.*undefined.*mode='difference'"):
        xai.permutation_importance(est, X, y, mode="ratio")


def test_callable_metric_pipeline_and_names(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)

    def my_error(y_true, y_pred):
        return float(np.mean(y_true != y_pred))

    a = xai.permutation_importance(pipe, X, y, metric=my_error, seed=3, feature_names="abcd")
    b = xai.permutation_importance(pipe, X, y, metric="error", seed=3, feature_names=list("abcd"))
    assert_allclose(a["importances_mean"], b["importances_mean"])
    assert a["features"] == b["features"] and a["metric"] == "my_error"
    assert a["features"][0] == "a"


def test_permutation_errors(data):
    X, y = data
    est = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="did you mean 'ratio'"):
        xai.permutation_importance(est, X, y, mode="ratoi")
    with pytest.raises(ValueError, match="did you mean 'error'"):
        xai.permutation_importance(est, X, y, metric="eror")
    with pytest.raises(ValueError, match="3 feature names for 4 features"):
        xai.permutation_importance(est, X, y, feature_names=["a", "b", "c"])
    with pytest.raises(TypeError, match="gradcam"):
        xai.permutation_importance(torch.nn.Linear(4, 1), X, y)


def test_traditional_classifier_over_features(rng):
    pytest.importorskip("pybridge.classification")
    from pybridge.classification import TraditionalClassifier
    from pybridge.datasets import microcalcifications

    d = microcalcifications(60, seed=2)
    clf = TraditionalClassifier().fit(d["images"], d["labels"])
    res = xai.permutation_importance(clf, d["images"], d["labels"], n_repeats=3, seed=0)
    F = clf.features(d["images"])
    ref = sk_permutation_importance(
        clf.pipeline_,
        F,
        d["labels"],
        scoring=make_scorer(zero_one_loss, greater_is_better=False),
        n_repeats=3,
        random_state=0,
    )
    assert_allclose(res["importances_mean"], ref.importances_mean[res["order"]])
    assert sorted(res["features"]) == sorted(clf.feature_names_)


# --------------------------------------------------------------------------
# nearest examples
# --------------------------------------------------------------------------


def test_nearest_examples_match_scikit_learn(rng):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 36, 6),
        torch.nn.ReLU(),
        torch.nn.Linear(6, 1),
    ).eval()
    train = rng.random((30, 1, 8, 8), dtype=np.float32)
    labels = rng.integers(0, 2, 30)
    query = rng.random((3, 1, 8, 8), dtype=np.float32)
    with torch.no_grad():
        emb = net[:5]  # the input of the last Linear
        f_train = emb(torch.from_numpy(train)).numpy()
        f_query = emb(torch.from_numpy(query)).numpy()
    dist, idx = NearestNeighbors(n_neighbors=4).fit(f_train).kneighbors(f_query)
    res = xai.nearest_examples(net, query, train, k=4, train_labels=labels)
    assert_array_equal(res["indices"], idx)
    assert_allclose(res["distances"], dist, rtol=1e-5, atol=1e-6)
    assert_array_equal(res["labels"], labels[idx])
    one = xai.nearest_examples(net, query[1], train, k=4)
    assert_array_equal(one["indices"], idx[1])
    assert one["labels"] is None
    # a training image is its own nearest example
    assert xai.nearest_examples(net, train[7], train, k=1)["indices"][0] == 7


def test_nearest_examples_sklearn_pipeline_uses_scaled_features(rng):
    X = rng.normal(size=(40, 3)) * [1, 10, 100]
    y = (X[:, 0] > 0).astype(int)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    Z = pipe[0].transform(X)
    _, idx = NearestNeighbors(n_neighbors=3).fit(Z).kneighbors(Z[:2])
    assert_array_equal(xai.nearest_examples(pipe, X[:2], X, k=3)["indices"], idx)
    with pytest.raises(ValueError, match="only 40 training"):
        xai.nearest_examples(pipe, X[0], X, k=41)


# --------------------------------------------------------------------------
# overlay
# --------------------------------------------------------------------------


def test_overlay_figure_and_png(tmp_path, rng):
    from matplotlib.figure import Figure
    from PIL import Image

    img = rng.random((3, 40, 40))
    heat = rng.random((3, 10, 10))
    mask = np.zeros((3, 40, 40), bool)
    mask[:, 10:20, 10:20] = True
    fig = xai.overlay(img, heat, mask=mask, titles=["a", "b", "c"])
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    out = xai.overlay(img[0], heat[0], path=tmp_path / "o.png")
    with Image.open(out) as png:
        assert png.format == "PNG" and png.size == (300, 300)
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # nothing registered with pyplot, no window
    with pytest.raises(ValueError, match="one heatmap per image"):
        xai.overlay(img, heat[:2])
