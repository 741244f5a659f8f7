"""The engine's exceptions: one base class carrying MATLAB's identifier, message and stack."""

from __future__ import annotations

from .._errors import EngineNotFoundError, PyBridgeError

__all__ = [
    "EngineError",
    "MatlabExecutionError",
    "RejectedExecutionError",
    "EngineStartError",
    "EngineTimeoutError",
    "EngineDiedError",
    "EngineClosedError",
    "StackFrame",
]


class StackFrame(tuple):
    """One frame of a MATLAB/Octave error stack: ``(file, name, line)``."""

    __slots__ = ()

    def __new__(cls, file: str, name: str, line: int):
        return super().__new__(cls, (str(file), str(name), int(line)))

    @property
    def file(self) -> str:
        return self[0]

    @property
    def name(self) -> str:
        return self[1]

    @property
    def line(self) -> int:
        return self[2]

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file else f"line {self.line}"
        return f"{self.name} ({where})"


class EngineError(PyBridgeError):
    """A MATLAB/Octave error, or a failure of the engine itself.

    Attributes
    ----------
    identifier : str
        MATLAB's error identifier (``'MATLAB:UndefinedFunction'``,
        ``'pybridge:massSegment:badRoi'``...); empty when the error had none.
    message : str
        The error message as MATLAB/Octave wrote it.
    stack : list of StackFrame
        The .m call stack, innermost first, as ``(file, name, line)``.
    backend : str
        ``'matlab'`` or ``'octave'`` (empty for errors raised before a start).
    """

    def __init__(
        self,
        message: str,
        *,
        identifier: str = "",
        stack: list | tuple = (),
        backend: str = "",
    ) -> None:
        self.message = str(message)
        self.identifier = str(identifier or "")
        self.stack = [f if isinstance(f, StackFrame) else StackFrame(*f) for f in stack]
        self.backend = backend
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.identifier}: {self.message}" if self.identifier else self.message
        lines = [head]
        for frame in self.stack:
            lines.append(f"    in {frame}")
        return "\n".join(lines)


class MatlabExecutionError(EngineError):
    """An error raised by the MATLAB/Octave code that was called (matlabengine's name).

    ``identifier``, ``message`` and ``stack`` are MATLAB's.
    """


class RejectedExecutionError(EngineError):
    """The engine cannot take calls: it has quit or its process died (matlabengine's name)."""


class EngineStartError(EngineError, EngineNotFoundError):
    """No engine could be started; the message lists each backend tried and its fix."""


class EngineTimeoutError(EngineError, TimeoutError):
    """A call ran past its ``timeout``; the engine was interrupted and stays usable."""


class EngineDiedError(RejectedExecutionError):
    """The MATLAB/Octave process died during the call.

    The workspace is lost. The next call starts a fresh process (paths added
    with ``eng.addpath`` are added again), so rerunning the call is safe.
    """


class EngineClosedError(RejectedExecutionError):
    """A call on an engine after ``quit()`` (matlabengine's ``RejectedExecutionError``)."""
