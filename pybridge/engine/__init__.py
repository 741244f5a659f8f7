"""Drive MATLAB from Python: on MATLAB where it is installed, on GNU Octave where it is not.

The engine :func:`start_matlab` returns behaves like matlabengine's
``MatlabEngine``, so a script written for ``matlab.engine`` runs on Octave
unchanged (``import matlab.engine`` gives pybridge's engine wherever
MathWorks' matlabengine is not installed), or by changing only its import::

    from pybridge.engine import start_matlab      # was: from matlab.engine import start_matlab
    eng = start_matlab()
    eng.addpath("matlab/legacy", nargout=0)
    mask, img = eng.massSegment(image, roi, 8.0, 8.0, 5.0, 32.0, nargout=2)
    eng.quit()

Backends: ``'matlab'`` (MathWorks' matlabengine, imported only when used) and
``'octave'`` (GNU Octave). Values cross through :mod:`pybridge.convert`:
numpy in, numpy out with this module (profile ``'numpy'``), ``matlab.double``
and friends through the ``matlab.engine`` compatibility package (profile
``'matlabengine'``).

Errors raised in MATLAB/Octave become :class:`MatlabExecutionError` (an
:class:`EngineError`) with the error ``identifier``, ``message`` and .m
``stack``; a call past its ``timeout`` raises :class:`EngineTimeoutError`; a
process that died raises :class:`EngineDiedError` and is replaced on the next
call; a call after ``quit()`` raises :class:`EngineClosedError`. Both are
:class:`RejectedExecutionError`, matlabengine's name.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import CancelledError
from typing import NamedTuple

from ._core import Engine, FutureResult
from ._errors import (
    EngineClosedError,
    EngineDiedError,
    EngineError,
    EngineStartError,
    EngineTimeoutError,
    MatlabExecutionError,
    RejectedExecutionError,
    StackFrame,
)

TimeoutError = TimeoutError  # noqa: A001,PLW0127 - matlabengine exports these names
InterruptedError = InterruptedError  # noqa: A001,PLW0127

__all__ = [
    "start_matlab",
    "connect_matlab",
    "find_matlab",
    "available_backends",
    "BackendInfo",
    "Engine",
    "FutureResult",
    "EngineError",
    "MatlabExecutionError",
    "RejectedExecutionError",
    "EngineStartError",
    "EngineTimeoutError",
    "EngineDiedError",
    "EngineClosedError",
    "CancelledError",
    "TimeoutError",
    "InterruptedError",
    "StackFrame",
]

BACKENDS = ("matlab", "octave")


class BackendInfo(NamedTuple):
    """Whether a backend can start here: ``available``, and ``detail`` (why not, and the fix)."""

    available: bool
    detail: str


def available_backends() -> dict[str, BackendInfo]:
    """Which engine backends can start here, and for those that cannot, why and the fix.

    Nothing is started: this only looks for matlabengine and an
    Octave executable.

    Returns
    -------
    dict of str to BackendInfo
        Keys ``'matlab'`` and ``'octave'``, in the order ``backend='auto'``
        tries them.

    Examples
    --------
    >>> info = available_backends()
    >>> sorted(info)
    ['matlab', 'octave']
    >>> isinstance(info["octave"].available, bool)
    True
    """
    from ._matlab import find_matlab_engine
    from ._octave import find_octave

    me, why_m = find_matlab_engine()
    exe, why_o = find_octave()
    return {
        "matlab": BackendInfo(me is not None, "matlabengine found" if me else why_m),
        "octave": BackendInfo(exe is not None, f"Octave at {exe}" if exe else why_o),
    }


def start_matlab(
    option: str = "-nodesktop",
    background: bool = False,
    *,
    backend: str = "auto",
    timeout: float | None = None,
    raw: bool = False,
    executable: str | None = None,
    profile: str = "numpy",
) -> Engine | FutureResult:
    """Start MATLAB (or GNU Octave) and return an engine driven like matlabengine's.

    Parameters
    ----------
    option : str, default '-nodesktop'
        MATLAB's start-up options, as in ``matlab.engine.start_matlab`` (passed
        to MATLAB; Octave starts without a desktop whatever it says). Code
        written for earlier pybridge that passes a backend name here
        (``start_matlab('octave')``) still works: an option string starts with
        ``-``, a backend name does not.
    background : bool, default False
        Return a :class:`FutureResult` whose ``result()`` is the engine.
    backend : {'auto', 'matlab', 'octave'}
        ``'auto'`` uses MATLAB where matlabengine is installed, Octave otherwise.
    timeout : float, optional
        Default per-call timeout in seconds (None: wait as long as it takes).
        Each call may pass its own ``timeout=``.
    raw : bool, default False
        Return the backend's own values instead of converted ones.
    executable : str, optional
        The Octave executable (default: ``octave-cli``/``octave`` on PATH or
        the ``OCTAVE_EXECUTABLE`` environment variable).
    profile : {'numpy', 'matlabengine', 'py'}
        The conversion rules (:data:`pybridge.convert.PROFILES`): ``'numpy'``
        gives numpy arrays in MATLAB's shape, ``'matlabengine'`` gives
        ``matlab.double`` and friends as MathWorks' engine does.

    Returns
    -------
    Engine
        Use it as a context manager or call ``quit()`` when done.

    Raises
    ------
    EngineStartError
        No backend could start; the message lists each backend tried, why
        it failed and how to install it (also an ``ImportError``).
    ValueError
        An unknown ``backend`` or ``profile``.

    Examples
    --------
    >>> from pybridge.engine import start_matlab
    >>> with start_matlab(backend="octave") as eng:       # doctest: +SKIP
    ...     eng.sqrt(16.0)
    4.0
    """
    if isinstance(option, str) and option in ("auto", *BACKENDS) and backend == "auto":
        option, backend = "-nodesktop", option
    if isinstance(option, str) and option.strip() and not option.lstrip().startswith("-"):
        import difflib

        close = difflib.get_close_matches(option, ("auto", *BACKENDS), n=1)
        hint = f" (did you mean backend={close[0]!r}?)" if close else ""
        raise ValueError(
            f"the first argument of start_matlab is MATLAB's option string, such as "
            f"'-nodesktop', as in matlabengine; got {option!r}. Choose the backend with "
            f"backend='octave' or backend='matlab'{hint}"
        )
    if not isinstance(option, str):
        raise TypeError(
            f"'option' is MATLAB's start-up option string, such as '-nodesktop'; got "
            f"{type(option).__name__}. Choose the backend with backend='octave'"
        )
    if backend not in ("auto", *BACKENDS):
        import difflib

        close = difflib.get_close_matches(str(backend), ("auto", *BACKENDS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"'backend' must be one of 'auto', 'matlab', 'octave'; got {backend!r}{hint}"
        )
    if timeout is not None and not timeout > 0:
        raise ValueError(f"'timeout' must be a positive number of seconds or None; got {timeout!r}")
    from .. import convert

    convert._check_profile(profile)

    def start() -> Engine:
        tried = []
        for name in BACKENDS if backend == "auto" else (backend,):
            try:
                be = _make_backend(name, option=option, executable=executable)
            except EngineStartError as err:
                tried.append(f"  - {name}: {err.message}")
                continue
            return Engine(be, timeout=timeout, raw=raw, profile=profile)
        listing = "\n".join(tried)
        raise EngineStartError(
            f"could not start an engine (backend={backend!r}). Tried:\n{listing}"
        )

    return _maybe_background(start, background)


def _maybe_background(start, background: bool):
    if not background:
        return start()
    import concurrent.futures as cf

    fut: cf.Future = cf.Future()

    def run() -> None:
        try:
            fut.set_result(start())
        except BaseException as err:  # noqa: BLE001 - handed to the future
            fut.set_exception(err)

    threading.Thread(target=run, name="pybridge-start", daemon=True).start()
    return FutureResult(fut)


#: Sessions shared by connect_matlab in this Python process: name -> Engine.
_SHARED: dict[str, Engine] = {}
_SHARED_LOCK = threading.Lock()
_SHARED_COUNT = itertools.count(1)


def find_matlab() -> tuple[str, ...]:
    """Names of the shared sessions :func:`connect_matlab` can attach to, as matlabengine's.

    With MathWorks' matlabengine installed these are MATLAB's shared
    sessions (``matlab.engine.shareEngine`` in MATLAB). GNU Octave cannot
    share a running session with another process: on Octave these are the
    sessions ``connect_matlab()`` started in this Python process.
    """
    from ._matlab import find_matlab_engine

    me, _why = find_matlab_engine()
    if me is not None:
        return tuple(me.find_matlab())
    with _SHARED_LOCK:
        for name in [n for n, e in _SHARED.items() if e._closed]:
            del _SHARED[name]
        return tuple(_SHARED)


def connect_matlab(
    name: str | None = None,
    background: bool = False,
    *,
    backend: str = "auto",
    profile: str = "numpy",
    timeout: float | None = None,
) -> Engine | FutureResult:
    """Attach to a shared session, as ``matlab.engine.connect_matlab`` does.

    Without ``name``: the first shared session, or a new one when there is
    none (matlabengine starts a new shared session then). With ``name``: that
    session, or :class:`EngineStartError` (matlabengine's ``EngineError``).
    On MATLAB the sessions are MATLAB's shared sessions; GNU Octave cannot
    share a session across processes, so on Octave only sessions started by
    ``connect_matlab()`` in this Python process can be attached to again.
    """
    from ._matlab import find_matlab_engine

    def connect() -> Engine:
        me, _why = find_matlab_engine() if backend in ("auto", "matlab") else (None, "")
        if me is not None:
            from ._matlab import MatlabBackend

            return Engine(MatlabBackend(connect=name or ""), timeout=timeout, profile=profile)
        with _SHARED_LOCK:
            live = {n: e for n, e in _SHARED.items() if not e._closed}
            if name is None and live:
                return next(iter(live.values()))
            if name is not None:
                if name in live:
                    return live[name]
                raise EngineStartError(
                    f"no shared session named {name!r} (shared here: {sorted(live) or 'none'}). "
                    "GNU Octave cannot share a running session with another process: call "
                    "connect_matlab() without a name to start a shared session in this Python "
                    "process, or start_matlab() for a private one",
                    backend="octave",
                )
        eng = start_matlab(backend="octave" if backend == "auto" else backend, timeout=timeout, profile=profile)
        shared = f"Octave_{os.getpid()}_{next(_SHARED_COUNT)}"
        with _SHARED_LOCK:
            _SHARED[shared] = eng
        return eng

    return _maybe_background(connect, background)


def _make_backend(name: str, *, option: str, executable: str | None):
    if name == "matlab":
        from ._matlab import MatlabBackend

        return MatlabBackend(option=option)
    from ._octave import OctaveBackend

    return OctaveBackend(executable=executable)
