"""Drive MATLAB from Python: on MATLAB where it is installed, on GNU Octave where it is not.

The engine :func:`start_matlab` returns behaves like matlabengine's
``MatlabEngine`` for what labs use, so a script written for ``matlab.engine``
runs on Octave by changing only its import::

    from pybridge.engine import start_matlab      # was: from matlab.engine import start_matlab
    eng = start_matlab()
    eng.addpath("matlab/legacy", nargout=0)
    mask, img = eng.massSegment(image, roi, 8.0, 8.0, 5.0, 32.0, nargout=2)
    eng.quit()

Backends: ``'matlab'`` (MathWorks' matlabengine, imported only when used) and
``'octave'`` (GNU Octave through oct2py). Values pass through
:mod:`pybridge.convert`: numpy in, numpy out.

Errors raised in MATLAB/Octave become :class:`EngineError` with the error
``identifier``, ``message`` and .m ``stack``; a call past its ``timeout``
raises :class:`EngineTimeoutError`; a process that died raises
:class:`EngineDiedError` and is replaced on the next call.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from ._core import Engine, FutureResult
from ._errors import (
    EngineClosedError,
    EngineDiedError,
    EngineError,
    EngineStartError,
    EngineTimeoutError,
    StackFrame,
)

__all__ = [
    "start_matlab",
    "available_backends",
    "BackendInfo",
    "Engine",
    "FutureResult",
    "EngineError",
    "EngineStartError",
    "EngineTimeoutError",
    "EngineDiedError",
    "EngineClosedError",
    "StackFrame",
]

BACKENDS = ("matlab", "octave")


class BackendInfo(NamedTuple):
    """Whether a backend can start here: ``available``, and ``detail`` (why not, and the fix)."""

    available: bool
    detail: str


def available_backends() -> dict[str, BackendInfo]:
    """Which engine backends can start here, and for those that cannot, why and the fix.

    Nothing is started: this only looks for matlabengine, oct2py and an
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
    backend: str = "auto",
    *,
    option: str = "-nodesktop",
    timeout: float | None = None,
    raw: bool = False,
    background: bool = False,
    executable: str | None = None,
) -> Engine | FutureResult:
    """Start MATLAB (or GNU Octave) and return an engine driven like matlabengine's.

    Parameters
    ----------
    backend : {'auto', 'matlab', 'octave'}
        ``'auto'`` uses MATLAB where matlabengine is installed, Octave otherwise.
    option : str, default '-nodesktop'
        MATLAB start-up options (passed to matlabengine; ignored by Octave).
    timeout : float, optional
        Default per-call timeout in seconds (None: wait as long as it takes).
        Each call may pass its own ``timeout=``.
    raw : bool, default False
        Return the backend's own values (``matlab.double``, oct2py's arrays)
        instead of numpy arrays and Python scalars.
    background : bool, default False
        Return a :class:`FutureResult` whose ``result()`` is the engine.
    executable : str, optional
        The Octave executable (default: ``octave-cli``/``octave`` on PATH or
        the ``OCTAVE_EXECUTABLE`` environment variable).

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
        An unknown ``backend``.

    Examples
    --------
    >>> from pybridge.engine import start_matlab
    >>> with start_matlab("octave") as eng:               # doctest: +SKIP
    ...     eng.sqrt(16.0)
    4.0
    """
    if backend not in ("auto", *BACKENDS):
        import difflib

        close = difflib.get_close_matches(str(backend), ("auto", *BACKENDS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"'backend' must be one of 'auto', 'matlab', 'octave'; got {backend!r}{hint}"
        )
    if timeout is not None and not timeout > 0:
        raise ValueError(f"'timeout' must be a positive number of seconds or None; got {timeout!r}")

    def start() -> Engine:
        tried = []
        for name in BACKENDS if backend == "auto" else (backend,):
            try:
                be = _make_backend(name, option=option, executable=executable)
            except EngineStartError as err:
                tried.append(f"  - {name}: {err.message}")
                continue
            return Engine(be, timeout=timeout, raw=raw)
        listing = "\n".join(tried)
        raise EngineStartError(
            f"could not start an engine (backend={backend!r}). Tried:\n{listing}"
        )

    if background:
        import concurrent.futures as cf

        fut: cf.Future = cf.Future()

        def run() -> None:
            try:
                fut.set_result(start())
            except BaseException as err:  # noqa: BLE001 - handed to the future
                fut.set_exception(err)

        threading.Thread(target=run, name="pybridge-start", daemon=True).start()
        return FutureResult(fut)
    return start()


def _make_backend(name: str, *, option: str, executable: str | None):
    if name == "matlab":
        from ._matlab import MatlabBackend

        return MatlabBackend(option=option)
    from ._octave import OctaveBackend

    return OctaveBackend(executable=executable)
