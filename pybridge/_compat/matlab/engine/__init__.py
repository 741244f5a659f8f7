"""matlabengine's ``matlab.engine`` API on GNU Octave (pybridge's stand-in).

A script written for MathWorks' engine runs unchanged::

    import matlab.engine
    eng = matlab.engine.start_matlab()
    x = matlab.double([[1, 2], [3, 4]])
    eng.sqrt(x)

Values follow matlabengine's rules (pybridge.convert's ``'matlabengine'``
profile): arrays come back as ``matlab.double`` and friends, 1 x 1 values as
Python scalars, a Python int goes as int64, ``None`` is refused. Errors are
``MatlabExecutionError``; a call after ``quit()`` raises
``RejectedExecutionError``; ``background=True`` returns a ``FutureResult``.
"""

from __future__ import annotations

from concurrent.futures import CancelledError

from pybridge import engine as _pb
from pybridge.engine import Engine as MatlabEngine
from pybridge.engine import (
    EngineError,
    FutureResult,
    MatlabExecutionError,
    RejectedExecutionError,
)

TimeoutError = TimeoutError  # noqa: A001,PLW0127 - matlabengine's names
InterruptedError = InterruptedError  # noqa: A001,PLW0127

#: Marks this package as pybridge's (pybridge.engine never takes it for matlabengine).
__pybridge__ = True

__all__ = [
    "start_matlab",
    "connect_matlab",
    "find_matlab",
    "MatlabEngine",
    "FutureResult",
    "EngineError",
    "MatlabExecutionError",
    "RejectedExecutionError",
    "CancelledError",
    "TimeoutError",
    "InterruptedError",
]


def start_matlab(option: str = "-nodesktop", background: bool = False, **kwargs):
    """Start an engine as ``matlab.engine.start_matlab`` does (here on GNU Octave).

    ``option`` is MATLAB's start-up option string (Octave starts without a
    desktop whatever it says). Keywords of :func:`pybridge.engine.start_matlab`
    (``timeout=``...) are accepted too.
    """
    kwargs.setdefault("profile", "matlabengine")
    kwargs.setdefault("backend", "octave")
    return _pb.start_matlab(option, background, **kwargs)


def connect_matlab(name: str | None = None, background: bool = False, **kwargs):
    """Attach to a shared session as ``matlab.engine.connect_matlab`` does.

    Without ``name`` a new shared session starts when none is shared. GNU
    Octave cannot share a session with another process: only sessions
    started by ``connect_matlab()`` in this Python process can be named.
    """
    kwargs.setdefault("profile", "matlabengine")
    kwargs.setdefault("backend", "octave")
    return _pb.connect_matlab(name, background, **kwargs)


def find_matlab() -> tuple[str, ...]:
    """Names of the sessions :func:`connect_matlab` can attach to."""
    return _pb.find_matlab()
