"""Explanations: which image regions and which features drove a decision.

Image explanations work on pybridge's estimators (anything with ``network_``
and ``to_tensor``: :class:`~pybridge.classification.CNNClassifier`, the
segmenters) and on a plain :class:`torch.nn.Module` fed N x C x H x W
images:

- :func:`gradcam`: Grad-CAM heatmaps of a convolutional layer;
- :func:`saliency`: input gradients, SmoothGrad when ``smooth > 0``;
- :func:`occlusion`: the score drop when a window of the image is masked;
- :func:`nearest_examples`: the training cases closest in the model's
  feature space (example-based explanation).

Feature explanations work on pybridge's traditional baseline and on any
scikit-learn estimator:

- :func:`permutation_importance`: the error after permuting one feature,
  against the original error, as a difference or a ratio.

:func:`overlay` draws a heatmap over an image for a report (a matplotlib
figure, or a PNG file).

Targets of a model with one sigmoid output (the course CNN): class 1 is the
logit, class 0 is the negated logit (``log(p0 / p1)``); ``target=None``
explains each image's predicted class.

Submodules load on first use, so ``import pybridge.xai`` imports no torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "gradcam": "._gradcam",
    "saliency": "._saliency",
    "occlusion": "._occlusion",
    "permutation_importance": "._permutation",
    "nearest_examples": "._examples",
    "overlay": "._overlay",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pybridge.xai' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
