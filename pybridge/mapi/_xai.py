"""MATLAB-facing explanations: ``pybridge.gradcam``, ``pybridge.saliency``,
``pybridge.permutationImportance``.

A model arrives as the struct ``pybridge.trainClassifier`` /
``pybridge.trainSegmenter`` return (a ``file`` field), a model file name, or
a Python estimator handle. Images arrive as MATLAB stacks ``H x W``,
``H x W x N`` (grey) or ``H x W x C x N``; heatmaps go back as
``H x W x N`` doubles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .. import convert
from ._core import whole_number
from ._models import model_from_matlab

__all__ = ["gradcam", "saliency", "permutation_importance"]



def _load(model: Any) -> Any:
    """The estimator behind a model struct, file name or Python handle."""
    return model_from_matlab(
        model, loader=_load_file, made_by="pybridge.trainClassifier or pybridge.trainSegmenter",
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
            except ImportError:  # a room not installed: try the other
                continue
            cls = getattr(pkg, name, None)
            if isinstance(cls, type) and hasattr(cls, "load"):
                return cls.load(path)
    raise PyBridgeError(f"{str(path)!r} holds a {name!r} model, which pybridge cannot explain")


def _in_channels(est: Any) -> int:
    import torch

    net = est if isinstance(est, torch.nn.Module) else getattr(est, "network_", None)
    if net is not None:
        for m in net.modules():
            if isinstance(m, torch.nn.Conv2d):
                return int(m.in_channels)
    return 1


def _images(x: Any, channels: int) -> np.ndarray:
    """MATLAB stack -> (N, C, H, W); a 3-D stack is H x W x N for grey models."""
    a = convert.from_matlab(x)
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
        raise TypeError(
            f"images must be a real numeric or logical image stack; got {type(x).__name__}"
        )
    if a.ndim > 4:
        raise ValueError(
            f"images must be H x W, H x W x N or H x W x C x N; got size {list(a.shape)}"
        )
    if a.ndim == 3:
        layout = "HWC" if channels > 1 and a.shape[2] == channels else "HWN"
    else:
        layout = "HW" if a.ndim == 2 else "HWCN"
    return convert.matlab_to_numpy(a, layout)


def _target(target: Any) -> Any:
    """None, class labels (0/1 kept, else 1-based) or a logical region H x W (x N)."""
    if target is None:
        return None
    a = convert.from_matlab(target)
    if isinstance(a, np.ndarray) and a.dtype == np.bool_ and a.size > 1:
        m = convert.mask_from_matlab(a, name="target")
        return m if m.ndim == 2 else convert.batch_from_matlab(m)
    labels = convert.labels_from_matlab(a)
    return labels[0] if labels.size == 1 else labels


def _col(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=np.float64).reshape(-1, 1)


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
        Classifier: a class label (0/1, or 1-based for more classes), one for
        all images or one per image; default each image's predicted class.
        Segmenter: a logical region H x W or H x W x N; default the predicted
        mask.
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
    >>> gradcam(net, np.random.default_rng(0).random((16, 12, 3))).shape
    (16, 12, 3)
    """
    from .. import xai

    est = _load(model)
    X = _images(images, _in_channels(est))
    maps = xai.gradcam(
        est, X, target=_target(target), layer=layer or None, normalize=bool(normalize)
    )
    return convert.batch_to_matlab(maps.astype(np.float64))


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

    est = _load(model)
    X = _images(images, _in_channels(est))
    maps = xai.saliency(
        est,
        X,
        target=_target(target),
        smooth=whole_number(smooth, "smooth", low=0),
        noise=float(noise),
        seed=whole_number(seed, "seed", low=0),
    )
    return convert.batch_to_matlab(maps.astype(np.float64))


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

    est = _load(model)
    if hasattr(est, "features") and hasattr(est, "pipeline_"):
        F = _images(X, 1)
    else:
        F = convert.from_matlab(X)
        if not isinstance(F, np.ndarray) or F.ndim != 2:
            raise ValueError(
                "X must be an N x F feature matrix (one row per observation); got "
                f"{type(X).__name__}"
            )
    yv = convert.from_matlab(y)
    if not isinstance(yv, np.ndarray) or (yv.ndim == 2 and min(yv.shape) > 1):
        raise ValueError("y must be a vector of labels or responses, one per observation")
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
        n_repeats=whole_number(n_repeats, "n_repeats", low=1),
        mode=str(mode),
        seed=whole_number(seed, "seed", low=0),
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
