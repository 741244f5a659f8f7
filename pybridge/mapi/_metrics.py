"""MATLAB-facing overlap metrics: ``pybridge.dice`` and ``pybridge.jaccard``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import convert

__all__ = ["dice", "jaccard"]


def _overlap(metric: str, a: Any, b: Any, labels: Any, batch: bool) -> Any:
    from .. import metrics  # imported on first use: keeps ``import pybridge.mapi`` light

    if labels is None:  # binary masks: logical, or 0/1 numbers
        pa, pb = convert.mask_from_matlab(a, name="A"), convert.mask_from_matlab(b, name="B")
    else:  # label images
        pa, pb = convert.from_matlab(a), convert.from_matlab(b)
        labels = np.asarray(convert.from_matlab(labels)).reshape(-1)
    if batch:
        pa, pb = convert.batch_from_matlab(pa), convert.batch_from_matlab(pb)
    out = getattr(metrics, metric)(pa, pb, labels=labels, batch=bool(batch))
    out = np.asarray(out, dtype=np.float64)
    if out.ndim == 0:
        return float(out)
    if out.ndim == 1:
        # one value per sample or per label: a column, as MATLAB's dice gives per label
        return convert.to_matlab(out.reshape(-1, 1))
    return convert.to_matlab(out)  # batch with labels: one row per sample


def dice(a: Any, b: Any, *, labels: Any = None, batch: bool = False) -> Any:
    """Sorensen-Dice coefficient of two MATLAB masks or label images.

    Parameters
    ----------
    a, b : MATLAB logical or numeric arrays of the same size
        H x W (x D) masks (logical, or numbers that are all 0 or 1) or, with
        ``labels``, label images; with ``batch`` the last MATLAB dimension
        indexes samples (H x W x N).
    labels : MATLAB numeric vector, optional
        Label values to score one by one (label images).

    Raises
    ------
    ValueError
        A mask with values other than 0/1 (or NaN) when ``labels`` is None;
        arrays of different shapes.
    batch : bool, default False
        One value per sample along the last dimension.

    Returns
    -------
    float or ndarray
        A scalar; an L x 1 column with ``labels``; an N x 1 column with
        ``batch``; N x L with both.

    Examples
    --------
    >>> a = np.array([[1, 1, 0, 0]], dtype=bool)
    >>> b = np.array([[1, 0, 0, 0]], dtype=bool)
    >>> round(dice(a, b), 4)      # 2*1 / (2 + 1)
    0.6667
    """
    return _overlap("dice", a, b, labels, batch)


def jaccard(a: Any, b: Any, *, labels: Any = None, batch: bool = False) -> Any:
    """Jaccard index (intersection over union) of two MATLAB masks or label images.

    Same arguments and shapes as :func:`dice`.

    Examples
    --------
    >>> a = np.array([[1, 1, 0, 0]], dtype=bool)
    >>> b = np.array([[1, 0, 0, 0]], dtype=bool)
    >>> jaccard(a, b)             # 1 / 2
    0.5
    """
    return _overlap("jaccard", a, b, labels, batch)
