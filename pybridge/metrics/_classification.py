"""Classification metrics used by the labs, on top of scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["roc", "auc", "confusion_matrix", "sensitivity", "specificity"]


def _binary(y: Any, name: str) -> np.ndarray:
    a = np.asarray(y).reshape(-1)
    if a.dtype == np.bool_:
        return a.astype(np.int64)
    if a.dtype.kind not in "iuf" or not np.isin(a, (0, 1)).all():
        bad = a[~np.isin(a, (0, 1))][:3] if a.dtype.kind in "iuf" else a.dtype
        raise ValueError(
            f"{name} must hold binary labels 0/1 (1 = positive); got {bad!r} "
            "(MATLAB 1-based labels? convert with pybridge.convert.labels_from_matlab)"
        )
    return a.astype(np.int64)


def _scores(score: Any, n: int) -> np.ndarray:
    s = np.asarray(score, dtype=np.float64)
    if s.ndim == 2 and s.shape[1] == 2:  # predict_proba output: take class 1
        s = s[:, 1]
    s = s.reshape(-1)
    if s.shape[0] != n:
        raise ValueError(f"y_score must have one score per sample ({n}); got {s.shape[0]}")
    return s


def _both_classes(t: np.ndarray) -> np.ndarray:
    if np.unique(t).size < 2:
        raise ValueError("y_true holds a single class; ROC and AUC need examples of both 0 and 1")
    return t


def roc(y_true: Any, y_score: Any) -> dict[str, np.ndarray]:
    """Receiver operating characteristic of a binary classifier.

    Parameters
    ----------
    y_true : array_like of shape (N,)
        0/1 (or bool) labels, 1 = positive.
    y_score : array_like of shape (N,) or (N, 2)
        Scores for class 1 (higher = more positive), or ``predict_proba`` output.

    Returns
    -------
    dict
        ``'fpr'``, ``'tpr'``, ``'thresholds'``: ndarrays of the same length,
        from :func:`sklearn.metrics.roc_curve`; ``'auc'``: float.

    Examples
    --------
    >>> r = roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> r["auc"]
    0.75
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    t = _both_classes(_binary(y_true, "y_true"))
    s = _scores(y_score, t.size)
    fpr, tpr, thr = roc_curve(t, s)
    return {"fpr": fpr, "tpr": tpr, "thresholds": thr, "auc": float(roc_auc_score(t, s))}


def auc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve (:func:`sklearn.metrics.roc_auc_score`).

    Parameters
    ----------
    y_true : array_like of shape (N,)
        0/1 labels.
    y_score : array_like of shape (N,) or (N, 2)
        Scores for class 1, or ``predict_proba`` output.

    Returns
    -------
    float

    Examples
    --------
    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    from sklearn.metrics import roc_auc_score

    t = _both_classes(_binary(y_true, "y_true"))
    return float(roc_auc_score(t, _scores(y_score, t.size)))


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Any = None) -> np.ndarray:
    """Confusion matrix, rows = true class, columns = predicted (as MATLAB's ``confusionmat``).

    Parameters
    ----------
    y_true, y_pred : array_like of shape (N,)
        Class labels.
    labels : sequence, optional
        Class order of rows and columns; default: the sorted union of both.

    Returns
    -------
    ndarray of shape (K, K), int64

    Examples
    --------
    >>> confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0]).tolist()
    [[2, 0], [1, 1]]
    """
    from sklearn.metrics import confusion_matrix as _cm

    cm = _cm(np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1), labels=labels)
    return cm.astype(np.int64)


def _rates(y_true: Any, y_pred: Any) -> tuple[int, int, int, int]:
    t = _binary(y_true, "y_true")
    p = _binary(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same length; got {t.size} and {p.size}")
    tp = int(np.count_nonzero((t == 1) & (p == 1)))
    fn = int(np.count_nonzero((t == 1) & (p == 0)))
    tn = int(np.count_nonzero((t == 0) & (p == 0)))
    fp = int(np.count_nonzero((t == 0) & (p == 1)))
    return tp, fn, tn, fp


def sensitivity(y_true: Any, y_pred: Any) -> float:
    """True-positive rate TP / (TP + FN) (recall of class 1); NaN without positives.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (N,)
        0/1 labels, 1 = positive.

    Returns
    -------
    float

    Examples
    --------
    >>> sensitivity([1, 1, 1, 0], [1, 0, 1, 1])
    0.6666666666666666
    """
    tp, fn, _, _ = _rates(y_true, y_pred)
    return tp / (tp + fn) if tp + fn else float("nan")


def specificity(y_true: Any, y_pred: Any) -> float:
    """True-negative rate TN / (TN + FP) (recall of class 0); NaN without negatives.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (N,)
        0/1 labels, 1 = positive.

    Returns
    -------
    float

    Examples
    --------
    >>> specificity([0, 0, 1, 0], [0, 1, 1, 0])
    0.6666666666666666
    """
    _, _, tn, fp = _rates(y_true, y_pred)
    return tn / (tn + fp) if tn + fp else float("nan")
