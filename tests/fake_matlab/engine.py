"""A faithful fake of MATLAB's ``matlab.engine`` for tests where MATLAB is absent.

It follows matlabengine's documented public API ("Call MATLAB from Python"):

- ``start_matlab(option="-nodesktop", background=False)``, ``find_matlab()``,
  ``connect_matlab(name=None, background=False)``;
- an engine whose attributes are MATLAB functions:
  ``eng.fn(*args, nargout=1, background=False, stdout=None, stderr=None)``;
  ``nargout=0`` gives None, ``nargout > 1`` a tuple; ``stdout``/``stderr``
  must be ``io.StringIO``-like; Python keyword arguments are refused;
- ``background=True`` gives a ``FutureResult`` with ``result(timeout=None)``
  (raising ``TimeoutError``, ``CancelledError``), ``cancel()``,
  ``cancelled()``, ``done()``;
- ``eng.workspace[name]`` get and set, ``eng.eval`` (``nargout=1`` by default,
  as for every function: statements need ``nargout=0``), ``eng.feval``,
  ``quit()``/``exit()``, context manager;
- arguments and results follow pybridge.convert's ``'matlabengine'`` profile
  (MathWorks' "Pass Data to MATLAB from Python" and "Handle Data Returned
  from MATLAB to Python"): ``bool``/``int``/``float``/``complex``/``str``,
  ``list``/``tuple`` (cells), ``dict`` (structs) and the ``matlab`` array
  types in; a Python int arrives as int64; ``None`` and numpy arrays raise
  ``TypeError``. Results: 1 x 1 values are Python scalars, arrays
  ``matlab.double`` etc., char ``str``;
- errors: ``MatlabExecutionError`` whose text holds the MATLAB stack as
  ``File <file>, line <n>, in <name>`` lines, then the message;
  ``RejectedExecutionError`` after ``quit()`` or when MATLAB died.

MATLAB itself is played by a small table of Python functions (``plus``,
``sqrt``, ``max``, ``error``, ``disp``, ``pause``, ``evalin``...) working on
numpy copies of the arrays. Tests add their own "m-files" with
:func:`register`. :meth:`MatlabEngine._kill` stands in for a MATLAB crash.
"""

from __future__ import annotations

import concurrent.futures as _cf
import itertools
import re
import sys
import threading
import time

import numpy as np

from pybridge import convert

__all__ = [
    "start_matlab",
    "find_matlab",
    "connect_matlab",
    "MatlabEngine",
    "FutureResult",
    "MatlabExecutionError",
    "RejectedExecutionError",
    "EngineError",
    "CancelledError",
    "TimeoutError",
    "InterruptedError",
    "register",
    "unregister",
]


class MatlabExecutionError(Exception):
    """A MATLAB error (matlabengine's ``MatlabExecutionError``)."""


class RejectedExecutionError(Exception):
    """The engine has terminated."""


class EngineError(Exception):
    """MATLAB could not start or connect."""


CancelledError = _cf.CancelledError
TimeoutError = _cf.TimeoutError  # noqa: A001 - matlabengine exports its own name
InterruptedError = InterruptedError  # noqa: A001


class _MatlabError(Exception):
    """An error raised inside the fake MATLAB (becomes MatlabExecutionError)."""

    def __init__(self, identifier, message, stack=()):
        super().__init__(message)
        self.identifier = identifier
        self.message = message
        self.stack = list(stack)


_USER: dict = {}
_SHARED: dict = {}
_started = itertools.count(1)


def register(name, func, *, file=None):
    """Add an "m-file" to the fake MATLAB: ``func(nargout, *numpy_args) -> tuple``.

    Arguments arrive as numpy arrays (MATLAB shape, column-major values),
    str, list or dict; outputs are returned as a tuple of the same kinds.
    Errors raised with :func:`matlab_error` carry an identifier; any other
    exception becomes ``MATLAB:fake:pythonError``. The frame
    ``File <file>, line 1, in <name>`` is added to the stack of errors.
    """
    _USER[name] = (func, file or f"/fake/matlab/{name}.m")


def unregister(name):
    _USER.pop(name, None)


def matlab_error(identifier, message):
    """Raise a MATLAB error from a registered function."""
    raise _MatlabError(identifier, message)


# ---------------------------------------------------------------- conversion
# The fake converts through pybridge.convert's 'matlabengine' profile: the
# same table pybridge documents, so the fake cannot drift from it.


def _to_np(x):
    """A Python argument, as matlabengine takes it -> the fake MATLAB's value (numpy profile)."""
    if isinstance(x, np.ndarray):
        raise TypeError(
            f"unsupported Python data type: numpy.ndarray (pass a matlab.{x.dtype} array)"
        )
    return _internal(convert.to_mvalue(x, profile="matlabengine"))


def _internal(m):
    """A MATLAB value -> the fake's own form: numeric values always as arrays in MATLAB's shape."""
    kind = type(m).__name__
    if kind == "MArray" and m.mclass != "char":
        return np.asarray(convert.from_mvalue(m, profile="numpy")).reshape(m.dims, order="F")
    if kind == "MCell":
        return [_internal(v) for v in m.items]
    if kind == "MStruct" and m.dims == (1, 1):
        return {k: _internal(v) for k, v in m.items[0].items()}
    return convert.from_mvalue(m, profile="numpy")


def _from_np(v):
    """The fake MATLAB's value -> what matlabengine hands to Python."""
    return convert.from_mvalue(convert.to_mvalue(v, profile="numpy"), profile="matlabengine")


def _class(v):
    m = convert.to_mvalue(v, profile="numpy")
    kind = type(m).__name__
    return {"MCell": "cell", "MStruct": "struct", "MString": "string"}.get(
        kind, getattr(m, "mclass", "double")
    )


def _scalar(v):
    return np.asarray(v).ravel()[0].item()


# ---------------------------------------------------------- the fake MATLAB
class _Session:
    """The state of one fake MATLAB process."""

    def __init__(self):
        self.base = {}
        self.path = []
        self.lasterr = ("", "")
        self.cancel_event = threading.Event()

    def out(self, stream, text):
        (stream or sys.stdout).write(text)

    # each builtin: (session, nargout, args, stdout, stderr) -> tuple of outputs
    def builtin(self, name):
        return getattr(self, "f_" + name, None)

    def f_plus(self, n, a, o, e):
        return (np.asarray(a[0]) + np.asarray(a[1]),)

    def f_minus(self, n, a, o, e):
        return (np.asarray(a[0]) - np.asarray(a[1]),)

    def f_times(self, n, a, o, e):
        return (np.asarray(a[0]) * np.asarray(a[1]),)

    def f_sqrt(self, n, a, o, e):
        return (np.sqrt(np.asarray(a[0], dtype=float)),)

    def f_eq(self, n, a, o, e):
        return (np.asarray(a[0]) == np.asarray(a[1]),)

    def f_size(self, n, a, o, e):
        shape = np.shape(a[0]) if not isinstance(a[0], str) else (1, len(a[0]))
        if n <= 1:
            return (np.array([shape], dtype=float),)
        return tuple(float(s) for s in shape[:n])

    def f_class(self, n, a, o, e):
        return (_class(a[0]),)

    def f_zeros(self, n, a, o, e):
        dims = [int(_scalar(x)) for x in a if not isinstance(x, str)]
        cls = next((x for x in a if isinstance(x, str)), "double")
        dt = convert.MATLAB_CLASSES.get(cls)
        return (np.zeros(dims if len(dims) > 1 else dims * 2, dtype=dt),)

    def f_ones(self, n, a, o, e):
        dims = [int(_scalar(x)) for x in a]
        return (np.ones(dims if len(dims) > 1 else dims * 2),)

    def f_max(self, n, a, o, e):
        x = np.asarray(a[0])
        v = x.reshape(-1, order="F") if 1 in x.shape else x
        if v.ndim == 1:
            i = int(np.argmax(v))
            return (np.asarray(v[i]), float(i + 1))[: max(n, 1)]
        i = np.argmax(v, axis=0)
        return (v.max(axis=0, keepdims=True), (i + 1.0)[None])[: max(n, 1)]

    def f_uint8(self, n, a, o, e):
        return (np.clip(np.round(np.asarray(a[0], dtype=float)), 0, 255).astype(np.uint8),)

    def f_isequal(self, n, a, o, e):
        x, y = a[0], a[1]
        same = (isinstance(x, str) and x == y) or (
            not isinstance(x, str) and np.shape(x) == np.shape(y) and np.array_equal(x, y)
        )
        return (np.full((1, 1), bool(same)),)

    def f_struct(self, n, a, o, e):
        return ({a[i]: a[i + 1] for i in range(0, len(a), 2)},)

    def f_num2cell(self, n, a, o, e):
        x = np.asarray(a[0])
        return ([np.full((1, 1), v) for v in x.ravel(order="F")],)

    def f_disp(self, n, a, o, e):
        if n:
            raise _MatlabError("MATLAB:TooManyOutputs", "Too many output arguments.")
        x = a[0]
        self.out(o, (x if isinstance(x, str) else np.array2string(np.asarray(x))) + "\n")
        return ()

    def f_warning(self, n, a, o, e):
        msg = a[-1] if len(a) == 1 else a[1]
        (e or sys.stderr).write(f"Warning: {msg}\n")
        return ()

    def f_error(self, n, a, o, e):
        if len(a) >= 2 and isinstance(a[0], str) and re.fullmatch(r"\w+(:\w+)+", a[0]):
            ident, fmt, rest = a[0], a[1], a[2:]
        else:
            ident, fmt, rest = "", a[0], a[1:]
        msg = fmt % tuple(_scalar(r) for r in rest) if rest else fmt
        raise _MatlabError(ident, msg)

    def f_lasterr(self, n, a, o, e):
        return self.lasterr[: max(n, 1)]

    def f_pause(self, n, a, o, e):
        end = time.monotonic() + float(_scalar(a[0]))
        while time.monotonic() < end:
            if self.cancel_event.wait(0.01):
                raise _cf.CancelledError("the MATLAB function was cancelled")
        return ()

    def f_addpath(self, n, a, o, e):
        old = ":".join(self.path)
        for p in a:
            if isinstance(p, str) and p not in self.path:
                self.path.insert(0, p)
        return (old,) if n else ()

    def f_exist(self, n, a, o, e):
        found = a[0] in self.base or a[0] in _USER or self.builtin(a[0]) is not None
        if len(a) > 1 and a[1] == "var":
            found = a[0] in self.base
        return (float(found),)

    def f_assignin(self, n, a, o, e):
        self.base[a[1]] = a[2]
        return ()

    def f_evalin(self, n, a, o, e):
        return self.f_eval(n, a[1:], o, e)

    def f_eval(self, n, a, o, e):
        """A tiny MATLAB: statements ``name = expr``, ``expr`` or ``f(expr, ...)``, split by ';'."""
        statements = [st for st in _split_top(a[0], ";") if st.strip()]
        result = ()
        for k, code in enumerate(statements):
            code = code.strip()
            m = re.fullmatch(r"([A-Za-z]\w*)\s*=\s*(.+)", code, re.S)
            if m:
                self.base[m.group(1)] = self._expr(m.group(2), o, e)
            elif n and k == len(statements) - 1:
                result = (self._expr(code, o, e),)
            else:
                self._expr(code, o, e, nargout=0)
        return result

    def _expr(self, text, o, e, nargout=1):
        text = text.strip()
        if re.fullmatch(r"[A-Za-z]\w*", text):
            if text in self.base:
                return self.base[text]
            if text in ("true", "false"):
                return np.full((1, 1), text == "true")
            return (
                self.call(text, [], nargout, o, e)[0] if nargout else self.call(text, [], 0, o, e)
            )
        m = re.fullmatch(r"([A-Za-z]\w*)\((.*)\)", text, re.S)
        if m:
            args = [self._expr(x, o, e) for x in _split_args(m.group(2))]
            outs = self.call(m.group(1), args, nargout, o, e)
            return outs[0] if nargout else None
        if text.startswith("'") and text.endswith("'"):
            return text[1:-1].replace("''", "'")
        if text.startswith("[") and text.endswith("]"):
            rows = [r.replace(",", " ").split() for r in text[1:-1].split(";") if r.strip()]
            return np.array([[float(v) for v in r] for r in rows]).reshape(len(rows), -1)
        try:
            return np.full((1, 1), float(text))
        except ValueError:
            raise _MatlabError(
                "MATLAB:m_illegal_character", f"the fake MATLAB cannot parse: {text}"
            ) from None

    def call(self, name, args, nargout, stdout, stderr):
        if name in _USER:
            func, file = _USER[name]
            try:
                outs = func(nargout, *args)
            except _MatlabError as err:
                err.stack.append((file, name, 1))
                raise
            except Exception as err:  # noqa: BLE001 - a bug in a registered function
                raise _MatlabError(
                    "MATLAB:fake:pythonError", f"{type(err).__name__}: {err}", [(file, name, 1)]
                ) from err
            outs = tuple(outs) if isinstance(outs, (tuple, list)) else (outs,)
        else:
            fn = self.builtin(name)
            if fn is None:
                raise _MatlabError(
                    "MATLAB:UndefinedFunction",
                    f"Undefined function '{name}' for input arguments of type "
                    f"'{_class(args[0]) if args else 'double'}'.",
                )
            outs = fn(nargout, args, stdout, stderr)
        if nargout > len(outs):
            raise _MatlabError("MATLAB:TooManyOutputs", "Too many output arguments.")
        return outs[:nargout]


def _split_args(s):
    return _split_top(s, ",")


def _split_top(s, sep):
    """Split ``s`` at ``sep`` outside quotes and brackets."""
    parts, depth, cur, quote = [], 0, "", False
    for ch in s:
        if ch == "'":
            quote = not quote
        if not quote and ch in "([":
            depth += 1
        elif not quote and ch in ")]":
            depth -= 1
        if ch == sep and depth == 0 and not quote:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


# ---------------------------------------------------------- public classes
class FutureResult:
    """matlabengine's future: ``result(timeout=None)``, ``cancel()``, ``done()``."""

    def __init__(self, future, session=None):
        self._future = future
        self._session = session

    def result(self, timeout=None):
        return self._future.result(timeout)

    def cancel(self):
        if self._future.cancel():
            return True
        if self._future.done():
            return False
        if self._session is not None:
            self._session.cancel_event.set()  # interrupts a running pause()
        return True

    def cancelled(self):
        return self._future.cancelled()

    def done(self):
        return self._future.done()


class _Workspace:
    def __init__(self, engine):
        self._engine = engine

    def __getitem__(self, name):
        self._engine._check_open()
        if name not in self._engine._session.base:
            raise MatlabExecutionError(f"Undefined function or variable '{name}'.")
        return _from_np(self._engine._session.base[name])

    def __setitem__(self, name, value):
        self._engine._check_open()
        self._engine._session.base[name] = _to_np(value)


class MatlabFunc:
    def __init__(self, engine, name):
        self._engine = engine
        self._name = name

    def __call__(self, *args, **kwargs):
        return self._engine.feval(self._name, *args, **kwargs)


class MatlabEngine:
    def __init__(self, name=None):
        self._session = _Session()
        self._closed = False
        self._killed = False
        self._pool = _cf.ThreadPoolExecutor(max_workers=1)
        self.name = name
        self.workspace = _Workspace(self)

    def _check_open(self):
        if self._killed:
            raise RejectedExecutionError("MATLAB has terminated unexpectedly")
        if self._closed:
            raise RejectedExecutionError("MATLAB has already terminated")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return MatlabFunc(self, name)

    def feval(self, name, *args, nargout=1, background=False, stdout=None, stderr=None, **kw):
        if kw:
            raise TypeError(f"{sorted(kw)[0]!r} is an invalid keyword argument for this function")
        if not isinstance(nargout, int) or isinstance(nargout, bool) or nargout < 0:
            raise ValueError("nargout must be a non-negative int")
        for s in (stdout, stderr):
            if s is not None and not hasattr(s, "getvalue"):
                raise TypeError("stdout and stderr must be StringIO objects")
        self._check_open()
        margs = [_to_np(a) for a in args]  # TypeError for numpy arrays, as matlabengine
        session = self._session

        def run():
            self._check_open()
            session.cancel_event.clear()
            try:
                outs = session.call(name, margs, nargout, stdout, stderr)
            except _MatlabError as err:
                session.lasterr = (err.message, err.identifier)
                frames = "".join(f"  File {f}, line {ln}, in {fn}\n" for f, fn, ln in err.stack)
                raise MatlabExecutionError(f"\n{frames}{err.message}\n") from None
            self._check_open()
            if nargout == 0:
                return None
            if nargout == 1:
                return _from_np(outs[0])
            return tuple(_from_np(v) for v in outs)

        future = self._pool.submit(run)
        if background:
            return FutureResult(future, session)
        return future.result()

    def eval(self, code, nargout=1, **kw):
        return self.feval("eval", code, nargout=nargout, **kw)

    def quit(self):
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    exit = quit

    def _kill(self):
        """Test hook: MATLAB crashes (later calls raise RejectedExecutionError)."""
        self._killed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()


def start_matlab(option="-nodesktop", background=False):
    if not isinstance(option, str):
        raise TypeError("option must be a str")
    next(_started)
    eng = MatlabEngine()
    if background:
        f = _cf.Future()
        f.set_result(eng)
        return FutureResult(f)
    return eng


def find_matlab():
    """Names of the shared MATLAB sessions (none unless connect_matlab made one)."""
    return tuple(_SHARED)


def connect_matlab(name=None, background=False):
    if name is None:
        if not _SHARED:
            _SHARED["MATLAB_fake_1"] = MatlabEngine("MATLAB_fake_1")
        name = next(iter(_SHARED))
    if name not in _SHARED:
        raise EngineError(f"Unable to connect to MATLAB session '{name}'")
    eng = _SHARED[name]
    if background:
        f = _cf.Future()
        f.set_result(eng)
        return FutureResult(f)
    return eng
