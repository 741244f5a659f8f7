"""Provide ``import matlab`` from pybridge where MathWorks' matlabengine is not installed.

pybridge installs ``pybridge-matlab.pth`` into site-packages; Python runs it at
start-up, and it calls :func:`install`, which puts :class:`MatlabFinder` first
on ``sys.meta_path``. The finder answers only for the top-level name
``matlab``, and only when nothing else provides it: it first asks the normal
path finder, and any ``matlab`` package or module found there (MathWorks'
matlabengine, or another distribution of that name) wins. A folder named
``matlab`` without ``__init__.py`` (a namespace package, such as a repository
of .m files) does not count. Then ``matlab`` is :mod:`pybridge._compat.matlab`.

Installed in editable mode (``pip install -e``), setuptools does not copy the
``.pth`` file; ``python -m pybridge._matlab_finder`` writes it into this
environment's site-packages (:func:`write_pth`).

This module imports nothing heavy: it runs in every Python start-up.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

__all__ = ["MatlabFinder", "install", "uninstall", "write_pth", "SHIM_DIR", "PTH_NAME", "PTH_LINE"]

#: The start-up hook: its file name and its one line (the file shipped in the wheel).
PTH_NAME = "pybridge-matlab.pth"
PTH_LINE = "import pybridge._matlab_finder as _pbmf; _pbmf.install()\n"

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


def write_pth(site_dir: str | None = None) -> str:
    """Write the start-up hook into ``site_dir`` (default: this environment's site-packages).

    Returns the path written. Needed only where the package was installed
    without its ``.pth`` file (editable installs).
    """
    if site_dir is None:
        import sysconfig

        site_dir = sysconfig.get_paths()["purelib"]
    path = os.path.join(site_dir, PTH_NAME)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(PTH_LINE)
    os.replace(tmp, path)  # never a half-written hook
    return path


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess in the tests
    print(f"wrote {write_pth(sys.argv[1] if len(sys.argv) > 1 else None)}")
