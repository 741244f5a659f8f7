"""MATLAB-facing segmentation: ``pybridge.trainSegmenter`` and ``pybridge.segment``.

Images arrive as MATLAB stacks, ``H x W`` (one image), ``H x W x N`` or
``H x W x 1 x N``; masks as logical ``H x W (x N)``. A trained model lives in
a safetensors file; MATLAB holds a struct naming it (no Python object has to
survive between calls, which suits MATLAB's out-of-process Python and
Octave alike).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import convert
from ._classification import quiet_kwargs
from ._matlab import (
    channels_of,
    choice,
    describe,
    fraction,
    image_stack,
    match_training,
    matlab_errors,
    share,
    size,
    value,
    whole,
)
from ._models import model_file, model_from_matlab, record_training, training_record

__all__ = ["train_segmenter", "segment"]

_MODELS = ("unet", "cae")
_NAMES = {"X": "IMAGES", "images": "IMAGES", "y": "MASKS", "masks": "MASKS", "mask": "MASKS"}


def _masks(x: Any, images: np.ndarray, raw_images: Any) -> np.ndarray:
    """MATLAB MASKS (logical H x W x N) -> bool N x H x W matching ``images`` (N x 1 x H x W)."""
    raw = convert.from_matlab(x)
    if isinstance(raw, np.ndarray) and raw.dtype.kind in "iuf" and raw.size:
        bad = ~((raw == 0) | (raw == 1))
        if bad.any():
            v = raw[bad].flat[0]
            raise ValueError(
                f"MASKS must be logical (0/1); it holds {'NaN' if v != v else value(v)} "
                "(threshold them first, e.g. MASKS > 0.5)"
            )
    m = convert.mask_from_matlab(x, name="MASKS")
    if m.ndim == 4 and m.shape[2] == 1:
        m = m[:, :, 0, :]
    n, _, h, w = images.shape
    want = (h, w) if n == 1 else (h, w, n)
    if m.shape[:2] != (h, w) or (m.shape[2] if m.ndim == 3 else 1) != n or m.ndim > 3:
        msg = f"MASKS must be {size(want)}, one H x W mask per image of IMAGES; got size {size(m.shape)}"
        raw = convert.from_matlab(raw_images)
        if isinstance(raw, np.ndarray) and raw.ndim == 3 and raw.shape[2] == 3 and m.ndim == 2:
            msg += " (is IMAGES one colour image? convert it with rgb2gray or im2gray)"
        elif m.shape[:2] != (h, w):
            msg += f" (resize the masks with imresize(MASKS, [{h} {w}], 'nearest'))"
        raise ValueError(msg)
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
        f"'Postprocess' must be 'none', 'largest', 'fill' or a cell of them; got {value(postprocess)}"
    )


@matlab_errors(_NAMES)
def train_segmenter(
    images: Any,
    masks: Any,
    *,
    model: str = "unet",
    epochs: Any = 30,
    file: str | None = None,
    width: Any = 16,
    depth: Any = 3,
    augment: Any = None,
    seed: Any = 0,
    validation_fraction: float = 0.2,
    postprocess: Any = None,
    verbose: bool = True,
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
        Where to save the model; its folder must exist (checked before
        training). Default: a temporary file, deleted when this Python
        process exits.
    width, depth : whole numbers
        U-Net only: channels of the first level, number of poolings.
    augment : bool, optional
        Random flips, rotations and intensity changes while training;
        default: the estimator's (on).
    seed : whole number
    validation_fraction : float
    postprocess : str or tuple of str, optional
        Stored with the model: 'largest' and/or 'fill'.
    verbose : bool, default True
        Print training progress (one line per epoch); False trains silently.

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
    >>> info = train_segmenter(X, M, epochs=1.0, width=4.0, verbose=False)
    >>> sorted(info)
    ['file', 'history', 'model', 'threshold']
    """
    from ..segmentation import CAESegmenter, UNetSegmenter

    X = image_stack(images)
    y = _masks(masks, X, images)
    model = choice(model, "'Model'", _MODELS)
    cls = UNetSegmenter if model == "unet" else CAESegmenter
    common = dict(
        epochs=whole(epochs, "'Epochs'", low=1),
        **({} if augment is None else {"augment": bool(augment)}),
        seed=whole(seed, "'Seed'", low=0),
        validation_fraction=share(validation_fraction, "'ValidationFraction'"),
        postprocess=_steps(postprocess),
        **quiet_kwargs(cls, verbose),
    )
    if model == "unet":
        common.update(width=whole(width, "'Width'", low=1), depth=whole(depth, "'Depth'", low=1))
    path, temporary = model_file(file, "segmenter")  # a bad 'File' fails now, not after training
    est = cls(**common)
    try:
        est.fit(X, y)
        est.save(path)
        record_training(path, X)
    except BaseException:
        if temporary:
            path.unlink(missing_ok=True)
        raise
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


def _rois(roi: Any, shape: tuple) -> list[tuple[int, int, int, int]]:
    """MATLAB ROI(s) ``[x y width height]``: one for every image, or one row per image."""
    a = convert.from_matlab(roi)
    n, h, w = shape[0], shape[-2], shape[-1]
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf" or a.ndim > 2 or a.size == 0 or (
        a.size != 4 and a.shape != (n, 4)
    ):
        raise ValueError(
            f"'ROI' must be [x y width height] (1-based) or one such row per image ({n} x 4); "
            f"got {describe(roi)}"
        )
    rows = [a.reshape(-1)] * n if a.size == 4 else list(a)
    return [convert.roi_from_matlab(np.asarray(r, dtype=np.float64), shape=(h, w)) for r in rows]


def _load(model: Any):
    from ..segmentation import load

    return model_from_matlab(
        model, loader=load, made_by="pybridge.trainSegmenter", kind="segmenter", fname="segment"
    )


@matlab_errors(_NAMES)
def segment(
    model: Any,
    images: Any,
    *,
    threshold: float | None = None,
    postprocess: Any = None,
    roi: Any = None,
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
    roi : MATLAB [x y width height] (1-based), or N x 4 of them, optional
        Where the lesion was marked: the model segments a window round it at
        its training images' scale and contrast and keeps only the lesion
        inside it (see ``UNetSegmenter.predict``); PROBABILITY is then 0
        outside that window.

    Returns
    -------
    dict
        ``mask``: logical H x W (x N); ``probability``: single H x W (x N).

    Examples
    --------
    >>> from pybridge.datasets import masses
    >>> d = masses(16, size=32, seed=0)
    >>> info = train_segmenter(convert.batch_to_matlab(d["images"]),
    ...                        convert.batch_to_matlab(d["masks"]), epochs=1.0, width=4.0,
    ...                        verbose=False)
    >>> out = segment(info, np.asfortranarray(d["images"][0]))
    >>> out["mask"].shape, out["mask"].dtype
    ((32, 32), dtype('bool'))
    """
    from ..segmentation import check_postprocess, keep_overlapping
    from ..segmentation import postprocess as apply_steps

    if threshold is not None:
        threshold = fraction(threshold, "'Threshold'")
    est = _load(model)
    X = match_training(image_stack(images, channels=channels_of(est)), training_record(model))
    boxes = None if roi is None else _rois(roi, X.shape)
    p = est.predict_proba(X) if boxes is None else est.predict_roi_proba(X, boxes)
    if threshold is None:
        threshold = est.threshold_
    steps = check_postprocess(est.postprocess if postprocess is None else _steps(postprocess))
    mask = p > float(threshold)
    if boxes is not None:
        mask = keep_overlapping(mask, boxes, clip=True)
    if steps:
        mask = apply_steps(mask, steps)
    return {"mask": convert.batch_to_matlab(mask), "probability": convert.batch_to_matlab(p)}
