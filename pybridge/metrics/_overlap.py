"""Dice and Jaccard overlap with the semantics of MATLAB's Image Processing Toolbox."""

from __future__ import annotations

import difflib
import numbers
from typing import Any

import numpy as np

__all__ = ["dice", "jaccard", "EMPTY_RULES"]

#: Named rules for empty masks (see the table in :func:`dice`).
EMPTY_RULES = ("matlab", "nnunet", "monai")


def _check_empty(empty: Any) -> tuple[str, float]:
    """-> (rule, value for 'both empty')."""
    if isinstance(empty, str):
        if empty in ("matlab", "nnunet"):
            return "matlab", np.nan
        if empty == "monai":
            return "monai", np.nan
        close = difflib.get_close_matches(empty, EMPTY_RULES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"'empty' must be one of {set(EMPTY_RULES)} or a number such as 1.0; got {empty!r}{hint}"
        )
    if isinstance(empty, numbers.Real) and not isinstance(empty, bool):
        return "value", float(empty)
    raise TypeError(
        f"'empty' must be one of {set(EMPTY_RULES)} or a number such as 1.0; "
        f"got {type(empty).__name__} {empty!r}"
    )


def _as_array(x: Any, name: str) -> np.ndarray:
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch tensor, without importing torch
        x = x.detach().cpu().numpy()
    a = np.asarray(x)
    if a.dtype == np.bool_:
        return a
    if a.dtype.kind in "iu":
        if a.dtype.kind == "i" and a.size and a.min() < 0:
            raise ValueError(
                f"{name} must hold non-negative integer labels (0 = background); "
                f"got the value {a.min()}"
            )
        return a
    if a.dtype.kind == "f":
        if a.size and not np.all(np.isfinite(a) & (a == np.floor(a)) & (a >= 0)):
            bad = a[~(np.isfinite(a) & (a == np.floor(a)) & (a >= 0))].flat[0]
            raise ValueError(
                f"{name} must be a logical mask or a label image of non-negative whole "
                f"numbers; got a {a.dtype} array holding {bad!r} "
                "(threshold probabilities first, e.g. p > 0.5)"
            )
        return a
    raise TypeError(
        f"{name} must be a logical mask or an integer label image; got dtype {a.dtype} "
        "(convert it, e.g. np.asarray(x, dtype=bool))"
    )


def _finish(inter, size_a, size_b, *, rule: str, both_empty: float, kind: str) -> np.ndarray:
    inter = np.asarray(inter, dtype=np.float64)
    size_a = np.asarray(size_a, dtype=np.float64)
    size_b = np.asarray(size_b, dtype=np.float64)
    denom = size_a + size_b if kind == "dice" else size_a + size_b - inter
    num = 2.0 * inter if kind == "dice" else inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / denom
    if rule == "value":
        out = np.where(denom == 0, both_empty, out)
    elif rule == "monai":
        out = np.where(size_b == 0, np.nan, out)
    return out


def _overlap(a: Any, b: Any, labels: Any, empty: Any, batch: bool, kind: str):
    rule, both_empty = _check_empty(empty)
    a = _as_array(a, "a")
    b = _as_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape; got {a.shape} and {b.shape} "
            "(resize the prediction to the reference first)"
        )
    if batch and a.ndim < 1:
        raise ValueError("batch=True needs arrays with a first (sample) axis; got scalars")
    n = a.shape[0] if batch else 1
    binary = a.dtype == np.bool_ and b.dtype == np.bool_ and labels is None

    if binary:
        if batch:
            fa, fb = a.reshape(n, -1), b.reshape(n, -1)
            inter = np.count_nonzero(fa & fb, axis=1)
            sa, sb = np.count_nonzero(fa, axis=1), np.count_nonzero(fb, axis=1)
            return _finish(inter, sa, sb, rule=rule, both_empty=both_empty, kind=kind)
        inter = np.count_nonzero(a & b)
        sa, sb = np.count_nonzero(a), np.count_nonzero(b)
        return float(_finish(inter, sa, sb, rule=rule, both_empty=both_empty, kind=kind))

    # label images: one value per label, 1..max unless labels= says which
    for name, x in (("a", a), ("b", b)):
        if x.dtype.kind == "f" and x.size and x.max() > _EXACT:
            raise ValueError(
                f"{name} holds the label {x.max():g}, above 2^53: floats do not hold such whole "
                "numbers exactly; renumber the labels (e.g. with np.unique(..., return_inverse=True))"
            )
    ia = a.astype(np.int64, copy=False).reshape(n, -1)
    ib = b.astype(np.int64, copy=False).reshape(n, -1)
    if labels is None:
        top = int(max(ia.max(initial=0), ib.max(initial=0)))
        if top > MAX_LABEL_RANGE:
            raise ValueError(
                f"label images are scored for every label 1..max, and max is {top}: that is "
                f"{top} values (more than {MAX_LABEL_RANGE}). Pass labels= with the labels to "
                "score, e.g. labels=np.unique(b[b > 0])"
            )
        wanted = np.arange(1, top + 1)
    else:
        wanted = np.atleast_1d(np.asarray(labels))
        if (
            wanted.ndim != 1
            or wanted.dtype.kind not in "iuf"
            or (wanted.size and not np.all(np.isfinite(wanted) & (wanted == np.floor(wanted))))
        ):
            raise ValueError(f"labels must be a sequence of whole numbers; got {labels!r}")
        wanted = wanted.astype(np.int64)
        if wanted.size and wanted.min() < 0:
            raise ValueError(f"labels must be >= 0 (0 = background); got {wanted.min()}")
    count_i, count_a, count_b = _label_counts(ia, ib, wanted)
    out = _finish(count_i, count_a, count_b, rule=rule, both_empty=both_empty, kind=kind)
    return out if batch else out[0]


#: Largest label range ``1..max`` scored when ``labels`` is not given.
MAX_LABEL_RANGE = 1 << 20
_EXACT = float(1 << 53)


def _label_counts(ia: np.ndarray, ib: np.ndarray, wanted: np.ndarray):
    """Per sample, the pixels of each wanted label in a, in b and in both: three (N, L) arrays.

    Small label values are counted with one ``bincount`` over a table of
    ``max + 1`` slots per sample; large or sparse ones (a label 10^12 would
    need terabytes of slots) are first renumbered to the values present.
    """
    n = ia.shape[0]
    top = int(max(ia.max(initial=0), ib.max(initial=0), wanted.max(initial=0))) + 1
    if n * top <= max(4 * ia.size, 1 << 16):
        codes_a, codes_b, slots, where = ia, ib, top, wanted
        present = np.ones(wanted.shape, dtype=bool)
    else:
        values, inverse = np.unique(np.concatenate([ia.ravel(), ib.ravel()]), return_inverse=True)
        codes_a = inverse[: ia.size].reshape(ia.shape)
        codes_b = inverse[ia.size :].reshape(ib.shape)
        slots = max(len(values), 1)
        where = np.searchsorted(values, wanted).clip(max=slots - 1)
        present = values[where] == wanted if len(values) else np.zeros(wanted.shape, bool)
    offset = (np.arange(n, dtype=np.int64) * slots)[:, None]
    length = n * slots
    count_a = np.bincount((codes_a + offset).ravel(), minlength=length).reshape(n, slots)
    count_b = np.bincount((codes_b + offset).ravel(), minlength=length).reshape(n, slots)
    count_i = np.bincount((codes_a + offset)[ia == ib], minlength=length).reshape(n, slots)
    return tuple(np.where(present, c[:, where], 0) for c in (count_i, count_a, count_b))


_DOC_TABLE = """
    Empty masks (``b`` is the reference, ``a`` the prediction):

    ==================  ============  ======================  =================================
    ``empty=``          both empty    reference empty,        who does this
                                      prediction not
    ==================  ============  ======================  =================================
    ``"matlab"``        NaN           0                       MATLAB ``dice``/``jaccard`` (0/0)
    ``"nnunet"``        NaN           0                       nnU-Net (same as ``"matlab"``)
    ``"monai"``         NaN           NaN                     MONAI ``ignore_empty=True``
    a number ``x``      ``x``         0                       ``1.0``: Dice losses, MONAI
                                                              ``ignore_empty=False``
    ==================  ============  ======================  =================================
"""


def dice(
    a: Any,
    b: Any,
    *,
    labels: Any = None,
    empty: str | float = "matlab",
    batch: bool = False,
) -> float | np.ndarray:
    """Sørensen-Dice similarity ``2|A ∩ B| / (|A| + |B|)``, as MATLAB's ``dice``.

    Logical inputs give one value. Label images (integer, or floats holding
    whole numbers) give one value per label ``1..max`` over both inputs; the
    background label 0 is never scored, and a label present in neither input
    scores as two empty masks. Inputs may have any number of dimensions.
    {table}
    Parameters
    ----------
    a : array_like of bool or non-negative integers, any shape
        The segmentation to score (the prediction).
    b : array_like, same shape as ``a``
        The reference (ground truth).
    labels : sequence of int, optional
        Score these labels (in this order) instead of ``1..max``. Logical inputs
        then count as label images (True = 1).
    empty : {{"matlab", "nnunet", "monai"}} or float, default "matlab"
        What empty masks score; see the table above.
    batch : bool, default False
        Axis 0 indexes samples: one value (or one row of per-label values) per
        sample. With label images the labels ``1..max`` are taken over the
        whole batch so that rows line up.

    Returns
    -------
    float
        Logical inputs, ``batch=False``.
    ndarray of shape (L,) or (N,) or (N, L), float64
        Label images (L labels), a batch of N logical masks, or a batch of label images.

    Raises
    ------
    ValueError
        Shapes differ; negative or fractional labels (probabilities not thresholded);
        an unknown ``empty`` rule; without ``labels``, a largest label above
        ``MAX_LABEL_RANGE`` (2^20: that many values would be returned).
    TypeError
        A dtype that is neither logical nor numeric.

    See Also
    --------
    jaccard : ``|A ∩ B| / |A ∪ B|`` = dice / (2 - dice).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[1, 1, 0], [0, 0, 0]], dtype=bool)
    >>> b = np.array([[1, 0, 0], [1, 0, 0]], dtype=bool)
    >>> dice(a, b)
    0.5
    >>> dice(np.array([[1, 2], [2, 0]]), np.array([[1, 2], [0, 3]]))
    array([1.        , 0.66666667, 0.        ])
    >>> dice(np.zeros(4, bool), np.zeros(4, bool)), dice(np.zeros(4, bool), np.zeros(4, bool), empty=1.0)
    (nan, 1.0)
    """
    return _overlap(a, b, labels, empty, batch, "dice")


def jaccard(
    a: Any,
    b: Any,
    *,
    labels: Any = None,
    empty: str | float = "matlab",
    batch: bool = False,
) -> float | np.ndarray:
    """Jaccard index (intersection over union) ``|A ∩ B| / |A ∪ B|``, as MATLAB's ``jaccard``.

    Same inputs, options and outputs as :func:`dice`.
    {table}
    Parameters
    ----------
    a : array_like of bool or non-negative integers, any shape
        The segmentation to score (the prediction).
    b : array_like, same shape as ``a``
        The reference (ground truth).
    labels : sequence of int, optional
        Score these labels instead of ``1..max``.
    empty : {{"matlab", "nnunet", "monai"}} or float, default "matlab"
        What empty masks score; see the table above.
    batch : bool, default False
        Axis 0 indexes samples.

    Returns
    -------
    float or ndarray of shape (L,), (N,) or (N, L), float64
        As :func:`dice`.

    Raises
    ------
    ValueError, TypeError
        As :func:`dice`.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[1, 1, 0], [0, 0, 0]], dtype=bool)
    >>> b = np.array([[1, 0, 0], [1, 0, 0]], dtype=bool)
    >>> round(jaccard(a, b), 6)
    0.333333
    """
    return _overlap(a, b, labels, empty, batch, "jaccard")


dice.__doc__ = dice.__doc__.format(table=_DOC_TABLE)
jaccard.__doc__ = jaccard.__doc__.format(table=_DOC_TABLE)
