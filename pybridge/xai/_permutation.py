"""Permutation feature importance, the lecture's way, standing on scikit-learn."""

from __future__ import annotations

import difflib
import numbers
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["permutation_importance"]

#: Error metrics by name (lower is better) -> scikit-learn scorer name or maker.
ERROR_METRICS = ("error", "log_loss", "brier", "mse", "mae", "1-auc")


def _scorer(metric: str | Callable) -> tuple[Any, str]:
    """A scikit-learn scorer returning the NEGATED error, and the metric's name."""
    from sklearn.metrics import get_scorer, make_scorer, roc_auc_score, zero_one_loss

    if callable(metric):
        name = getattr(metric, "__name__", type(metric).__name__)
        return make_scorer(metric, greater_is_better=False), name
    if not isinstance(metric, str) or metric not in ERROR_METRICS:
        close = difflib.get_close_matches(str(metric), ERROR_METRICS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"'metric' must be one of {ERROR_METRICS} or a callable error(y_true, y_pred) "
            f"(lower is better); got {metric!r}{hint}"
        )
    if metric == "error":
        return make_scorer(zero_one_loss, greater_is_better=False), metric
    if metric == "1-auc":

        def one_minus_auc(y_true, y_score):
            return 1.0 - roc_auc_score(y_true, y_score)

        return (
            make_scorer(
                one_minus_auc,
                greater_is_better=False,
                response_method=("decision_function", "predict_proba"),
            ),
            metric,
        )
    names = {
        "log_loss": "neg_log_loss",
        "brier": "neg_brier_score",
        "mse": "neg_mean_squared_error",
        "mae": "neg_mean_absolute_error",
    }
    return get_scorer(names[metric]), metric


def _is_torch_module(model: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


def _features(model: Any, X: Any, feature_names: Any) -> tuple[Any, np.ndarray, list[str]]:
    """(scikit-learn estimator, feature matrix (N, F), names) for the model."""
    if hasattr(model, "pipeline_") and hasattr(model, "features"):
        # pybridge's traditional baseline: images -> features -> pipeline_
        estimator = model.pipeline_
        F = np.asarray(model.features(X))
        names = list(getattr(model, "feature_names_", []) or [])
    elif hasattr(model, "to_tensor") or _is_torch_module(model):
        raise TypeError(
            f"{type(model).__name__} takes images, whose pixels are not features to permute; "
            "explain it with gradcam, saliency or occlusion, or run permutation_importance "
            "on a TraditionalClassifier or a scikit-learn estimator over features"
        )
    elif hasattr(model, "fit") and hasattr(model, "predict"):
        estimator = model
        if hasattr(X, "columns"):  # a DataFrame keeps its column names
            F, names = X, [str(c) for c in X.columns]
        else:
            F = np.asarray(X)
            names = [str(c) for c in getattr(model, "feature_names_in_", [])]
    else:
        raise TypeError(
            "model must be a fitted scikit-learn estimator (with fit and predict) or "
            f"pybridge's TraditionalClassifier; got {type(model).__name__}"
        )
    shape = np.shape(F)
    if len(shape) != 2:
        raise ValueError(f"features must be N x F (samples x features); got shape {shape}")
    if feature_names is not None:
        names = [str(n) for n in feature_names]
    if not names:
        names = [f"x{j}" for j in range(shape[1])]
    if len(names) != shape[1]:
        raise ValueError(
            f"{len(names)} feature names for {shape[1]} features; pass one name per column"
        )
    return estimator, F, names


def permutation_importance(
    model: Any,
    X: Any,
    y: Any,
    *,
    metric: str | Callable = "error",
    n_repeats: int = 5,
    mode: str = "difference",
    seed: int | None = 0,
    feature_names: Any = None,
    n_jobs: int | None = None,
) -> dict[str, Any]:
    """How much the model's error grows when one feature is shuffled.

    The lecture's algorithm: compute the error ``e_orig`` on (X, y); for each
    feature j shuffle column j over the samples (breaking its link to y),
    compute the error ``e_perm_j``; the importance of j is
    ``e_perm_j - e_orig`` (``mode="difference"``) or ``e_perm_j / e_orig``
    (``mode="ratio"``), averaged over ``n_repeats`` shuffles. Shuffling is
    done by :func:`sklearn.inspection.permutation_importance`; with
    ``mode="difference"`` the importances are exactly scikit-learn's for an
    error scorer on the same ``seed``.

    Parameters
    ----------
    model : fitted scikit-learn estimator or pybridge TraditionalClassifier
        A TraditionalClassifier takes images as ``X``: its ``features(X)``
        are permuted and its ``pipeline_`` scores them, and its
        ``feature_names_`` name the features.
    X : array-like of shape (N, F), or images (N, H, W) for a TraditionalClassifier
    y : array-like of shape (N,)
    metric : str or callable, default 'error'
        An error (lower is better): 'error' (misclassification rate,
        1 - accuracy), 'log_loss', 'brier', 'mse', 'mae', '1-auc', or a
        callable ``error(y_true, y_pred)`` on ``predict``'s output.
    n_repeats : int, default 5
        Shuffles per feature.
    mode : {'difference', 'ratio'}, default 'difference'
    seed : int or None, default 0
        ``random_state`` of the shuffles.
    feature_names : sequence of str, optional
        Names of the F features (default: the model's names, a DataFrame's
        columns, or ``x0, x1, ...``).
    n_jobs : int, optional
        Passed to scikit-learn.

    Returns
    -------
    dict
        ``features`` (list of str, most important first), ``order`` (ndarray
        (F,) of int, the 0-based column of each, in that order),
        ``importances_mean`` and ``importances_std`` (ndarray (F,), same
        order), ``importances`` (ndarray (F, n_repeats)), ``baseline_error``
        (float, ``e_orig``), ``permuted_error`` (ndarray (F,), mean
        ``e_perm``), ``mode``, ``metric``.

    Raises
    ------
    ValueError
        Unknown metric or mode; ``mode='ratio'`` with a zero original error
        (the ratio is undefined: use ``mode='difference'`` or held-out data).
    TypeError
        A model that takes images (use :func:`~pybridge.xai.gradcam`).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = (X[:, 1] + 0.5 * rng.normal(size=200) > 0).astype(int)
    >>> res = permutation_importance(LogisticRegression().fit(X, y), X, y, seed=0)
    >>> res["features"][0]
    'x1'
    """
    from sklearn.inspection import permutation_importance as sk_permutation_importance

    if mode not in ("difference", "ratio"):
        close = difflib.get_close_matches(str(mode), ["difference", "ratio"], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"'mode' must be 'difference' or 'ratio'; got {mode!r}{hint}")
    if not isinstance(n_repeats, numbers.Integral) or isinstance(n_repeats, bool) or n_repeats < 1:
        raise ValueError(f"'n_repeats' must be a positive int; got {n_repeats!r}")
    scorer, metric_name = _scorer(metric)
    estimator, F, names = _features(model, X, feature_names)
    y = np.asarray(y).ravel()
    if len(y) != np.shape(F)[0]:
        raise ValueError(f"X has {np.shape(F)[0]} samples but y has {len(y)}")
    baseline = -float(scorer(estimator, F, y))
    res = sk_permutation_importance(
        estimator,
        F,
        y,
        scoring=scorer,
        n_repeats=int(n_repeats),
        random_state=seed,
        n_jobs=n_jobs,
    )
    diffs = np.asarray(res.importances, dtype=np.float64)  # e_perm - e_orig, (F, n_repeats)
    permuted = diffs + baseline
    if mode == "difference":
        imp = diffs
    else:
        if baseline <= 0:
            raise ValueError(
                f"the model's original {metric_name} is {baseline:g}, so the ratio "
                "e_perm / e_orig is undefined; use mode='difference', or measure on held-out "
                "data where the error is not zero"
            )
        imp = permuted / baseline
    mean = imp.mean(axis=1)
    order = np.argsort(-mean, kind="stable")
    return {
        "features": [names[j] for j in order],
        "order": order,
        "importances_mean": mean[order],
        "importances_std": imp.std(axis=1)[order],
        "importances": imp[order],
        "baseline_error": baseline,
        "permuted_error": permuted.mean(axis=1)[order],
        "mode": mode,
        "metric": metric_name,
    }
