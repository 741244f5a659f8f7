"""matlabengine's array types (``matlab.double``, ``matlab.int8``... ``matlab.logical``).

The ``matlab`` compatibility package re-exports these classes, so a script
written for MathWorks' engine creates the same objects here. They follow
"MATLAB Arrays as Python Variables" (MathWorks' documentation):

- ``matlab.double(initializer=None, size=None, is_complex=False)`` or
  ``matlab.double(vector=...)``; a nested sequence gives its nested shape, a
  flat sequence plus a multi-dimensional ``size`` is read column-major, a
  number gives 1 x 1, nothing gives zeros of ``size`` (default 0 x 0), a 1-D
  sequence gives 1 x N; buffer-protocol objects (numpy arrays) keep their
  shape;
- ``.size`` is a tuple; ``a[i]`` is row ``i`` (0-based), ``a[i][j]`` an
  element, slices are views; ``len(a)`` is ``size[0]``; ``reshape`` changes
  the size in place, column-major; ``real()``, ``imag()``, ``noncomplex()``,
  ``toarray()``, ``clone()``;
- values are checked: an int8 refuses 300 (OverflowError), an integer class
  refuses 1.5 (TypeError).

Storage is a numpy array in MATLAB's column-major order, so converting to
and from numpy (:func:`pybridge.convert.from_mvalue`) copies nothing.
"""

from __future__ import annotations

import array
import numbers
from typing import Any

import numpy as np

from .convert import _COMPLEX_DTYPE, _INT_CLASSES, MATLAB_CLASSES

__all__ = [
    "double",
    "single",
    "int8",
    "uint8",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "logical",
    "SizeError",
    "ShapeError",
    "MatlabArray",
    "from_numpy",
]


class SizeError(ValueError):
    """The initializer and ``size`` disagree (matlabengine's ``SizeError``)."""


class ShapeError(ValueError):
    """A nested initializer is not rectangular (matlabengine's ``ShapeError``)."""


def _nested_shape(seq: Any) -> tuple[int, ...]:
    if isinstance(seq, (list, tuple, range)):
        if len(seq) == 0:
            return (0,)
        inner = [_nested_shape(s) for s in seq]
        if any(s != inner[0] for s in inner):
            raise ShapeError("initializer must be a rectangular nested sequence")
        return (len(seq),) + inner[0]
    return ()


class MatlabArray:
    """The common behaviour of ``matlab.double`` and the other array types."""

    _mclass = "double"

    def __init__(
        self,
        initializer: Any = None,
        size: Any = None,
        is_complex: bool = False,
        vector: Any = None,
    ) -> None:
        if initializer is not None and vector is not None:
            raise ValueError("initializer and vector cannot both be set")
        self._is_complex = bool(is_complex)
        if is_complex and self._mclass == "logical":
            raise TypeError("matlab.logical cannot be complex")
        dims = None if size is None else tuple(int(s) for s in size)
        if vector is not None:
            vals = list(vector)
            shape = (1, len(vals))
            if dims is not None and dims != shape:
                raise SizeError(f"vector of length {len(vals)} does not match size {dims}")
            self._a = self._checked(np.array(vals, dtype=object)).reshape(shape)
            return
        if initializer is None:
            shape = dims if dims is not None else (0, 0)
            self._a = np.zeros(shape, dtype=self._dtype(), order="F")
            return
        if isinstance(initializer, numbers.Number) and not isinstance(initializer, np.ndarray):
            self._a = self._checked(np.array([initializer], dtype=object)).reshape(1, 1)
            return
        if isinstance(initializer, (memoryview, np.ndarray)) or hasattr(
            initializer, "__array_interface__"
        ):
            a = np.asarray(initializer)
            if a.ndim == 1 and dims is not None and len(dims) > 1:
                self._a = self._checked(a).reshape(dims, order="F")
                return
            a = a.reshape(1, -1) if a.ndim == 1 else a.reshape(1, 1) if a.ndim == 0 else a
            if dims is not None and dims != a.shape:
                raise SizeError(f"initializer of shape {a.shape} does not match size {dims}")
            self._a = np.asfortranarray(self._checked(a))
            return
        shape = _nested_shape(initializer)
        flat = np.array(initializer, dtype=object).reshape(-1) if shape else None
        if len(shape) == 1 and dims is not None and len(dims) > 1:
            n = int(np.prod(dims))
            if n != shape[0]:
                raise SizeError(f"initializer has {shape[0]} elements but size {dims} needs {n}")
            self._a = self._checked(flat).reshape(dims, order="F")
            return
        if len(shape) == 1:
            shape = (1, shape[0])
        if dims is not None and dims != shape:
            raise SizeError(f"initializer of shape {shape} does not match size {dims}")
        self._a = np.asfortranarray(self._checked(flat).reshape(shape))

    # ------------------------------------------------------------ checks
    def _dtype(self) -> np.dtype:
        base = MATLAB_CLASSES[self._mclass]
        return _COMPLEX_DTYPE.get(self._mclass, base) if self._is_complex else base

    def _checked(self, values: np.ndarray) -> np.ndarray:
        """``values`` (any dtype, object included) as this class's dtype, or an error."""
        dt = self._dtype()
        v = np.asarray(values)
        if v.size == 0:
            return np.zeros(v.shape, dtype=dt)
        if self._mclass == "logical":
            return v.astype(bool)
        kind = v.dtype.kind
        if kind == "O":
            if any(isinstance(x, complex) and x.imag != 0 for x in v.reshape(-1)):
                kind = "c"
            elif not all(isinstance(x, numbers.Number) for x in v.reshape(-1)):
                bad = next(x for x in v.reshape(-1) if not isinstance(x, numbers.Number))
                raise TypeError(f"cannot store {type(bad).__name__} in matlab.{self._mclass}")
        if kind == "c" and not self._is_complex:
            raise TypeError(
                f"complex values need matlab.{self._mclass}(..., is_complex=True)"
            )
        if self._mclass in _INT_CLASSES:
            if self._is_complex:
                raise TypeError(f"this matlab.{self._mclass} cannot hold complex values")
            ints = v.reshape(-1).tolist()
            info = np.iinfo(MATLAB_CLASSES[self._mclass])
            for x in ints:
                if isinstance(x, float) and not float(x).is_integer():
                    raise TypeError(f"cannot store {x!r} in matlab.{self._mclass}")
                if not info.min <= int(x) <= info.max:
                    raise OverflowError(f"{x} is out of range for matlab.{self._mclass}")
            return np.array([int(x) for x in ints], dtype=dt).reshape(v.shape)
        return v.astype(dt)

    # ------------------------------------------------------------ public
    @property
    def size(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self._a.shape)

    def __len__(self) -> int:
        return self._a.shape[0]

    def _wrap(self, a: np.ndarray) -> MatlabArray:
        out = type(self).__new__(type(self))
        out._is_complex = self._is_complex
        out._a = a
        return out

    def _item(self, x: Any) -> Any:
        if self._mclass == "logical":
            return bool(x)
        if self._is_complex:
            return complex(x)
        return float(x) if self._mclass in ("double", "single") else int(x)

    def __getitem__(self, index: Any) -> Any:
        sub = self._a[index]
        if isinstance(sub, np.ndarray) and sub.ndim > 0:
            return self._wrap(sub)
        return self._item(sub)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(value, MatlabArray):
            value = value._a
        self._a[index] = self._checked(np.array(value, dtype=object))

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MatlabArray):
            return (
                type(self) is type(other)
                and self.size == other.size
                and bool(np.array_equal(self._a, other._a))
            )
        return NotImplemented

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self._a if dtype is None else self._a.astype(dtype)
        return a.copy() if copy else a

    def reshape(self, *dims: Any) -> None:
        """Change the size in place, keeping the column-major element order."""
        if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
            dims = tuple(dims[0])
        dims = tuple(int(d) for d in dims)
        if int(np.prod(dims)) != self._a.size:
            raise SizeError(f"cannot reshape an array of size {self.size} to {dims}")
        self._a = self._a.reshape(dims, order="F")

    def clone(self) -> MatlabArray:
        return self._wrap(self._a.copy(order="F"))

    def real(self) -> MatlabArray:
        """The real parts, column-major, as a 1-D array of this class."""
        return self._flat_of(np.real(self._a))

    def imag(self) -> MatlabArray:
        """The imaginary parts, column-major (a real array raises ValueError)."""
        if not self._is_complex:
            raise ValueError("the array is real: it has no imaginary part")
        return self._flat_of(np.imag(self._a))

    def noncomplex(self) -> MatlabArray:
        """The elements, column-major, as a 1-D array (a complex array raises ValueError)."""
        if self._is_complex:
            raise ValueError("the array is complex: use real() and imag()")
        return self._flat_of(self._a)

    def _flat_of(self, a: np.ndarray) -> MatlabArray:
        out = type(self).__new__(type(self))
        out._is_complex = False
        out._a = np.ascontiguousarray(a.ravel(order="F").astype(MATLAB_CLASSES[self._mclass]))
        return out

    def toarray(self) -> array.array:
        """The elements, column-major, as an ``array.array`` (real arrays only)."""
        if self._is_complex:
            raise ValueError("the array is complex: use real() and imag()")
        flat = self._a.ravel(order="F")
        code = "b" if self._mclass == "logical" else flat.dtype.char
        if code == "l" and flat.dtype.itemsize == 8:
            code = "q" if flat.dtype.kind == "i" else code
        return array.array(code, flat.astype(np.int8) if self._mclass == "logical" else flat)

    @property
    def _data(self) -> np.ndarray:
        """The elements in column-major order (what pybridge.convert reads)."""
        return self._a.ravel(order="F")

    def __repr__(self) -> str:
        return f"matlab.{self._mclass}({self._a.tolist()!r})"

    __str__ = __repr__


def _make(mclass: str) -> type:
    return type(mclass, (MatlabArray,), {"_mclass": mclass, "__module__": "matlab"})


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

_CLASSES = {c.__name__: c for c in (double, single, int8, uint8, int16, uint16, int32, uint32, int64, uint64, logical)}


def from_numpy(a: np.ndarray, mclass: str) -> MatlabArray:
    """An ndarray in MATLAB's shape -> ``matlab.<mclass>`` (a view: nothing is copied).

    Complex integers (pybridge's ``real``/``imag`` structured dtype) are refused:
    matlabengine arrays of integer classes are real.
    """
    cls = _CLASSES[mclass]
    out = cls.__new__(cls)
    if a.dtype.names:
        raise TypeError(
            f"matlab.{mclass} holds real values only; a complex {mclass} array cannot be a "
            "matlabengine array (convert it with double(x) in MATLAB first)"
        )
    out._is_complex = a.dtype.kind == "c"
    out._a = a
    return out
