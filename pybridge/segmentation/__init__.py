"""Segmentation of mass lesions: a convolutional auto-encoder and a U-Net.

- :class:`CAESegmenter`: a convolutional auto-encoder (strided convolutions
  down, transposed convolutions up): MONAI's ``AutoEncoder`` by default, the
  course's network with ``architecture='course'``.
- :class:`UNetSegmenter`: a U-Net with configurable width and depth: the
  course's by default (it segmented better than MONAI's on the tuning data),
  MONAI's ``UNet`` or ``BasicUNet`` with ``architecture='monai'``/``'basic'``.
- Both: scikit-learn-style ``fit``/``predict_proba``/``predict``/``score``,
  MONAI's Dice or Dice + BCE loss, threshold chosen on validation data,
  augmentation, early stopping on the validation Dice with the best weights
  restored, any input size (padding, and MONAI's sliding-window inference
  for whole images, with the training normalisation), an ROI (``predict(X,
  roi=...)``): a window round it segmented at the training images' scale and
  contrast, only the lesion inside the ROI kept, so a model trained on crops
  segments whole mammograms; safe ``save``/:func:`load` (safetensors + JSON).
- Post-processing: :func:`largest_connected_component`, :func:`fill_holes`,
  :func:`keep_overlapping`, :func:`postprocess`.

This package imports torch; ``import pybridge`` alone does not.
"""

from __future__ import annotations

from .._inference import segment_folder
from .._training import NoBetterThanChanceWarning
from ._estimators import LOSSES, CAESegmenter, UNetSegmenter, load, tiled_probabilities
from ._networks import ARCHITECTURES, CAE, PadToMultiple, UNet, build_network
from ._postprocess import (
    POSTPROCESS_STEPS,
    fill_holes,
    keep_overlapping,
    largest_connected_component,
    postprocess,
)
from ._postprocess import check_steps as check_postprocess

__all__ = [
    "segment_folder",
    "CAESegmenter",
    "UNetSegmenter",
    "load",
    "largest_connected_component",
    "fill_holes",
    "keep_overlapping",
    "build_network",
    "ARCHITECTURES",
    "NoBetterThanChanceWarning",
    "postprocess",
    "check_postprocess",
    "POSTPROCESS_STEPS",
    "LOSSES",
    "CAE",
    "UNet",
    "PadToMultiple",
    "tiled_probabilities",
]
