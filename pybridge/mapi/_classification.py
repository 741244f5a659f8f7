"""MATLAB-facing classification: ``pybridge.trainClassifier`` and ``pybridge.classify``.

Patches arrive as MATLAB stacks, ``H x W`` (one patch), ``H x W x N`` or
``H x W x 1 x N``; labels as a vector of 0/1 (the course's folder names) or
1/2 (MATLAB's 1-based categories), converted by
:func:`pybridge.convert.labels_from_matlab`. A trained model lives in a
safetensors file; MATLAB holds a struct naming it, so no Python object has to
survive between calls.
"""

from __future__ import annotations

import numbers
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .. import convert
from ._core import whole_number
from ._models import model_from_matlab

__all__ = ["train_classifier", "classify"]

_MODELS = ("cnn", "traditional", "transfer")


def _patches(x: Any, name: str) -> np.ndarray:
    a = convert.from_matlab(x)
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric or logical image stack; got {type(x).__name__}")
    if a.ndim > 4 or (a.ndim == 4 and a.shape[2] != 1):
        raise ValueError(
            f"{name} must be H x W, H x W x N or H x W x 1 x N grey-level patches; "
            f"got size {list(a.shape)} (convert colour patches with rgb2gray first)"
        )
    return convert.matlab_to_numpy(a, "HWN" if a.ndim == 3 else "HWCN")


def _row(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(1, -1)


def train_classifier(
    images: Any,
    labels: Any,
    *,
    model: str = "cnn",
    strategy: str = "fine_tune",
    epochs: Any = 60,
    file: str | None = None,
    augment: bool = False,
    class_weight: str = "none",
    seed: Any = 0,
    validation_fraction: float = 0.2,
    verbose: bool = False,
) -> dict[str, Any]:
    """Train a patch classifier on MATLAB patches and labels and save it.

    Parameters
    ----------
    images : MATLAB array, H x W x N or H x W x 1 x N (any real class)
    labels : MATLAB vector of N labels, 0/1 or 1/2
    model : {'cnn', 'traditional', 'transfer'}
        The course CNN, the hand-crafted-feature baseline, or the course CNN
        started from pybridge's pretrained source model.
    strategy : {'fine_tune', 'gradual', 'feature_extractor'}
        Transfer only.
    epochs : whole number
        Upper bound (early stopping on the validation loss); CNNs only.
    file : str, optional
        Where to save the model; default a new file in the temp folder.
    augment : bool
    class_weight : {'none', 'balanced'}
    seed : whole number
    validation_fraction : float
    verbose : bool

    Returns
    -------
    dict
        ``file`` (str), ``model`` (str) and, for CNNs, ``history`` (dict of
        row vectors ``loss``, ``valLoss``, ``valAuc``, ``lr`` and the
        1-based ``bestEpoch``).

    Examples
    --------
    >>> from pybridge.datasets import microcalcifications
    >>> d = microcalcifications(24, seed=0)
    >>> info = train_classifier(convert.batch_to_matlab(d["images"]), d["labels"].astype(float),
    ...                         model="traditional")
    >>> sorted(info)
    ['file', 'model']
    """
    from ..classification import CNNClassifier, TraditionalClassifier, TransferClassifier

    X = _patches(images, "images")
    y = convert.labels_from_matlab(labels, n_classes=2)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"labels must hold one label per patch ({X.shape[0]}); got {y.shape[0]}")
    if model not in _MODELS:
        raise ValueError(f"model must be one of {_MODELS}; got {model!r}")
    if class_weight not in ("none", "balanced"):
        raise ValueError(f"class_weight must be 'none' or 'balanced'; got {class_weight!r}")
    cw = None if class_weight == "none" else "balanced"
    seed_ = whole_number(seed, "seed", low=0)
    if model == "traditional":
        est: Any = TraditionalClassifier(class_weight=cw, seed=seed_)
    else:
        common = dict(
            epochs=whole_number(epochs, "epochs", low=1),
            augment=bool(augment),
            class_weight=cw,
            seed=seed_,
            validation_fraction=float(validation_fraction),
            progress=False,
            verbose=int(bool(verbose)),
        )
        est = CNNClassifier(**common) if model == "cnn" else TransferClassifier(strategy=strategy, **common)
    est.fit(X, y)
    if file is None or file == "":
        fd, file = tempfile.mkstemp(prefix="pybridge_classifier_", suffix=".safetensors")
        os.close(fd)
    path = Path(file).expanduser().resolve()
    est.save(path)
    out: dict[str, Any] = {"file": str(path), "model": model}
    if model != "traditional":
        h = est.history_
        out["history"] = {
            "loss": _row(h["loss"]),
            "valLoss": _row(h["val_loss"]),
            "valAuc": _row(h.get("val_auc", [])),
            "lr": _row(h["lr"]),
            "bestEpoch": float(convert.index_to_one_based(np.asarray(h["best_epoch"])).ravel()[0]),
        }
    return out


def _load(model: Any):
    from ..classification import load

    return model_from_matlab(model, loader=load, made_by="pybridge.trainClassifier")


def classify(model: Any, images: Any, *, threshold: float = 0.5) -> dict[str, Any]:
    """Classify MATLAB patches with a model saved by :func:`train_classifier`.

    Parameters
    ----------
    model : str or dict
        The model file, or the struct ``trainClassifier`` returned.
    images : MATLAB array, H x W, H x W x N or H x W x 1 x N
        Same size, class and scale as the training patches.
    threshold : float, default 0.5
        Label 1 when P(1) >= threshold.

    Returns
    -------
    dict
        ``labels``: N x 1 double, 0/1; ``scores``: N x 2 double, columns
        P(label 0) and P(label 1) (like MATLAB's ``classify``).

    Examples
    --------
    >>> from pybridge.datasets import microcalcifications
    >>> d = microcalcifications(24, seed=0)
    >>> info = train_classifier(convert.batch_to_matlab(d["images"]), d["labels"].astype(float),
    ...                         model="traditional")
    >>> out = classify(info, convert.batch_to_matlab(d["images"][:5]))
    >>> out["labels"].shape, out["scores"].shape
    ((5, 1), (5, 2))
    """
    if not (isinstance(threshold, numbers.Real) and 0 < threshold < 1):
        raise ValueError(f"threshold must be a number between 0 and 1; got {threshold!r}")
    X = _patches(images, "images")
    est = _load(model)
    p = np.asarray(est.predict_proba(X), dtype=np.float64)
    labels = (p[:, 1] >= float(threshold)).astype(np.int64)
    return {"labels": convert.labels_to_matlab(labels), "scores": convert.to_matlab(p)}
