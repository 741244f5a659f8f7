"""Synthetic mammography datasets with exact ground truth, and loaders for real ones.

- :func:`microcalcifications`: 60 x 60 patches with or without a cluster of
  microcalcifications, labels and per-patch cluster masks.
- :func:`masses`: crops with a mass lesion and its exact mask;
  :func:`mammogram`: a full synthetic mammogram (about 1000 x 1000) with a
  lesion, its mask and its bounding box.
- :func:`settings`, :func:`make_setting`: a family of data settings
  (background texture, contrast, lesion size and count, class balance, mass
  margin, distractors, image size) split into tuning and held-out settings.
- :func:`load_patch_folder`, :func:`load_mass_folder`: the course's folder
  layouts (``Train/0``, ``Train/1``... PNG patches; ``*_resized.pgm`` with
  ``*_mass_mask.pgm`` pairs).

Submodules are imported on first use, so ``import pybridge.datasets`` is cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "microcalcifications": "._microcalcifications",
    "power_law_background": "._background",
    "masses": "._masses",
    "mammogram": "._masses",
    "load_patch_folder": "._folders",
    "load_mass_folder": "._folders",
    "MARGINS": "._masses",
    "BACKGROUNDS": "._family",
    "Setting": "._family",
    "SETTINGS": "._family",
    "settings": "._family",
    "make_setting": "._family",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pybridge.datasets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
