"""pybridge: a MATLAB-Python bridge for medical-imaging labs.

MATLAB users call Python deep learning with MATLAB arrays in and out
(``matlab/+pybridge``); Python users drive MATLAB code through an engine that
runs MATLAB where it is installed and GNU Octave elsewhere
(:mod:`pybridge.engine`).

Importing ``pybridge`` starts nothing: no engine, no Octave process, no worker,
and torch is imported only by the modules that train or explain models.
Submodules are loaded on first attribute access::

    >>> import pybridge
    >>> pybridge.convert.from_matlab([1.0, 2.0, 3.0]).shape
    (1, 3)
"""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import EngineNotFoundError, PyBridgeError

__version__ = "0.1.0"

_SUBMODULES = (
    "classification",
    "convert",
    "datasets",
    "dicom",
    "engine",
    "legacy",
    "mapi",
    "metrics",
    "segmentation",
    "xai",
)

__all__ = ["PyBridgeError", "EngineNotFoundError", "__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'pybridge' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
