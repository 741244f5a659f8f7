"""Provide ``import matlab`` from pybridge where MathWorks' matlabengine is not installed.

pybridge installs ``pybridge-matlab.pth`` into site-packages; Python runs it at
start-up, and it calls :func:`install`, which puts :class:`MatlabFinder` first
on ``sys.meta_path``. The finder answers only for the top-level name
``matlab``, and only when nothing else provides it: it first asks the normal
path finder, and any ``matlab`` package or module found there (MathWorks'
matlabengine, or another distribution of that name) wins. A folder named
``matlab`` without ``__init__.py`` (a namespace package, such as a repository
of .m files) does not count. Then ``matlab`` is :mod:`pybridge._compat.matlab`.

This module imports nothing heavy: it runs in every Python start-up.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

__all__ = ["MatlabFinder", "install", "uninstall", "SHIM_DIR"]

#: Where pybridge's ``matlab`` package lies.
SHIM_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_compat", "matlab")


def _other_matlab_importable(path) -> bool:
    spec = importlib.machinery.PathFinder.find_spec("matlab", path)
    if spec is None:
        return False
    # a namespace package (a folder of .m files) has no origin and no loader to run
    return spec.origin not in (None, "namespace") and spec.loader is not None


class MatlabFinder:
    """A meta-path finder that provides ``matlab`` when no other ``matlab`` is importable."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "matlab":
            return None
        if _other_matlab_importable(None):
            return None
        return importlib.util.spec_from_file_location(
            "matlab",
            os.path.join(SHIM_DIR, "__init__.py"),
            submodule_search_locations=[SHIM_DIR],
        )

    def invalidate_caches(self):
        pass


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, MatlabFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MatlabFinder())


def uninstall() -> None:
    """Take the finder off ``sys.meta_path``."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, MatlabFinder)]
