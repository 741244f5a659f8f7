"""Checks of the image stacks handed to pybridge's estimators (classifiers, segmenters)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["as_image_stack"]


def as_image_stack(X: Any, *, name: str = "X") -> np.ndarray:
    """Images as a float32 (N, 1, H, W) array.

    Accepts (N, H, W) or (N, 1, H, W) of any real dtype (bool included).
    """
    try:
        arr = np.asarray(X)
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of images; got {type(X).__name__} ({err})") from err
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers; got dtype {arr.dtype} (convert with np.asarray(X, float))"
        )
    if arr.ndim == 3:
        arr = arr[:, None]
    elif arr.ndim != 4 or arr.shape[1] != 1:
        raise ValueError(
            f"{name} must be N x H x W or N x 1 x H x W grey-level images; got shape {arr.shape} "
            "(one image? pass X[None]; from MATLAB's H x W x 1 x N use "
            "pybridge.convert.matlab_to_numpy)"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} holds no images (shape {arr.shape})")
    arr = arr.astype(np.float32, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or Inf values; clean or mask them first")
    return arr
