"""Checks of the labels handed to the classifiers (images: :mod:`pybridge._inputs`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._inputs import as_image_stack

__all__ = ["as_image_stack", "as_binary_labels"]


def as_binary_labels(y: Any, n: int, *, name: str = "y") -> np.ndarray:
    """Labels as an int64 (N,) array of 0/1."""
    arr = np.asarray(y)
    if arr.ndim == 2 and 1 in arr.shape:  # a row or column vector
        arr = arr.reshape(-1)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must be a vector of {n} labels (one per image); got shape {np.shape(y)}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric 0/1 labels; got dtype {arr.dtype}")
    values = set(np.unique(arr).tolist())
    if not values <= {0, 1}:
        raise ValueError(
            f"{name} must hold the classes 0 and 1; got values {sorted(values)[:6]} "
            "(MATLAB's 1-based labels go through pybridge.convert.labels_from_matlab)"
        )
    return arr.astype(np.int64)
