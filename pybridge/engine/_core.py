"""The backend-neutral engine: matlabengine's call protocol on top of a backend.

A backend (:mod:`._octave`, :mod:`._matlab`) knows how to start a process,
call one function and move values; :class:`Engine` gives every backend the
same face: attribute calls with ``nargout``, ``stdout``/``stderr`` streams,
``background=True`` futures, per-call timeouts, ``eval``/``feval``/
``addpath``/``workspace``, restart of a dead process, and conversion of
arguments and results through :mod:`pybridge.convert` under one of its
profiles (``'numpy'`` for :func:`pybridge.engine.start_matlab`,
``'matlabengine'`` for the ``matlab.engine`` compatibility package).
"""

from __future__ import annotations

import concurrent.futures as _cf
import sys
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import convert
from ._errors import (
    EngineClosedError,
    EngineDiedError,
    EngineError,
    MatlabExecutionError,
)

__all__ = ["Engine", "FutureResult", "Backend"]


class Backend:
    """What :class:`Engine` needs from a backend (the Octave and MATLAB ones).

    A backend with ``mvalues = True`` exchanges the MATLAB value model
    (:mod:`pybridge._mtypes`): ``call`` and ``set_var`` receive ``MArray``,
    ``MCell``... values and ``call``/``get_var`` return them; :class:`Engine`
    converts with :func:`pybridge.convert.to_mvalue`/``from_mvalue`` and the
    backend never sees a Python object. A backend with ``mvalues = False``
    converts arguments itself in ``to_engine`` and returns values that
    :func:`to_python` reads.

    A MATLAB error in the called code is raised as
    :class:`~pybridge.engine.MatlabExecutionError` (a plain ``EngineError``
    is taken as one).
    """

    name = ""
    mvalues = False

    def alive(self) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def restart(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def call(self, name, args, nargout, *, stdout, stderr, timeout) -> list:  # pragma: no cover
        """Run ``name(*args)`` with ``nargout`` outputs; return them as Python values."""
        raise NotImplementedError

    def to_engine(self, value: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def to_mvalue(self, value: Any, profile: str) -> Any:
        """A Python argument -> what ``call``/``set_var`` take, for ``mvalues`` backends.

        The MATLAB value model (:func:`pybridge.convert.to_mvalue`); a backend
        may return a value of its own transport for values it sends faster
        (the Octave backend: large arrays not in column-major order).
        """
        return convert.to_mvalue(value, profile=profile)

    def interrupt(self) -> bool:
        """Interrupt the call in progress (MATLAB's Ctrl-C); the call raises CancelledError."""
        return False

    def get_var(self, name: str, *, timeout) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def set_var(self, name: str, value: Any, *, timeout) -> None:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def pid(self) -> int | None:
        return None


def to_python(value: Any) -> Any:
    """An engine's value -> what pybridge hands to Python users.

    Numeric and logical arrays become numpy arrays in MATLAB's shape (at least
    2-D, column-major element order kept) with the dtype of their MATLAB
    class; 1 x 1 values become Python scalars (``float``, ``int``, ``bool``),
    as matlabengine returns them; char is ``str``, a struct a ``dict``, a
    cell a ``list``.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): to_python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_python(v) for v in value]
    a = convert.from_matlab(value)
    if isinstance(a, np.ndarray) and a.size == 1 and a.ndim == 2:
        return a.item()
    return a


def _from_backend(value: Any, backend: Backend, profile: str) -> Any:
    """A backend's result -> the Python value ``profile`` gives it."""
    if backend.mvalues:
        return convert.from_mvalue(value, profile=profile)
    py = to_python(value)
    if profile == "numpy":
        return py
    return convert.from_mvalue(convert.to_mvalue(py, profile="numpy"), profile=profile)


class FutureResult:
    """The result of a ``background=True`` call, as matlabengine's ``FutureResult``.

    ``result(timeout=None)`` waits and returns the value (raising the call's
    error, :class:`TimeoutError` when ``timeout`` seconds pass first, or
    :class:`concurrent.futures.CancelledError`); ``cancel()`` cancels a call
    that has not started yet and interrupts one that is running (MATLAB's
    Ctrl-C; the engine stays usable); ``done()`` and ``cancelled()`` ask.
    """

    def __init__(self, future: _cf.Future, canceller: Any = None) -> None:
        self._future = future
        self._canceller = canceller
        self._cancel_requested = False

    def result(self, timeout: float | None = None) -> Any:
        try:
            return self._future.result(timeout)
        except _cf.TimeoutError as err:
            raise TimeoutError(
                f"the background call did not finish within {timeout} s; it is still running "
                "(call result() again to keep waiting)"
            ) from err

    def cancel(self) -> bool:
        if self._future.cancel():
            return True
        if self._future.done() or self._canceller is None:
            return False
        self._cancel_requested = True
        return bool(self._canceller())

    def cancelled(self) -> bool:
        if self._future.cancelled():
            return True
        return (
            self._cancel_requested
            and self._future.done()
            and isinstance(self._future.exception(), _cf.CancelledError)
        )

    def done(self) -> bool:
        return self._future.done()

    def __repr__(self) -> str:
        state = "cancelled" if self.cancelled() else "done" if self.done() else "pending"
        return f"<FutureResult {state}>"


class _Function:
    """``eng.name``: a callable MATLAB function, as matlabengine's ``MatlabFunc``."""

    def __init__(self, engine: Engine, name: str) -> None:
        self._engine = engine
        self._name = name

    def __call__(
        self,
        *args: Any,
        nargout: int = 1,
        background: bool = False,
        stdout: Any = None,
        stderr: Any = None,
        timeout: float | None = None,
    ) -> Any:
        return self._engine.feval(
            self._name,
            *args,
            nargout=nargout,
            background=background,
            stdout=stdout,
            stderr=stderr,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"<MATLAB function {self._name!r} on {self._engine!r}>"


class Workspace:
    """``eng.workspace``: MATLAB's base workspace as a mapping (get, set, ``in``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __getitem__(self, name: str) -> Any:
        _check_name(name)
        if name not in self:
            raise KeyError(f"{name!r} is not a variable in the MATLAB base workspace")
        eng = self._engine
        value = eng._run(lambda b, t: [b.get_var(name, timeout=t)], None)[0]
        return value if eng._raw else _from_backend(value, eng._backend, eng._profile)

    def __setitem__(self, name: str, value: Any) -> None:
        _check_name(name)
        b = self._engine
        b._run(lambda be, t: be.set_var(name, b._convert_arg(value), timeout=t) or [], None)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or not name.isidentifier():
            return False
        found = self._engine.feval("evalin", "base", f"exist('{name}', 'var')")
        return bool(np.asarray(found).reshape(-1)[0]) if np.size(found) else False

    def __repr__(self) -> str:
        return f"<workspace of {self._engine!r}>"


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ValueError(
            f"a MATLAB variable name is a letter followed by letters, digits or underscores; "
            f"got {name!r}"
        )


def _check_nargout(nargout: Any) -> int:
    if isinstance(nargout, bool) or not isinstance(nargout, (int, np.integer)) or nargout < 0:
        raise TypeError(f"nargout must be a non-negative int; got {nargout!r}")
    return int(nargout)


def _check_stream(stream: Any, what: str) -> None:
    if stream is not None and not callable(getattr(stream, "write", None)):
        raise TypeError(
            f"{what} must be a writable text stream such as io.StringIO(); got "
            f"{type(stream).__name__}"
        )


class Engine:
    """A running MATLAB or GNU Octave session, driven like matlabengine's ``MatlabEngine``.

    Create one with :func:`pybridge.engine.start_matlab`. Any MATLAB function
    is an attribute: ``eng.sqrt(2.0)``, ``mask, img = eng.massSegment(img, roi,
    nargout=2)``. Each call takes the keyword options

    - ``nargout`` (default 1): 0 returns None, 1 the value, k > 1 a tuple;
    - ``stdout``/``stderr``: text streams (``io.StringIO``) that receive what
      the function prints (default: ``sys.stdout``/``sys.stderr``);
    - ``background=True``: return a :class:`FutureResult` at once;
    - ``timeout``: seconds before the call is interrupted with
      :class:`~pybridge.engine.EngineTimeoutError` (default: the engine's).

    Arguments and results cross through :func:`pybridge.convert.to_mvalue`
    and :func:`pybridge.convert.from_mvalue` under the engine's ``profile``
    (README, "The conversion rules"): with ``'numpy'`` numpy arrays in any
    memory order, bools, ints (MATLAB ``int64``, as in matlabengine), floats,
    complex, str, dicts (structs), lists and tuples (cells), scipy.sparse,
    and results as numpy arrays in MATLAB's shape, 1 x 1 doubles as ``float``.
    ``raw=True`` at start hands back the backend's own values instead.

    Attributes
    ----------
    backend : str
        ``'matlab'`` or ``'octave'``.
    restarts : int
        How many times a dead MATLAB/Octave process was replaced.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        timeout: float | None = None,
        raw: bool = False,
        profile: str = "numpy",
    ):
        if profile not in convert.PROFILES:
            raise ValueError(f"'profile' must be one of {convert.PROFILES}; got {profile!r}")
        self._profile = profile
        self._backend = backend
        self._timeout = timeout
        self._raw = raw
        self._lock = threading.RLock()
        self._executor: _cf.ThreadPoolExecutor | None = None
        self._closed = False
        self._paths: list[str] = []
        self._died = False
        self._running: object | None = None
        self._cancelled: set = set()
        self.restarts = 0

    # ------------------------------------------------------------------ info
    @property
    def backend(self) -> str:
        return self._backend.name

    @property
    def pid(self) -> int | None:
        """The process id of MATLAB/Octave (None where the backend does not say)."""
        return self._backend.pid

    @property
    def workspace(self) -> Workspace:
        return Workspace(self)

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"pid {self.pid}"
        return f"<pybridge Engine backend={self.backend!r} {state}>"

    def __getattr__(self, name: str) -> _Function:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Function(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()))

    # ------------------------------------------------------------ the calls
    def feval(
        self,
        name: str,
        *args: Any,
        nargout: int = 1,
        background: bool = False,
        stdout: Any = None,
        stderr: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """Call the MATLAB function ``name`` with ``args`` (see the class notes).

        Example
        -------
        >>> from pybridge.engine import start_matlab     # doctest: +SKIP
        >>> with start_matlab(backend="octave") as eng:   # doctest: +SKIP
        ...     eng.feval("max", [3.0, 7.0, 5.0], nargout=2)
        (7.0, 2.0)
        """
        if not isinstance(name, str) or not name:
            raise TypeError(f"the function name must be a non-empty str; got {name!r}")
        nargout = _check_nargout(nargout)
        _check_stream(stdout, "stdout")
        _check_stream(stderr, "stderr")
        if self._closed:
            raise EngineClosedError(
                f"cannot call {name!r}: this {self.backend} engine has quit; "
                "start a new one with pybridge.engine.start_matlab()",
                backend=self.backend,
            )
        margs = [self._convert_arg(a) for a in args]
        if name == "addpath":
            self._remember_paths(args)

        token = object()

        def work(backend: Backend, t: float | None) -> list:
            out = stdout if stdout is not None else sys.stdout
            err = stderr if stderr is not None else sys.stderr
            if token in self._cancelled:
                self._cancelled.discard(token)
                raise _cf.CancelledError(f"the call to {name!r} was cancelled before it started")
            self._running = token
            try:
                return backend.call(name, margs, nargout, stdout=out, stderr=err, timeout=t)
            finally:
                self._running = None

        def finish() -> Any:
            outs = self._run(work, timeout, what=name)
            if not self._raw:
                outs = [_from_backend(v, self._backend, self._profile) for v in outs]
            if nargout == 0:
                return None
            if nargout == 1:
                return outs[0]
            return tuple(outs)

        if background:
            return FutureResult(self._pool().submit(finish), lambda: self._cancel(token))
        return finish()

    def eval(
        self,
        code: str,
        *,
        nargout: int = 1,
        background: bool = False,
        stdout: Any = None,
        stderr: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """Evaluate MATLAB ``code`` in the base workspace, as ``eng.eval`` does.

        As in matlabengine, ``nargout`` is 1 by default: statements that
        return nothing (assignments, ``disp``) need ``nargout=0``.

        Example
        -------
        >>> eng.eval("x = magic(3);", nargout=0)         # doctest: +SKIP
        >>> eng.workspace["x"][0, 0]                     # doctest: +SKIP
        8.0
        """
        if not isinstance(code, str):
            raise TypeError(f"eval takes MATLAB code as a str; got {type(code).__name__}")
        return self.feval(
            "evalin",
            "base",
            code,
            nargout=nargout,
            background=background,
            stdout=stdout,
            stderr=stderr,
            timeout=timeout,
        )

    def addpath(self, *paths: str, nargout: int = 0, **kwargs: Any) -> Any:
        """Add folders to the MATLAB path; they are added again after a restart."""
        return self.feval("addpath", *[str(p) for p in paths], nargout=nargout, **kwargs)

    # ---------------------------------------------------------- lifecycle
    def quit(self) -> None:
        """Stop MATLAB/Octave. Further calls raise :class:`EngineClosedError`."""
        if self._closed:
            return
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        with self._lock:
            self._backend.close()

    exit = quit

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.quit()

    def __del__(self) -> None:
        try:
            if not self._closed:
                self._backend.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    # ----------------------------------------------------------- internals
    def _pool(self) -> _cf.ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = _cf.ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix=f"pybridge-{self.backend}"
                )
            return self._executor

    def _cancel(self, token: object) -> bool:
        """Cancel the background call ``token``: interrupt it if running, else mark it."""
        if self._running is token:
            return self._backend.interrupt()
        self._cancelled.add(token)
        return True

    def _convert_arg(self, a: Any) -> Any:
        try:
            if self._backend.mvalues:
                return self._backend.to_mvalue(a, self._profile)
            if self._profile != "numpy":
                convert.to_mvalue(a, profile=self._profile)  # the profile's refusals
            return self._backend.to_engine(a)
        except (TypeError, ValueError) as err:
            raise type(err)(f"cannot pass this argument to {self.backend}: {err}") from err

    def _remember_paths(self, args: tuple) -> None:
        for a in args:
            if isinstance(a, str) and not a.startswith("-") and a not in self._paths:
                self._paths.append(a)

    def _run(self, work, timeout: float | None, *, what: str = "call") -> list:
        """Run ``work(backend, timeout)`` under the lock, restarting a dead process first."""
        t = timeout if timeout is not None else self._timeout
        with self._lock:
            if self._closed:
                raise EngineClosedError(
                    f"this {self.backend} engine has quit", backend=self.backend
                )
            if self._died or not self._backend.alive():
                self._backend.restart()
                self.restarts += 1
                self._died = False
                if self._paths:
                    paths = [self._convert_arg(p) for p in self._paths]
                    self._backend.call("addpath", paths, 0, stdout=None, stderr=None, timeout=t)
            try:
                return work(self._backend, t)
            except EngineDiedError:
                self._died = True
                raise
            except EngineError as err:
                if type(err) is EngineError and err.identifier != "pybridge:engine:timeout":
                    # a backend's plain EngineError is an error of the MATLAB code called
                    raise MatlabExecutionError(
                        err.message, identifier=err.identifier, stack=err.stack,
                        backend=err.backend,
                    ) from err
                raise
            except (TypeError, ValueError, _cf.CancelledError):
                raise
            except Exception as err:  # a backend failure we did not foresee
                if not self._backend.alive():
                    self._died = True
                    raise EngineDiedError(
                        f"{self.backend} died during {what!r} ({type(err).__name__}: {err}); "
                        "its workspace is lost and the next call starts a fresh process",
                        backend=self.backend,
                    ) from err
                raise EngineError(
                    f"{self.backend} failed during {what!r}: {type(err).__name__}: {err}",
                    backend=self.backend,
                ) from err
