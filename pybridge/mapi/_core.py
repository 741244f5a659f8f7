"""The core of the MATLAB-facing API: the dispatcher and the value conversions.

MATLAB wrappers (``matlab/+pybridge/*.m``) never call a mapi function by a
dynamic name: they all go through :func:`call`, whose name is static, so the
same .m code runs on MATLAB's ``py.`` and on pybridge's ``py.`` for GNU Octave.
Every result is passed through :func:`from_python` so MATLAB only ever sees
numpy arrays in MATLAB's layout, dicts with valid field names, lists, str,
float, bool and None.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np  # noqa: F401  (the doctests use it)

from .. import convert

__all__ = ["call", "to_python", "from_python", "ping"]

_PRIVATE = frozenset({"call"})


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the mapi function ``name`` and prepare its result for MATLAB.

    This is the single entry point of the .m wrappers:
    ``py.pybridge.mapi.call('dice', A, B, pyargs('batch', true))``.

    Parameters
    ----------
    name : str
        A public function of :mod:`pybridge.mapi` (listed in its ``__all__``).
    *args, **kwargs
        Passed on unchanged; the mapi function converts them with
        :mod:`pybridge.convert`.

    Returns
    -------
    object
        The function's result after :func:`from_python`.

    Raises
    ------
    ValueError
        ``name`` is not a mapi function.

    Examples
    --------
    >>> call("ping")
    'pong'
    """
    from .. import mapi

    if not isinstance(name, str) or name in _PRIVATE or name not in mapi.__all__:
        import difflib

        known = sorted(set(mapi.__all__) - _PRIVATE)
        hint = difflib.get_close_matches(str(name), known, n=1)
        raise ValueError(
            f"pybridge.mapi has no function {name!r}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
            + f"; known: {', '.join(known)}"
        )
    return from_python(getattr(mapi, name)(*args, **kwargs))


def ping() -> str:
    """Answer ``'pong'``: lets ``pybridge.setup`` check the round trip.

    Examples
    --------
    >>> ping()
    'pong'
    """
    return "pong"


def to_python(x: Any, *, layout: str | None = None) -> Any:
    """A MATLAB value as pybridge's Python functions take it.

    What MATLAB's ``py.`` passes (memoryview, array.array or ndarray in
    MATLAB's layout, float, bool, int, str, tuple for a cell, dict for a
    struct) is read with :mod:`pybridge.convert`'s ``'py'`` profile and handed
    over under its lossless ``'numpy'`` profile.

    Parameters
    ----------
    x : MATLAB value as ``py.`` passes it
    layout : {'HWCN', 'HWC', 'HWN', 'HW'}, optional
        Read ``x`` as a MATLAB image stack and return numpy N x C x H x W.

    Returns
    -------
    ndarray or float or bool or str or dict or list
        Arrays keep MATLAB's shape (at least 2-D) unless ``layout`` is given;
        memory is viewed, not copied; a cell (tuple) is a list at any depth.

    Examples
    --------
    >>> import array
    >>> to_python(array.array("d", [1, 2, 3])).shape
    (1, 3)
    >>> to_python(np.zeros((8, 9, 1, 2), order="F"), layout="HWCN").shape
    (2, 1, 8, 9)
    >>> to_python({"a": (1.0, "x")})              # a struct holding a cell
    {'a': [1.0, 'x']}
    """
    if layout is not None:
        return convert.matlab_to_numpy(x, str(layout))
    return convert.from_mvalue(convert.to_mvalue(x, profile="py"), profile="numpy")


def from_python(x: Any) -> Any:
    """Any Python result -> objects MATLAB converts with ``double``/``struct``/``cell``/``char``.

    :func:`pybridge.convert.for_matlab`: arrays (ndarray, memoryview,
    array.array, torch tensors) become column-major ndarrays of their MATLAB
    class (at least 2-D); numpy and Python integers 1 x 1 integer arrays (a
    Python int is int64); floats float, bools bool; dicts keep str keys that
    are valid MATLAB field names; lists, tuples and sets become lists; str
    stays str; None is a 0 x 0 double (MATLAB's ``[]``).

    Raises
    ------
    TypeError
        A value with no MATLAB equivalent, or one ``py.`` cannot hand back
        (struct arrays, sparse matrices...): the message says what to return.
    ValueError
        A dict key that is not a MATLAB field name.

    Examples
    --------
    >>> out = from_python({"a": np.arange(3), "b": [1.5, "x"]})
    >>> out["a"].shape, out["b"]
    ((1, 3), [1.5, 'x'])
    """
    return convert.for_matlab(x)


def _field_name(key: Any) -> str:
    """``key`` if it is a valid MATLAB field name (convert owns the rule), else ValueError."""
    (name,) = convert.dict_to_struct({key: None})
    return name


def whole_number(value: Any, name: str, *, low: int) -> int:
    """A MATLAB number that must be whole and at least ``low`` (epochs, seeds, counts), as int.

    Raises
    ------
    TypeError
        Not a whole number (``true``, ``2.5``, text).
    ValueError
        Below ``low``.

    Examples
    --------
    >>> whole_number(3.0, "epochs", low=1)
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != int(value):
        raise TypeError(f"{name} must be a whole number; got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}; got {value!r}")
    return int(value)
