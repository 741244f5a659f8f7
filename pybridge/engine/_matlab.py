"""The MATLAB backend, standing on MathWorks' matlabengine (imported only when used)."""

from __future__ import annotations

import re
import sys
from concurrent.futures import CancelledError
from typing import Any

from .. import convert
from ._core import Backend
from ._errors import (
    EngineDiedError,
    EngineStartError,
    EngineTimeoutError,
    MatlabExecutionError,
)

__all__ = ["MatlabBackend", "find_matlab_engine"]

_INSTALL = (
    "install MATLAB, then its engine for Python: pip install matlabengine==<the version "
    "paired with your MATLAB release> (or pip install 'pybridge-lab[matlab]'); see "
    "https://pypi.org/project/matlabengine/"
)
_FRAME = re.compile(r"^\s*File\s+(.*?),\s*line\s+(-?\d+),\s*in\s+(\S+)\s*$")


def find_matlab_engine() -> tuple[Any | None, str]:
    """MATLAB's ``matlab.engine`` module, or None and the reason it is missing.

    The repository's own ``matlab/`` folder can be imported as a namespace
    package named ``matlab``; only a module with ``start_matlab`` counts.
    """
    try:
        import matlab.engine as me
    except ImportError as err:
        return None, f"matlabengine is not installed ({err}); {_INSTALL}"
    except Exception as err:  # noqa: BLE001 - a broken MATLAB install fails in many ways
        return None, f"matlabengine failed to import ({type(err).__name__}: {err}); {_INSTALL}"
    if not callable(getattr(me, "start_matlab", None)):
        return None, f"'matlab.engine' here is not MathWorks' engine (no start_matlab); {_INSTALL}"
    if getattr(me, "__pybridge__", False):
        return None, (
            "matlabengine is not installed ('matlab.engine' here is pybridge's compatibility "
            f"layer over GNU Octave); {_INSTALL}"
        )
    return me, ""


class MatlabBackend(Backend):
    """One MATLAB session driven through matlabengine."""

    name = "matlab"
    mvalues = True

    def __init__(self, *, option: str = "-nodesktop", connect: str | None = None) -> None:
        me, why = find_matlab_engine()
        if me is None:
            raise EngineStartError(f"cannot start MATLAB: {why}", backend="matlab")
        self._me = me
        self._option = option
        self._connect = connect
        self._eng = None
        self._dead = False
        self._future = None
        self._start()

    def _start(self) -> None:
        try:
            if self._connect is not None:  # "" connects to the first shared session
                self._eng = self._me.connect_matlab(*([self._connect] if self._connect else []))
            else:
                self._eng = self._me.start_matlab(self._option)
        except Exception as err:  # matlab.engine.EngineError and friends
            raise EngineStartError(
                f"MATLAB did not start ({type(err).__name__}: {err}); check the licence and "
                f"that matlabengine matches the MATLAB release; {_INSTALL}",
                backend="matlab",
            ) from err
        self._dead = False

    def alive(self) -> bool:
        return self._eng is not None and not self._dead

    def restart(self) -> None:
        self._quit_quietly()
        self._start()

    def _quit_quietly(self) -> None:
        if self._eng is not None:
            try:
                self._eng.quit()
            except Exception:  # noqa: BLE001 - it may be dead already
                pass
            self._eng = None

    def close(self) -> None:
        self._quit_quietly()

    # ------------------------------------------------------------ values
    def _send(self, value: Any) -> Any:
        """A MATLAB value (pybridge._mtypes) -> matlabengine's own argument types."""
        import matlab

        return convert.to_matlabengine(value, matlab)

    # ------------------------------------------------------------- calls
    def _stream_kwargs(self, stdout: Any, stderr: Any) -> dict:
        kw = {}
        if stdout is not None and stdout is not sys.stdout:
            kw["stdout"] = stdout
        if stderr is not None and stderr is not sys.stderr:
            kw["stderr"] = stderr
        return kw

    def call(self, name, args, nargout, *, stdout, stderr, timeout) -> list:
        me = self._me
        try:
            fn = getattr(self._eng, name)
            sent = [self._send(a) for a in args]
            future = fn(
                *sent, nargout=nargout, background=True, **self._stream_kwargs(stdout, stderr)
            )
            self._future = future
            try:
                res = future.result(timeout)
            except me.TimeoutError as err:
                future.cancel()
                raise EngineTimeoutError(
                    f"{name!r} did not finish within {timeout} s; MATLAB was interrupted "
                    "(the engine stays usable). Pass a larger timeout=",
                    identifier="pybridge:engine:timeout",
                    backend="matlab",
                ) from err
        except (me.CancelledError, CancelledError) as err:
            raise CancelledError(f"the call to {name!r} was cancelled") from err
        except me.MatlabExecutionError as err:
            msg, stack = _parse_execution_error(str(err))
            raise MatlabExecutionError(
                msg, identifier=self._last_identifier(), stack=stack, backend="matlab"
            ) from err
        except (me.RejectedExecutionError, me.EngineError) as err:
            self._dead = True
            raise EngineDiedError(
                f"MATLAB stopped during {name!r} ({type(err).__name__}: {err}); its workspace "
                "is lost. The next call starts a fresh MATLAB (paths added with addpath are "
                "added again); rerun this call",
                identifier="pybridge:engine:died",
                backend="matlab",
            ) from err
        finally:
            self._future = None
        if nargout == 0:
            return []
        outs = [res] if nargout == 1 else list(res)
        return [convert.from_matlabengine(v) for v in outs]

    def interrupt(self) -> bool:
        future = self._future
        return bool(future is not None and future.cancel())

    def _last_identifier(self) -> str:
        try:
            _msg, ident = self._eng.lasterr(nargout=2)
        except Exception:  # noqa: BLE001 - best effort only
            return ""
        return ident if isinstance(ident, str) else ""

    def get_var(self, name: str, *, timeout) -> Any:
        return convert.from_matlabengine(self._eng.workspace[name])

    def set_var(self, name: str, value: Any, *, timeout) -> None:
        self._eng.workspace[name] = self._send(value)


def _parse_execution_error(text: str) -> tuple[str, list]:
    """Split matlabengine's message into the MATLAB message and its ``File ..., line ..`` stack."""
    frames, rest = [], []
    for line in text.splitlines():
        m = _FRAME.match(line)
        if m:
            frames.append((m.group(1), m.group(3), int(m.group(2))))
        elif line.strip():
            rest.append(line.strip())
    return "\n".join(rest) or text.strip(), frames
