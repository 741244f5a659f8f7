"""The one owner of the rules at the MATLAB <-> Python boundary.

Every transpose, dtype mapping, index shift and ROI rule that pybridge applies
lives here; the rest of the package calls these functions.

Values of every MATLAB type cross through :func:`to_mvalue` (Python ->
MATLAB) and :func:`from_mvalue` (MATLAB -> Python) under one of
:data:`PROFILES` (``'numpy'``, pybridge's lossless rules; ``'matlabengine'``;
``'py'``), with the MATLAB value model of :mod:`pybridge._mtypes` in between;
:data:`RULES` lists every rule (README's "The conversion rules").

========================  =====================================  ==========================
thing                     MATLAB side                            Python core
========================  =====================================  ==========================
image stack               H x W x C x N (column-major)           N x C x H x W
single image              H x W (x C)                            C x H x W or H x W
masks                     logical                                bool
labels, indices           1-based                                0-based
bounding box / ROI        [x y width height], 1-based pixels     (row0, col0, row1, col1),
                                                                 0-based, end-exclusive
results with parts        struct                                 dict
lists of things           cell                                   list
text                      char                                   str
========================  =====================================  ==========================

Numeric classes of the array helpers (``to_matlab`` / ``from_matlab``, which
hand numpy arrays in MATLAB's layout; ``to_mvalue`` carries complex values):

=============  ================  =============================================
numpy dtype    MATLAB class      note
=============  ================  =============================================
float64        double
float32        single
float16        single            widened (exact); MATLAB has no half type
int8..int64    int8..int64
uint8..uint64  uint8..uint64
bool           logical
complex        (refused)         pass ``a.real`` and ``a.imag`` separately
object, str    (refused)         convert to a numeric dtype first
=============  ================  =============================================

A MATLAB array always has at least two dimensions: a 1-D numpy array becomes a
1 x N row vector (as MATLAB's ``py.`` and matlabengine do) and a 0-d array a
1 x 1 scalar. Trailing singleton dimensions past the second are dropped, as
``size`` in MATLAB drops them.
"""

from __future__ import annotations

import array
import difflib
import functools
import numbers
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _layout
from . import _mtypes as mt

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "PROFILES",
    "RULES",
    "from_mvalue",
    "to_mvalue",
    "MatlabMap",
    "StructArray",
    "complex_int_dtype",
    "rules_markdown",
    "to_matlabengine",
    "from_matlabengine",
    "for_matlab",
    "CONVERSION_TABLE",
    "MATLAB_CLASSES",
    "LAYOUTS",
    "from_matlab",
    "to_matlab",
    "matlab_class",
    "matlab_to_numpy",
    "numpy_to_matlab",
    "matlab_to_torch",
    "torch_to_matlab",
    "mask_from_matlab",
    "batch_from_matlab",
    "batch_to_matlab",
    "labels_from_matlab",
    "labels_to_matlab",
    "index_to_zero_based",
    "index_to_one_based",
    "roi_from_matlab",
    "roi_to_matlab",
    "validate_roi",
    "struct_to_dict",
    "dict_to_struct",
    "cell_to_list",
    "list_to_cell",
]

#: MATLAB class name -> numpy dtype.
MATLAB_CLASSES: dict[str, np.dtype] = {
    "double": np.dtype(np.float64),
    "single": np.dtype(np.float32),
    "int8": np.dtype(np.int8),
    "uint8": np.dtype(np.uint8),
    "int16": np.dtype(np.int16),
    "uint16": np.dtype(np.uint16),
    "int32": np.dtype(np.int32),
    "uint32": np.dtype(np.uint32),
    "int64": np.dtype(np.int64),
    "uint64": np.dtype(np.uint64),
    "logical": np.dtype(np.bool_),
}
_CLASS_OF_DTYPE = {dt: name for name, dt in MATLAB_CLASSES.items()}

#: Layouts of image stacks on the MATLAB side, with the axis each letter maps to
#: in the Python core's N x C x H x W.
LAYOUTS = ("HW", "HWC", "HWN", "HWCN")
_PY_AXIS = {"N": 0, "C": 1, "H": 2, "W": 3}


#: The array helpers' table: (numpy dtype, numpy shape) -> (MATLAB class, MATLAB
#: size) -> what comes back through ``from_matlab`` (test data of
#: tests/convert/test_convert.py). Every type's rule is in :data:`RULES`.
#: ``None`` as the class marks input that is refused with a TypeError.
CONVERSION_TABLE: tuple[tuple[str, tuple[int, ...], str | None, tuple[int, ...] | None, str | None], ...] = (
    # numpy dtype, numpy shape,   MATLAB class, MATLAB size,  back as dtype
    ("float64", (2, 3), "double", (2, 3), "float64"),
    ("float32", (2, 3), "single", (2, 3), "float32"),
    ("float16", (2, 3), "single", (2, 3), "float32"),
    ("int8", (4,), "int8", (1, 4), "int8"),
    ("uint8", (60, 60), "uint8", (60, 60), "uint8"),
    ("int16", (2, 2), "int16", (2, 2), "int16"),
    ("uint16", (2, 2), "uint16", (2, 2), "uint16"),
    ("int32", (3,), "int32", (1, 3), "int32"),
    ("uint32", (3,), "uint32", (1, 3), "uint32"),
    ("int64", (3,), "int64", (1, 3), "int64"),
    ("uint64", (3,), "uint64", (1, 3), "uint64"),
    ("bool", (2, 2), "logical", (2, 2), "bool"),
    ("float64", (), "double", (1, 1), "float64"),
    ("float64", (0,), "double", (1, 0), "float64"),
    ("float64", (0, 3), "double", (0, 3), "float64"),
    ("float64", (5, 4, 1), "double", (5, 4), "float64"),
    ("float32", (60, 60, 1, 8), "single", (60, 60, 1, 8), "float32"),
    ("float64", (2, 3, 4, 5, 6), "double", (2, 3, 4, 5, 6), "float64"),
    ("complex128", (2, 2), None, None, None),
    ("object", (2,), None, None, None),
    ("<U3", (2,), None, None, None),
)

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"ndarray of shape {x.shape} and dtype {x.dtype}"
    if _is_engine_array(x):
        return f"matlab.{type(x).__name__} of size {tuple(x.size)}"
    return f"{type(x).__module__}.{type(x).__qualname__}".replace("builtins.", "")


def _is_engine_array(x: Any) -> bool:
    """True for matlabengine's array types (real or faithful fake)."""
    return (
        type(x).__name__ in MATLAB_CLASSES
        and hasattr(x, "size")
        and (hasattr(x, "_data") or hasattr(x, "toarray"))
        and "matlab" in type(x).__module__
    )


def _check_dtype(a: np.ndarray, *, what: str = "array") -> None:
    kind = a.dtype.kind
    if kind in "biuf":
        return
    if kind == "c":
        raise TypeError(
            f"{what} is complex ({a.dtype}); pybridge passes real arrays only. "
            "Pass the real and imaginary parts separately (a.real, a.imag)."
        )
    if kind == "O":
        raise TypeError(
            f"{what} has dtype object (shape {a.shape}); expected a numeric or logical array. "
            "Ragged nested lists or mixed types make object arrays: make every row the same "
            "length and every element a number, or pass a list of arrays as a cell (list_to_cell)."
        )
    raise TypeError(
        f"{what} has dtype {a.dtype}, which has no MATLAB class; expected one of "
        f"{', '.join(sorted(str(d) for d in _CLASS_OF_DTYPE))}. "
        "Convert it first, e.g. a.astype(np.float64)."
    )


def _matlab_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """MATLAB's view of a shape: at least 2-D, no trailing singletons past the 2nd."""
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (1, shape[0])
    shape = tuple(shape)
    while len(shape) > 2 and shape[-1] == 1:
        shape = shape[:-1]
    return shape


def _as_matlab_shape(a: np.ndarray) -> np.ndarray:
    shape = _matlab_shape(a.shape)
    if shape == a.shape:
        return a
    if a.ndim <= 1:
        return a.reshape(shape)  # a view: 1-D -> 1 x N
    return a.reshape(shape, order="A")  # dropping trailing 1s never moves data


def _engine_to_numpy(x: Any) -> np.ndarray:
    dtype = MATLAB_CLASSES[type(x).__name__]
    size = tuple(int(s) for s in x.size)
    if getattr(x, "_is_complex", False):
        raise TypeError(
            f"matlab.{type(x).__name__} of size {size} is complex; pybridge passes real "
            "arrays only. Send real(x) and imag(x) separately."
        )
    data = getattr(x, "_data", None)
    if data is None:
        data = x.toarray()
    flat = np.frombuffer(data, dtype=np.uint8 if dtype == np.bool_ else dtype)
    if dtype == np.bool_:
        flat = flat.view(np.bool_)
    if flat.size != int(np.prod(size)):
        raise ValueError(
            f"matlab.{type(x).__name__} holds {flat.size} elements but its size is {size}"
        )
    return flat.reshape(size, order="F")


def _from_sequence(x: Sequence) -> np.ndarray:
    try:
        a = np.array(x)
    except ValueError as err:  # numpy >= 1.24 refuses ragged input
        raise ValueError(
            f"expected a rectangular nested list of numbers; got a ragged {type(x).__name__} "
            f"({err}). Make every row the same length, or pass a list of arrays as a cell "
            "(list_to_cell)."
        ) from err
    if a.dtype.kind in "OUS":
        kinds = sorted({type(v).__name__ for v in np.ravel(np.array(x, dtype=object))})
        raise TypeError(
            f"expected a nested list of numbers or bools; got elements of type {kinds}. "
            "Convert the elements to numbers, or pass text as str."
        )
    return a


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------


def from_matlab(x: Any, *, tuple_is_cell: bool = False) -> Any:
    """Turn whatever MATLAB's ``py.``, matlabengine or oct2py handed over into numpy.

    Parameters
    ----------
    x : ndarray, memoryview, array.array, matlab.double (and the other matlab
        array types), oct2py result, nested list/tuple, scalar, str, dict
        Numeric and logical arrays in MATLAB's layout (column-major, shape kept).
    tuple_is_cell : bool, default False
        MATLAB's ``py.`` passes a cell as a tuple, at any depth (a struct
        field, a cell in a cell): with True every tuple becomes a list of
        converted elements. Otherwise a tuple of numbers is read as an array
        (nested sequences, as matlabengine's initialisers take them).

    Returns
    -------
    ndarray or str or dict or list
        Numeric input gives an ndarray with MATLAB's shape (at least 2-D; a
        scalar is 1 x 1) and element order. Memory is viewed, not copied,
        wherever the input exposes it (ndarray, memoryview, array.array,
        matlab arrays). ``str`` stays ``str``; a dict (struct) gives a dict
        with converted values; an oct2py cell gives a list.

    Raises
    ------
    TypeError
        Complex, object or text arrays, or an unsupported type.
    ValueError
        Ragged nested lists.

    Examples
    --------
    >>> import array
    >>> from_matlab(array.array("d", [1, 2, 3])).shape
    (1, 3)
    >>> from_matlab([[1, 2], [3, 4]])[1, 0]
    np.int64(3)
    """
    if isinstance(x, str):
        return x
    if tuple_is_cell and isinstance(x, tuple):
        return [from_matlab(v, tuple_is_cell=True) for v in x]
    if isinstance(x, np.ndarray):
        if type(x).__name__ == "Cell":  # oct2py's cell arrays
            return cell_to_list(x)
        if x.dtype.kind == "O":
            # oct2py and scipy.io hand MATLAB cells over as object arrays.
            return cell_to_list(x)
        _check_dtype(x)
        return _as_matlab_shape(x)
    if isinstance(x, (bool, np.bool_)):
        return np.full((1, 1), bool(x))
    if isinstance(x, numbers.Number) or isinstance(x, np.generic):
        a = np.asarray(x)
        _check_dtype(a, what=f"scalar {x!r}")
        return a.reshape(1, 1)
    if isinstance(x, memoryview):
        try:
            a = np.asarray(x)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"memoryview with format {x.format!r} is not a numeric buffer numpy can view "
                f"({err}); pass a numeric or logical MATLAB array"
            ) from err
        _check_dtype(a, what=f"memoryview of format {x.format!r}")
        return _as_matlab_shape(a)
    if isinstance(x, array.array):
        # MATLAB's py. passes 1-by-N vectors as array.array: a row vector.
        a = np.frombuffer(x, dtype=x.typecode) if len(x) else np.zeros(0, dtype=x.typecode)
        _check_dtype(a, what=f"array.array of typecode {x.typecode!r}")
        return a.reshape(1, -1)
    if _is_engine_array(x):
        return _as_matlab_shape(_engine_to_numpy(x))
    if isinstance(x, Mapping):
        return struct_to_dict(x, tuple_is_cell=tuple_is_cell)
    if isinstance(x, (list, tuple)):
        if len(x) == 0:
            return np.zeros((0, 0))  # oct2py returns [] for MATLAB's []
        return _as_matlab_shape(_from_sequence(x))
    if x is None:
        return np.zeros((0, 0))
    if hasattr(x, "__array__") or hasattr(x, "__array_interface__"):
        return from_matlab(np.asarray(x))
    raise TypeError(
        f"cannot convert {_describe(x)} from MATLAB; expected a numeric or logical array "
        "(ndarray, memoryview, array.array, matlab.double...), a scalar, str, dict or list"
    )


def matlab_class(a: np.ndarray | np.dtype) -> str:
    """The MATLAB class a numpy array or dtype becomes (``'double'``, ``'logical'``...).

    Examples
    --------
    >>> matlab_class(np.zeros(3, dtype=np.uint8))
    'uint8'
    >>> matlab_class(np.dtype("float16"))
    'single'
    """
    dtype = np.dtype(a.dtype if isinstance(a, np.ndarray) else a)
    if dtype == np.float16:
        return "single"
    if dtype.kind in "biuf" and dtype.newbyteorder("=") in _CLASS_OF_DTYPE:
        return _CLASS_OF_DTYPE[dtype.newbyteorder("=")]
    _check_dtype(np.empty(0, dtype=dtype))
    raise TypeError(f"dtype {dtype} has no MATLAB class")  # pragma: no cover


def to_matlab(a: Any, *, engine: bool = False) -> Any:
    """Prepare a Python value for MATLAB.

    Parameters
    ----------
    a : array_like, str, dict, list, tuple, scalar or None
        The value to hand to MATLAB.
    engine : bool, default False
        Return matlabengine array types (``matlab.double``...) instead of numpy
        arrays; needs the ``matlab`` package (MATLAB's engine, or the test fake).

    Returns
    -------
    ndarray (Fortran-ordered, at least 2-D) or matlab array or str or dict or list
        Numeric arrays come back in MATLAB's column-major layout, which
        ``double()``, ``single()``, ``int32()``, ``logical()``... in MATLAB
        convert element for element. An array that already is
        Fortran-contiguous, native-endian and of a MATLAB class is returned as
        a view (no copy); otherwise exactly one copy is made. ``None`` gives
        an empty 0 x 0 double (MATLAB's ``[]``); a dict gives a dict of
        converted values (a struct); a list of non-numbers gives a list (a cell).

    Raises
    ------
    TypeError
        Complex, object, text or datetime arrays.

    Examples
    --------
    >>> m = to_matlab(np.arange(6).reshape(2, 3))
    >>> m.shape, m.flags.f_contiguous
    ((2, 3), True)
    >>> to_matlab(np.array([1.0, 2.0])).shape   # 1-D is a row vector, as in MATLAB
    (1, 2)
    """
    if a is None:
        a = np.zeros((0, 0))
    if isinstance(a, str):
        return a
    if isinstance(a, Mapping):
        return dict_to_struct(a, engine=engine)
    if isinstance(a, (bool, np.bool_)) and not engine:
        return bool(a)
    if isinstance(a, (int, float)) and not isinstance(a, bool) and not engine:
        return a
    if isinstance(a, (list, tuple)) and a and not _is_numeric_sequence(a):
        return list_to_cell(a, engine=engine)
    if _is_torch_tensor(a):
        a = a.detach().cpu().numpy()
    arr = from_matlab(a) if not isinstance(a, np.ndarray) else a
    if isinstance(arr, (list, dict, str)):
        return arr
    _check_dtype(arr)
    if arr.dtype == np.float16:
        arr = arr.astype(np.float32, order="F")
    elif not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="), order="F")
    arr = _as_matlab_shape(arr)
    if not arr.flags.f_contiguous:
        arr = _fortran_copy(arr)
    if engine:
        return _numpy_to_engine(arr)
    return arr


def _fortran_copy(a: np.ndarray) -> np.ndarray:
    """One column-major copy of ``a`` (a cache-blocked, threaded transpose: pybridge._layout)."""
    out = np.empty(a.shape, dtype=a.dtype, order="F")
    _layout.copy(out, a)
    return out


def _is_numeric_sequence(a: Sequence) -> bool:
    first = a[0]
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    return isinstance(first, (numbers.Number, np.generic, bool))


def _is_torch_tensor(a: Any) -> bool:
    return type(a).__module__.startswith("torch") and hasattr(a, "detach")


def _numpy_to_engine(arr: np.ndarray) -> Any:
    try:
        import matlab  # noqa: PLC0415  (optional: MATLAB's engine)
    except ImportError as err:
        from ._errors import EngineNotFoundError

        raise EngineNotFoundError(
            "to_matlab(..., engine=True) needs MATLAB's Python package 'matlab' "
            "(pip install matlabengine, which needs an installed MATLAB); "
            "use engine=False to get numpy arrays instead"
        ) from err
    cls = getattr(matlab, matlab_class(arr))
    # A flat column-major buffer plus size is the documented fast path.
    flat = arr.ravel(order="F")
    if arr.dtype == np.bool_:
        return cls(flat.tolist(), size=arr.shape) if arr.size else cls(size=arr.shape)
    return cls(flat, size=arr.shape) if arr.size else cls(size=arr.shape)


# --------------------------------------------------------------------------
# the MATLAB value model <-> Python, by profile
# --------------------------------------------------------------------------

#: The conversion profiles, one per convention at the boundary:
#:
#: ``'numpy'``
#:     pybridge's own, lossless: numeric and logical arrays are numpy arrays in
#:     MATLAB's shape (at least 2-D, column-major), every MATLAB type has a
#:     Python value that converts back to the same class and size.
#: ``'matlabengine'``
#:     MathWorks' engine API for Python: arrays are ``matlab.double`` and
#:     friends, 1 x 1 values Python scalars, a Python int is int64, ``None`` is
#:     refused; what matlabengine does not support is refused with TypeError.
#: ``'py'``
#:     MATLAB's ``py.`` interface (R2025a and later, NumPy installed): numeric
#:     arrays arrive as NumPy arrays, cell vectors as tuples, scalars as
#:     Python scalars.
PROFILES = ("numpy", "matlabengine", "py")

#: MATLAB's integer classes and their ranges (the extremes cross unchanged).
_INT_CLASSES = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")
_FLOAT_CLASSES = ("double", "single")
_COMPLEX_DTYPE = {"double": np.dtype(np.complex128), "single": np.dtype(np.complex64)}
_CLASS_OF_COMPLEX = {v: k for k, v in _COMPLEX_DTYPE.items()}


def complex_int_dtype(mclass: str) -> np.dtype:
    """The numpy dtype pybridge gives complex MATLAB integers: fields ``real`` and ``imag``.

    numpy has no complex integer type; a structured dtype keeps both parts
    exactly and converts back to the same MATLAB class.

    Examples
    --------
    >>> complex_int_dtype("int8")
    dtype([('real', 'i1'), ('imag', 'i1')])
    """
    if mclass not in _INT_CLASSES:
        raise ValueError(f"expected an integer class ({', '.join(_INT_CLASSES)}); got {mclass!r}")
    base = MATLAB_CLASSES[mclass]
    return np.dtype([("real", base), ("imag", base)])


def _string_dtype() -> np.dtype:
    try:
        from numpy.dtypes import StringDType
    except ImportError as err:  # numpy < 2
        raise TypeError(
            "MATLAB string arrays need numpy >= 2.0 (numpy.dtypes.StringDType); "
            f"this is numpy {np.__version__}. Upgrade numpy, or use cellstr(s) in MATLAB "
            "to send a cell of char instead"
        ) from err
    return StringDType(na_object=None)


class MatlabMap(dict):
    """A ``containers.Map`` or MATLAB ``dictionary`` as a Python dict that remembers its kind.

    It is a ``dict`` in every way; ``kind``, ``key_type`` and ``value_type``
    let it convert back to the same MATLAB type. A plain dict with string keys
    becomes a struct instead; wrap it to send a map::

        MatlabMap({"a b": 1.0})              # containers.Map, KeyType 'char'

    Examples
    --------
    >>> m = MatlabMap({"x": 1.0}, key_type="char")
    >>> m["x"], m.kind
    (1.0, 'containers.Map')
    """

    def __init__(
        self,
        *args: Any,
        kind: str = "containers.Map",
        key_type: str | None = None,
        value_type: str = "any",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if kind not in ("containers.Map", "dictionary"):
            raise ValueError(f"kind must be 'containers.Map' or 'dictionary'; got {kind!r}")
        self.kind = kind
        self.key_type = key_type or _map_key_type(self.keys())
        self.value_type = value_type

    def __repr__(self) -> str:
        return f"MatlabMap({dict.__repr__(self)}, kind={self.kind!r}, key_type={self.key_type!r})"


class StructArray:
    """A MATLAB struct array (any size other than 1 x 1): dicts in an N-D grid.

    ``shape`` is MATLAB's size, ``fields`` the field names in MATLAB's order.
    Indexing works as on a numpy object array (``s[0, 1]`` is a dict;
    ``s.flat`` walks the elements in column-major order, as ``s(:)`` does in
    MATLAB).

    Examples
    --------
    >>> s = StructArray([{"a": 1.0}, {"a": 2.0}], shape=(1, 2))
    >>> s[0, 1]["a"], s.shape, s.fields
    (2.0, (1, 2), ('a',))
    """

    def __init__(
        self,
        items: Sequence[Mapping] | np.ndarray = (),
        *,
        shape: Sequence[int] | None = None,
        fields: Sequence[str] | None = None,
    ) -> None:
        if isinstance(items, np.ndarray):
            grid = items
            flat = list(grid.ravel(order="F"))
        else:
            flat = list(items)
            dims = (1, len(flat)) if shape is None else tuple(int(s) for s in shape)
            if int(np.prod(dims)) != len(flat):
                raise ValueError(
                    f"a struct array of size {dims} needs {int(np.prod(dims))} elements; "
                    f"got {len(flat)}"
                )
            grid = np.empty(len(flat), dtype=object)
            grid[:] = [None] * len(flat)
            for i, d in enumerate(flat):
                grid[i] = d
            grid = grid.reshape(dims, order="F")
        for d in flat:
            if not isinstance(d, Mapping):
                raise TypeError(f"every element of a struct array is a dict; got {_describe(d)}")
        names = tuple(fields) if fields is not None else (tuple(flat[0]) if flat else ())
        for d in flat:
            if tuple(d) != names and set(d) != set(names):
                raise ValueError(
                    f"every element of a struct array has the same fields; got {sorted(d)} "
                    f"and {sorted(names)}"
                )
        self._grid = grid
        self.fields = names

    @property
    def shape(self) -> tuple[int, ...]:
        return self._grid.shape

    @property
    def size(self) -> int:
        return self._grid.size

    @property
    def flat(self):
        """The elements in column-major order (MATLAB's ``s(:)``)."""
        return iter(self._grid.ravel(order="F").tolist())

    def __getitem__(self, index: Any) -> Any:
        return self._grid[index]

    def __len__(self) -> int:
        return len(self._grid)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StructArray):
            return NotImplemented
        return (
            self.shape == other.shape
            and self.fields == other.fields
            and list(self.flat) == list(other.flat)
        )

    def __repr__(self) -> str:
        return f"StructArray(shape={self.shape}, fields={self.fields})"


def _check_profile(profile: Any) -> str:
    if profile not in PROFILES:
        close = difflib.get_close_matches(str(profile), PROFILES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"'profile' must be one of {PROFILES}; got {profile!r}{hint}")
    return profile


def _mshape(dims: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in dims)


def _is_vector(dims: tuple[int, ...]) -> bool:
    return len(dims) == 2 and (dims[0] == 1 or dims[1] == 1 or dims == (0, 0))


# ............................................................ from_mvalue


def from_mvalue(value: Any, *, profile: str) -> Any:
    """One MATLAB value (:mod:`pybridge._mtypes`) -> the Python value ``profile`` gives it.

    Parameters
    ----------
    value : MArray, MSparse, MCell, MStruct, MString, MMap or MOpaque
    profile : {'numpy', 'matlabengine', 'py'}
        See :data:`PROFILES`; :data:`RULES` lists every rule.

    Returns
    -------
    object
        With ``'numpy'``: numeric and logical arrays as ndarrays in MATLAB's
        shape (1 x 1 double as float, logical as bool, complex double as
        complex; other classes as numpy scalars so their class comes back);
        char row vectors as str (other char arrays as ``'<U1'`` ndarrays);
        cells as lists (1 x N) or object ndarrays (any other size); scalar
        structs as dicts, struct arrays as :class:`StructArray`; string arrays
        as ndarrays of numpy's StringDType (missing is None); sparse as
        ``scipy.sparse.csc_array``; maps as :class:`MatlabMap`.

    Raises
    ------
    TypeError
        A function handle or object (the message names its class and what to
        do), or a value the profile does not support (a char matrix under
        ``'matlabengine'``...).

    Examples
    --------
    >>> from pybridge._mtypes import MArray
    >>> v = MArray("double", (2, 2), np.array([1.0, 3.0, 2.0, 4.0]))
    >>> from_mvalue(v, profile="numpy").tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    >>> from_mvalue(MArray("int8", (1, 1), np.array([-128], np.int8)), profile="matlabengine")
    -128
    """
    _check_profile(profile)
    kind = type(value).__name__
    if kind == "MArray":
        return _from_marray(value, profile)
    if kind == "MCell":
        return _from_mcell(value, profile)
    if kind == "MStruct":
        return _from_mstruct(value, profile)
    if kind == "MString":
        return _from_mstring(value, profile)
    if kind == "MSparse":
        return _from_msparse(value, profile)
    if kind == "MMap":
        return _from_mmap(value, profile)
    if kind == "MOpaque":
        raise TypeError(_opaque_message(value.mclass, value.text))
    raise TypeError(f"expected a MATLAB value (pybridge._mtypes); got {_describe(value)}")


def _opaque_message(mclass: str, text: str = "") -> str:
    if mclass == "function_handle":
        shown = f" {text}" if text else ""
        return (
            f"a MATLAB function_handle{shown} cannot cross to Python: Python cannot call "
            "into MATLAB through it. Pass its text instead (func2str(f) in MATLAB), or call "
            "it in MATLAB and pass the result"
        )
    return (
        f"a MATLAB object of class {mclass!r} cannot cross to Python: only numeric, logical, "
        "char, string, cell, struct, sparse, containers.Map and dictionary values can. "
        f"Convert it in MATLAB first (struct(obj) for its properties, or the value you need, "
        "e.g. double(obj) or char(obj))"
    )


def _refuse(what: str, profile: str, fix: str) -> TypeError:
    if profile == "py":
        # MATLAB's py. users cannot choose a profile: give them the MATLAB-side fix only
        fix = re.split(r",? or use\s+the 'numpy' profile", fix)[0]
    return TypeError(f"{what} is not supported by the {profile!r} conversion rules; {fix}")


def _marray_data(v: Any) -> np.ndarray:
    """The elements of an MArray as an ndarray in MATLAB's shape (a view where possible)."""
    dims = tuple(int(d) for d in v.dims)
    real = np.asarray(v.real)
    if v.mclass == "char":
        return real.reshape(dims, order="F")
    if v.imag is None:
        want = MATLAB_CLASSES.get(v.mclass)
        if want is None:
            raise TypeError(f"unknown MATLAB class {v.mclass!r} in an MArray")
        if real.dtype != want:
            real = real.astype(want)
        return real.reshape(dims, order="F")
    imag = np.asarray(v.imag)
    if v.mclass in _COMPLEX_DTYPE:
        out = np.empty(dims, dtype=_COMPLEX_DTYPE[v.mclass], order="F")
    elif v.mclass in _INT_CLASSES:
        out = np.empty(dims, dtype=complex_int_dtype(v.mclass), order="F")
    else:
        raise TypeError(f"MATLAB {v.mclass} cannot be complex")
    if out.dtype.names:
        out["real"] = real.reshape(dims, order="F")
        out["imag"] = imag.reshape(dims, order="F")
    else:
        out.real = real.reshape(dims, order="F")
        out.imag = imag.reshape(dims, order="F")
    return out


def _chars_to_str(chars: np.ndarray) -> str:
    """'<U1' elements -> str, keeping char(0) (which numpy shows as '')."""
    codes = np.ascontiguousarray(chars, dtype="<U1").view("<u4")
    return codes.tobytes().decode("utf-32-le", "surrogatepass")  # non-UTF-8 file names (surrogateescape)


def _from_marray(v: Any, profile: str) -> Any:
    if v.imag is None and v.dims == (1, 1):  # the commonest value: a real scalar (fast path)
        if v.mclass == "double":
            return float(v.real[0])
        if v.mclass == "logical":
            return bool(v.real[0])
    dims = tuple(int(d) for d in v.dims)
    if v.mclass == "char":
        chars = np.asarray(v.real)
        if dims == (0, 0) or (len(dims) == 2 and dims[0] == 1 and dims[1] >= 1):
            return _chars_to_str(chars)
        if profile == "numpy":
            return chars.reshape(dims, order="F")
        if profile == "matlabengine" and len(dims) == 2 and dims[1] == 1:
            return _chars_to_str(chars)  # matlabengine: N x 1 char is str too
        raise _refuse(
            f"a {_mshape(dims)} char array", profile,
            "send cellstr(x) (a cell of rows) from MATLAB, or use the 'numpy' profile",
        )
    complex_ = v.imag is not None
    if complex_ and profile == "py" and v.mclass in _INT_CLASSES and int(np.prod(dims)) != 1:
        raise _refuse(
            f"a complex {v.mclass} array", profile,
            "convert it to double (double(x)) in MATLAB first",
        )
    a = _marray_data(v)
    if a.size == 1 and len(dims) == 2:
        if profile == "numpy":
            if v.mclass == "double":
                return complex(a.item()) if complex_ else float(a.item())
            if v.mclass == "logical":
                return bool(a.item())
            return a.reshape(()).copy()[()]  # a numpy scalar keeps the class
        if complex_:
            if a.dtype.names:
                return complex(int(a["real"].item()), int(a["imag"].item()))
            return complex(a.item())
        if v.mclass == "logical":
            return bool(a.item())
        if v.mclass in _FLOAT_CLASSES:
            return float(a.item())
        return int(a.item())
    if profile == "matlabengine":
        from . import _marray

        return _marray.from_numpy(a, v.mclass)
    return a


def _from_mcell(v: Any, profile: str) -> Any:
    dims = tuple(int(d) for d in v.dims)
    items = [from_mvalue(x, profile=profile) for x in v.items]
    if profile == "numpy":
        if dims == (0, 0) or (len(dims) == 2 and dims[0] == 1 and dims[1] >= 1):
            return items
        grid = np.empty(len(items), dtype=object)
        for i, x in enumerate(items):
            grid[i] = x
        return grid.reshape(dims, order="F")
    if not _is_vector(dims) and int(np.prod(dims)) != 0 or len(dims) > 2:
        raise _refuse(
            f"a {_mshape(dims)} cell array", profile,
            "only cell vectors (1xN or Nx1) cross; reshape it with c(:)' in MATLAB, or use "
            "the 'numpy' profile (an object ndarray with the shape)",
        )
    return tuple(items) if profile == "py" else items


def _from_mstruct(v: Any, profile: str) -> Any:
    dims = tuple(int(d) for d in v.dims)
    items = [{k: from_mvalue(x[k], profile=profile) for k in v.fields} for x in v.items]
    if dims == (1, 1):
        return items[0]
    if profile == "numpy":
        return StructArray(items, shape=dims, fields=v.fields)
    raise _refuse(
        f"a {_mshape(dims)} struct array", profile,
        "send num2cell(s) (a cell of scalar structs) from MATLAB, or use the 'numpy' profile",
    )


def _from_mstring(v: Any, profile: str) -> Any:
    dims = tuple(int(d) for d in v.dims)
    items = list(v.items)
    if profile == "numpy":
        a = np.empty(len(items), dtype=_string_dtype())
        a[:] = items
        return a.reshape(dims, order="F")
    if dims == (1, 1):
        return items[0]
    if profile == "matlabengine" and _is_vector(dims):
        return items
    if profile == "py" and _is_vector(dims):
        return items
    raise _refuse(
        f"a {_mshape(dims)} string array", profile,
        "only string scalars and vectors cross; reshape it with s(:)' in MATLAB, or use the "
        "'numpy' profile",
    )


def _from_msparse(v: Any, profile: str) -> Any:
    if profile != "numpy":
        raise _refuse(
            f"a {_mshape(tuple(v.dims))} sparse {v.mclass} matrix", profile,
            "send full(S) from MATLAB, or use the 'numpy' profile (scipy.sparse.csc_array)",
        )
    import scipy.sparse as sp

    dtype = MATLAB_CLASSES[v.mclass]
    vals = np.asarray(v.real, dtype=dtype)
    if v.imag is not None:
        z = np.empty(vals.shape, dtype=np.complex128)
        z.real, z.imag = vals, v.imag  # no inf * 1j: parts set apart
        vals = z
    rows = np.asarray(v.rows, dtype=np.int64) - 1  # MATLAB's 1-based -> 0-based
    cols = np.asarray(v.cols, dtype=np.int64) - 1
    shape = tuple(int(d) for d in v.dims)
    return sp.csc_array((vals, (rows, cols)), shape=shape)


def _from_mmap(v: Any, profile: str) -> Any:
    keys = [from_mvalue(k, profile=profile) for k in v.keys]
    keys = [k.item() if isinstance(k, np.generic) else k for k in keys]  # hashable Python keys
    vals = [from_mvalue(x, profile=profile) for x in v.values]
    pairs = dict(zip(keys, vals, strict=True))
    if profile == "numpy":
        return MatlabMap(pairs, kind=v.kind, key_type=v.key_type, value_type=v.value_type)
    return pairs


# .............................................................. to_mvalue


def _map_key_type(keys: Any) -> str:
    keys = list(keys)
    if all(isinstance(k, str) for k in keys):
        return "char"
    if all(isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)) for k in keys):
        return "int64"
    if all(isinstance(k, (int, float, np.integer, np.floating)) and not isinstance(k, (bool, np.bool_)) for k in keys):
        return "double"
    kinds = sorted({type(k).__name__ for k in keys})
    raise TypeError(
        f"a containers.Map needs keys that are all str or all real numbers; got keys of type "
        f"{kinds}"
    )


def _valid_field(k: Any) -> bool:
    return isinstance(k, str) and k.isidentifier() and k.isascii() and not k.startswith("_") and len(k) <= 63


def to_mvalue(obj: Any, *, profile: str) -> Any:
    """A Python value -> the MATLAB value (:mod:`pybridge._mtypes`) ``profile`` makes of it.

    Parameters
    ----------
    obj : object
        Python scalars, str, bytes, None, dict, list/tuple/set/range, numpy
        arrays and scalars (any memory order), ``matlab.double`` and the other
        matlab array types, scipy.sparse matrices, memoryview, array.array,
        torch tensors, :class:`StructArray`, :class:`MatlabMap`, or a value
        of the model itself (returned unchanged).
    profile : {'numpy', 'matlabengine', 'py'}

    Returns
    -------
    MArray, MSparse, MCell, MStruct, MString or MMap

    Raises
    ------
    TypeError
        A type with no MATLAB equivalent (the message says what to pass
        instead); ``None`` under ``'matlabengine'``, as matlabengine refuses it.
    ValueError
        A dict key that is no MATLAB field name, an int out of int64's range,
        ragged data.

    Examples
    --------
    >>> to_mvalue(3, profile="numpy")
    MArray(mclass='int64', dims=(1, 1), real=array([3]), imag=None)
    >>> to_mvalue(np.array([[1, 2], [3, 4]], np.uint8), profile="numpy").real.tolist()
    [1, 3, 2, 4]
    """
    _check_profile(profile)
    return _to_mvalue(obj, profile)


def _scalar(mclass: str, value: Any, dtype: Any) -> Any:
    return mt.MArray(mclass, (1, 1), np.array([value], dtype=dtype))


def _to_mvalue(obj: Any, profile: str) -> Any:
    if isinstance(obj, (mt.MArray, mt.MSparse, mt.MCell, mt.MStruct, mt.MString, mt.MMap)):
        return obj
    if isinstance(obj, mt.MOpaque):
        return obj
    # ---- scalars
    if obj is None:
        if profile == "matlabengine":
            raise TypeError(
                "None is not supported by MATLAB's engine API (matlabengine refuses it); "
                "pass matlab.double([]) for MATLAB's []"
            )
        return mt.MArray("double", (0, 0), np.zeros(0))
    if isinstance(obj, (bool, np.bool_)):
        return _scalar("logical", bool(obj), np.bool_)
    if isinstance(obj, int):
        if not -(2**63) <= obj < 2**63:
            raise ValueError(
                f"the Python int {obj} does not fit MATLAB's int64 (a Python int becomes int64, "
                "as in matlabengine); pass np.uint64(x) for values up to 2**64 - 1, or "
                "float(x) for a double"
            )
        return _scalar("int64", obj, np.int64)
    if isinstance(obj, float):
        return _scalar("double", obj, np.float64)
    if isinstance(obj, complex):
        return mt.MArray("double", (1, 1), np.array([obj.real]), np.array([obj.imag]))
    if isinstance(obj, str):
        n = len(obj)
        return mt.MArray("char", (1, n) if n else (0, 0), np.array(list(obj), dtype="<U1"))
    if isinstance(obj, (bytes, bytearray)):
        return mt.MArray("uint8", (1, len(obj)), np.frombuffer(bytes(obj), dtype=np.uint8))
    # ---- containers
    if isinstance(obj, MatlabMap):
        return _map_to_mvalue(obj, obj.kind, obj.key_type, obj.value_type, profile)
    if isinstance(obj, Mapping):
        keys = list(obj)
        if all(isinstance(k, str) for k in keys):
            bad = [k for k in keys if not _valid_field(k)]
            if bad:
                raise ValueError(
                    f"struct field names must be MATLAB identifiers (an ASCII letter, then "
                    f"letters, digits or underscores, at most 63 characters); got {bad[0]!r}. "
                    "Rename the key, or wrap the dict in pybridge.convert.MatlabMap to send a "
                    "containers.Map"
                )
            return mt.MStruct(
                (1, 1), tuple(keys), ({k: _to_mvalue(obj[k], profile) for k in keys},)
            )
        kind = "dictionary" if profile == "matlabengine" else "containers.Map"
        return _map_to_mvalue(obj, kind, _map_key_type(keys), "any", profile)
    if isinstance(obj, StructArray):
        return mt.MStruct(
            tuple(_matlab_shape(obj.shape)),
            obj.fields,
            tuple({k: _to_mvalue(d[k], profile) for k in obj.fields} for d in obj.flat),
        )
    if isinstance(obj, (list, tuple, set, frozenset, range)):
        items = tuple(_to_mvalue(x, profile) for x in obj)
        return mt.MCell((1, len(items)) if items else (0, 0), items)
    # ---- arrays
    if _is_engine_array(obj):
        return _engine_array_to_mvalue(obj)
    if _is_sparse(obj):
        return _sparse_to_mvalue(obj)
    if _is_torch_tensor(obj):
        obj = obj.detach().cpu().numpy()
    if isinstance(obj, np.generic):
        obj = np.asarray(obj)
    if isinstance(obj, (memoryview, array.array)):
        obj = np.asarray(obj)
    if isinstance(obj, np.ndarray):
        return _ndarray_to_mvalue(obj, profile)
    if isinstance(obj, numbers.Real):  # fractions, decimals...
        return _scalar("double", float(obj), np.float64)
    if callable(obj):
        raise TypeError(
            f"a Python callable ({_describe(obj)}) cannot cross to MATLAB; call it in Python "
            "and pass its result"
        )
    raise TypeError(
        f"a {_describe(obj)} has no MATLAB equivalent; pass a number, bool, str, bytes, "
        "None, dict, list/tuple, numpy array, scipy.sparse matrix or matlab array, or convert it "
        "to one of those first"
    )


def _map_to_mvalue(obj: Mapping, kind: str, key_type: str, value_type: str, profile: str) -> Any:
    keys = tuple(_to_mvalue(float(k) if key_type == "double" else k, profile) for k in obj)
    values = tuple(_to_mvalue(v, profile) for v in obj.values())
    return mt.MMap(key_type, value_type, keys, values, kind)


def _is_sparse(obj: Any) -> bool:
    return type(obj).__module__.startswith("scipy.sparse") and hasattr(obj, "tocoo")


def _sparse_to_mvalue(s: Any) -> Any:
    if s.ndim != 2:
        raise TypeError(f"MATLAB sparse matrices are 2-D; got a {s.ndim}-D scipy.sparse array")
    kind = s.dtype.kind
    if kind == "b":
        mclass = "logical"
    elif s.dtype in (np.float64, np.complex128):
        mclass = "double"
    else:
        raise TypeError(
            f"MATLAB sparse matrices hold double or logical values; got scipy.sparse of dtype "
            f"{s.dtype}. Convert first: S.astype(np.float64) (or S.astype(bool))"
        )
    csc = s.tocsc()
    csc.sum_duplicates()
    csc.eliminate_zeros()
    coo = csc.tocoo()
    # column-major order of the nonzeros, as MATLAB's find(S) lists them
    order = np.lexsort((coo.row, coo.col))
    rows = coo.row[order].astype(np.int64) + 1  # 0-based -> MATLAB's 1-based
    cols = coo.col[order].astype(np.int64) + 1
    vals = coo.data[order]
    if kind == "c":
        real, imag = vals.real.copy(), vals.imag.copy()
    else:
        real, imag = vals, None
    return mt.MSparse(mclass, (int(s.shape[0]), int(s.shape[1])), rows, cols, real, imag)


def _engine_array_to_mvalue(x: Any) -> Any:
    """A ``matlab.double`` (or any matlab array type) -> MArray, reading its column-major data."""
    own = getattr(x, "_a", None)
    if isinstance(own, np.ndarray):  # pybridge's own matlab arrays hold an ndarray
        return _ndarray_to_mvalue(own, "numpy")
    mclass = type(x).__name__
    size = tuple(int(s) for s in x.size)
    dtype = MATLAB_CLASSES[mclass]
    if getattr(x, "_is_complex", False):
        real = np.asarray(x.real(), dtype=dtype).ravel() if callable(getattr(x, "real", None)) else None
        imag = np.asarray(x.imag(), dtype=dtype).ravel() if callable(getattr(x, "imag", None)) else None
        if real is None or imag is None:
            raise TypeError(f"cannot read the parts of the complex matlab.{mclass}")
        return mt.MArray(mclass, _matlab_shape(size), real, imag)
    flat = _engine_to_numpy(x).ravel(order="F")
    return mt.MArray(mclass, _matlab_shape(size), flat)


def _layout_pending(obj: Any) -> tuple[str, tuple[int, ...], np.ndarray] | None:
    """``(class, dims, array)`` for a real numeric or logical array not in column-major order.

    :func:`to_mvalue` makes ``MArray(class, dims, ...)`` of such an array
    after one transposing copy into column-major order. A transport that lays
    the elements out itself (the Octave engine copies them straight into its
    payload file) takes this instead. None for any other value (a view
    serves, or the value is not such an array).
    """
    if _is_torch_tensor(obj):
        obj = obj.detach().cpu().numpy()
    if not isinstance(obj, np.ndarray) or obj.ndim < 2 or obj.flags.f_contiguous:
        return None
    if obj.dtype.kind not in "biuf" or obj.dtype == np.float16 or not obj.dtype.isnative:
        return None
    mclass = _CLASS_OF_DTYPE.get(obj.dtype)
    if mclass is None:
        return None
    return mclass, _matlab_shape(obj.shape), obj


def _ndarray_to_mvalue(a: np.ndarray, profile: str) -> Any:
    dims = _matlab_shape(a.shape)
    kind = a.dtype.kind
    if kind in "biuf":
        if a.dtype == np.float16:
            a = a.astype(np.float32)
        elif not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        mclass = _CLASS_OF_DTYPE.get(a.dtype)
        if mclass is None:
            _check_dtype(a)
            raise TypeError(f"dtype {a.dtype} has no MATLAB class")
        return mt.MArray(mclass, dims, _layout.column_major(a))
    if kind == "c":
        dt = a.dtype.newbyteorder("=")
        if dt not in _CLASS_OF_COMPLEX:
            raise TypeError(
                f"MATLAB has no {a.dtype} class (complex64 is complex single, complex128 complex "
                "double); convert first: a.astype(np.complex128)"
            )
        flat = a.ravel(order="F")
        return mt.MArray(_CLASS_OF_COMPLEX[dt], dims, flat.real.copy(), flat.imag.copy())
    if a.dtype.names is not None:
        if a.dtype.names == ("real", "imag") and a.dtype["real"] == a.dtype["imag"]:
            base = a.dtype["real"].newbyteorder("=")
            mclass = _CLASS_OF_DTYPE.get(base)
            if mclass in _INT_CLASSES:
                flat = a.ravel(order="F")
                return mt.MArray(
                    mclass, dims, flat["real"].astype(base), flat["imag"].astype(base)
                )
        raise TypeError(
            f"a structured numpy array ({a.dtype}) has no MATLAB class; pass a dict of arrays "
            "(a struct) or a StructArray"
        )
    if kind == "O":
        items = tuple(_to_mvalue(x, profile) for x in a.ravel(order="F"))
        return mt.MCell(dims, items)
    if kind == "U":
        flat = a.ravel(order="F")
        if a.dtype.itemsize == 4:  # '<U1': one character an element, a char array
            # (numpy shows char(0) as '': the stored code point is 0 all the same)
            return mt.MArray("char", dims, flat.astype("<U1"))
        return mt.MString(dims, tuple(str(x) for x in flat.tolist()))
    if kind == "T":  # numpy's StringDType
        na = getattr(a.dtype, "na_object", object())
        out = []
        for x in a.ravel(order="F").tolist():
            out.append(None if (x is None or x is na) else str(x))
        return mt.MString(dims, tuple(out))
    _check_dtype(a)
    raise TypeError(f"dtype {a.dtype} has no MATLAB class")  # pragma: no cover


# --------------------------------------------------------------------------
# image stacks
# --------------------------------------------------------------------------


def _check_layout(layout: str) -> str:
    if not isinstance(layout, str) or layout.upper() not in LAYOUTS:
        same_letters = [x for x in LAYOUTS if sorted(x) == sorted(str(layout).upper())]
        close = same_letters or difflib.get_close_matches(str(layout).upper(), LAYOUTS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"'layout' must be one of {LAYOUTS}; got {layout!r}{hint}")
    return layout.upper()


def matlab_to_numpy(x: Any, layout: str = "HWCN") -> np.ndarray:
    """MATLAB image stack -> numpy N x C x H x W (a view where memory allows).

    Parameters
    ----------
    x : MATLAB numeric or logical array (anything :func:`from_matlab` takes)
        ``H x W``, ``H x W x C``, ``H x W x N`` or ``H x W x C x N`` as named
        by ``layout``. Trailing singleton dimensions may be missing (MATLAB
        drops them: an H x W x 1 x 1 stack arrives as H x W).
    layout : {'HWCN', 'HWC', 'HWN', 'HW'}
        What the MATLAB dimensions mean.

    Returns
    -------
    ndarray of shape (N, C, H, W)
        Same dtype; no copy (a transposed view of MATLAB's memory).

    Raises
    ------
    ValueError
        The array has more dimensions than the layout names.

    Examples
    --------
    >>> stack = np.zeros((60, 50, 1, 7), order="F")   # H x W x C x N in MATLAB
    >>> matlab_to_numpy(stack).shape
    (7, 1, 60, 50)
    """
    layout = _check_layout(layout)
    a = from_matlab(x)
    if not isinstance(a, np.ndarray):
        raise TypeError(f"expected an image stack ({layout}); got {_describe(x)}")
    if a.ndim > len(layout):
        raise ValueError(
            f"image stack must be {' x '.join(layout)}; got shape {a.shape} with {a.ndim} "
            f"dimensions (use layout='HWCN' for a stack of multi-channel images)"
        )
    a = a.reshape(a.shape + (1,) * (len(layout) - a.ndim), order="A")
    full = "".join(c for c in layout)
    # add the missing axes of N x C x H x W as singletons at the end, then permute
    missing = [c for c in "NCHW" if c not in full]
    a = a.reshape(a.shape + (1,) * len(missing), order="A")
    full += "".join(missing)
    order = [full.index(c) for c in "NCHW"]
    return a.transpose(order)


def numpy_to_matlab(a: Any, layout: str = "HWCN") -> np.ndarray:
    """numpy N x C x H x W -> MATLAB image stack in ``layout`` (column-major).

    Parameters
    ----------
    a : ndarray of shape (N, C, H, W)
        Also accepted: (C, H, W) and (H, W), read as N = 1 and C = 1.
    layout : {'HWCN', 'HWC', 'HWN', 'HW'}
        The MATLAB layout to produce; the axes it omits must have length 1.

    Returns
    -------
    ndarray, Fortran-contiguous
        No copy when the input's memory already is in that order (for
        example the result of :func:`matlab_to_numpy`), one copy otherwise.

    Examples
    --------
    >>> numpy_to_matlab(np.zeros((7, 1, 60, 50))).shape
    (60, 50, 1, 7)
    >>> numpy_to_matlab(np.zeros((7, 1, 60, 50)), layout="HWN").shape
    (60, 50, 7)
    """
    layout = _check_layout(layout)
    a = np.asarray(a) if not _is_torch_tensor(a) else a.detach().cpu().numpy()
    _check_dtype(a, what="image stack")
    if a.ndim == 2:
        a = a[None, None]
    elif a.ndim == 3:
        a = a[None]
    elif a.ndim != 4:
        raise ValueError(
            f"expected an N x C x H x W stack (or C x H x W, H x W); got shape {a.shape}"
        )
    for c in "NC":
        if c not in layout and a.shape[_PY_AXIS[c]] != 1:
            raise ValueError(
                f"layout {layout!r} has no {c} axis but the stack has {c} = "
                f"{a.shape[_PY_AXIS[c]]} (shape {a.shape}); use layout='HWCN'"
            )
    b = a.transpose([_PY_AXIS[c] for c in layout + "".join(c for c in "NC" if c not in layout)])
    b = b.reshape(b.shape[: len(layout)], order="A") if b.ndim > len(layout) else b
    return to_matlab(b)


def matlab_to_torch(
    x: Any, layout: str = "HWCN", *, dtype: torch.dtype | None = None, device: Any = None
) -> torch.Tensor:
    """MATLAB image stack -> torch tensor N x C x H x W.

    At most one copy: the data is viewed, then copied once into contiguous
    torch memory (needed for convolutions) in the requested dtype/device.

    Parameters
    ----------
    x : MATLAB numeric or logical array
        See :func:`matlab_to_numpy`.
    layout : {'HWCN', 'HWC', 'HWN', 'HW'}
    dtype : torch.dtype, optional
        Keep the input's dtype when None.
    device : torch.device or str, optional

    Returns
    -------
    torch.Tensor of shape (N, C, H, W)

    Examples
    --------
    >>> matlab_to_torch(np.ones((4, 5, 1, 2))).shape
    torch.Size([2, 1, 4, 5])
    """
    import torch

    a = matlab_to_numpy(x, layout)
    want = dtype or _torch_dtype(a.dtype)
    try:
        np_dtype = _numpy_dtype(want)
    except TypeError:  # bfloat16 and friends: torch's own strided copy
        out = torch.empty(a.shape, dtype=want)
        with warnings.catch_warnings():
            # MATLAB's memory may be read-only; the view is only read from.
            warnings.simplefilter("ignore", UserWarning)
            out.copy_(torch.from_numpy(np.ascontiguousarray(a)))
    else:
        # numpy's allocator (huge pages for large arrays) and one cache-blocked,
        # threaded transposing copy (pybridge._layout); the tensor then owns that memory.
        target = np.empty(a.shape, dtype=np_dtype)
        _layout.copy(target, a)
        out = torch.from_numpy(target)
    if device is not None and str(device) != "cpu":
        out = out.to(device)
    return out


@functools.cache
def _numpy_dtype(dtype) -> np.dtype:
    """numpy's dtype for a torch dtype (TypeError where numpy has none, e.g. bfloat16)."""
    import torch

    return torch.empty(0, dtype=dtype).numpy().dtype


@functools.cache
def _torch_dtype(dt: np.dtype):
    import torch

    try:
        return torch.from_numpy(np.empty(0, dtype=dt)).dtype
    except TypeError as err:
        raise TypeError(f"torch has no dtype for numpy {dt}; convert it first") from err


def torch_to_matlab(t: torch.Tensor, layout: str = "HWCN") -> np.ndarray:
    """torch tensor N x C x H x W -> MATLAB image stack (numpy, column-major).

    The tensor is detached and moved to the CPU; its dtype is kept. One copy
    at most (none for a CPU tensor whose memory already is column-major).

    Examples
    --------
    >>> import torch
    >>> torch_to_matlab(torch.zeros(3, 1, 8, 9)).shape
    (8, 9, 1, 3)
    """
    return numpy_to_matlab(t.detach().cpu().numpy(), layout)


def batch_from_matlab(x: Any) -> np.ndarray:
    """MATLAB batch (samples along the last dimension) -> numpy with samples first.

    MATLAB stacks samples along the last dimension (H x W x N masks,
    H x W x D x N volumes); Python stacks them along the first. Returns a view.

    Examples
    --------
    >>> batch_from_matlab(np.zeros((5, 6, 3), order="F")).shape
    (3, 5, 6)
    """
    a = from_matlab(x)
    if not isinstance(a, np.ndarray):
        raise TypeError(f"expected a numeric or logical batch; got {_describe(x)}")
    return np.moveaxis(a, -1, 0)


def batch_to_matlab(a: Any) -> np.ndarray:
    """numpy with samples first -> MATLAB batch with samples along the last dimension.

    Examples
    --------
    >>> batch_to_matlab(np.zeros((3, 5, 6))).shape
    (5, 6, 3)
    """
    a = np.asarray(a)
    if a.ndim < 2:
        return to_matlab(a.reshape(-1, 1) if a.ndim == 1 else a)
    return to_matlab(np.moveaxis(a, 0, -1))


# --------------------------------------------------------------------------
# masks, labels, indices, ROIs
# --------------------------------------------------------------------------


def mask_from_matlab(x: Any, *, name: str = "mask") -> np.ndarray:
    """A MATLAB logical (or 0/1 numeric) array -> bool ndarray in MATLAB's shape.

    Raises
    ------
    ValueError
        NaN values, or values other than 0 and 1 in a numeric mask.

    Examples
    --------
    >>> mask_from_matlab([[0, 1], [1, 0]]).dtype
    dtype('bool')
    """
    a = from_matlab(x)
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a logical array; got {_describe(x)}")
    if a.dtype == np.bool_:
        return a
    if a.dtype.kind == "f" and np.isnan(a).any():
        raise ValueError(
            f"{name} must be logical; got a {a.dtype} array with {int(np.isnan(a).sum())} NaN "
            "values (a mask has only true/false: replace NaN, e.g. m(isnan(m)) = 0)"
        )
    bad = (a != 0) & (a != 1)
    if bad.any():
        raise ValueError(
            f"{name} must be logical (0/1); got a {a.dtype} array with values such as "
            f"{a[bad].flat[0]!r} (threshold it first, e.g. m > 0.5)"
        )
    return a.astype(bool)


def index_to_zero_based(idx: Any) -> np.ndarray:
    """MATLAB 1-based indices -> 0-based int64 indices (any shape).

    Raises
    ------
    ValueError
        Values below 1 or not whole numbers.

    Examples
    --------
    >>> index_to_zero_based([1, 2, 10]).tolist()
    [[0, 1, 9]]
    """
    a = np.asarray(from_matlab(idx))
    if a.dtype == np.bool_:
        raise TypeError(
            "expected 1-based indices; got a logical array (use find(mask) in MATLAB, "
            "or pass the mask itself)"
        )
    if a.size and (a.dtype.kind == "f" and not np.all(np.isfinite(a) & (a == np.round(a)))):
        raise ValueError(f"indices must be whole numbers; got {a[a != np.round(a)].flat[0]!r}")
    if a.size and a.min() < 1:
        raise ValueError(
            f"MATLAB indices start at 1; got {a.min()!r} (0-based input? use it directly)"
        )
    return a.astype(np.int64) - 1


def index_to_one_based(idx: Any) -> np.ndarray:
    """0-based indices -> MATLAB 1-based indices, as doubles (what MATLAB indexes with).

    Examples
    --------
    >>> index_to_one_based(np.array([0, 4])).tolist()
    [[1.0, 5.0]]
    """
    a = np.asarray(idx)
    if a.dtype.kind not in "iu":
        if a.dtype.kind == "f" and np.all(a == np.round(a)):
            a = a.astype(np.int64)
        else:
            raise TypeError(f"expected integer indices; got dtype {a.dtype}")
    if a.size and a.min() < 0:
        raise ValueError(f"0-based indices must be >= 0; got {a.min()}")
    return to_matlab(a.astype(np.float64) + 1.0)


def labels_from_matlab(y: Any, *, n_classes: int | None = None) -> np.ndarray:
    """MATLAB class labels (1-based, or 0/1 for binary labels) -> 0-based int64 vector.

    MATLAB's Deep Learning Toolbox numbers categories from 1; the course data
    labels normal tissue 0 and microcalcification 1. Both are accepted: a
    label vector whose values are all in {0, 1} is taken as it is, anything
    else is shifted from 1-based.

    Examples
    --------
    >>> labels_from_matlab([1, 2, 2]).tolist()
    [0, 1, 1]
    >>> labels_from_matlab([0, 1, 1]).tolist()
    [0, 1, 1]
    """
    a = from_matlab(y)
    if not isinstance(a, np.ndarray):
        raise TypeError(f"labels must be a numeric vector; got {_describe(y)}")
    if a.ndim > 2 or (a.ndim == 2 and min(a.shape) > 1):
        raise ValueError(f"labels must be a vector; got shape {a.shape}")
    a = a.reshape(-1)
    if a.dtype == np.bool_:
        return a.astype(np.int64)
    if a.size and a.dtype.kind == "f" and not np.all(np.isfinite(a) & (a == np.round(a))):
        raise ValueError("labels must be whole numbers (class indices); got non-integers or NaN")
    a = a.astype(np.int64)
    if a.size and a.min() >= 0 and a.max() <= 1 and (n_classes is None or n_classes == 2):
        return a
    out = index_to_zero_based(a).reshape(-1)
    if n_classes is not None and out.size and out.max() >= n_classes:
        raise ValueError(f"labels go up to {out.max() + 1} but there are {n_classes} classes")
    return out


def labels_to_matlab(y: Any, *, one_based: bool = False) -> np.ndarray:
    """0-based labels -> MATLAB double column vector (0/1 kept unless ``one_based``)."""
    a = np.asarray(y).reshape(-1)
    return to_matlab((a.astype(np.float64) + (1.0 if one_based else 0.0)).reshape(-1, 1))


def roi_from_matlab(rect: Any, shape: tuple[int, int] | None = None) -> tuple[int, int, int, int]:
    """MATLAB ``[x y width height]`` (1-based pixels) -> ``(row0, col0, row1, col1)``.

    ``x`` is the column and ``y`` the row of the top-left pixel, as in
    ``imcrop`` and ``rectangle``; the result is 0-based and end-exclusive, so
    ``image[row0:row1, col0:col1]`` is the same pixels as MATLAB's
    ``image(y:y+height-1, x:x+width-1)``.

    Parameters
    ----------
    rect : 4-element numeric vector
    shape : (H, W), optional
        When given, the ROI must lie inside an image of this shape.

    Examples
    --------
    >>> roi_from_matlab([10, 20, 5, 3])
    (19, 9, 22, 14)
    """
    a = from_matlab(rect)
    if not isinstance(a, np.ndarray) or a.size != 4:
        raise ValueError(
            f"ROI must be [x y width height] (4 numbers, 1-based); got {_describe(rect)}"
            + (f" with {a.size} elements" if isinstance(a, np.ndarray) else "")
        )
    x, y, w, h = (float(v) for v in a.reshape(-1))
    if not all(np.isfinite([x, y, w, h])) or any(v != round(v) for v in (x, y, w, h)):
        raise ValueError(f"ROI [x y width height] must hold whole pixels; got {[x, y, w, h]}")
    if x < 1 or y < 1:
        raise ValueError(f"ROI [x y width height] is 1-based: x and y must be >= 1; got x={x:g}, y={y:g}")
    if w < 1 or h < 1:
        raise ValueError(f"ROI width and height must be >= 1; got width={w:g}, height={h:g}")
    roi = (int(y) - 1, int(x) - 1, int(y + h) - 1, int(x + w) - 1)
    if shape is not None:
        _check_roi_inside(roi, shape)
    return roi


def roi_to_matlab(roi: Sequence[int], shape: tuple[int, int] | None = None) -> np.ndarray:
    """``(row0, col0, row1, col1)`` (0-based, end-exclusive) -> MATLAB ``[x y width height]``.

    Examples
    --------
    >>> roi_to_matlab((19, 9, 22, 14)).tolist()
    [[10.0, 20.0, 5.0, 3.0]]
    """
    r = validate_roi(roi, shape)
    row0, col0, row1, col1 = r
    return to_matlab(np.array([col0 + 1, row0 + 1, col1 - col0, row1 - row0], dtype=np.float64))


def validate_roi(roi: Any, shape: tuple[int, int] | None = None) -> tuple[int, int, int, int]:
    """Check a Python ROI ``(row0, col0, row1, col1)`` and return it as ints."""
    try:
        vals = [v for v in roi]
    except TypeError as err:
        raise TypeError(f"ROI must be (row0, col0, row1, col1); got {roi!r}") from err
    if len(vals) != 4 or any(float(v) != int(v) for v in vals):
        raise ValueError(
            f"ROI must be 4 whole numbers (row0, col0, row1, col1), 0-based, end-exclusive; got {roi!r}"
        )
    row0, col0, row1, col1 = (int(v) for v in vals)
    if row0 < 0 or col0 < 0 or row1 <= row0 or col1 <= col0:
        raise ValueError(
            f"ROI (row0, col0, row1, col1) needs 0 <= row0 < row1 and 0 <= col0 < col1; got {roi!r}"
        )
    if shape is not None:
        _check_roi_inside((row0, col0, row1, col1), shape)
    return row0, col0, row1, col1


def _check_roi_inside(roi: tuple[int, int, int, int], shape: tuple[int, ...]) -> None:
    h, w = shape[:2]
    if roi[2] > h or roi[3] > w:
        raise ValueError(
            f"ROI rows {roi[0]}:{roi[2]}, columns {roi[1]}:{roi[3]} fall outside the "
            f"{h} x {w} image; shrink the ROI"
        )


# --------------------------------------------------------------------------
# struct <-> dict, cell <-> list
# --------------------------------------------------------------------------


def struct_to_dict(s: Mapping, *, tuple_is_cell: bool = False) -> dict:
    """MATLAB struct (a dict from ``py.``/oct2py) -> dict with converted values.

    ``tuple_is_cell`` as in :func:`from_matlab`.
    """
    if not isinstance(s, Mapping):
        raise TypeError(f"expected a struct (dict); got {_describe(s)}")
    return {str(k): from_matlab(v, tuple_is_cell=tuple_is_cell) for k, v in s.items()}


def dict_to_struct(d: Mapping, *, engine: bool = False) -> dict:
    """dict -> something MATLAB's ``struct()`` converts: str keys that are valid field names.

    Raises
    ------
    ValueError
        A key that is not a valid MATLAB field name.
    """
    out = {}
    for k, v in d.items():
        if not isinstance(k, str) or not k.isidentifier() or k.startswith("_") or len(k) > 63:
            raise ValueError(
                f"struct field names must be MATLAB identifiers (a letter, then letters, digits "
                f"or underscores, at most 63 characters); got {k!r}"
            )
        out[k] = to_matlab(v, engine=engine)
    return out


def cell_to_list(c: Any) -> list:
    """MATLAB cell (tuple from ``py.``, object array from oct2py) -> list of converted values.

    Cells are read in column-major order, the order MATLAB's ``c(:)`` gives.
    """
    if isinstance(c, np.ndarray):
        items = c.ravel(order="F").tolist()
    elif isinstance(c, (list, tuple)):
        items = list(c)
    else:
        raise TypeError(f"expected a cell (tuple or list); got {_describe(c)}")
    return [from_matlab(v) for v in items]


def list_to_cell(items: Sequence, *, engine: bool = False) -> list:
    """list -> a list MATLAB's ``cell()`` converts, each element converted."""
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"expected a list or tuple; got {_describe(items)}")
    return [to_matlab(v, engine=engine) for v in items]


# --------------------------------------------------------------------------
# MathWorks' matlabengine: the model <-> its own Python types
# --------------------------------------------------------------------------


def to_matlabengine(value: Any, matlab: Any) -> Any:
    """A MATLAB value (:mod:`pybridge._mtypes`) -> what MathWorks' engine takes as an argument.

    ``matlab`` is MathWorks' ``matlab`` package. Numeric and logical arrays
    become its array types at every size (a 1 x 1 int8 stays int8), char
    vectors str, cell vectors lists, scalar structs dicts. What matlabengine
    cannot send (char matrices, cell matrices, struct arrays, strings, sparse,
    containers.Map with text keys) raises TypeError with the workaround.
    """
    kind = type(value).__name__
    if kind == "MArray":
        dims = tuple(int(d) for d in value.dims)
        if value.mclass == "char":
            if dims == (0, 0) or (len(dims) == 2 and dims[0] == 1):
                return _chars_to_str(np.asarray(value.real))
            raise TypeError(
                f"MATLAB's engine cannot send a {_mshape(dims)} char array; send a list of "
                "str (a cell) and call char() on it in MATLAB"
            )
        cls = getattr(matlab, value.mclass)
        n = int(np.prod(dims))
        if n == 0:
            return cls(size=dims)
        if value.imag is not None:
            z = np.empty(n, dtype=np.complex128)
            z.real, z.imag = value.real, value.imag  # no inf * 1j: parts set apart
            return cls(z.tolist(), size=dims, is_complex=True)
        flat = np.asarray(value.real)
        return cls(flat.tolist() if value.mclass == "logical" else flat, size=dims)
    if kind == "MCell":
        dims = tuple(int(d) for d in value.dims)
        if not _is_vector(dims) and int(np.prod(dims)) != 0:
            raise TypeError(
                f"MATLAB's engine sends lists as 1xN cells only; a {_mshape(dims)} cell cannot "
                "be sent (send a list and reshape it in MATLAB)"
            )
        return [to_matlabengine(x, matlab) for x in value.items]
    if kind == "MStruct":
        if tuple(value.dims) != (1, 1):
            raise TypeError(
                f"MATLAB's engine sends scalar structs only; a {_mshape(tuple(value.dims))} "
                "struct array cannot be sent (send a list of dicts and use [c{:}] in MATLAB)"
            )
        return {k: to_matlabengine(v, matlab) for k, v in value.items[0].items()}
    if kind == "MMap":
        keys = [from_mvalue(k, profile="matlabengine") for k in value.keys]
        if any(isinstance(k, str) for k in keys):
            raise TypeError(
                "MATLAB's engine turns a dict with text keys into a struct; a containers.Map "
                "with text keys cannot be sent (send keys and values as two lists and build "
                "the map in MATLAB)"
            )
        return {k: to_matlabengine(v, matlab) for k, v in zip(keys, value.values, strict=True)}
    if kind in ("MString", "MSparse"):
        what = "string arrays" if kind == "MString" else "sparse matrices"
        fix = "send str or a list of str" if kind == "MString" else "send the full array and call sparse() in MATLAB"
        raise TypeError(f"MATLAB's engine cannot send {what}; {fix}")
    if kind == "MOpaque":
        raise TypeError(_opaque_message(value.mclass, value.text))
    raise TypeError(f"expected a MATLAB value (pybridge._mtypes); got {_describe(value)}")


def from_matlabengine(value: Any) -> Any:
    """What MathWorks' engine returned -> a MATLAB value (:mod:`pybridge._mtypes`).

    matlabengine has already applied its own rules: 1 x 1 values are Python
    scalars, so an integer scalar of any class arrives as int and is read as
    int64 (uint64 when only uint64 holds it); arrays keep their class. The
    result is read with the ``'matlabengine'`` profile; opaque
    ``matlab.object`` handles become ``MOpaque``.
    """
    if type(value).__name__ == "object" and type(value).__module__.startswith("matlab"):
        return mt.MOpaque("matlab.object", repr(value))
    if isinstance(value, int) and not isinstance(value, bool) and value >= 2**63:
        return mt.MArray("uint64", (1, 1), np.array([value], dtype=np.uint64))  # only uint64 holds it
    return to_mvalue(value, profile="matlabengine")


# --------------------------------------------------------------------------
# every rule, as data: README's table and the tests' cases
# --------------------------------------------------------------------------

#: Every conversion rule of :func:`from_mvalue` and :func:`to_mvalue`, one row
#: per kind of value: ``(direction, what, MATLAB example, Python example,
#: 'numpy' result, 'matlabengine' result, 'py' result)``. ``direction`` is
#: ``'to Python'`` or ``'to MATLAB'``; the Python example is the code of the
#: model value (to Python) or of the Python value (to MATLAB) that
#: tests/convert/test_rules.py converts under each profile and describes,
#: checking every cell. README's "The conversion rules" is rendered from it
#: (:func:`rules_markdown`).
RULES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("to Python", "double scalar", "2.5", "MArray('double', (1, 1), np.array([2.5]))", "float", "float", "float"),
    ("to Python", "single scalar", "single(2.5)", "MArray('single', (1, 1), np.array([2.5], 'f4'))", "numpy.float32", "float", "float"),
    ("to Python", "integer scalar", "int8(-128)", "MArray('int8', (1, 1), np.array([-128], 'i1'))", "numpy.int8", "int", "int"),
    ("to Python", "logical scalar", "true", "MArray('logical', (1, 1), np.array([True]))", "bool", "bool", "bool"),
    ("to Python", "complex scalar", "1+2i", "MArray('double', (1, 1), np.array([1.0]), np.array([2.0]))", "complex", "complex", "complex"),
    ("to Python", "numeric array", "magic(3)", "MArray('double', (3, 3), np.arange(9.0))", "float64 ndarray (3, 3)", "matlab.double size (3, 3)", "float64 ndarray (3, 3)"),
    ("to Python", "NaN, Inf", "[NaN Inf]", "MArray('double', (1, 2), np.array([np.nan, np.inf]))", "float64 ndarray (1, 2)", "matlab.double size (1, 2)", "float64 ndarray (1, 2)"),
    ("to Python", "integer array", "uint8([1 2; 3 4])", "MArray('uint8', (2, 2), np.array([1, 3, 2, 4], 'u1'))", "uint8 ndarray (2, 2)", "matlab.uint8 size (2, 2)", "uint8 ndarray (2, 2)"),
    ("to Python", "logical array", "[true false]", "MArray('logical', (1, 2), np.array([True, False]))", "bool ndarray (1, 2)", "matlab.logical size (1, 2)", "bool ndarray (1, 2)"),
    ("to Python", "empty array", "zeros(0, 3, 'int8')", "MArray('int8', (0, 3), np.zeros(0, 'i1'))", "int8 ndarray (0, 3)", "matlab.int8 size (0, 3)", "int8 ndarray (0, 3)"),
    ("to Python", "N-D array", "ones(2, 3, 4)", "MArray('double', (2, 3, 4), np.ones(24))", "float64 ndarray (2, 3, 4)", "matlab.double size (2, 3, 4)", "float64 ndarray (2, 3, 4)"),
    ("to Python", "complex array", "[1+2i 3]", "MArray('double', (1, 2), np.array([1.0, 3.0]), np.array([2.0, 0.0]))", "complex128 ndarray (1, 2)", "matlab.double size (1, 2)", "complex128 ndarray (1, 2)"),
    ("to Python", "complex integer array", "int16([1+2i 3])", "MArray('int16', (1, 2), np.array([1, 3], 'i2'), np.array([2, 0], 'i2'))", "('real', 'imag') int16 ndarray (1, 2)", "TypeError", "TypeError"),
    ("to Python", "char row", "'abc'", "MArray('char', (1, 3), np.array(list('abc')))", "str", "str", "str"),
    ("to Python", "char column", "['a'; 'b']", "MArray('char', (2, 1), np.array(list('ab')))", "<U1 ndarray (2, 1)", "str", "TypeError"),
    ("to Python", "char matrix", "['abc'; 'def']", "MArray('char', (2, 3), np.array(list('adbecf')))", "<U1 ndarray (2, 3)", "TypeError", "TypeError"),
    ("to Python", "empty char", "''", "MArray('char', (0, 0), np.zeros(0, '<U1'))", "str", "str", "str"),
    ("to Python", "string scalar", '"abc"', "MString((1, 1), ('abc',))", "StringDType ndarray (1, 1)", "str", "str"),
    ("to Python", "string vector, <missing>", '["a" missing]', "MString((1, 2), ('a', None))", "StringDType ndarray (1, 2)", "list of str/None", "list of str/None"),
    ("to Python", "string matrix", '["a" "b"; "c" "d"]', "MString((2, 2), ('a', 'c', 'b', 'd'))", "StringDType ndarray (2, 2)", "TypeError", "TypeError"),
    ("to Python", "cell row or column", "{1, 'a'}", "MCell((1, 2), (MArray('double', (1, 1), np.array([1.0])), MArray('char', (1, 1), np.array(['a']))))", "list", "list", "tuple"),
    ("to Python", "cell matrix, N-D cell", "{1, 'a'; 2, 'b'}", "MCell((2, 2), tuple(MArray('double', (1, 1), np.array([float(i)])) for i in range(4)))", "object ndarray (2, 2)", "TypeError", "TypeError"),
    ("to Python", "empty cell", "{}", "MCell((0, 0), ())", "list", "list", "tuple"),
    ("to Python", "struct scalar", "struct('a', 1)", "MStruct((1, 1), ('a',), ({'a': MArray('double', (1, 1), np.array([1.0]))},))", "dict", "dict", "dict"),
    ("to Python", "struct array", "struct('a', {1, 2})", "MStruct((1, 2), ('a',), tuple({'a': MArray('double', (1, 1), np.array([v]))} for v in (1.0, 2.0)))", "StructArray (1, 2)", "TypeError", "TypeError"),
    ("to Python", "sparse", "sparse([0 1; 2 0])", "MSparse('double', (2, 2), np.array([2, 1]), np.array([1, 2]), np.array([2.0, 1.0]))", "scipy.sparse.csc_array (2, 2)", "TypeError", "TypeError"),
    ("to Python", "containers.Map", "containers.Map({'a'}, {1})", "MMap('char', 'any', (MArray('char', (1, 1), np.array(['a'])),), (MArray('double', (1, 1), np.array([1.0])),))", "MatlabMap (a dict)", "dict", "dict"),
    ("to Python", "dictionary", 'dictionary("a", 1)', "MMap('char', 'double', (MArray('char', (1, 1), np.array(['a'])),), (MArray('double', (1, 1), np.array([1.0])),), 'dictionary')", "MatlabMap (a dict)", "dict", "dict"),
    ("to Python", "function handle", "@sin", "MOpaque('function_handle', '@sin')", "TypeError", "TypeError", "TypeError"),
    ("to Python", "object", "inputParser", "MOpaque('inputParser')", "TypeError", "TypeError", "TypeError"),
    ("to MATLAB", "float", "", "2.5", "double 1x1", "double 1x1", "double 1x1"),
    ("to MATLAB", "int", "", "7", "int64 1x1", "int64 1x1", "int64 1x1"),
    ("to MATLAB", "int beyond int64", "", "2**64", "ValueError", "ValueError", "ValueError"),
    ("to MATLAB", "bool", "", "True", "logical 1x1", "logical 1x1", "logical 1x1"),
    ("to MATLAB", "complex", "", "1+2j", "complex double 1x1", "complex double 1x1", "complex double 1x1"),
    ("to MATLAB", "str", "", "'abc'", "char 1x3", "char 1x3", "char 1x3"),
    ("to MATLAB", "empty str", "", "''", "char 0x0", "char 0x0", "char 0x0"),
    ("to MATLAB", "bytes, bytearray", "", "b'ab'", "uint8 1x2", "uint8 1x2", "uint8 1x2"),
    ("to MATLAB", "None", "", "None", "double 0x0", "TypeError", "double 0x0"),
    ("to MATLAB", "list, tuple, set, range", "", "[1.0, 'a']", "cell 1x2", "cell 1x2", "cell 1x2"),
    ("to MATLAB", "empty list", "", "[]", "cell 0x0", "cell 0x0", "cell 0x0"),
    ("to MATLAB", "dict with field-name keys", "", "{'a': 1.0}", "struct 1x1", "struct 1x1", "struct 1x1"),
    ("to MATLAB", "dict with other keys", "", "{1: 'x'}", "containers.Map", "dictionary", "containers.Map"),
    ("to MATLAB", "dict with a non-field str key", "", "{'a b': 1.0}", "ValueError", "ValueError", "ValueError"),
    ("to MATLAB", "MatlabMap", "", "MatlabMap({'a b': 1.0})", "containers.Map", "containers.Map", "containers.Map"),
    ("to MATLAB", "StructArray", "", "StructArray([{'a': 1.0}, {'a': 2.0}])", "struct 1x2", "struct 1x2", "struct 1x2"),
    ("to MATLAB", "ndarray, numeric or bool", "", "np.zeros((2, 3), 'u2')", "uint16 2x3", "uint16 2x3", "uint16 2x3"),
    ("to MATLAB", "1-D ndarray", "", "np.arange(4.0)", "double 1x4", "double 1x4", "double 1x4"),
    ("to MATLAB", "trailing singleton axes", "", "np.zeros((5, 4, 1))", "double 5x4", "double 5x4", "double 5x4"),
    ("to MATLAB", "float16 ndarray", "", "np.zeros(2, 'f2')", "single 1x2", "single 1x2", "single 1x2"),
    ("to MATLAB", "complex ndarray", "", "np.zeros(2, 'c8')", "complex single 1x2", "complex single 1x2", "complex single 1x2"),
    ("to MATLAB", "('real', 'imag') integer ndarray", "", "np.zeros(2, complex_int_dtype('int8'))", "complex int8 1x2", "complex int8 1x2", "complex int8 1x2"),
    ("to MATLAB", "'<U1' ndarray", "", "np.array([['a', 'b']])", "char 1x2", "char 1x2", "char 1x2"),
    ("to MATLAB", "str or StringDType ndarray", "", "np.array(['ab', 'c'])", "string 1x2", "string 1x2", "string 1x2"),
    ("to MATLAB", "object ndarray", "", "np.array([[1.0, 'a'], [2.0, 'b']], object)", "cell 2x2", "cell 2x2", "cell 2x2"),
    ("to MATLAB", "numpy scalar", "", "np.int8(3)", "int8 1x1", "int8 1x1", "int8 1x1"),
    ("to MATLAB", "matlab.double and friends", "", "_marray.int16([[1, 2]])", "int16 1x2", "int16 1x2", "int16 1x2"),
    ("to MATLAB", "scipy.sparse (double, bool, complex128)", "", "scipy.sparse.eye_array(3, format='csr')", "sparse double 3x3", "sparse double 3x3", "sparse double 3x3"),
    ("to MATLAB", "datetime64 ndarray, other objects", "", "object()", "TypeError", "TypeError", "TypeError"),
)


def rules_markdown() -> str:
    """README's tables of :data:`RULES` (one per direction), as Markdown.

    Examples
    --------
    >>> rules_markdown().splitlines()[0]
    "| MATLAB value | example | 'numpy' (pybridge) | 'matlabengine' | 'py' (MATLAB's py.) |"
    """
    out = []
    for direction, head in (
        ("to Python", "| MATLAB value | example | 'numpy' (pybridge) | 'matlabengine' | 'py' (MATLAB's py.) |"),
        ("to MATLAB", "| Python value | example | 'numpy' (pybridge) | 'matlabengine' | 'py' (MATLAB's py.) |"),
    ):
        if out:
            out.append("")
        out += [head, "|---|---|---|---|---|"]
        for d, what, mexample, pyexample, *cells in RULES:
            if d != direction:
                continue
            example = mexample if direction == "to Python" else pyexample
            example = f"`{example}`".replace("|", "\\|")
            cells = [c.replace("|", "\\|") for c in cells]
            out.append(f"| {what} | {example} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def for_matlab(obj: Any) -> Any:
    """A Python result -> the objects MATLAB's ``py.`` hands back, each converting to one MATLAB value.

    The value is read with the ``'py'`` profile (:func:`to_mvalue`), then given
    the form that MATLAB's ``double``, ``single``, ``int8`` ... ``logical``,
    ``char``, ``struct`` and ``cell`` convert without loss: a 1 x 1 double is
    a float, a 1 x 1 logical a bool, a char row a str, every other numeric or
    logical value an ndarray of its class in MATLAB's shape (column-major, a
    view where possible; a 1 x 1 int8 stays an int8 array), a scalar struct a
    dict, a cell vector a list, a string array a list of str, a map a dict.
    ``None`` is a 0 x 0 double (MATLAB's ``[]``), as in every profile but
    matlabengine's.

    Raises
    ------
    TypeError
        What ``py.`` cannot hand back: char and cell matrices, struct arrays,
        sparse matrices, complex integers (the message says what to return
        instead), and types with no MATLAB equivalent.
    ValueError
        A dict key that is not a MATLAB field name.

    Examples
    --------
    >>> out = for_matlab({"n": 3, "x": 1.5})
    >>> out["n"].dtype, out["n"].shape, out["x"]
    (dtype('int64'), (1, 1), 1.5)
    """
    return _py_result(to_mvalue(obj, profile="py"))


def _py_result(v: Any) -> Any:
    kind = type(v).__name__
    if kind == "MArray":
        dims = tuple(int(d) for d in v.dims)
        if v.mclass == "char":
            if dims == (0, 0) or (len(dims) == 2 and dims[0] == 1 and dims[1] >= 1):
                return _chars_to_str(np.asarray(v.real))
            raise _refuse(f"a {_mshape(dims)} char array", "py", "return a list of str instead")
        if v.imag is not None and v.mclass in _INT_CLASSES:
            raise _refuse(f"a complex {v.mclass} array", "py", "return a complex float array instead")
        if dims == (1, 1) and v.imag is None and v.mclass in ("double", "logical"):
            x = np.asarray(v.real)[0]
            return bool(x) if v.mclass == "logical" else float(x)
        return _marray_data(v)
    if kind == "MCell":
        dims = tuple(int(d) for d in v.dims)
        if not _is_vector(dims) and int(np.prod(dims)) != 0:
            raise _refuse(f"a {_mshape(dims)} cell array", "py", "return a list (a cell row) instead")
        return [_py_result(x) for x in v.items]
    if kind == "MStruct":
        if tuple(v.dims) != (1, 1):
            raise _refuse(
                f"a {_mshape(tuple(v.dims))} struct array", "py",
                "return a list of dicts instead ([c{:}] in MATLAB makes the struct array)",
            )
        return {k: _py_result(x) for k, x in v.items[0].items()}
    if kind == "MString":
        items = list(v.items)
        return items[0] if tuple(v.dims) == (1, 1) else items
    if kind == "MMap":
        return {
            from_mvalue(k, profile="py"): _py_result(x)
            for k, x in zip(v.keys, v.values, strict=True)
        }
    if kind == "MSparse":
        raise _refuse(
            f"a {_mshape(tuple(v.dims))} sparse matrix", "py",
            "return S.toarray() (full), or its rows, columns and values for sparse() in MATLAB",
        )
    raise TypeError(_opaque_message(v.mclass, v.text))
