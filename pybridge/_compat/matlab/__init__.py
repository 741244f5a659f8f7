"""pybridge's stand-in for MathWorks' ``matlab`` package, where matlabengine is not installed.

``import matlab`` gives this package only when no other ``matlab`` package can
be imported (:mod:`pybridge._matlab_finder`): with MathWorks' matlabengine
installed, ``matlab`` is always MathWorks' own.

It provides matlabengine's array types (``matlab.double``, ``matlab.single``,
``matlab.int8`` .. ``matlab.uint64``, ``matlab.logical``) and, in
:mod:`matlab.engine`, its engine API running on GNU Octave.
"""

from pybridge._marray import (
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

#: Marks this package as pybridge's (pybridge.engine never takes it for matlabengine).
__pybridge__ = True

__all__ = [
    "double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32",
    "int64", "uint64", "logical", "SizeError", "ShapeError",
]
