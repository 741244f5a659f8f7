"""The exception hierarchy shared by every pybridge module."""

from __future__ import annotations

__all__ = ["PyBridgeError", "EngineNotFoundError"]


class PyBridgeError(Exception):
    """Base class of every error pybridge raises that is not a plain bad argument.

    Bad arguments raise :class:`ValueError` or :class:`TypeError`; failures of
    an engine, a file or a model raise a subclass of this class.
    """


class EngineNotFoundError(PyBridgeError, ImportError):
    """An optional backend (MATLAB's engine, GNU Octave) is not installed.

    The message names what is missing and the command that installs it.
    """
