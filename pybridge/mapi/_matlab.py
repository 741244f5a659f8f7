"""Messages in MATLAB's terms, and the input checks every MATLAB-facing function shares.

A MATLAB user reads these messages at the MATLAB prompt, so they name the
arguments as the .m help does (``A``, ``B``, ``IMAGES``, ``'Threshold'``),
write values as MATLAB displays them (``0.8``, ``7``, ``[6 7]``, ``true``,
sizes as ``32x32x3``) and say what to type to fix the call. The checks run
before any model is loaded or trained, so a bad call fails at once.
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import convert
from .._errors import PyBridgeError

__all__: list[str] = []  # nothing here is callable from MATLAB

# numpy's scalar reprs (NumPy 2): np.float64(0.8), np.int64(6), np.True_, np.str_('a')
_NP_SCALAR = re.compile(r"\bnp\.(?:float|int|uint|complex|longdouble|intc|uintc)\w*\(([^()]*)\)")
_NP_BOOL = re.compile(r"\bnp\.(True|False)_")
_NP_STR = re.compile(r"\bnp\.str_\(([^()]*)\)")
_NP_ARRAY = re.compile(r"\barray\(\[([^\[\]]*)\](?:, dtype=\w+)?\)")
_STR_TUPLE = re.compile(r"\(('[^']*'(?:, '[^']*')+)\)")
_DTYPE_WORD = re.compile(r"\b(float64|float32|float16|bool)(?= array\b)")


def value(x: Any) -> str:
    """``x`` as MATLAB would show it in a message.

    Examples
    --------
    >>> value(np.float64(0.8)), value(7.0), value(np.array([6, 7])), value(True), value("a b")
    ('0.8', '7', '[6 7]', 'true', "'a b'")
    >>> value(np.zeros((3, 4)))
    'a 3x4 double array'
    """
    if x is None:
        return "[]"
    if isinstance(x, bool | np.bool_):
        return "true" if x else "false"
    if isinstance(x, str):
        return "'" + x.replace("'", "''") + "'"
    if isinstance(x, numbers.Real):
        return _number(x)
    if isinstance(x, Mapping):
        return "a struct with fields " + ", ".join(str(k) for k in x) if x else "an empty struct"
    if isinstance(x, list | tuple):
        if all(isinstance(v, str) for v in x):
            return "{" + ", ".join(value(v) for v in x) + "}"
        x = np.asarray(x) if all(isinstance(v, numbers.Real) for v in x) else x
        if not isinstance(x, np.ndarray):
            return f"a 1x{len(x)} cell"
    try:
        a = convert.from_matlab(x)
    except (TypeError, ValueError):
        return f"a {type(x).__name__}"
    if not isinstance(a, np.ndarray):
        return value(a)
    if a.size == 0:
        return "[]"
    if a.size == 1:
        return value(a.reshape(-1)[0].item())
    if a.ndim <= 2 and min(a.shape) == 1 and a.size <= 8 and a.dtype.kind in "biuf":
        return "[" + " ".join(value(v.item()) for v in a.reshape(-1)) + "]"
    return f"a {size(a.shape)} {convert.matlab_class(a)} array"


def _number(x: numbers.Real) -> str:
    f = float(x)
    if np.isnan(f):
        return "NaN"
    if np.isinf(f):
        return "Inf" if f > 0 else "-Inf"
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return f"{f:.6g}"


def size(shape: tuple[int, ...]) -> str:
    """A MATLAB-order shape as MATLAB writes a size: ``32x32x3`` (at least two numbers).

    Examples
    --------
    >>> size((32, 32, 3)), size((5,))
    ('32x32x3', '1x5')
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) < 2:
        shape = (1, *shape) if shape else (1, 1)
    return "x".join(str(s) for s in shape)


def describe(x: Any) -> str:
    """'a 32x32x3 uint8 array', 'a cell', 'a char'... for "got ..." in messages."""
    if isinstance(x, str):
        return "a char"
    if isinstance(x, list | tuple):
        return f"a 1x{len(x)} cell"
    if isinstance(x, Mapping):
        return "a struct"
    try:
        a = convert.from_matlab(x)
    except (TypeError, ValueError):
        return f"a Python {type(x).__name__}"
    if isinstance(a, np.ndarray):
        return f"a {size(a.shape)} {convert.matlab_class(a)} array"
    return value(a)


def tidy(message: str) -> str:
    """Python value reprs in ``message`` -> MATLAB values (``np.float64(0.8)`` -> ``0.8``).

    Examples
    --------
    >>> tidy("got [np.int64(6)] and np.float64(0.25), np.True_")
    'got [6] and 0.25, true'
    >>> tidy("one of ('a', 'b'); got array([0.5, 2.]) in a float64 array")
    "one of {'a', 'b'}; got [0.5 2.] in a double array"
    """
    message = _NP_SCALAR.sub(lambda m: m.group(1), message)
    message = _NP_BOOL.sub(lambda m: m.group(1).lower(), message)
    message = _NP_STR.sub(lambda m: m.group(1), message)
    message = _NP_ARRAY.sub(lambda m: "[" + " ".join(m.group(1).replace(",", " ").split()) + "]", message)
    message = _STR_TUPLE.sub(lambda m: "{" + m.group(1) + "}", message)
    message = _DTYPE_WORD.sub(lambda m: convert.matlab_class(np.dtype(m.group(1))), message)
    return message


def rename(message: str, names: Mapping[str, str]) -> str:
    """Python argument names -> the MATLAB names, where a message opens with one.

    Only a name that starts the message, or follows "; " or ": ", and is
    followed by a verb ("must", "has", "is"...) or "and" is renamed, so the
    article "a" in "a logical mask" stays as it is.
    """
    for py_name, m_name in names.items():
        message = re.sub(
            rf"(^|[;:] |\(|\band )({re.escape(py_name)})"
            r"(?= (?:must|has|have|holds|is|are|and|go|contains)\b)",
            lambda m, m_name=m_name: m.group(1) + m_name,
            message,
        )
    return message


_PASSED = (ValueError, TypeError, FileNotFoundError, PyBridgeError)


def matlab_errors(names: Mapping[str, str] | None = None) -> Callable:
    """Decorate a mapi function so the errors of the code it calls read in MATLAB's terms.

    The exception keeps its type (the .m side derives the error id from it)
    and chains the original (``raise ... from err``).
    """
    names = dict(names or {})

    def wrap(fn: Callable) -> Callable:
        import inspect

        options = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]

        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            unknown = [k for k in kwargs if k not in options]
            if unknown:
                import difflib

                close = difflib.get_close_matches(unknown[0], options, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise TypeError(
                    f"unknown option '{unknown[0]}'{hint}; valid options: "
                    + ", ".join(f"'{o}'" for o in options)
                )
            try:
                return fn(*args, **kwargs)
            except _PASSED as err:
                if not err.args or not isinstance(err.args[0], str):
                    raise
                text = rename(tidy(err.args[0]), names)
                if text == err.args[0]:
                    raise
                try:
                    new = type(err)(text, *err.args[1:])
                except Exception:  # an exception class with another constructor
                    raise err from None
                raise new from err

        return inner

    return wrap


def whole(x: Any, name: str, *, low: int) -> int:
    """A MATLAB number that must be whole and at least ``low``, named as in the .m help.

    Examples
    --------
    >>> whole(3.0, "'Epochs'", low=1)
    3
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not np.isfinite(x) or x != int(x):
        raise TypeError(f"{name} must be a whole number; got {value(x)}")
    if x < low:
        raise ValueError(f"{name} must be >= {low}; got {value(x)}")
    return int(x)


def fraction(x: Any, name: str) -> float:
    """A number strictly between 0 and 1 (thresholds)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 < x < 1:
        raise ValueError(f"{name} must be a number between 0 and 1; got {value(x)}")
    return float(x)


def share(x: Any, name: str) -> float:
    """A number in [0, 1) (the share of data held out)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 <= x < 1:
        raise ValueError(f"{name} must be a number in [0, 1); got {value(x)}")
    return float(x)


def choice(x: Any, name: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (case-insensitive, as MATLAB's validatestring), with the closest one."""
    if isinstance(x, str) and x.lower() in choices:
        return x.lower()
    import difflib

    close = difflib.get_close_matches(str(x).lower(), choices, n=1) if isinstance(x, str) else []
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    listed = ", ".join(f"'{c}'" for c in choices)
    raise ValueError(f"{name} must be one of {listed}; got {value(x)}{hint}")


# --------------------------------------------------------------------------
# image stacks
# --------------------------------------------------------------------------

_RGB_ADVICE = "convert colour images with rgb2gray (or im2gray) first"


def image_stack(x: Any, *, channels: int | None = None, name: str = "IMAGES") -> np.ndarray:
    """A MATLAB image stack -> numpy N x C x H x W, checked in MATLAB's terms.

    Parameters
    ----------
    x : MATLAB array H x W, H x W x N or H x W x C x N
    channels : int, optional
        The channel count the model was trained with. A 1-channel model
        refuses H x W x 3 x N, and also H x W x 3: one RGB image and three
        grey images look alike, so the message gives the fix for both.
        None (training): H x W x N is N grey images, H x W x C x N must
        have C = 1.
    name : str
        The argument's name in the .m help.

    Raises
    ------
    TypeError
        Not a real numeric or logical array.
    ValueError
        Empty, more than 4-D, or colour where grey is expected.

    Examples
    --------
    >>> image_stack(np.zeros((8, 9, 2), order="F")).shape
    (2, 1, 8, 9)
    """
    try:
        a = convert.from_matlab(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real numeric or logical array; got {describe(x)}") from err
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric or logical array; got {describe(x)}")
    if a.size == 0:
        raise ValueError(
            f"{name} is empty (size {size(a.shape)}); pass at least one H x W image "
            "(did a file fail to load, or an index select nothing?)"
        )
    if a.ndim > 4:
        raise ValueError(
            f"{name} must be H x W, H x W x N or H x W x C x N; got size {size(a.shape)}"
        )
    want = 1 if channels is None else int(channels)
    h, w = a.shape[:2]
    if a.ndim == 4 and a.shape[2] != want:
        if want == 1 and a.shape[2] == 3:
            raise ValueError(
                f"{name} is {size(a.shape)}: colour (RGB) images, but the model takes grey "
                f"images (H x W x 1 x N); {_RGB_ADVICE}, e.g. for k = 1:N, "
                "G(:, :, 1, k) = rgb2gray(IMAGES(:, :, :, k)); end"
            )
        raise ValueError(
            f"{name} must be H x W x {want} x N ({want} channel{'s' if want > 1 else ''} per "
            f"image, as the model was trained); got size {size(a.shape)}"
            + (f"; {_RGB_ADVICE}" if want == 1 else "")
        )
    if a.ndim == 3 and channels is not None:
        if want == 1 and a.shape[2] == 3:
            raise ValueError(
                f"{name} is {h}x{w}x3: one colour (RGB) image, or 3 grey images? The model "
                "takes grey images. A colour image: convert it with rgb2gray (or im2gray). "
                f"Three grey images: pass them as H x W x 1 x N, reshape(IMAGES, {h}, {w}, 1, 3)"
            )
        if want > 1:
            if a.shape[2] == want:
                return convert.matlab_to_numpy(a, "HWC")
            raise ValueError(
                f"{name} must be H x W x {want} or H x W x {want} x N for this {want}-channel "
                f"model; got size {size(a.shape)}"
            )
    if a.ndim == 2 and want > 1:
        raise ValueError(
            f"{name} is one grey image ({size(a.shape)}) but the model takes {want}-channel "
            f"images (H x W x {want} x N)"
        )
    return convert.matlab_to_numpy(a, "HWN" if a.ndim == 3 else ("HW" if a.ndim == 2 else "HWCN"))


def match_training(X: np.ndarray, record: Mapping | None, name: str = "IMAGES") -> np.ndarray:
    """Images of the class and scale the model was trained on, or a clear refusal.

    ``record`` holds the MATLAB class and the value range of the training
    images (None: nothing known, ``X`` is returned as it is). uint8 images
    given to a model trained on floating-point images in [0, 1] are scaled
    as ``im2double`` scales them (unambiguous); floating-point images far
    outside the training range are refused with the conversion to apply.
    """
    if not record or X.dtype == np.bool_:
        return X
    cls, lo, hi = str(record.get("class")), float(record.get("min", 0.0)), float(record.get("max", 1.0))
    trained = f"{cls} images in [{value(lo)}, {value(hi)}]"
    unit = cls in ("double", "single") and hi <= 1.0
    got_cls = convert.matlab_class(X)
    top = float(X.max()) if X.size else 0.0
    if unit and X.dtype == np.uint8:
        return X.astype(np.float32) / np.float32(255)
    if unit and X.dtype.kind in "iu":
        raise ValueError(
            f"{name} are {got_cls} (values up to {value(top)}) but the model was trained on "
            f"{trained}; convert them the way the training images were made, e.g. "
            f"im2double({name}) or double({name}) / {value(float(np.iinfo(X.dtype).max))}"
        )
    if unit and top > 2.0:
        raise ValueError(
            f"{name} hold values up to {value(top)} but the model was trained on {trained}; "
            f"scale them the same way, e.g. {name} / 255 for 8-bit images (im2double on the "
            "uint8 original)"
        )
    if not unit and hi >= 10.0 and top <= 1.0 and X.dtype.kind == "f":
        hint = f"e.g. im2uint8({name}) or {name} * 255" if cls == "uint8" else (
            f"as the training images were made (values up to about {value(hi)})"
        )
        raise ValueError(
            f"{name} are {got_cls} in [0, 1] but the model was trained on {trained}; give "
            f"images on the training scale, {hint}"
        )
    return X


def channels_of(est: Any) -> int:
    """The number of image channels a trained model takes (1 when it cannot tell)."""
    for attr in ("n_channels_", "in_channels_", "n_channels", "in_channels"):
        n = getattr(est, attr, None)
        if isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0:
            return int(n)
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is there whenever a network is
        return 1
    net = est if isinstance(est, torch.nn.Module) else getattr(est, "network_", None)
    if isinstance(net, torch.nn.Module):
        for m in net.modules():
            if isinstance(m, torch.nn.Conv2d):
                return int(m.in_channels)
    return 1
