"""MATLAB-facing overlap metrics: ``pybridge.dice`` and ``pybridge.jaccard``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import convert

__all__ = ["dice", "jaccard"]


def _overlap(metric: str, a: Any, b: Any, labels: Any, batch: bool) -> Any:
    from .. import metrics  # imported on first use: keeps ``import pybridge.mapi`` light

    # As MATLAB's own dice/jaccard: logical inputs are masks; numeric inputs are
    # label images scored for labels 1..max (a 0/1 image gives its one value).
    pa, pb = convert.from_matlab(a), convert.from_matlab(b)
    if labels is not None:
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
        Logical H x W (x D) masks, or numeric label images (as in MATLAB, a
        numeric input is a label image, scored for labels 1..max); with
        ``batch`` the last MATLAB dimension indexes samples (H x W x N).
    labels : MATLAB numeric vector, optional
        Label values to score one by one (label images).

    Raises
    ------
    ValueError
        Label images with NaN, negative or fractional values; arrays of
        different shapes.
    batch : bool, default False
        One value per sample along the last dimension.

    Returns
    -------
    float or ndarray
        A scalar for logical masks; an L x 1 column for label images (L
        labels); an N x 1 column with ``batch``; N x L for a batch of label
        images.

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
