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


def _binary(y: Any, name: str) -> np.ndarray:
    arr = np.asarray(y).reshape(-1)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric 0/1 labels; got dtype {arr.dtype}")
    if not set(np.unique(arr).tolist()) <= {0, 1}:
        raise ValueError(f"{name} must hold only 0 and 1; got values {np.unique(arr)[:6].tolist()}")
    return arr.astype(np.int64)


def _scores(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    y = _binary(y_true, "y_true")
    s = np.asarray(y_score, dtype=np.float64)
    if s.ndim == 2 and s.shape[1] == 2:
        s = s[:, 1]  # predict_proba output
    s = s.reshape(-1)
    if s.shape[0] != y.shape[0]:
        raise ValueError(f"y_true has {y.shape[0]} labels but y_score has {s.shape[0]} scores")
    if len(np.unique(y)) < 2:
        raise ValueError("y_true holds a single class; ROC and AUC need both 0 and 1")
    return y, s


def roc(y_true: Any, y_score: Any) -> dict[str, np.ndarray]:
    """ROC curve of scores for class 1.

    Parameters
    ----------
    y_true : array-like of shape (N,), 0/1
    y_score : array-like of shape (N,) or (N, 2)
        Scores of class 1, or ``predict_proba`` output (column 1 is used).

    Returns
    -------
    dict
        ``'fpr'``, ``'tpr'``, ``'thresholds'`` (scikit-learn's ``roc_curve``)
        and ``'auc'`` (float).

    Examples
    --------
    >>> r = roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> r["auc"]
    0.75
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    y, s = _scores(y_true, y_score)
    fpr, tpr, thr = roc_curve(y, s)
    return {"fpr": fpr, "tpr": tpr, "thresholds": thr, "auc": float(roc_auc_score(y, s))}


def auc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve (scikit-learn's ``roc_auc_score``).

    Examples
    --------
    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    from sklearn.metrics import roc_auc_score

    y, s = _scores(y_true, y_score)
    return float(roc_auc_score(y, s))


def confusion_matrix(y_true: Any, y_pred: Any) -> np.ndarray:
    """2 x 2 confusion matrix ``[[TN, FP], [FN, TP]]`` (rows: truth, columns: prediction).

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1]).tolist()
    [[1, 1], [0, 2]]
    """
    from sklearn.metrics import confusion_matrix as _cm

    y, p = _binary(y_true, "y_true"), _binary(y_pred, "y_pred")
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.shape[0]} labels but y_pred has {p.shape[0]}")
    return _cm(y, p, labels=[0, 1])


def sensitivity(y_true: Any, y_pred: Any) -> float:
    """True-positive rate TP / (TP + FN) (recall of class 1); NaN without positives.

    Examples
    --------
    >>> sensitivity([0, 0, 1, 1], [0, 1, 1, 0])
    0.5
    """
    (_, _), (fn, tp) = confusion_matrix(y_true, y_pred)
    return float(tp / (tp + fn)) if tp + fn else float("nan")


def specificity(y_true: Any, y_pred: Any) -> float:
    """True-negative rate TN / (TN + FP); NaN without negatives.

    Examples
    --------
    >>> specificity([0, 0, 0, 1], [0, 1, 0, 1])
    0.6666666666666666
    """
    (tn, fp), (_, _) = confusion_matrix(y_true, y_pred)
    return float(tn / (tn + fp)) if tn + fp else float("nan")


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
