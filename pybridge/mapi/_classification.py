"""MATLAB-facing classification: ``pybridge.trainClassifier`` and ``pybridge.classify``.

Patches arrive as MATLAB stacks, ``H x W`` (one patch), ``H x W x N`` or
``H x W x 1 x N``; labels as a vector of 0/1 (the course's folder names) or
1/2 (MATLAB's 1-based categories), converted by
:func:`pybridge.convert.labels_from_matlab`. A trained model lives in a
safetensors file; MATLAB holds a struct naming it, so no Python object has to
survive between calls.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .. import convert
from ._matlab import (
    channels_of,
    choice,
    describe,
    fraction,
    image_stack,
    match_training,
    matlab_errors,
    share,
    value,
    whole,
)
from ._models import model_file, model_from_matlab, record_training, training_record

__all__ = ["train_classifier", "classify"]

_MODELS = ("cnn", "traditional", "transfer")
_STRATEGIES = ("fine_tune", "gradual", "feature_extractor")
_NAMES = {"X": "IMAGES", "images": "IMAGES", "y": "LABELS", "labels": "LABELS"}


def _row(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(1, -1)


def _labels(labels: Any, n: int) -> tuple[np.ndarray, list[float]]:
    """MATLAB LABELS (0/1 or 1/2) -> (0-based int64, the label values of classes 1 and 2)."""
    a = convert.from_matlab(labels)
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf" or (a.ndim == 2 and min(a.shape) > 1) or a.ndim > 2:
        raise TypeError(f"LABELS must be a vector of 0/1 (or 1/2) labels; got {describe(labels)}")
    a = a.reshape(-1)
    if a.size != n:
        raise ValueError(f"LABELS must hold one label per patch ({n}); got {a.size}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError("LABELS hold NaN or Inf; every patch needs a label 0 or 1 (or 1 or 2)")
    values = np.unique(a.astype(np.float64))
    if not (set(values) <= {0.0, 1.0} or set(values) <= {1.0, 2.0}):
        raise ValueError(
            f"LABELS must be 0/1 (the course's folder names) or 1/2 (MATLAB's class numbers); "
            f"got the values {value(values)}"
        )
    if values.size < 2:
        raise ValueError(
            f"LABELS hold one class only (every label is {value(values[0])}); training needs "
            "patches of both classes"
        )
    coding = [0.0, 1.0] if set(values) <= {0.0, 1.0} else [1.0, 2.0]
    return convert.labels_from_matlab(a, n_classes=2), coding


def quiet_kwargs(cls: type, verbose: bool) -> dict[str, Any]:
    """The keyword arguments that make an estimator print (``verbose``) or stay silent.

    MATLAB's command window shows a progress bar's carriage-return frames
    line by line, so a verbose fit prints one plain line per epoch instead:
    ``verbose=2`` where the estimator takes a level, else the older
    ``progress=False`` with ``verbose=1``.
    """
    params = inspect.signature(cls.__init__).parameters
    kw: dict[str, Any] = {}
    if "verbose" not in params:
        return kw
    if not verbose:
        kw["verbose"] = False if isinstance(params["verbose"].default, bool) else 0
        if "progress" in params:
            kw["progress"] = False
    elif isinstance(params["verbose"].default, bool):  # True: a bar; 2: a line per epoch
        kw["verbose"] = 2
    else:
        kw["verbose"] = 1
        if "progress" in params:
            kw["progress"] = False
    return kw


@matlab_errors(_NAMES)
def train_classifier(
    images: Any,
    labels: Any,
    *,
    model: str = "cnn",
    strategy: str = "fine_tune",
    epochs: Any = 60,
    file: str | None = None,
    augment: Any = None,
    class_weight: Any = None,
    seed: Any = 0,
    validation_fraction: float = 0.2,
    verbose: bool = True,
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
        Where to save the model; its folder must exist (checked before
        training). Default: a temporary file, deleted when this Python
        process exits.
    augment : bool, optional
        Random flips, rotations, shifts, zoom and intensity changes while
        training; default: the estimator's (on for the CNNs).
    class_weight : {'balanced', 'none'}, optional
        Default: the estimator's ('balanced': each class weighs the same).
    seed : whole number
    validation_fraction : float
    verbose : bool, default True
        Print training progress (one line per epoch); False trains silently.

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

    X = image_stack(images)
    y, coding = _labels(labels, X.shape[0])
    model = choice(model, "'Model'", _MODELS)
    strategy = choice(strategy, "'Strategy'", _STRATEGIES)
    options: dict[str, Any] = {}
    if class_weight is not None:
        class_weight = choice(class_weight, "'ClassWeight'", ("none", "balanced"))
        options["class_weight"] = None if class_weight == "none" else "balanced"
    if augment is not None:
        options["augment"] = bool(augment)
    seed_ = whole(seed, "'Seed'", low=0)
    epochs_ = whole(epochs, "'Epochs'", low=1)
    vf = share(validation_fraction, "'ValidationFraction'")
    path, temporary = model_file(file, "classifier")  # a bad 'File' fails now, not after training
    if model == "traditional":
        est: Any = TraditionalClassifier(seed=seed_, **{k: v for k, v in options.items() if k == "class_weight"})
    else:
        cls = CNNClassifier if model == "cnn" else TransferClassifier
        common = dict(
            epochs=epochs_,
            seed=seed_,
            **options,
            validation_fraction=vf,
            **quiet_kwargs(cls, verbose),
        )
        est = cls(**common) if model == "cnn" else cls(strategy=strategy, **common)
    try:
        est.fit(X, y)
        est.save(path)
        record_training(path, X, coding)
    except BaseException:
        if temporary:
            path.unlink(missing_ok=True)
        raise
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

    return model_from_matlab(
        model, loader=load, made_by="pybridge.trainClassifier", kind="classifier", fname="classify"
    )


@matlab_errors(_NAMES)
def classify(model: Any, images: Any, *, threshold: float = 0.5) -> dict[str, Any]:
    """Classify MATLAB patches with a model saved by :func:`train_classifier`.

    Parameters
    ----------
    model : str or dict
        The model file, or the struct ``trainClassifier`` returned.
    images : MATLAB array, H x W, H x W x N or H x W x 1 x N
        Same size, class and scale as the training patches. H x W x 3 is
        refused for a grey model: one colour image and three grey patches
        look alike (pass three patches as H x W x 1 x 3).
    threshold : float, default 0.5
        Label 1 when P(1) >= threshold.

    Returns
    -------
    dict
        ``labels``: N x 1 double, in the values the model was trained with
        (0/1, or 1/2); ``scores``: N x 2 double, the probabilities of the
        first and second class (like MATLAB's ``classify``): class k
        (1-based, as ``'Target'`` of ``pybridge.gradcam`` counts) is column k.

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
    threshold = fraction(threshold, "'Threshold'")
    est = _load(model)
    record = training_record(model)
    X = match_training(image_stack(images, channels=channels_of(est)), record)
    p = np.asarray(est.predict_proba(X), dtype=np.float64)
    coding = np.asarray((record or {}).get("labels", [0.0, 1.0]), dtype=np.float64)
    labels = coding[(p[:, 1] >= threshold).astype(np.int64)]
    return {"labels": convert.to_matlab(labels.reshape(-1, 1)), "scores": convert.to_matlab(p)}
