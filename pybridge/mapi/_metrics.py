"""MATLAB-facing overlap metrics: ``pybridge.dice`` and ``pybridge.jaccard``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import convert
from ._matlab import describe, matlab_errors, size, value

__all__ = ["dice", "jaccard"]

_NAMES = {"a": "A", "b": "B", "labels": "'Labels'"}


def _operand(x: Any, name: str) -> np.ndarray:
    """A or B: a logical mask or a label image of whole numbers >= 0, checked in MATLAB's terms."""
    try:
        a = convert.from_matlab(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a logical mask or a numeric label image; got {describe(x)}") from err
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a logical mask or a numeric label image; got {describe(x)}")
    if a.dtype.kind == "f" and a.size:
        bad = ~(np.isfinite(a) & (a == np.floor(a)) & (a >= 0))
        if bad.any():
            v = a[bad].flat[0]
            what = "NaN" if np.isnan(v) else value(v)
            raise ValueError(
                f"{name} must be a logical mask or a label image of whole numbers >= 0; it holds "
                f"{what} (probabilities? threshold them first, e.g. {name} > 0.5; NaN: "
                f"{name}(isnan({name})) = 0)"
            )
    elif a.dtype.kind == "i" and a.size and a.min() < 0:
        raise ValueError(
            f"{name} must be a logical mask or a label image of whole numbers >= 0; it holds "
            f"{value(a.min())}"
        )
    return a


def _check_pair(pa: np.ndarray, pb: np.ndarray, labels: Any) -> None:
    if pa.shape != pb.shape:
        raise ValueError(
            f"A and B must have the same size; got {size(pa.shape)} and {size(pb.shape)} "
            "(resize the prediction to the reference first, e.g. imresize(A, size(B), 'nearest'))"
        )
    if labels is not None:
        return
    from ..metrics._overlap import MAX_LABEL_RANGE

    top = max(pa.max(initial=0), pb.max(initial=0))
    if top > MAX_LABEL_RANGE:
        raise ValueError(
            f"A and B are label images with labels up to {value(top)}: scoring every label "
            f"1..max would give {value(top)} values. Pass 'Labels' with the labels to score, "
            "e.g. 'Labels', unique(B(B > 0))"
        )
    for name, x, other in (("A", pa, pb), ("B", pb, pa)):
        if x.dtype == np.bool_ or not x.size:
            continue
        top = x.max()
        if top > 1 and np.array_equal(np.unique(x), [0, top]) and top in (255, 65535):
            raise ValueError(
                f"{name} holds only 0 and {value(top)}: a mask saved as an image file? Make it "
                f"logical first, {name} = {name} > 0 (as label images, 0/{value(top)} would be "
                f"scored for every label 1..{value(top)}; to score label {value(top)} alone pass "
                f"'Labels', {value(top)})"
            )
        if top > 1 and other.dtype == np.bool_:
            raise ValueError(
                f"{'B' if name == 'A' else 'A'} is a logical mask but {name} is a "
                f"{convert.matlab_class(x)} label image with labels up to {value(top)}; compare "
                f"like with like: {name} > 0 for a mask, or label images for both"
            )


def _overlap(metric: str, a: Any, b: Any, labels: Any, batch: bool) -> Any:
    from .. import metrics  # imported on first use: keeps ``import pybridge.mapi`` light

    # As MATLAB's own dice/jaccard: logical inputs are masks; numeric inputs are
    # label images scored for labels 1..max (a 0/1 image gives its one value).
    pa, pb = _operand(a, "A"), _operand(b, "B")
    if labels is not None:
        labels = np.asarray(convert.from_matlab(labels)).reshape(-1)
        if labels.dtype.kind not in "biuf" or not np.all(
            np.isfinite(labels) & (labels == np.round(labels)) & (labels >= 0)
        ):
            raise ValueError(f"'Labels' must be whole label values >= 0; got {value(labels)}")
    _check_pair(pa, pb, labels)
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


@matlab_errors(_NAMES)
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


@matlab_errors(_NAMES)
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
