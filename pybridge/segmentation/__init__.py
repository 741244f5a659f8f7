"""Segmentation of mass lesions: a convolutional auto-encoder and a U-Net.

- :class:`CAESegmenter`: the course's convolutional auto-encoder (strided
  convolutions down, transposed convolutions up).
- :class:`UNetSegmenter`: a U-Net with configurable width and depth.
- Both: scikit-learn-style ``fit``/``predict_proba``/``predict``/``score``,
  Dice or BCE+Dice loss, threshold chosen on validation data, shared
  augmentation and training loop, any input size (padding, and overlapping
  tiles for large images), safe ``save``/:func:`load` (safetensors + JSON).
- Post-processing: :func:`largest_connected_component`, :func:`fill_holes`,
  :func:`postprocess`.

This package imports torch; ``import pybridge`` alone does not.
"""

from __future__ import annotations

from ._estimators import LOSSES, CAESegmenter, UNetSegmenter, load, tiled_probabilities
from ._networks import CAE, PadToMultiple, UNet
from ._postprocess import POSTPROCESS_STEPS, fill_holes, largest_connected_component, postprocess
from ._postprocess import check_steps as check_postprocess

__all__ = [
    "CAESegmenter",
    "UNetSegmenter",
    "load",
    "largest_connected_component",
    "fill_holes",
    "postprocess",
    "check_postprocess",
    "POSTPROCESS_STEPS",
    "LOSSES",
    "CAE",
    "UNet",
    "PadToMultiple",
    "tiled_probabilities",
]
