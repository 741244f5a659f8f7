"""Segmentation and classification metrics.

- :func:`dice`, :func:`jaccard`: overlap of masks or label images with the
  semantics of MATLAB's Image Processing Toolbox (one value for logical
  masks, one per label 1..max for label images, NaN for 0/0), a batch form,
  and one ``empty=`` option for the MONAI and nnU-Net conventions.
- :func:`roc`, :func:`auc`, :func:`confusion_matrix`, :func:`sensitivity`,
  :func:`specificity`: binary classification metrics (scikit-learn underneath).

Examples
--------
>>> import numpy as np
>>> from pybridge.metrics import dice
>>> dice(np.eye(3, dtype=bool), np.ones((3, 3), dtype=bool))
0.5
"""

from ._classification import auc, confusion_matrix, roc, sensitivity, specificity
from ._overlap import EMPTY_RULES, dice, jaccard

__all__ = [
    "dice",
    "jaccard",
    "EMPTY_RULES",
    "roc",
    "auc",
    "confusion_matrix",
    "sensitivity",
    "specificity",
]
