"""A faithful fake of MATLAB's ``matlab`` Python package (array types).

MATLAB is not installed where the tests run, and matlabengine will not
install without it. This module reproduces the public behaviour of its array
classes, as documented by MathWorks ("MATLAB Arrays as Python Variables"):

- ``matlab.double(initializer=None, size=None, is_complex=False)`` or
  ``matlab.double(vector=...)``; likewise ``single``, ``int8``..``uint64`` and
  ``logical``.
- A nested sequence gives its nested shape (``[[1, 2, 3], [4, 5, 6]]`` is
  2 x 3); a flat sequence plus a multi-dimensional ``size`` is read in
  column-major order; a scalar gives 1 x 1; no initializer gives zeros of
  ``size`` (default 0 x 0); a 1-D sequence gives 1 x N.
- A buffer-protocol object (a numpy array) gives its own shape.
- ``.size`` is a tuple; ``a[i]`` is the i-th row (0-based, as Python
  indexes; for a 1 x N vector ``a[0]`` is the whole row), ``a[i][j]`` an element; ``len(a)`` is ``size[0]``;
  ``reshape(dims)`` changes the size in place, column-major.
- ``_data`` holds the elements in column-major order (an ``array.array``),
  ``toarray()`` returns it and ``noncomplex()`` returns it for real arrays.
- Values are checked: an int8 refuses 300, a logical stores bools.

The engine half (``matlab.engine``) lives in :mod:`fake_matlab.engine`.
"""

from __future__ import annotations

import array
import itertools
import numbers

_TYPECODES = {
    "double": "d",
    "single": "f",
    "int8": "b",
    "uint8": "B",
    "int16": "h",
    "uint16": "H",
    "int32": "i",
    "uint32": "I",
    "int64": "q",
    "uint64": "Q",
    "logical": "b",
}
_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "uint8": (0, 2**8 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "uint16": (0, 2**16 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
}


class SizeError(ValueError):
    """Raised, as by matlabengine, when initializer and size disagree."""


def _nested_shape(seq):
    if isinstance(seq, (list, tuple, range)):
        if len(seq) == 0:
            return (0,)
        inner = [_nested_shape(s) for s in seq]
        if any(s != inner[0] for s in inner):
            raise ValueError("initializer must be a rectangular nested sequence")
        return (len(seq),) + inner[0]
    return ()


def _flatten_row_major(seq):
    if isinstance(seq, (list, tuple, range)):
        return list(itertools.chain.from_iterable(_flatten_row_major(s) for s in seq))
    return [seq]


def _row_major_to_col_major(flat, shape):
    """Reorder a row-major flat list of ``shape`` into column-major order."""
    n = len(flat)
    if n == 0:
        return []
    out = [None] * n
    ndim = len(shape)
    # strides of row-major and column-major layouts
    rstr = [1] * ndim
    for k in range(ndim - 2, -1, -1):
        rstr[k] = rstr[k + 1] * shape[k + 1]
    cstr = [1] * ndim
    for k in range(1, ndim):
        cstr[k] = cstr[k - 1] * shape[k - 1]
    for idx in itertools.product(*[range(s) for s in shape]):
        out[sum(i * c for i, c in zip(idx, cstr, strict=True))] = flat[sum(i * r for i, r in zip(idx, rstr, strict=True))]
    return out


class _MLArray:
    _class = "double"

    def __init__(self, initializer=None, size=None, is_complex=False, vector=None):
        if initializer is not None and vector is not None:
            raise ValueError("initializer and vector cannot both be set")
        if is_complex:
            raise NotImplementedError("the fake supports real arrays only (as pybridge does)")
        self._is_complex = False
        if vector is not None:
            vals = list(vector)
            shape = (1, len(vals))
            if size is not None and tuple(size) != shape:
                raise SizeError(f"vector of length {len(vals)} does not match size {size}")
            self._set(vals, shape)
            return
        if initializer is None:
            shape = tuple(int(s) for s in size) if size is not None else (0, 0)
            n = 1
            for s in shape:
                n *= s
            self._set([False if self._class == "logical" else 0] * n, shape)
            return
        if isinstance(initializer, numbers.Number):
            self._set([initializer], (1, 1))
            return
        if hasattr(initializer, "__array_interface__") or (
            isinstance(initializer, memoryview)
        ):
            mv = memoryview(initializer)
            shape = tuple(mv.shape) or (1,)
            if len(shape) == 1 and size is not None:
                # a flat buffer plus a size: column-major, like a flat sequence
                self._set_flat_with_size(mv.tolist(), size)
                return
            flat = mv.tolist()
            flat = _flatten_row_major(flat)
            shape = (1, shape[0]) if len(shape) == 1 else shape
            self._set(_row_major_to_col_major(flat, shape), shape)
            return
        shape = _nested_shape(initializer)
        if len(shape) == 1 and size is not None and len(tuple(size)) > 1:
            self._set_flat_with_size(list(initializer), size)
            return
        flat = _flatten_row_major(initializer)
        if len(shape) == 1:
            shape = (1, shape[0])
        if size is not None and tuple(size) != shape:
            raise SizeError(f"initializer of shape {shape} does not match size {tuple(size)}")
        self._set(_row_major_to_col_major(flat, shape), shape)

    def _set_flat_with_size(self, flat, size):
        shape = tuple(int(s) for s in size)
        n = 1
        for s in shape:
            n *= s
        if n != len(flat):
            raise SizeError(f"initializer has {len(flat)} elements but size {shape} needs {n}")
        self._set(list(flat), shape)

    def _set(self, col_major, shape):
        tc = _TYPECODES[self._class]
        vals = [self._check(v) for v in col_major]
        self._data = array.array(tc, vals)
        self._size = tuple(int(s) for s in shape)

    def _check(self, v):
        if self._class == "logical":
            return int(bool(v))
        if self._class in ("double", "single"):
            if not isinstance(v, numbers.Real):
                raise TypeError(f"cannot store {type(v).__name__} in matlab.{self._class}")
            return float(v)
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            if isinstance(v, numbers.Real) and float(v).is_integer() and not isinstance(v, bool):
                v = int(v)
            elif isinstance(v, bool):
                v = int(v)
            else:
                raise TypeError(f"cannot store {v!r} in matlab.{self._class}")
        lo, hi = _RANGES[self._class]
        if not lo <= v <= hi:
            raise OverflowError(f"{v} is out of range for matlab.{self._class}")
        return int(v)

    # --- public behaviour --------------------------------------------------
    @property
    def size(self):
        return self._size

    def __len__(self):
        return self._size[0]

    def _cstrides(self):
        st = [1]
        for s in self._size[:-1]:
            st.append(st[-1] * s)
        return st

    def _value(self, v):
        return bool(v) if self._class == "logical" else v

    def __getitem__(self, i):
        if not isinstance(i, int):
            raise TypeError("the fake indexes with ints only")
        if i < 0:
            i += self._size[0]
        if not 0 <= i < self._size[0]:
            raise IndexError("index out of range")
        if len(self._size) == 1:
            return self._value(self._data[i])
        rest = self._size[1:]
        st = self._cstrides()
        sub = type(self)(size=(1,) + rest)
        sub._size = rest  # the rows of an array are views of one dimension fewer
        sst = [1]
        for s in rest[:-1]:
            sst.append(sst[-1] * s)
        for idx in itertools.product(*[range(s) for s in rest]):
            src = i + sum(a * b for a, b in zip(idx, st[1:], strict=True))
            sub._data[sum(a * b for a, b in zip(idx, sst, strict=True))] = self._data[src]
        return sub

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other):
        if isinstance(other, _MLArray):
            return self._size == other._size and list(self._data) == list(other._data)
        return NotImplemented

    def reshape(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
            dims = tuple(dims[0])
        n = 1
        for d in dims:
            n *= d
        if n != len(self._data):
            raise SizeError(f"cannot reshape {self._size} to {dims}")
        self._size = tuple(int(d) for d in dims)

    def toarray(self):
        return self._data

    def noncomplex(self):
        return self._data

    def __repr__(self):
        return f"matlab.{self._class}(size={self._size})"


def _make(name):
    cls = type(name, (_MLArray,), {"_class": name, "__module__": "matlab"})
    return cls


double = _make("double")
single = _make("single")
int8 = _make("int8")
uint8 = _make("uint8")
int16 = _make("int16")
uint16 = _make("uint16")
int32 = _make("int32")
uint32 = _make("uint32")
int64 = _make("int64")
uint64 = _make("uint64")
logical = _make("logical")

__all__ = [
    "double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32",
    "int64", "uint64", "logical", "SizeError",
]
