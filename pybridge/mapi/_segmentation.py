"""MATLAB-facing segmentation: ``pybridge.trainSegmenter`` and ``pybridge.segment``.

Images arrive as MATLAB stacks, ``H x W`` (one image), ``H x W x N`` or
``H x W x 1 x N``; masks as logical ``H x W (x N)``. A trained model lives in
a safetensors file; MATLAB holds a struct naming it (no Python object has to
survive between calls, which suits MATLAB's out-of-process Python and
Octave alike).
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

__all__ = ["train_segmenter", "segment"]

_MODELS = ("unet", "cae")


def _images(x: Any, name: str) -> np.ndarray:
    a = convert.from_matlab(x)
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a real numeric or logical image stack; got {type(x).__name__}"
        )
    if a.ndim > 4 or (a.ndim == 4 and a.shape[2] != 1):
        raise ValueError(
            f"{name} must be H x W, H x W x N or H x W x 1 x N grey-level images; "
            f"got size {list(a.shape)} (convert colour images with rgb2gray first)"
        )
    return convert.matlab_to_numpy(a, "HWN" if a.ndim == 3 else "HWCN")


def _masks(x: Any, name: str) -> np.ndarray:
    m = convert.mask_from_matlab(x, name=name)
    if m.ndim == 4 and m.shape[2] == 1:
        m = m[:, :, 0, :]
    return m[None] if m.ndim == 2 else convert.batch_from_matlab(m)


def _steps(postprocess: Any) -> tuple[str, ...] | None:
    """MATLAB's 'Postprocess' value (char, or a cell as a tuple) -> step names; 'none' -> ()."""
    if postprocess is None:
        return None
    if isinstance(postprocess, str):
        return () if postprocess in ("", "none") else (postprocess,)
    if isinstance(postprocess, list | tuple):
        return tuple(postprocess)
    raise TypeError(
        f"postprocess must be 'none', 'largest', 'fill' or a cell of them; got {type(postprocess).__name__}"
    )


def train_segmenter(
    images: Any,
    masks: Any,
    *,
    model: str = "unet",
    epochs: Any = 30,
    file: str | None = None,
    width: Any = 16,
    depth: Any = 3,
    augment: bool = False,
    seed: Any = 0,
    validation_fraction: float = 0.2,
    postprocess: Any = None,
    verbose: bool = False,
) -> dict[str, Any]:
    """Train a U-Net or CAE segmenter on MATLAB images and masks and save it.

    Parameters
    ----------
    images : MATLAB array, H x W x N or H x W x 1 x N (any real class)
    masks : MATLAB logical (or 0/1) array, H x W x N
    model : {'unet', 'cae'}
    epochs : whole number
        Upper bound (early stopping on the validation loss).
    file : str, optional
        Where to save the model; default a new file in the temp folder.
    width, depth : whole numbers
        U-Net only: channels of the first level, number of poolings.
    augment : bool
    seed : whole number
    validation_fraction : float
    postprocess : str or tuple of str, optional
        Stored with the model: 'largest' and/or 'fill'.
    verbose : bool
        One line per epoch.

    Returns
    -------
    dict
        ``file`` (str), ``model`` (str), ``threshold`` (float), ``history``
        (dict of row vectors ``loss``, ``valLoss``, ``valDice``, ``lr`` and the
        1-based ``bestEpoch``).

    Examples
    --------
    >>> from pybridge.datasets import masses
    >>> d = masses(16, size=32, seed=0)
    >>> X = convert.batch_to_matlab(d["images"]); M = convert.batch_to_matlab(d["masks"])
    >>> info = train_segmenter(X, M, epochs=1.0, width=4.0)
    >>> sorted(info)
    ['file', 'history', 'model', 'threshold']
    """
    from ..segmentation import CAESegmenter, UNetSegmenter

    X = _images(images, "images")
    y = _masks(masks, "masks")
    if y.shape != (X.shape[0], *X.shape[2:]):
        raise ValueError(
            f"masks must match images: {X.shape[2]} x {X.shape[3]} x {X.shape[0]}; "
            f"got {y.shape[1]} x {y.shape[2]} x {y.shape[0]}"
        )
    if model not in _MODELS:
        raise ValueError(f"model must be one of {_MODELS}; got {model!r}")
    common = dict(
        epochs=whole_number(epochs, "epochs", low=1),
        augment=bool(augment),
        seed=whole_number(seed, "seed", low=0),
        validation_fraction=float(validation_fraction),
        postprocess=_steps(postprocess),
        progress=False,
        verbose=int(bool(verbose)),
    )
    if model == "unet":
        est = UNetSegmenter(
            width=whole_number(width, "width", low=1), depth=whole_number(depth, "depth", low=1), **common
        )
    else:
        est = CAESegmenter(**common)
    est.fit(X, y)
    if file is None or file == "":
        fd, file = tempfile.mkstemp(prefix="pybridge_segmenter_", suffix=".safetensors")
        os.close(fd)
    path = Path(file).expanduser().resolve()
    est.save(path)
    h = est.history_
    history = {
        "loss": np.asarray(h["loss"], dtype=np.float64),
        "valLoss": np.asarray(h["val_loss"], dtype=np.float64),
        "valDice": np.asarray(h.get("val_dice", []), dtype=np.float64),
        "lr": np.asarray(h["lr"], dtype=np.float64),
        "bestEpoch": float(convert.index_to_one_based(np.asarray(h["best_epoch"])).ravel()[0]),
    }
    return {
        "file": str(path),
        "model": model,
        "threshold": float(est.threshold_),
        "history": history,
    }


def _load(model: Any):
    from ..segmentation import load

    return model_from_matlab(model, loader=load, made_by="pybridge.trainSegmenter")


def segment(
    model: Any,
    images: Any,
    *,
    threshold: float | None = None,
    postprocess: Any = None,
) -> dict[str, Any]:
    """Segment MATLAB images with a model saved by :func:`train_segmenter`.

    Parameters
    ----------
    model : str or dict
        The model file, or the struct ``trainSegmenter`` returned.
    images : MATLAB array, H x W, H x W x N or H x W x 1 x N, any size
        Same class and scale as the training images.
    threshold : float, optional
        Probability threshold (default: the one chosen in training).
    postprocess : str or tuple of str, optional
        'largest' and/or 'fill', or 'none' (default: what the model was trained with).

    Returns
    -------
    dict
        ``mask``: logical H x W (x N); ``probability``: single H x W (x N).

    Examples
    --------
    >>> from pybridge.datasets import masses
    >>> d = masses(16, size=32, seed=0)
    >>> info = train_segmenter(convert.batch_to_matlab(d["images"]),
    ...                        convert.batch_to_matlab(d["masks"]), epochs=1.0, width=4.0)
    >>> out = segment(info, np.asfortranarray(d["images"][0]))
    >>> out["mask"].shape, out["mask"].dtype
    ((32, 32), dtype('bool'))
    """
    from ..segmentation import check_postprocess
    from ..segmentation import postprocess as apply_steps

    X = _images(images, "images")
    est = _load(model)
    p = est.predict_proba(X)
    if threshold is None:
        threshold = est.threshold_
    elif not (isinstance(threshold, numbers.Real) and 0 < threshold < 1):
        raise ValueError(f"threshold must be a number between 0 and 1; got {threshold!r}")
    steps = check_postprocess(est.postprocess if postprocess is None else _steps(postprocess))
    mask = p > float(threshold)
    if steps:
        mask = apply_steps(mask, steps)
    return {"mask": convert.batch_to_matlab(mask), "probability": convert.batch_to_matlab(p)}
