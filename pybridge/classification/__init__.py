"""Classification of image patches: the course CNN, a traditional baseline, transfer learning.

- :class:`CNNClassifier`: the course CNN (three conv-batchnorm-relu-maxpool
  blocks, dense 10, dropout, one logit) with a scikit-learn interface.
- :class:`TraditionalClassifier`: hand-crafted features (intensity, texture,
  blob counts) and a scikit-learn pipeline, same interface.
- :class:`TransferClassifier`: the course CNN started from a source model
  pretrained on a related synthetic task, with the lecture's three strategies.
- Evaluation: :func:`roc`, :func:`auc`, :func:`sensitivity`,
  :func:`specificity`, :func:`confusion_matrix`, :func:`cross_validate`,
  :func:`learning_curve`.
- :func:`load`: any model saved with ``est.save(path)``.

This package imports torch; ``import pybridge`` alone does not.
"""

from __future__ import annotations

from .._inference import classify_folder
from .._training import NoBetterThanChanceWarning
from ._cnn import ARCHITECTURES, CNNClassifier, CourseCNN
from ._evaluation import (
    auc,
    confusion_matrix,
    cross_validate,
    learning_curve,
    roc,
    sensitivity,
    specificity,
)
from ._persist import load
from ._traditional import TraditionalClassifier, patch_features
from ._transfer import STRATEGIES, TransferClassifier, build_source_model, source_model_path

__all__ = [
    "classify_folder",
    "CNNClassifier",
    "CourseCNN",
    "ARCHITECTURES",
    "NoBetterThanChanceWarning",
    "TraditionalClassifier",
    "patch_features",
    "TransferClassifier",
    "STRATEGIES",
    "build_source_model",
    "source_model_path",
    "roc",
    "auc",
    "sensitivity",
    "specificity",
    "confusion_matrix",
    "cross_validate",
    "learning_curve",
    "load",
]
