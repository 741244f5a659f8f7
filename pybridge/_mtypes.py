"""The MATLAB value model: one MATLAB value as MATLAB holds it, before any profile.

Transports (the Octave engine and ``py.`` wire, the MATLAB engine, the fake
engine) decode what MATLAB sends into these classes and encode these classes
into what MATLAB receives. Turning them into Python objects, and Python objects
into them, is :mod:`pybridge.convert`'s job alone (``convert.from_mvalue`` and
``convert.to_mvalue``, each with a profile), so no transport carries a class
table, a layout transpose or an index shift of its own.

All element sequences are in MATLAB's column-major order, and ``dims`` is
MATLAB's ``size`` (at least two entries). Indices kept here (sparse rows and
columns) are MATLAB's own, 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import numpy as np

__all__ = ["MArray", "MSparse", "MCell", "MStruct", "MString", "MMap", "MOpaque", "MValue"]


@dataclass(frozen=True)
class MArray:
    """A full numeric, logical or char array.

    ``mclass`` is the MATLAB class name (``'double'``, ``'single'``,
    ``'int8'`` .. ``'uint64'``, ``'logical'``, ``'char'``). ``real`` is a 1-D
    numpy array of the elements in column-major order, with the numpy dtype of
    the class (``'<U1'``, one character an element, for char). ``imag`` is the
    imaginary part for complex arrays, else None.
    """

    mclass: str
    dims: tuple[int, ...]
    real: np.ndarray
    imag: np.ndarray | None = None


@dataclass(frozen=True)
class MSparse:
    """A sparse matrix: ``[rows, cols, vals] = find(S)`` and ``size(S)``.

    ``rows``/``cols`` are 1-based int64, ``real``/``imag`` the nonzero values
    (``mclass`` is ``'double'`` or ``'logical'``).
    """

    mclass: str
    dims: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    real: np.ndarray
    imag: np.ndarray | None = None


@dataclass(frozen=True)
class MCell:
    """A cell array of any shape; ``items`` in column-major order."""

    dims: tuple[int, ...]
    items: tuple[MValue, ...]


@dataclass(frozen=True)
class MStruct:
    """A struct scalar or struct array.

    ``fields`` in MATLAB's field order; ``items`` has one mapping from field
    name to value for each element, in column-major order.
    """

    dims: tuple[int, ...]
    fields: tuple[str, ...]
    items: tuple[dict[str, MValue], ...]


@dataclass(frozen=True)
class MString:
    """A MATLAB ``string`` array; a missing string (``<missing>``) is None."""

    dims: tuple[int, ...]
    items: tuple[str | None, ...]


@dataclass(frozen=True)
class MMap:
    """A ``containers.Map`` (or a MATLAB ``dictionary``, ``kind='dictionary'``)."""

    key_type: str
    value_type: str
    keys: tuple[MValue, ...]
    values: tuple[MValue, ...]
    kind: str = "containers.Map"


@dataclass(frozen=True)
class MOpaque:
    """A value that cannot cross: a function handle or an object.

    ``mclass`` is its class (``'function_handle'``, ``'MyClass'``) and
    ``text`` what MATLAB displays for it (``func2str`` for a handle).
    """

    mclass: str
    text: str = field(default="")


MValue = Union[MArray, MSparse, MCell, MStruct, MString, MMap, MOpaque]
