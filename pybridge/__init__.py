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

Octave started from a process that imported pybridge is quiet: unless
already set, ``OCTAVE_EXECUTABLE`` names ``octave-cli`` (the GUI-less build,
which prints no "X11 DISPLAY" or "disabling GUI features" lines) and
``OCTAVE_HISTFILE`` is the null device (Octave cannot save its history when
``~/.local/share/octave`` is missing, and says so at every exit).

The core install (``pip install pybridge-lab``) has no torch: DICOM,
metrics, conversions and the engines work without it. The modules that train
or explain models need the ``ml`` extra; importing one without it raises
:class:`ModuleNotFoundError` naming the command that installs it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import os
import shutil
import sys
from typing import Any

from ._errors import EngineNotFoundError, PyBridgeError

__version__ = "0.1.0"

#: The distribution name on PyPI (the import name is ``pybridge``).
DISTRIBUTION = "pybridge-lab"

# The third-party packages of the ``ml`` extra, and pybridge's modules that need them.
_ML_PACKAGES = frozenset({"torch", "torchvision", "monai", "captum", "safetensors", "sklearn"})
_ML_MODULES = frozenset({"pybridge.classification", "pybridge.segmentation", "pybridge.xai",
                         "pybridge._training", "pybridge._augment"})


class _NeedsExtra(importlib.abc.Loader):
    """Runs a module's own loader; a missing ``ml`` package becomes an error that says what to install."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        try:
            self._loader.exec_module(module)
        except ModuleNotFoundError as err:
            top = (err.name or "").split(".")[0]
            if top not in _ML_PACKAGES:
                raise
            raise ModuleNotFoundError(
                f"{module.__name__} needs {top}, which is not installed (No module named {top!r}). "
                f"Install the deep-learning part: python -m pip install '{DISTRIBUTION}[ml]'",
                name=err.name,
            ) from err

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, ...
        return getattr(self._loader, name)


class _MLFinder(importlib.abc.MetaPathFinder):
    """Finds pybridge's ``ml`` modules as usual and wraps their loader in :class:`_NeedsExtra`."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in _ML_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _NeedsExtra(spec.loader)
        return spec


if not any(isinstance(f, _MLFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _MLFinder())


def _quiet_octave() -> None:
    """Defaults for the Octave processes this Python starts (the engine, ``py.``'s tests)."""
    if "OCTAVE_EXECUTABLE" not in os.environ:
        cli = shutil.which("octave-cli")
        if cli:
            os.environ["OCTAVE_EXECUTABLE"] = cli
    os.environ.setdefault("OCTAVE_HISTFILE", os.devnull)


_quiet_octave()

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
