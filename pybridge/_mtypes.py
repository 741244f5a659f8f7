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

import numpy as np

__all__ = ["MArray", "MSparse", "MCell", "MStruct", "MString", "MMap", "MOpaque", "MValue", "same"]


@dataclass(frozen=True)
class MArray:
    """A full numeric, logical or char array.

    ``mclass`` is the MATLAB class name (``'double'``, ``'single'``,
    ``'int8'`` .. ``'uint64'``, ``'logical'``, ``'char'``). ``real`` is a 1-D
    numpy array of the elements in column-major order, with the numpy dtype of
    the class (``'<U1'``, one character an element, for char: numpy shows
    ``char(0)`` as ``''``, ``real.view('<u4')`` gives the code points). ``imag``
    is the imaginary part for complex arrays, else None.
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


MValue = MArray | MSparse | MCell | MStruct | MString | MMap | MOpaque


def same(a: MValue, b: MValue) -> bool:
    """True when two MATLAB values are identical: class, size, every element (NaN equals NaN).

    Examples
    --------
    >>> x = MArray("double", (1, 2), np.array([1.0, np.nan]))
    >>> same(x, MArray("double", (1, 2), np.array([1.0, np.nan])))
    True
    >>> same(x, MArray("single", (1, 2), np.array([1.0, np.nan], np.float32)))
    False
    """
    if type(a) is not type(b):
        return False
    if isinstance(a, (MArray, MSparse)):
        if a.mclass != b.mclass or tuple(a.dims) != tuple(b.dims):
            return False
        if isinstance(a, MSparse) and not (
            np.array_equal(a.rows, b.rows) and np.array_equal(a.cols, b.cols)
        ):
            return False
        if (a.imag is None) != (b.imag is None):
            return False
        parts = [(a.real, b.real)] + ([] if a.imag is None else [(a.imag, b.imag)])
        for x, y in parts:
            x, y = np.asarray(x), np.asarray(y)
            if x.dtype != y.dtype or x.shape != y.shape:
                return False
            if not np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"):
                return False
        return True
    if isinstance(a, MCell):
        return tuple(a.dims) == tuple(b.dims) and len(a.items) == len(b.items) and all(
            same(x, y) for x, y in zip(a.items, b.items, strict=False)
        )
    if isinstance(a, MStruct):
        return (
            tuple(a.dims) == tuple(b.dims)
            and tuple(a.fields) == tuple(b.fields)
            and len(a.items) == len(b.items)
            and all(
                set(x) == set(y) and all(same(x[k], y[k]) for k in x)
                for x, y in zip(a.items, b.items, strict=False)
            )
        )
    if isinstance(a, MString):
        return tuple(a.dims) == tuple(b.dims) and tuple(a.items) == tuple(b.items)
    if isinstance(a, MMap):
        return (
            (a.key_type, a.value_type, a.kind) == (b.key_type, b.value_type, b.kind)
            and len(a.keys) == len(b.keys)
            and all(same(x, y) for x, y in zip(a.keys, b.keys, strict=False))
            and all(same(x, y) for x, y in zip(a.values, b.values, strict=False))
        )
    return a == b
