"""Checks of the image stacks handed to pybridge's estimators (classifiers, segmenters).

- :func:`as_image_stack`: any real (N, H, W) or (N, 1, H, W) stack as float32
  (N, 1, H, W); colour images, empty images and non-finite values refused
  with a message that says how to fix them.
- :class:`InputProfile`: the class and value range of the training images,
  saved with a model. New images on another scale are converted when the
  conversion is unambiguous (uint8 0-255 to a model trained on 0-1 data, and
  back) or refused with a message that says how to convert them; without it
  a model trained on 0-1 data scores 0-255 data as all lesion, silently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["as_image_stack", "InputProfile"]

_COLOUR_ADVICE = (
    "pybridge's models take grey-level images; convert first: in MATLAB "
    "im2gray(I) (or rgb2gray(I)), in Python skimage.color.rgb2gray(I) or "
    "I @ [0.2989, 0.5870, 0.1140]"
)


def _looks_colour(shape: tuple[int, ...]) -> bool:
    """A trailing axis of 3 (RGB) or 4 (RGBA) after two image axes of a plausible size."""
    return len(shape) in (3, 4) and shape[-1] in (3, 4) and min(shape[-3:-1]) >= 8


def as_image_stack(X: Any, *, name: str = "X") -> np.ndarray:
    """Images as a float32 (N, 1, H, W) array.

    Accepts (N, H, W) or (N, 1, H, W) of any real dtype (bool included).

    Raises
    ------
    TypeError
        Not an array of real numbers.
    ValueError
        A colour image (trailing axis of 3 or 4: H x W x 3, N x H x W x 3),
        another layout, no images, images of 0 pixels, NaN or Inf.

    Examples
    --------
    >>> as_image_stack(np.zeros((2, 5, 6), np.uint8)).shape
    (2, 1, 5, 6)
    """
    try:
        arr = np.asarray(X)
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of images; got {type(X).__name__} ({err})") from err
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers; got dtype {arr.dtype} (convert with np.asarray(X, float))"
        )
    if _looks_colour(arr.shape):
        raise ValueError(
            f"{name} looks like colour images (shape {arr.shape}, a trailing axis of {arr.shape[-1]} "
            f"channels); {_COLOUR_ADVICE}"
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
    if arr.shape[2] == 0 or arr.shape[3] == 0:
        raise ValueError(
            f"{name} holds images of {arr.shape[2]} x {arr.shape[3]} pixels; every image needs "
            "at least one row and one column (check the crop or the ROI that made it)"
        )
    arr = arr.astype(np.float32, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or Inf values; clean or mask them first")
    return arr


@dataclass(frozen=True)
class InputProfile:
    """The class and value range of the images a model was trained on.

    Attributes
    ----------
    dtype : str
        numpy dtype name of the training images (``'float32'``, ``'uint8'``...).
    low, high : float
        Smallest and largest training value.

    Examples
    --------
    >>> p = InputProfile.of(np.random.default_rng(0).random((4, 8, 8)))
    >>> x = p.check(np.full((1, 8, 8), 255, np.uint8))
    >>> float(x.max())
    1.0
    """

    dtype: str
    low: float
    high: float

    @classmethod
    def of(cls, X: Any) -> InputProfile:
        """The profile of a training stack (any layout :func:`as_image_stack` takes)."""
        arr = np.asarray(X)
        stack = as_image_stack(arr)
        return cls(str(arr.dtype), float(stack.min()), float(stack.max()))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> InputProfile | None:
        return None if not d else cls(str(d["dtype"]), float(d["low"]), float(d["high"]))

    def _unit(self) -> bool:
        """Trained on data in [0, 1] (im2double's scale)."""
        return self.low >= -1e-6 and self.high <= 1 + 1e-6

    def check(self, X: Any, *, name: str = "X") -> np.ndarray:
        """``X`` as float32 (N, 1, H, W) on the training scale, converted or refused.

        Raises
        ------
        ValueError
            When the images are on another scale and the conversion is
            ambiguous; the message says how to convert them.
        """
        raw = np.asarray(X)
        arr = as_image_stack(raw, name=name)
        lo, hi = float(arr.min()), float(arr.max())
        span = max(self.high - self.low, 1e-6)
        inside = lo >= self.low - span and hi <= self.high + span
        if inside:
            return arr
        trained = f"the model was trained on {self.dtype} images with values {self.low:.4g} to {self.high:.4g}"
        got = f"{name} is {raw.dtype} with values {lo:.4g} to {hi:.4g}"
        if self._unit() and raw.dtype == np.uint8:
            # uint8 holds 0-255 by definition: im2double's conversion is unambiguous
            return arr / np.float32(255)
        if np.dtype(self.dtype) == np.uint8 and raw.dtype.kind == "f" and lo >= 0 and hi <= 1:
            # a 0-1 float image given to a model trained on uint8: the inverse of im2double
            return arr * np.float32(255)
        if self._unit() and hi <= 255 and lo >= 0:
            fix = "divide by 255 (MATLAB: im2double(uint8(I)); numpy: X / 255)"
        elif self._unit() and raw.dtype.kind in "iu":
            fix = (
                "scale to 0-1 by the detector's range (MATLAB: im2double(I) for full-range "
                "uint16, or double(I) / 4095 for 12-bit data; numpy: X / X_max_possible)"
            )
        else:
            fix = f"bring the values to {self.low:.4g}-{self.high:.4g} as the training images were"
        raise ValueError(f"{got}, but {trained}: {fix}")
