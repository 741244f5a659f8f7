"""The MATLAB-facing API: the Python functions behind ``matlab/+pybridge/*.m``.

Each function takes what MATLAB's ``py.`` (or pybridge's ``py.`` for GNU
Octave) passes: numeric and logical arrays as memoryview, array.array or
ndarray in MATLAB's column-major layout, scalars as float/bool, char as str,
cells as tuples, structs as dicts. Each returns numpy arrays, dicts, lists and
str that MATLAB converts with ``double``, ``logical``, ``struct``, ``cell``
and ``char``. Every conversion goes through :mod:`pybridge.convert`, and every
index, class, label or ROI crossing here is 1-based on the MATLAB side. Errors
read in MATLAB's terms: the argument names of the .m help, values as MATLAB
writes them, and the fix (see ``_matlab.py``).

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

from . import _core, _metrics  # noqa: F401  (the dispatcher; dice and jaccard)

# One import line per area, below this comment.
from . import _dicom  # noqa: F401  (dicomRead, dicomAnonymize)
from . import _segmentation  # noqa: F401  (trainSegmenter, segment)
from . import _xai  # noqa: F401  (gradcam, saliency, permutationImportance)
from . import _classification  # noqa: F401  (trainClassifier, classify)


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
