"""MATLAB-facing explanations: ``pybridge.gradcam``, ``pybridge.saliency``,
``pybridge.permutationImportance``.

A model arrives as the struct ``pybridge.trainClassifier`` /
``pybridge.trainSegmenter`` return (a ``file`` field), a model file name, or
a Python estimator handle. Images arrive as MATLAB stacks ``H x W``,
``H x W x N`` (grey) or ``H x W x C x N``; heatmaps go back as
``H x W x N`` doubles.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from .. import convert
from ._matlab import (
    channels_of,
    describe,
    image_stack,
    match_training,
    matlab_errors,
    size,
    value,
    whole,
)
from ._models import kind_of, model_from_matlab, training_record

__all__ = ["gradcam", "saliency", "permutation_importance"]

_NAMES = {
    "images": "IMAGES",
    "y": "Y",
    "model": "MODEL",
    "target": "'Target'",
    "layer": "'Layer'",
    "'layer'": "'Layer'",
    "'metric'": "'Metric'",
    "'mode'": "'Mode'",
}


def _network_model(est: Any, fname: str) -> None:
    """Grad-CAM and saliency need a network: refuse the feature-based baseline plainly."""
    if kind_of(est) == "classifier" and not hasattr(est, "network_"):
        raise ValueError(
            f"MODEL is a classifier without a network ('Model', 'traditional': hand-crafted "
            f"features); pybridge.{fname} explains networks: train with 'Model', 'cnn' or "
            "'transfer', or explain this one with pybridge.permutationImportance"
        )
_CLASS_HELP = (
    "a class number counts from 1, as in MATLAB: class k is column k of pybridge.classify's "
    "SCORES (for the course models 1 = label 0, normal; 2 = label 1, lesion)"
)


def _load(model: Any, fname: str, kind: Any = ("classifier", "segmenter")) -> Any:
    """The estimator behind a model struct, file name or Python handle."""
    return model_from_matlab(
        model,
        loader=_load_file,
        made_by="pybridge.trainClassifier or pybridge.trainSegmenter",
        kind=kind,
        fname=fname,
        allow_objects=True,
    )


def _load_file(path: Path) -> Any:
    import importlib

    from .._errors import PyBridgeError
    from .._training import load_model

    _, meta = load_model(path)
    name = meta.get("estimator")
    if isinstance(name, str):
        for package in ("classification", "segmentation"):
            try:
                pkg = importlib.import_module(f"pybridge.{package}")
            except ImportError:  # a part of pybridge not installed: try the other
                continue
            cls = getattr(pkg, name, None)
            if isinstance(cls, type) and hasattr(cls, "load"):
                return cls.load(path)
    raise PyBridgeError(f"{str(path)!r} holds a {name!r} model, which pybridge cannot explain")


def _n_classes(est: Any) -> int | None:
    classes = getattr(est, "classes_", None)
    if classes is not None:
        return len(classes)
    return None


def _target(target: Any, est: Any, images: np.ndarray) -> Any:
    """MATLAB 'Target' -> what pybridge.xai takes, checked in MATLAB's terms.

    None; 1-based class numbers (one, or one per image) -> 0-based; a logical
    region H x W or H x W x N -> bool (N,) H x W.
    """
    if target is None:
        return None
    n, _, h, w = images.shape
    a = convert.from_matlab(target)
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
        raise TypeError(
            f"'Target' must be class numbers (1, 2, ...) or a logical region; got {describe(target)}"
        )
    kind = kind_of(est)
    if a.dtype == np.bool_:
        if kind == "classifier":
            raise TypeError(
                f"'Target' of a classification model is a class number, not a logical; {_CLASS_HELP}"
            )
        m = a[:, :, 0, :] if a.ndim == 4 and a.shape[2] == 1 else a
        if m.shape[:2] != (h, w) or m.ndim > 3 or (m.ndim == 3 and m.shape[2] not in (1, n)):
            raise ValueError(
                f"'Target' region must be {h}x{w} like the images, or {h}x{w}x{n} (one per "
                f"image); got size {size(a.shape)}"
            )
        return m if m.ndim == 2 else convert.batch_from_matlab(m)
    if kind == "segmenter":
        raise TypeError(
            "'Target' of a segmentation model is a logical region H x W (or H x W x N), "
            f"not class numbers; got {value(a)}"
        )
    flat = a.reshape(-1)
    if flat.size not in (1, n) or (a.ndim == 2 and min(a.shape) > 1) or a.ndim > 2:
        raise ValueError(
            f"'Target' must be one class number, or one per image ({n}); got {value(a)}"
        )
    if not np.all(np.isfinite(flat) & (flat == np.round(flat))):
        raise TypeError(f"'Target' must be whole class numbers; got {value(a)}; {_CLASS_HELP}")
    if flat.min() < 1:
        raise ValueError(f"'Target' {value(a)}: {_CLASS_HELP}. Class 0 does not exist; add 1")
    k = _n_classes(est)
    if k is not None and flat.max() > k:
        raise ValueError(f"'Target' must be a class number 1..{k} for this model; got {value(a)}; {_CLASS_HELP}")
    zero = flat.astype(np.int64) - 1
    return int(zero[0]) if zero.size == 1 else zero


def _explain(fn, est, X, target_in, target, **kwargs) -> np.ndarray:
    """Run an explanation; say out-of-range classes of a Python model in MATLAB's numbers."""
    try:
        return fn(est, X, target=target, **kwargs)
    except ValueError as err:
        m = re.search(r"target class must be in 0\.\.(\d+)", str(err))
        if not m:
            raise
        k = int(m.group(1)) + 1
        raise ValueError(
            f"'Target' must be a class number 1..{k} for this model; got {value(target_in)}; {_CLASS_HELP}"
        ) from err


def _col(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=np.float64).reshape(-1, 1)


@matlab_errors(_NAMES)
def gradcam(
    model: Any,
    images: Any,
    *,
    target: Any = None,
    layer: str | None = None,
    normalize: bool = False,
) -> np.ndarray:
    """Grad-CAM heatmaps of MATLAB images, back as H x W x N doubles.

    Parameters
    ----------
    model : dict, str or Python estimator
        The struct from ``trainClassifier``/``trainSegmenter`` (its ``file``),
        a model file, or a handle to a Python model.
    images : MATLAB array H x W, H x W x N or H x W x C x N
    target : MATLAB value, optional
        Classifier: a class number counted from 1 as MATLAB counts (class k
        is column k of ``classify``'s scores: 1 = label 0, 2 = label 1), one
        for all images or one per image; default each image's predicted
        class. Segmenter: a logical region H x W or H x W x N; default the
        predicted mask.
    layer : str, optional
        A layer name of the network (``named_modules``); default the last
        convolutional block's output.
    normalize : bool
        Scale each map to a maximum of 1.

    Returns
    -------
    ndarray of shape (H, W, N), float64, Fortran order

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
    ...                           torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
    ...                           torch.nn.Linear(4, 1))
    >>> gradcam(net, np.random.default_rng(0).random((16, 12, 4)), target=2.0).shape
    (16, 12, 4)
    """
    from .. import xai

    est = _load(model, "gradcam")
    _network_model(est, "gradcam")
    X = match_training(image_stack(images, channels=channels_of(est)), training_record(model))
    maps = _explain(
        xai.gradcam, est, X, target, _target(target, est, X), layer=layer or None,
        normalize=bool(normalize),
    )
    return convert.batch_to_matlab(maps.astype(np.float64))


@matlab_errors(_NAMES)
def saliency(
    model: Any,
    images: Any,
    *,
    target: Any = None,
    smooth: Any = 0,
    noise: float = 0.15,
    seed: Any = 0,
) -> np.ndarray:
    """Saliency (SmoothGrad with ``smooth`` > 0) maps of MATLAB images, H x W x N doubles.

    Parameters are those of :func:`gradcam`, plus ``smooth`` (number of noisy
    copies, 0 for the plain gradient), ``noise`` (relative noise level) and
    ``seed``.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 1))
    >>> saliency(net, np.ones((4, 5)), smooth=2.0).shape
    (4, 5)
    """
    from .. import xai

    est = _load(model, "saliency")
    _network_model(est, "saliency")
    X = match_training(image_stack(images, channels=channels_of(est)), training_record(model))
    maps = _explain(
        xai.saliency,
        est,
        X,
        target,
        _target(target, est, X),
        smooth=whole(smooth, "'Smooth'", low=0),
        noise=float(noise),
        seed=whole(seed, "'Seed'", low=0),
    )
    return convert.batch_to_matlab(maps.astype(np.float64))


@matlab_errors(_NAMES)
def permutation_importance(
    model: Any,
    X: Any,
    y: Any,
    *,
    metric: str = "error",
    n_repeats: Any = 5,
    mode: str = "difference",
    seed: Any = 0,
    feature_names: Any = None,
) -> dict[str, Any]:
    """Permutation feature importance for MATLAB data, as a struct.

    Parameters
    ----------
    model : dict, str or Python estimator
        A TraditionalClassifier (struct, file or handle): ``X`` are then
        images H x W x N; any other scikit-learn estimator (handle): ``X`` is
        an N x F feature matrix, one row per observation as in MATLAB.
    y : MATLAB vector of N labels (0/1, or 1-based classes) or numbers
    metric, mode : str
        See :func:`pybridge.xai.permutation_importance`.
    n_repeats, seed : whole numbers
    feature_names : cell of char, optional

    Returns
    -------
    dict
        ``features`` (cell, most important first), ``order`` (1-based
        column of each, a column vector), ``importance`` and
        ``importanceStd`` (columns), ``importances`` (F x n_repeats),
        ``baselineError``, ``permutedError`` (column), ``mode``, ``metric``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3)); y = (X[:, 2] > 0).astype(float)
    >>> s = permutation_importance(LogisticRegression().fit(X, y), X, y)
    >>> s["features"][0], s["order"][0, 0]
    ('x2', np.float64(3.0))
    """
    from .. import xai

    est = _load(model, "permutationImportance", kind="classifier")
    if hasattr(est, "features") and hasattr(est, "pipeline_"):
        F = image_stack(X, channels=1, name="X")
    else:
        F = convert.from_matlab(X)
        if not isinstance(F, np.ndarray) or F.ndim != 2:
            raise ValueError(
                f"X must be an N x F feature matrix (one row per observation); got {describe(X)}"
            )
    yv = convert.from_matlab(y)
    if not isinstance(yv, np.ndarray) or yv.ndim > 2 or (yv.ndim == 2 and min(yv.shape) > 1):
        raise ValueError(
            f"Y must be a vector of labels or responses, one per observation; got {describe(y)}"
        )
    yv = yv.reshape(-1)
    if hasattr(est, "classes_") or hasattr(est, "predict_proba"):
        yv = convert.labels_from_matlab(yv)
    names = None
    if feature_names is not None:
        names = [str(n) for n in convert.cell_to_list(feature_names)]
    res = xai.permutation_importance(
        est,
        F,
        yv,
        metric=str(metric),
        n_repeats=whole(n_repeats, "'NumRepeats'", low=1),
        mode=str(mode),
        seed=whole(seed, "'Seed'", low=0),
        feature_names=names,
    )
    return {
        "features": list(res["features"]),
        "order": _col(convert.index_to_one_based(res["order"])),
        "importance": _col(res["importances_mean"]),
        "importanceStd": _col(res["importances_std"]),
        "importances": np.asarray(res["importances"], dtype=np.float64),
        "baselineError": float(res["baseline_error"]),
        "permutedError": _col(res["permuted_error"]),
        "mode": res["mode"],
        "metric": res["metric"],
    }
