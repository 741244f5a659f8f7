"""Evaluation of binary classifiers: ROC, AUC, sensitivity, specificity, CV, learning curves.

Thin, documented wrappers over scikit-learn, so the numbers agree with it
exactly; ``cross_validate`` and ``learning_curve`` train any estimator with
``fit``/``predict_proba`` (pybridge's or scikit-learn's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "roc",
    "auc",
    "sensitivity",
    "specificity",
    "confusion_matrix",
    "cross_validate",
    "learning_curve",
]


# The binary metrics have one owner, pybridge.metrics (torch-free); this module
# re-exports them next to the helpers that train classifiers.
from ..metrics import auc, confusion_matrix, roc, sensitivity, specificity  # noqa: E402
from ..metrics._classification import _binary  # noqa: E402


def _new(estimator: Any) -> Any:
    """A fresh, unfitted copy of an estimator or the result of a factory."""
    if callable(estimator) and not hasattr(estimator, "fit"):
        return estimator()
    from sklearn.base import clone

    return clone(estimator)


def _proba1(est: Any, X: np.ndarray) -> np.ndarray:
    p = np.asarray(est.predict_proba(X))
    return p[:, 1] if p.ndim == 2 else p


def cross_validate(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    n_splits: int = 5,
    seed: int | None = 0,
) -> dict[str, Any]:
    """Stratified k-fold cross-validation (scikit-learn's ``StratifiedKFold``).

    Parameters
    ----------
    estimator : estimator or callable returning one
        Cloned (``sklearn.base.clone``) for every fold, or called to make one.
    X : array-like of shape (N, ...)
    y : array-like of shape (N,), 0/1
    n_splits : int, default 5
    seed : int or None, default 0
        Shuffles the folds.

    Returns
    -------
    dict
        ``'auc'``, ``'accuracy'``, ``'sensitivity'``, ``'specificity'``:
        ndarray of shape (n_splits,); ``'auc_mean'``, ``'auc_std'``: float;
        ``'folds'``: list of (train_idx, test_idx).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.r_[np.zeros((10, 1)), np.ones((10, 1))] + np.linspace(0, .5, 20)[:, None]
    >>> cv = cross_validate(LogisticRegression(), X, [0] * 10 + [1] * 10, n_splits=5)
    >>> cv["auc"].shape
    (5,)
    """
    from sklearn.model_selection import StratifiedKFold

    Xa = np.asarray(X)
    ya = _binary(y, "y")
    if Xa.shape[0] != ya.shape[0]:
        raise ValueError(f"X has {Xa.shape[0]} samples but y has {ya.shape[0]} labels")
    skf = StratifiedKFold(n_splits=n_splits, shuffle=seed is not None, random_state=seed)
    out: dict[str, list] = {"auc": [], "accuracy": [], "sensitivity": [], "specificity": [], "folds": []}
    for tr, te in skf.split(np.zeros(len(ya)), ya):
        est = _new(estimator).fit(Xa[tr], ya[tr])
        p = _proba1(est, Xa[te])
        pred = (p >= 0.5).astype(np.int64)
        out["auc"].append(auc(ya[te], p))
        out["accuracy"].append(float((pred == ya[te]).mean()))
        out["sensitivity"].append(sensitivity(ya[te], pred))
        out["specificity"].append(specificity(ya[te], pred))
        out["folds"].append((tr, te))
    res: dict[str, Any] = {k: np.array(v) for k, v in out.items() if k != "folds"}
    res["folds"] = out["folds"]
    res["auc_mean"] = float(res["auc"].mean())
    res["auc_std"] = float(res["auc"].std(ddof=1)) if n_splits > 1 else 0.0
    return res


def learning_curve(
    estimators: Mapping[str, Any],
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    sizes: Sequence[int] = (20, 50, 100, 200, 400),
    repeats: int = 1,
    seed: int | None = 0,
    callback: Callable[[str, int, float], None] | None = None,
) -> dict[str, Any]:
    """Test AUC against training-set size, for several estimators on the same subsets.

    For each size, a stratified random subset of the training set (the same
    subset for every estimator) trains a fresh copy of each estimator, which
    is scored by AUC on the whole test set.

    Parameters
    ----------
    estimators : mapping of name -> estimator (or factory)
        E.g. ``{"cnn": CNNClassifier(progress=False), "baseline": TraditionalClassifier()}``.
    X_train, y_train, X_test, y_test : array-like
    sizes : sequence of int
        Training-set sizes (each at most ``len(y_train)``, at least 4).
    repeats : int, default 1
        Subsets drawn per size (mean and sd reported).
    seed : int or None
    callback : callable(name, size, auc), optional
        Called after each fit (progress reporting).

    Returns
    -------
    dict
        ``'sizes'``: ndarray (S,); for each estimator name an ndarray
        (S, repeats) of AUCs under ``'auc'[name]``, and ``'mean'[name]``,
        ``'std'[name]`` of shape (S,).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> y = np.arange(60) % 2; X = y[:, None] + rng.normal(size=(60, 1))
    >>> lc = learning_curve({"lr": LogisticRegression()}, X, y, X, y, sizes=(10, 40))
    >>> lc["auc"]["lr"].shape
    (2, 1)
    """
    from sklearn.model_selection import StratifiedShuffleSplit

    Xtr, ytr = np.asarray(X_train), _binary(y_train, "y_train")
    Xte, yte = np.asarray(X_test), _binary(y_test, "y_test")
    sizes = [int(s) for s in sizes]
    if any(s < 4 or s > len(ytr) for s in sizes):
        raise ValueError(f"sizes must lie in [4, {len(ytr)}] (the training-set size); got {sizes}")
    res: dict[str, Any] = {"sizes": np.array(sizes), "auc": {}, "mean": {}, "std": {}}
    aucs = {name: np.full((len(sizes), repeats), np.nan) for name in estimators}
    for i, size in enumerate(sizes):
        for r in range(repeats):
            rs = None if seed is None else seed + 1000 * r + i
            if size < len(ytr):
                sss = StratifiedShuffleSplit(n_splits=1, train_size=size, random_state=rs)
                idx, _ = next(sss.split(np.zeros(len(ytr)), ytr))
            else:
                idx = np.arange(len(ytr))
            for name, est in estimators.items():
                fitted = _new(est).fit(Xtr[idx], ytr[idx])
                aucs[name][i, r] = auc(yte, _proba1(fitted, Xte))
                if callback is not None:
                    callback(name, size, aucs[name][i, r])
    for name, a in aucs.items():
        res["auc"][name] = a
        res["mean"][name] = a.mean(axis=1)
        res["std"][name] = a.std(axis=1, ddof=1) if repeats > 1 else np.zeros(len(sizes))
    return res
