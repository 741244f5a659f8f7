"""The traditional-ML baseline: hand-crafted patch features and a scikit-learn pipeline."""

from __future__ import annotations

from os import PathLike
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from .._errors import PyBridgeError
from .._training import load_model, save_tensors
from ._inputs import as_binary_labels, as_image_stack

__all__ = ["TraditionalClassifier", "patch_features", "FEATURE_NAMES"]

_LOG_SIGMAS = (1.0, 1.5, 2.5)
_THRESHOLDS = (4.0, 6.0)

FEATURE_NAMES: list[str] = [
    "mean", "std", "skewness", "kurtosis", "p01", "p50", "p99", "max_minus_median",
    "gradient_mean", "gradient_std", "laplacian_std", "highpass_std", "local_std_mean",
]
for _s in _LOG_SIGMAS:
    FEATURE_NAMES += [f"blob{_s:g}_max", f"blob{_s:g}_p99"]
    FEATURE_NAMES += [f"blob{_s:g}_count{_t:g}" for _t in _THRESHOLDS]


def patch_features(X: Any) -> np.ndarray:
    """Hand-crafted features of grey-level patches: intensity, texture, blob counts.

    Intensity statistics (mean, sd, skewness, kurtosis, percentiles, peak
    above median); texture (Sobel gradient magnitude, Laplacian, high-pass
    residual, local standard deviation); and for bright blobs at scales
    sigma = 1, 1.5, 2.5 pixels the maximum and 99th percentile of the
    negative scale-normalised Laplacian of Gaussian, and the count of its
    local maxima above 4 and 6 robust standard deviations.

    Parameters
    ----------
    X : array-like of shape (N, H, W) or (N, 1, H, W)

    Returns
    -------
    ndarray of shape (N, len(FEATURE_NAMES)), float64

    Examples
    --------
    >>> f = patch_features(np.zeros((2, 20, 20)))
    >>> f.shape == (2, len(FEATURE_NAMES))
    True
    """
    from scipy import ndimage as ndi
    from scipy.stats import kurtosis, skew

    imgs = as_image_stack(X)[:, 0].astype(np.float64)
    n = imgs.shape[0]
    out = np.zeros((n, len(FEATURE_NAMES)))
    for i, im in enumerate(imgs):
        v = im.ravel()
        p01, p50, p99 = np.percentile(v, [1, 50, 99])
        sd = v.std()
        f = [v.mean(), sd,
             float(skew(v)) if sd > 0 else 0.0, float(kurtosis(v)) if sd > 0 else 0.0,
             p01, p50, p99, v.max() - p50]
        grad = np.hypot(ndi.sobel(im, 0, mode="reflect"), ndi.sobel(im, 1, mode="reflect"))
        high = im - ndi.gaussian_filter(im, 2.0, mode="reflect")
        local_sd = np.sqrt(np.maximum(
            ndi.uniform_filter(im**2, 5, mode="reflect") - ndi.uniform_filter(im, 5, mode="reflect") ** 2, 0))
        f += [grad.mean(), grad.std(), ndi.laplace(im, mode="reflect").std(), high.std(), local_sd.mean()]
        for s in _LOG_SIGMAS:
            resp = -(s**2) * ndi.gaussian_laplace(im, s, mode="reflect")
            med = np.median(resp)
            robust = 1.4826 * np.median(np.abs(resp - med)) or 1.0
            z = (resp - med) / robust
            peaks = (resp == ndi.maximum_filter(resp, size=3, mode="reflect"))
            f += [z.max(), np.percentile(z, 99)]
            f += [float((peaks & (z > t)).sum()) for t in _THRESHOLDS]
        out[i] = f
    return out


class TraditionalClassifier(BaseEstimator):
    """Traditional-ML baseline: :func:`patch_features` -> standardise -> logistic regression.

    Same interface as :class:`CNNClassifier`; strong when training data are
    few, which is the lecture's point.

    Parameters
    ----------
    C : float, default 1.0
        Inverse L2 regularisation strength of the logistic regression.
    class_weight : None or 'balanced', default None
    random_state : int or None, default 0
        Accepted for a uniform interface (the solver is deterministic).
    seed : int or None, default None
        Alias of ``random_state`` kept for existing code.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        ``StandardScaler`` + ``LogisticRegression``, fit on the features (so
        permutation importance can run over features).
    feature_names_ : list of str
    classes_ : ndarray, array([0, 1])

    Examples
    --------
    >>> from pybridge.datasets import microcalcifications
    >>> d = microcalcifications(40, seed=0)
    >>> clf = TraditionalClassifier().fit(d["images"], d["labels"])
    >>> clf.predict_proba(d["images"][:2]).shape
    (2, 2)
    """

    _estimator_name = "TraditionalClassifier"

    def __init__(
        self, *, C: float = 1.0, class_weight: Any = None, random_state: int | None = 0, seed: int | None = None
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state
        self.seed = seed

    def _make_pipeline(self):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.class_weight not in (None, "balanced"):
            raise ValueError(f"class_weight must be None or 'balanced'; got {self.class_weight!r}")
        return make_pipeline(
            StandardScaler(),
            LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=5000),
        )

    def features(self, X: Any) -> np.ndarray:
        """The features the pipeline sees, shape (N, F); see :func:`patch_features`."""
        return patch_features(X)

    def fit(self, X: Any, y: Any) -> TraditionalClassifier:
        """Compute features of ``X`` and fit the pipeline on them."""
        F = self.features(X)
        ya = as_binary_labels(y, F.shape[0])
        if len(np.unique(ya)) < 2:
            raise ValueError("y holds a single class; training needs examples of both 0 and 1")
        self.pipeline_ = self._make_pipeline().fit(F, ya)
        self.feature_names_ = list(FEATURE_NAMES)
        self.classes_ = np.array([0, 1])
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise PyBridgeError("this TraditionalClassifier is not trained yet; call fit(X, y) first")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (N, 2)."""
        self._check_fitted()
        return self.pipeline_.predict_proba(self.features(X))

    def decision_function(self, X: Any) -> np.ndarray:
        """Logit of class 1, shape (N,)."""
        self._check_fitted()
        return self.pipeline_.decision_function(self.features(X))

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels 0/1, shape (N,), int64."""
        return (self.decision_function(X) >= 0).astype(np.int64)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy on (X, y)."""
        pred = self.predict(X)
        return float((pred == as_binary_labels(y, pred.shape[0])).mean())

    def save(self, path: str | PathLike) -> None:
        """Save the fitted scaler and coefficients (safetensors + JSON; no pickle)."""
        self._check_fitted()
        scaler, lr = self.pipeline_[0], self.pipeline_[-1]
        arrays = {
            "scaler_mean": scaler.mean_.astype(np.float64),
            "scaler_scale": scaler.scale_.astype(np.float64),
            "coef": lr.coef_.astype(np.float64),
            "intercept": lr.intercept_.astype(np.float64),
        }
        meta = {
            "estimator": self._estimator_name,
            "params": {
                "C": float(self.C), "class_weight": self.class_weight,
                "random_state": self.random_state, "seed": self.seed,
            },
            "feature_names": self.feature_names_,
            "classes": [0, 1],
        }
        save_tensors(path, arrays, meta)

    @classmethod
    def load(cls, path: str | PathLike) -> TraditionalClassifier:
        """Load a model written by :meth:`save`."""
        state, meta = load_model(path, expect=cls._estimator_name, hint="pybridge.classification.load(path)")
        return cls._from_saved(state, meta)

    @classmethod
    def _from_saved(cls, state: dict, meta: dict, **_: Any) -> TraditionalClassifier:
        est = cls(**meta["params"])
        if meta["feature_names"] != FEATURE_NAMES:
            raise PyBridgeError(
                "the saved baseline was computed on other features than this pybridge computes; "
                "retrain it with this version"
            )
        pipe = est._make_pipeline()
        scaler, lr = pipe[0], pipe[-1]
        scaler.mean_ = state["scaler_mean"].numpy()
        scaler.scale_ = state["scaler_scale"].numpy()
        scaler.var_ = scaler.scale_**2
        scaler.n_features_in_ = scaler.mean_.shape[0]
        scaler.n_samples_seen_ = 0
        lr.coef_ = state["coef"].numpy()
        lr.intercept_ = state["intercept"].numpy()
        lr.classes_ = np.array([0, 1])
        lr.n_features_in_ = scaler.mean_.shape[0]
        lr.n_iter_ = np.array([0])
        est.pipeline_ = pipe
        est.feature_names_ = list(meta["feature_names"])
        est.classes_ = np.array([0, 1])
        return est
