"""Post-processing of binary masks: largest connected component, hole filling."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["largest_connected_component", "fill_holes", "postprocess", "keep_overlapping", "POSTPROCESS_STEPS"]

#: Names accepted by the ``postprocess=`` option, in the order they are applied.
POSTPROCESS_STEPS = ("largest", "fill")


def _as_masks(masks: Any) -> tuple[np.ndarray, bool]:
    m = np.asarray(masks)
    if m.dtype != np.bool_:
        raise TypeError(f"masks must be bool; got dtype {m.dtype} (threshold first, e.g. p > 0.5)")
    if m.ndim == 2:
        return m[None], True
    if m.ndim != 3:
        raise ValueError(f"masks must be H x W or N x H x W; got shape {m.shape}")
    return m, False


def largest_connected_component(masks: Any, *, connectivity: int = 8) -> np.ndarray:
    """Keep only the largest connected component of each mask.

    Parameters
    ----------
    masks : ndarray of shape (H, W) or (N, H, W), bool
    connectivity : {4, 8}, default 8
        Pixel neighbourhood, as MATLAB's ``bwareafilt(BW, 1)`` (8 by default).

    Returns
    -------
    ndarray of the input's shape, bool
        Empty masks stay empty; ties keep the component found first in
        row-major order.

    Examples
    --------
    >>> m = np.array([[1, 0, 0, 1], [0, 0, 0, 1]], dtype=bool)
    >>> largest_connected_component(m).astype(int).tolist()
    [[0, 0, 0, 1], [0, 0, 0, 1]]
    """
    from scipy import ndimage

    m, single = _as_masks(masks)
    structure = _structure(connectivity)
    out = np.zeros_like(m)
    for i, mi in enumerate(m):
        lab, count = ndimage.label(mi, structure=structure)
        if count:
            sizes = np.bincount(lab.ravel())
            sizes[0] = 0
            out[i] = lab == int(np.argmax(sizes))
    return out[0] if single else out


def fill_holes(masks: Any) -> np.ndarray:
    """Fill the holes of each mask (background not connected to the border).

    Parameters
    ----------
    masks : ndarray of shape (H, W) or (N, H, W), bool

    Returns
    -------
    ndarray of the input's shape, bool

    Examples
    --------
    >>> ring = np.ones((3, 3), dtype=bool); ring[1, 1] = False
    >>> bool(fill_holes(ring)[1, 1])
    True
    """
    from scipy import ndimage

    m, single = _as_masks(masks)
    out = np.stack([ndimage.binary_fill_holes(mi) for mi in m])
    return out[0] if single else out


def _structure(connectivity: int) -> np.ndarray:
    if connectivity == 8:
        return np.ones((3, 3), dtype=bool)
    if connectivity == 4:
        return np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)
    raise ValueError(f"connectivity must be 4 or 8; got {connectivity!r}")


def check_steps(steps: Any) -> tuple[str, ...]:
    """Normalise a ``postprocess=`` option to a tuple of step names."""
    if steps is None or steps is False:
        return ()
    if isinstance(steps, str):
        steps = (steps,)
    if not isinstance(steps, Sequence) or not all(isinstance(s, str) for s in steps):
        raise TypeError(
            f"postprocess must be None, a step name or a sequence of them {POSTPROCESS_STEPS}; "
            f"got {steps!r}"
        )
    bad = [s for s in steps if s not in POSTPROCESS_STEPS]
    if bad:
        raise ValueError(
            f"unknown post-processing step(s) {bad}; expected some of {POSTPROCESS_STEPS} "
            "('largest': largest connected component, 'fill': fill holes)"
        )
    return tuple(s for s in POSTPROCESS_STEPS if s in steps)


def postprocess(masks: Any, steps: str | Sequence[str] | None = ("largest", "fill")) -> np.ndarray:
    """Apply post-processing steps to masks, in the order largest component, then fill.

    Parameters
    ----------
    masks : ndarray of shape (H, W) or (N, H, W), bool
    steps : str, sequence of str or None, default ("largest", "fill")
        Any of ``"largest"`` and ``"fill"``.

    Returns
    -------
    ndarray of the input's shape, bool

    Examples
    --------
    >>> m = np.zeros((5, 5), dtype=bool); m[0, 4] = True; m[1:4, 0:3] = True; m[2, 1] = False
    >>> int(postprocess(m).sum())
    9
    """
    names = check_steps(steps)
    out = np.asarray(masks)
    _as_masks(out)
    if "largest" in names:
        out = largest_connected_component(out)
    if "fill" in names:
        out = fill_holes(out)
    return out


def parse_rois(rois: Any, n: int, h: int, w: int) -> list[tuple[int, int, int, int]]:
    """``rois`` as N integer boxes (row0, col0, row1, col1) inside an H x W image, or a clear error."""
    try:
        arr = np.asarray(rois, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"rois must be (row0, col0, row1, col1) or N of them; got {rois!r}") from err
    if arr.shape == (4,):
        arr = np.repeat(arr[None], n, axis=0)
    elif not (arr.ndim == 2 and arr.shape[1] == 4 and arr.shape[0] == n):
        raise ValueError(
            f"rois must be one (row0, col0, row1, col1) or one per mask ({n} x 4); got shape {arr.shape}"
        )
    boxes = []
    for box in arr:
        if not np.all(box == np.round(box)):
            raise ValueError(
                f"an ROI must be (row0, col0, row1, col1) integers; got {tuple(box)} "
                "(from MATLAB's [x y width height] use pybridge.convert.roi_from_matlab)"
            )
        r0, c0, r1, c1 = (int(v) for v in box)
        if not (0 <= r0 < r1 <= h and 0 <= c0 < c1 <= w):
            raise ValueError(
                f"ROI {(r0, c0, r1, c1)} is not inside the {h} x {w} image "
                "(0-based, end-exclusive: 0 <= row0 < row1 <= H, 0 <= col0 < col1 <= W)"
            )
        boxes.append((r0, c0, r1, c1))
    return boxes


def keep_overlapping(masks: Any, rois: Any, *, connectivity: int = 8, clip: bool = False) -> np.ndarray:
    """Keep only the connected components of each mask that overlap its region of interest.

    What a lab does with the legacy method's ROI: a lesion found elsewhere in
    a whole mammogram (a bright blob, the skin line) is dropped, the lesion
    inside the ROI is kept whole, even where it extends past the ROI's edge
    (or, with ``clip=True``, only its part inside the ROI, as the legacy
    method segments inside it).

    Parameters
    ----------
    masks : ndarray of shape (H, W) or (N, H, W), bool
    rois : (row0, col0, row1, col1) or a sequence of N of them
        0-based, end-exclusive rectangles (pybridge's ROI convention); one
        for every mask, or one per mask.
    connectivity : {4, 8}, default 8
    clip : bool, default False
        Also drop what lies outside the ROI.

    Returns
    -------
    ndarray of the input's shape, bool

    Examples
    --------
    >>> m = np.zeros((6, 6), bool); m[0, 0] = m[3:5, 3:5] = True
    >>> int(keep_overlapping(m, (2, 2, 4, 4)).sum())
    4
    """
    from scipy import ndimage

    stack, single = _as_masks(masks)
    n, h, w = stack.shape
    boxes = parse_rois(rois, n, h, w)
    structure = np.ones((3, 3), bool) if connectivity == 8 else None
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8; got {connectivity!r}")
    out = np.zeros_like(stack)
    for i, (m, (r0, c0, r1, c1)) in enumerate(zip(stack, boxes, strict=True)):
        labels, _ = ndimage.label(m, structure=structure)
        keep = np.unique(labels[r0:r1, c0:c1])
        keep = keep[keep > 0]
        out[i] = np.isin(labels, keep)
        if clip:
            inside = np.zeros((h, w), bool)
            inside[r0:r1, c0:c1] = True
            out[i] &= inside
    return out[0] if single else out
