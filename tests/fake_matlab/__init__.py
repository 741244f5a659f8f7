"""A stand-in for MathWorks' ``matlab`` Python package in tests where MATLAB is absent.

matlabengine will not install without MATLAB. Its array classes
(``matlab.double``, ``matlab.int8``... ``matlab.logical``, as documented in
"MATLAB Arrays as Python Variables") are the ones pybridge itself provides
for its ``matlab`` compatibility package (:mod:`pybridge._marray`), so the
fake and pybridge stand on one conversion table:

- ``matlab.double(initializer=None, size=None, is_complex=False)`` or
  ``matlab.double(vector=...)``; a nested sequence gives its nested shape, a
  flat sequence plus a multi-dimensional ``size`` is column-major, a number
  gives 1 x 1, nothing gives zeros of ``size`` (default 0 x 0);
- ``.size`` is a tuple; ``a[i]`` is row ``i``, ``a[i][j]`` an element;
  ``reshape`` works in place, column-major; ``real()``, ``imag()``,
  ``noncomplex()``, ``toarray()``;
- values are checked: an int8 refuses 300, an integer class refuses 1.5.

The engine half (``matlab.engine``) lives in :mod:`fake_matlab.engine`.
"""

from __future__ import annotations

from pybridge._marray import (
    MatlabArray,
    ShapeError,
    SizeError,
    double,
    int8,
    int16,
    int32,
    int64,
    logical,
    single,
    uint8,
    uint16,
    uint32,
    uint64,
)

__all__ = [
    "double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32",
    "int64", "uint64", "logical", "SizeError", "ShapeError", "MatlabArray",
]
