"""The MATLAB-facing API: the Python functions behind ``matlab/+pybridge/*.m``.

Each function takes what MATLAB's ``py.`` (or pybridge's ``py.`` for GNU
Octave) passes: numeric and logical arrays as memoryview, array.array or
ndarray in MATLAB's column-major layout, scalars as float/bool, char as str,
cells as tuples, structs as dicts. Each returns numpy arrays, dicts, lists and
str that MATLAB converts with ``double``, ``logical``, ``struct``, ``cell``
and ``char``. Every conversion goes through :mod:`pybridge.convert`, and every
index, label or ROI crossing here is 1-based on the MATLAB side.

The .m wrappers call one entry point, :func:`call`, by a static name
(``py.pybridge.mapi.call('dice', A, B)``); see ``matlab/README.md`` for the
wrapper pattern.

Adding an area: write ``pybridge/mapi/_<area>.py`` with an ``__all__`` and add
ONE line ``from . import _<area>`` below. Its public names are re-exported
here and become callable through :func:`call`.

Examples
--------
>>> import numpy as np
>>> from pybridge import mapi
>>> mapi.call("jaccard", np.array([[True, False]]), np.array([[True, True]]))
0.5
"""

from __future__ import annotations  # noqa: I001  (one import line per area, kept apart)

from types import ModuleType

from . import _core, _metrics  # noqa: F401  (MATLAB room)

# Domain rooms: one import line each, below this comment.
from . import _dicom  # noqa: F401  (dicom room)
from . import _segmentation  # noqa: F401  (segmentation room)
from . import _xai  # noqa: F401  (xai room)
from . import _classification  # noqa: F401  (classification room)


def _export(namespace: dict) -> list[str]:
    names: list[str] = []
    for key, mod in list(namespace.items()):
        if (
            key.startswith("_")
            and isinstance(mod, ModuleType)
            and mod.__name__.startswith(__name__ + ".")
        ):
            for name in getattr(mod, "__all__", ()):
                namespace[name] = getattr(mod, name)
                names.append(name)
    return sorted(set(names))


__all__ = _export(globals())
