"""The GNU Octave backend, standing on oct2py.

oct2py runs Octave and moves data through MAT files; this module undoes its
quirks so users see MATLAB's behaviour (BRIDGE-FACTS.md):

- integers keep their class (``convert_to_float=False``), Python ints are
  sent as ``int64`` as matlabengine sends them;
- logical results, which oct2py returns as uint8, become bool; ``[]`` and
  scalars keep MATLAB's shape (``keep_matlab_shapes=True``), and empties
  their class and size;
- error identifiers and the .m stack, which oct2py drops, are kept: every
  call runs inside a small try/catch function (:data:`CALL_WRAPPER`) written
  to a private temporary folder when the engine starts.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from concurrent.futures import CancelledError
from typing import Any

import numpy as np

from .. import convert
from ._core import Backend
from ._errors import EngineDiedError, EngineError, EngineStartError, EngineTimeoutError

__all__ = ["OctaveBackend", "find_octave", "CALL_WRAPPER"]

_WRAPPER_NAME = "pybridge_engine_call"

#: The try/catch wrapper every call runs in (kept as text so that the package
#: needs no .m data files). It returns the outputs with their classes and
#: sizes, or the error's identifier, message and stack as "file|name|line".
CALL_WRAPPER = """\
function [pb_ok, pb_outs, pb_classes, pb_sizes, pb_err] = pybridge_engine_call(pb_fname, pb_nout, varargin)
%PYBRIDGE_ENGINE_CALL Run one call for pybridge.engine and keep the error details.
%   Written by pybridge.engine at start; not meant to be called by hand.
pb_ok = true;
pb_outs = {};
pb_err = cell(1, 3);
pb_err{1} = '';
pb_err{2} = '';
pb_err{3} = {};
try
  if pb_nout > 0
    pb_outs = cell(1, pb_nout);
    [pb_outs{1:pb_nout}] = feval(pb_fname, varargin{:});
  else
    feval(pb_fname, varargin{:});
  end
catch pb_e
  pb_ok = false;
  pb_outs = {};
  pb_stack = {};
  for pb_k = 1:numel(pb_e.stack)
    if ~any(strcmp(pb_e.stack(pb_k).name, {'pybridge_engine_call', '_pyeval'}))
      pb_stack{end + 1} = sprintf('%s|%s|%d', pb_e.stack(pb_k).file, ...
        pb_e.stack(pb_k).name, pb_e.stack(pb_k).line);
    end
  end
  pb_err{1} = pb_e.identifier;
  pb_err{2} = pb_e.message;
  pb_err{3} = pb_stack;
end
pb_classes = cellfun(@class, pb_outs, 'UniformOutput', false);
pb_sizes = cellfun(@size, pb_outs, 'UniformOutput', false);
end
"""

_INSTALL = (
    "install GNU Octave (Debian/Ubuntu: sudo apt-get install octave octave-image; "
    "macOS: brew install octave; Windows: https://octave.org/download) and oct2py "
    "(pip install 'pybridge-lab[octave]')"
)


def find_octave() -> tuple[str | None, str]:
    """Where Octave and oct2py are: ``(executable or None, reason when missing)``."""
    try:
        import oct2py  # noqa: F401
    except ImportError:
        return None, f"oct2py is not installed; {_INSTALL}"
    exe = (
        os.environ.get("OCTAVE_EXECUTABLE") or shutil.which("octave-cli") or shutil.which("octave")
    )
    if not exe:
        return None, f"no octave-cli or octave on PATH (nor OCTAVE_EXECUTABLE); {_INSTALL}"
    return exe, ""


class _LineRouter:
    """oct2py's stream handler: Octave's 'warning:'/'error:' lines to stderr, the rest to stdout.

    Octave runs under a pseudo-terminal, so its stdout and stderr arrive
    interleaved; the line prefix is what tells them apart.
    """

    def __init__(self, stdout: Any, stderr: Any) -> None:
        self.stdout, self.stderr = stdout, stderr
        self._in_warning = False

    def __call__(self, line: str) -> None:
        if line is None:
            return
        text = str(line)
        is_err = text.startswith(("warning:", "error:"))
        if is_err:
            self._in_warning = True
        elif self._in_warning and text.startswith("    "):
            is_err = True  # the "called from" lines of a warning
        else:
            self._in_warning = False
        stream = self.stderr if is_err else self.stdout
        if stream is not None and text != "":
            stream.write(text + "\n")


class OctaveBackend(Backend):
    """One Octave process driven through oct2py."""

    name = "octave"

    def __init__(self, *, executable: str | None = None) -> None:
        exe, why = find_octave()
        if executable is None and exe is None:
            raise EngineStartError(f"cannot start GNU Octave: {why}", backend="octave")
        self._executable = executable or exe
        self._dir = tempfile.mkdtemp(prefix="pybridge-octave-")
        with open(os.path.join(self._dir, _WRAPPER_NAME + ".m"), "w") as fh:
            fh.write(CALL_WRAPPER)
        self._oc = None
        self._interrupted = False
        self._in_call = False
        self._start()

    # --------------------------------------------------------- lifecycle
    def _start(self) -> None:
        from oct2py import Oct2Py, Oct2PyError

        try:
            self._oc = Oct2Py(
                executable=self._executable,
                convert_to_float=False,
                keep_matlab_shapes=True,
                backend="disable",
                load_octaverc=False,
            )
            self._oc.addpath(self._dir)
            # MATLAB prints a warning's message only; Octave adds "called from" lines
            self._oc.eval("warning('off', 'backtrace');", nout=0)
        except (Oct2PyError, OSError) as err:
            raise EngineStartError(
                f"GNU Octave ({self._executable}) did not start: {err}. {_INSTALL}",
                backend="octave",
            ) from err

    def alive(self) -> bool:
        eng = getattr(self._oc, "_engine", None)
        child = getattr(getattr(eng, "repl", None), "child", None)
        return child is not None and child.isalive()

    def restart(self) -> None:
        self._close_session()
        self._start()

    def _close_session(self) -> None:
        if self._oc is not None:
            try:
                self._oc.exit()
            except Exception:  # noqa: BLE001 - a dead process may fail to close cleanly
                pass
            self._oc = None

    def close(self) -> None:
        self._close_session()
        shutil.rmtree(self._dir, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        eng = getattr(self._oc, "_engine", None)
        child = getattr(getattr(eng, "repl", None), "child", None)
        return None if child is None else child.pid

    # ------------------------------------------------------------ values
    def to_engine(self, value: Any) -> Any:
        if isinstance(value, (bool, np.bool_)):
            return np.bool_(value)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            # matlabengine sends a Python int as int64; oct2py would send a double
            return np.int64(value) if isinstance(value, int) else value
        if isinstance(value, (list, tuple)) and value and not _numeric(value):
            return [self.to_engine(v) for v in value]
        if isinstance(value, dict):
            return {k: self.to_engine(v) for k, v in convert.dict_to_struct(value).items()}
        return convert.to_matlab(value)

    def _restore(self, value: Any, cls: str, size: Any) -> Any:
        """Undo oct2py's quirks for one output of known MATLAB class and size."""
        if cls == "cell":
            items = [] if isinstance(value, list) else np.asarray(value, dtype=object)
            if isinstance(items, list):
                return []
            return [self._restore_any(v) for v in items.ravel(order="F").tolist()]
        if cls == "struct":
            if isinstance(value, dict):
                return {k: self._restore_any(v) for k, v in value.items()}
            return value
        if cls == "char":
            return value if isinstance(value, str) else ""
        if cls in convert.MATLAB_CLASSES:
            dtype = convert.MATLAB_CLASSES[cls]
            shape = tuple(int(s) for s in np.asarray(size).ravel()) if size is not None else None
            if isinstance(value, list) or value is None:  # oct2py's [] for an empty array
                return np.zeros(shape or (0, 0), dtype=dtype, order="F")
            a = np.asarray(value)
            if a.dtype != dtype:
                a = a.astype(dtype)
            if shape is not None and a.shape != shape and a.size == int(np.prod(shape)):
                a = a.reshape(shape, order="F")
            return a
        return value

    def _restore_any(self, v: Any) -> Any:
        """Inside cells and structs oct2py gives no class: fix what can be told apart."""
        if isinstance(v, list) and not v:
            return np.zeros((0, 0))
        if isinstance(v, dict):
            return {k: self._restore_any(x) for k, x in v.items()}
        if isinstance(v, np.ndarray) and v.dtype == object:
            return [self._restore_any(x) for x in v.ravel(order="F").tolist()]
        return v

    # ------------------------------------------------------------- calls
    def interrupt(self) -> bool:
        pid = self.pid
        if not self._in_call or pid is None:
            return False
        self._interrupted = True
        try:
            os.kill(pid, signal.SIGINT)  # Octave's Ctrl-C: stops the call, keeps the session
        except ProcessLookupError:
            return False
        return True

    def call(self, name, args, nargout, *, stdout, stderr, timeout) -> list:
        from oct2py import Oct2PyError

        router = _LineRouter(stdout, stderr)
        self._interrupted = False
        self._in_call = True
        try:
            reply = self._oc.feval(
                _WRAPPER_NAME,
                name,
                float(nargout),
                *args,
                nout=5,
                timeout=timeout,
                stream_handler=router,
            )
        except Oct2PyError as e:
            text = str(e)
            if "Timed out" in text:
                raise EngineTimeoutError(
                    f"{name!r} did not finish within {timeout} s; Octave was interrupted "
                    "(the engine stays usable). Pass a larger timeout= to the call or to "
                    "start_matlab",
                    identifier="pybridge:engine:timeout",
                    backend="octave",
                ) from e
            if "died" in text or not self.alive():
                raise EngineDiedError(
                    f"Octave died during {name!r} ({text}); its workspace is lost. The next "
                    "call starts a fresh Octave (paths added with addpath are added again); "
                    "rerun this call",
                    identifier="pybridge:engine:died",
                    backend="octave",
                ) from e
            raise EngineError(
                f"oct2py failed while calling {name!r}: {text}", backend="octave"
            ) from e
        finally:
            self._in_call = False
        if self._interrupted or not isinstance(reply, (list, tuple)) or len(reply) != 5:
            self._interrupted = False
            raise CancelledError(f"the call to {name!r} was cancelled (interrupted in Octave)")
        ok, outs, classes, sizes, err = reply
        if not _truthy(ok):
            ident, msg, stack = _error_parts(err)
            raise EngineError(msg, identifier=ident, stack=stack, backend="octave")
        out_list = _cell_items(outs)
        cls_list = [str(c) for c in _cell_items(classes)]
        size_list = _cell_items(sizes)
        return [
            self._restore(v, c, s) for v, c, s in zip(out_list, cls_list, size_list, strict=True)
        ]

    def get_var(self, name: str, *, timeout) -> Any:
        return self.call("evalin", ["base", name], 1, stdout=None, stderr=None, timeout=timeout)[0]

    def set_var(self, name: str, value: Any, *, timeout) -> None:
        self.call("assignin", ["base", name, value], 0, stdout=None, stderr=None, timeout=timeout)


def _numeric(seq) -> bool:
    first = seq[0]
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    return isinstance(first, (int, float, np.number, bool, np.bool_))


def _truthy(x: Any) -> bool:
    return bool(np.asarray(x).ravel()[0]) if np.size(x) else False


def _cell_items(c: Any) -> list:
    if c is None or (isinstance(c, list) and not c):
        return []
    if isinstance(c, np.ndarray):
        return c.ravel(order="F").tolist()
    if isinstance(c, (list, tuple)):
        return list(c)
    return [c]


def _error_parts(err: Any) -> tuple[str, str, list]:
    items = _cell_items(err)
    ident = items[0] if items and isinstance(items[0], str) else ""
    msg = items[1] if len(items) > 1 and isinstance(items[1], str) else "Octave error"
    frames = []
    for s in _cell_items(items[2]) if len(items) > 2 else []:
        if isinstance(s, str) and s.count("|") >= 2:
            file, fname, line = s.rsplit("|", 2)
            frames.append((file, fname, int(line) if line.lstrip("-").isdigit() else -1))
    return ident, msg, frames
