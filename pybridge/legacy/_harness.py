"""Run unmodified, interactive legacy MATLAB code headless: scripted answers, invisible figures.

The engine side lives in ``matlab/harness`` (the runner, and shadows of the
GUI-input functions that take scripted answers instead of waiting) and in
``matlab/compat`` (stand-ins for toolbox functions GNU Octave lacks, one
folder per function, put on the path only where the function is absent).
Everything goes through the public engine API, so it works on MATLAB and on
any Octave transport.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
import threading
import warnings
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .. import convert
from .._install import matlab_folder
from ..engine import EngineError

__all__ = [
    "run",
    "RunResult",
    "Figure",
    "Click",
    "Rectangle",
    "Key",
    "Text",
    "Dialog",
    "File",
    "LegacyError",
    "ScriptedInputError",
    "UnusedAnswersWarning",
    "harness_dirs",
]

# lines the Octave process prints about the display it does not have; they
# say nothing about the user's code
_NOISE = (
    "X11 DISPLAY environment variable not set",
    "disabling GUI features",
    "ignoring const execution_exception& while preparing to exit",
    "using the gnuplot graphics toolkit is discouraged",
    # gnuplot's 'unknown' terminal, which keeps figures made visible from being drawn
    "Plotting with an 'unknown' terminal",
    "No output will be generated. Please select a terminal",
)


def harness_dirs() -> tuple[Path, Path, Path]:
    """``(runner folder, GUI-input shadows folder, compat folder)`` in the pybridge tree."""
    root = Path(os.environ.get("PYBRIDGE_MATLAB_DIR") or matlab_folder())
    runner, gui, compat = root / "harness", root / "harness" / "gui", root / "compat"
    if not (runner / "pybridge_legacy_run.m").is_file():
        raise EngineError(
            f"the legacy harness (pybridge_legacy_run.m) is not in {runner}; reinstall "
            "pybridge (python -m pip install --force-reinstall pybridge-lab) or set PYBRIDGE_MATLAB_DIR to its matlab folder"
        )
    return runner, gui, compat


# --------------------------------------------------------------------------
# scripted answers
# --------------------------------------------------------------------------


class _Answer:
    kind = ""

    def _num(self) -> list[float]:
        return []

    def _texts(self) -> list[str]:
        return []

    def to_json(self) -> dict:
        return {"kind": self.kind, "num": self._num(), "texts": self._texts()}


@dataclass(frozen=True)
class Click(_Answer):
    """A mouse click on pixel ``(row, col)`` (0-based) of the image shown in the axes.

    Taken by ``waitforbuttonpress`` (returns 0) and ``ginput``; afterwards
    ``get(gca, 'CurrentPoint')`` is ``[col+1 row+1 1; col+1 row+1 -1]``, MATLAB's
    axes data units. ``button`` is 1 (left), 2 (middle) or 3 (right).
    ``Click.xy(x, y)`` gives the point in axes data units directly.
    """

    row: float
    col: float
    button: int = 1
    kind = "click"

    def __post_init__(self) -> None:
        if self.button not in (1, 2, 3):
            raise ValueError(f"button must be 1, 2 or 3; got {self.button!r}")

    @classmethod
    def xy(cls, x: float, y: float, button: int = 1) -> Click:
        """A click at axes data coordinates ``(x, y)`` (MATLAB's 1-based column, row)."""
        return cls(y - 1, x - 1, button)

    def _num(self) -> list[float]:
        return [float(self.col) + 1, float(self.row) + 1, float(self.button)]


@dataclass(frozen=True)
class Rectangle(_Answer):
    """A rectangle dragged around ``roi = (row0, col0, row1, col1)`` (0-based, end-exclusive).

    The press is at the first pixel ``(row0, col0)``, the release at the last
    ``(row1 - 1, col1 - 1)``, in the axes data units of the image shown. Taken
    by ``waitforbuttonpress`` (the press; ``get(gca, 'CurrentPoint')`` is the
    first corner) then ``rbbox`` (the release: the second corner), or whole
    by ``getrect``, which returns MATLAB's ``[x y width height]``.
    """

    roi: tuple

    kind = "rectangle"

    def __post_init__(self) -> None:
        object.__setattr__(self, "roi", tuple(convert.validate_roi(self.roi)))

    @classmethod
    def corners(cls, x1: float, y1: float, x2: float, y2: float) -> Rectangle:
        """The rectangle from press ``(x1, y1)`` to release ``(x2, y2)`` in axes data units."""
        r0, r1 = sorted((int(round(y1)), int(round(y2))))
        c0, c1 = sorted((int(round(x1)), int(round(x2))))
        return cls((r0 - 1, c0 - 1, r1, c1))

    def _num(self) -> list[float]:
        r0, c0, r1, c1 = self.roi
        return [float(c0 + 1), float(r0 + 1), float(c1), float(r1)]


@dataclass(frozen=True)
class Key(_Answer):
    """A key press (one character; default Return).

    Taken by ``waitforbuttonpress`` (returns 1), ``pause()`` and ``ginput``
    (where it ends the clicks, as Return does).
    """

    char: str = "\r"
    kind = "key"

    def __post_init__(self) -> None:
        if not isinstance(self.char, str) or len(self.char) != 1:
            raise ValueError(f"Key takes one character; got {self.char!r}")

    def _texts(self) -> list[str]:
        return [self.char]


@dataclass(frozen=True)
class Text(_Answer):
    """Typed text: the answer to ``input`` (evaluated unless ``input(prompt, 's')``) or
    ``keyboard`` (run in the caller; ``'dbcont'`` just continues)."""

    text: str
    kind = "text"

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Text takes a str; got {type(self.text).__name__}")

    def _texts(self) -> list[str]:
        return [self.text]


@dataclass(frozen=True, init=False)
class Dialog(_Answer):
    """The answer to a dialog: ``Dialog("Yes")`` for ``questdlg``/``menu``, one text per
    prompt for ``inputdlg``, the chosen items for ``listdlg``; ``Dialog()`` cancels it."""

    texts: tuple
    kind = "dialog"

    def __init__(self, *texts: str) -> None:
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"Dialog takes texts (str); got {type(t).__name__} {t!r}")
        object.__setattr__(self, "texts", tuple(texts))

    def _texts(self) -> list[str]:
        return list(self.texts)


@dataclass(frozen=True)
class File(_Answer):
    """The file chosen in ``uigetfile``/``uiputfile`` (or the folder, for ``uigetdir``).

    A relative path is relative to the working folder of the run.
    ``File(None)`` cancels the dialog (MATLAB gets ``0``).
    """

    path: str | os.PathLike | None
    kind = "file"

    def _texts(self) -> list[str]:
        if self.path is None:
            return []
        p = Path(self.path)
        folder = str(p.parent) if str(p.parent) not in ("", ".") else ""
        return [p.name, folder]


def _answers_list(answers: Any) -> list[_Answer]:
    if answers is None:
        return []
    if isinstance(answers, (_Answer, str)):
        answers = [answers]
    out = []
    for a in answers:
        if isinstance(a, str):
            a = Text(a)
        if not isinstance(a, _Answer):
            raise TypeError(
                "answers must be Click, Rectangle, Key, Text, Dialog or File objects "
                f"(or str for Text); got {type(a).__name__} {a!r}"
            )
        out.append(a)
    return out


# --------------------------------------------------------------------------
# results and errors
# --------------------------------------------------------------------------


@dataclass
class Figure:
    """A figure the code drew: its ``number``, ``title`` (its axes' titles) and PNG ``path``."""

    number: int
    title: str
    path: Path | None


@dataclass
class RunResult:
    """What :func:`run` returns.

    Attributes
    ----------
    outputs : tuple
        The function's outputs (``nargout`` of them), or a script's variables
        named in ``returns``, converted as the engine converts (numpy arrays,
        Python scalars, str).
    files : list of Path
        Files the code created or changed under ``out_dir`` (input copies
        and kept figures excluded).
    stdout : str
        What the code printed (without Octave's display notices).
    figures : list of Figure
        The figures it opened, oldest first (``path`` None unless ``keep_figures``).
    out_dir : Path
        The working folder of the run.
    answers_left : int
        Scripted answers the code did not ask for.
    compat : list of str
        pybridge compat functions that stood in for absent ones (e.g. ``interpm``).
    """

    outputs: tuple
    files: list[Path]
    stdout: str
    figures: list[Figure]
    out_dir: Path
    answers_left: int = 0
    compat: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.outputs)


class LegacyError(EngineError):
    """An error raised inside the legacy code, with MATLAB's identifier, message and stack.

    ``output`` holds what the code printed before it failed and ``files``
    what it wrote.
    """

    output: str = ""
    files: list = []


class ScriptedInputError(LegacyError):
    """The code asked for input the scripted answers do not hold (ran out, or another kind).

    The message names the function that asked (``questdlg``, ``ginput``...) and
    the file and line of the code that called it.
    """


class UnusedAnswersWarning(UserWarning):
    """The code finished without asking for some of the scripted answers."""


# --------------------------------------------------------------------------
# the engine
# --------------------------------------------------------------------------

_ready: weakref.WeakSet = weakref.WeakSet()
# where each engine found a function by name (one `which` per name and engine)
_which: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ready_lock = threading.Lock()
_default: dict[str, Any] = {}


def _prepare(engine: Any) -> Any:
    with _ready_lock:
        if engine not in _ready:
            runner, _, _ = harness_dirs()
            engine.addpath(str(runner), nargout=0)
            engine.pybridge_legacy_setup(nargout=0)  # Octave: the image package, once
            _ready.add(engine)
    return engine


def quiet_start(backend: str = "auto", **kwargs: Any) -> Any:
    """``pybridge.engine.start_matlab`` with Octave's display notices kept off the terminal.

    An Octave process started without a display writes "X11 DISPLAY
    environment variable not set / disabling GUI features" (and, when it
    quits, "ignoring const execution_exception") straight to the standard
    error it inherits. Here the child inherits a pipe instead; a thread
    forwards every other line to the real standard error, for as long as
    the process lives.
    """
    from ..engine import start_matlab

    try:
        fd = 2
        os.fstat(fd)
    except OSError:
        return start_matlab(backend, **kwargs)
    read_end, write_end = os.pipe()
    saved = os.dup(fd)
    with _fd_lock:
        os.dup2(write_end, fd)
        try:
            eng = start_matlab(backend, **kwargs)
        finally:
            os.dup2(saved, fd)
            os.close(write_end)
    threading.Thread(
        target=_forward, args=(read_end, saved), name="pybridge-stderr", daemon=True
    ).start()
    return eng


_fd_lock = threading.Lock()


def _forward(read_fd: int, out_fd: int) -> None:
    with os.fdopen(read_fd, "rb") as src:
        for raw in src:
            line = raw.decode("utf-8", "replace")
            if any(n in line for n in _NOISE):
                continue
            try:
                os.write(out_fd, raw)
            except OSError:
                break
    os.close(out_fd)


def default_engine() -> Any:
    """The engine shared by calls that pass none: started on first use, quit at exit."""
    import atexit

    with _ready_lock:
        eng = _default.get("engine")
        if eng is None or getattr(eng, "_closed", False):
            eng = quiet_start()
            _default["engine"] = eng
            atexit.register(eng.quit)
    return eng


# --------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------

_FUNC_RE = re.compile(r"^\s*function\s+(?:(\[[^\]]*\]|\w+)\s*=\s*)?(\w+)", re.MULTILINE)


def _code_info(text: str) -> tuple[bool, int]:
    """``(is_script, number of declared outputs)`` of an .m file's text."""
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        m = _FUNC_RE.match(line)
        if not m:
            return True, 0
        outs = m.group(1)
        if not outs:
            return False, 0
        names = [n for n in re.split(r"[\s,\[\]]+", outs) if n]
        if "varargout" in names:
            return False, max(len(names) - 1, 1)
        return False, len(names)
    return True, 0


def _resolve_target(target: Any, engine: Any, paths: list[str]) -> tuple[str, Path | None]:
    """The function/script name and its .m file (None when it is not found)."""
    if isinstance(target, os.PathLike) or (isinstance(target, str) and target.endswith(".m")):
        p = Path(target).resolve()
        if not p.is_file():
            raise FileNotFoundError(f"no MATLAB file {str(p)!r}")
        if str(p.parent) not in paths:
            paths.insert(0, str(p.parent))
        return p.stem, p
    if not isinstance(target, str) or not re.fullmatch(r"[A-Za-z]\w*", target):
        raise ValueError(
            f"target must be a MATLAB function or script name, or the path of its .m file; "
            f"got {target!r}"
        )
    for folder in paths:
        p = Path(folder) / f"{target}.m"
        if p.is_file():
            return target, p
    cache = _which.setdefault(engine, {})
    found = cache.get(target)
    if found is None or not Path(found).is_file():
        try:
            found = engine.which(target, nargout=1)
        except EngineError:
            found = ""
        if isinstance(found, str) and found.endswith(".m") and Path(found).is_file():
            cache[target] = found
        else:
            return target, None
    return target, Path(found)


def _snapshot(folder: Path, skip: Path | None) -> dict[Path, tuple[int, int]]:
    seen = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        if skip is not None and here == skip:
            dirnames[:] = []
            continue
        for f in filenames:
            p = here / f
            try:
                st = p.stat()
            except OSError:
                continue
            seen[p] = (st.st_mtime_ns, st.st_size)
    return seen


class _Tee(io.TextIOBase):
    """Keeps what the engine prints (without the display notices) and streams it on."""

    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream
        self._buf = io.StringIO()
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        data = self._partial + text
        lines = data.split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._emit(line + "\n")
        return len(text)

    def _emit(self, line: str) -> None:
        if any(n in line for n in _NOISE):
            return
        self._buf.write(line)
        if self._stream is not None:
            self._stream.write(line)

    def flush(self) -> None:
        if self._partial:
            self._emit(self._partial)
            self._partial = ""
        if self._stream is not None and hasattr(self._stream, "flush"):
            self._stream.flush()

    def getvalue(self) -> str:
        self.flush()
        return self._buf.getvalue()


def _copy_inputs(items: Iterable[Any], workdir: Path) -> list[Path]:
    copies = []
    for item in items:
        src = Path(item)
        if src.is_dir():
            for f in sorted(src.iterdir()):
                if f.is_file():
                    copies.append(_copy_one(f, workdir))
        elif src.is_file():
            copies.append(_copy_one(src, workdir))
        else:
            raise FileNotFoundError(f"no input file or folder {str(src)!r}")
    return copies


def _copy_one(src: Path, workdir: Path) -> Path:
    dst = workdir / src.name
    if dst.resolve() != src.resolve():
        shutil.copy2(src, dst)
    return dst


def run(
    target: str | os.PathLike,
    *args: Any,
    answers: Any = None,
    out_dir: str | os.PathLike | None = None,
    nargout: int | None = None,
    returns: Sequence[str] = (),
    inputs: Sequence[str | os.PathLike] = (),
    paths: Sequence[str | os.PathLike] = (),
    keep_figures: bool = False,
    stdout: IO[str] | None = None,
    engine: Any = None,
    timeout: float | None = None,
    script: bool | None = None,
) -> RunResult:
    """Run an unmodified, interactive MATLAB function or script headless, with scripted input.

    The code runs on ``engine`` (MATLAB or GNU Octave) as it would at the
    desk, except that: every GUI-input function (``waitforbuttonpress``,
    ``get(gca, 'CurrentPoint')`` after it, ``rbbox``, ``ginput``, ``getrect``,
    ``input``, ``keyboard``, ``pause``, ``questdlg``, ``inputdlg``,
    ``listdlg``, ``menu``, ``uigetfile``/``uiputfile``/``uigetdir``) takes the
    next of ``answers`` instead of waiting (``msgbox``, ``warndlg``,
    ``errordlg`` and ``helpdlg`` print their message; ``waitbar``, ``uiwait``
    and ``waitfor`` return at once); figures are invisible, and draw nothing
    even when the code shows them again; on Octave, toolbox functions it lacks (``interpm``,
    ``imbinarize``) come from pybridge's compat folder; and it runs in
    ``out_dir``, with copies of its input files there. The GUI shadows and
    compat functions are on the path only during the call; the path, the
    current folder and the warning state are restored afterwards, also
    after an error.

    Parameters
    ----------
    target : str or path-like
        A function or script name on the engine's path or in ``paths``, or
        the path of its ``.m`` file (whose folder is put on the path for the
        call). The code itself is never copied or changed.
    *args
        The function's arguments. A ``pathlib.Path`` naming an existing file
        is copied into ``out_dir`` and the copy's full path is passed, so
        files the code writes next to its input land under ``out_dir``.
    answers : answer or sequence of answers
        :class:`Click`, :class:`Rectangle`, :class:`Key`, :class:`Text` (a
        plain str is a Text), :class:`Dialog`, :class:`File`, in the order
        the code asks for them.
    out_dir : path, optional
        The working folder (created if missing); default a new temporary folder.
    nargout : int, optional
        Outputs to request from a function; default all it declares.
    returns : sequence of str
        For a script: the names of its variables to return as ``outputs``.
    inputs : sequence of paths
        Files (or folders, for their files) copied into ``out_dir`` first,
        e.g. the images a script finds with ``dir(pwd)``.
    paths : sequence of paths
        Folders put first on the path for the call (the code's helpers).
    keep_figures : bool, default False
        Save each figure as ``out_dir/figures/figure_NN.png``.
    stdout : text stream, optional
        Also stream what the code prints there as it arrives.
    engine : pybridge.engine.Engine, optional
        Default: one shared engine, started on first use.
    timeout : float, optional
        Seconds before the call is interrupted.
    script : bool, optional
        Force ``target`` to be run as a script (True) or function (False);
        default: read from its ``.m`` file.

    Returns
    -------
    RunResult
        ``outputs`` (also what iterating the result gives), ``files``,
        ``stdout``, ``figures``, ``out_dir``, ``answers_left``, ``compat``.

    Raises
    ------
    ScriptedInputError
        The code asked for input ``answers`` does not hold; the message
        names the asking function and the file and line that called it.
    LegacyError
        Any other error in the code, with its MATLAB ``identifier``,
        ``message`` and ``stack``.
    pybridge.engine.EngineError
        A failure of the engine itself (timeout, died).

    Warns
    -----
    UnusedAnswersWarning
        The code did not ask for all of ``answers``.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pybridge import legacy
    >>> res = legacy.run("mass_segment.m", Path("scan.pgm"),                # doctest: +SKIP
    ...                  answers=legacy.Rectangle((40, 50, 70, 85)), out_dir="out")
    >>> mask, resized = res.outputs                                          # doctest: +SKIP
    >>> [str(f) for f in res.files]                                          # doctest: +SKIP
    ['out/Im_segmented/scan_mass_mask.pgm', 'out/Im_segmented/scan_resized.pgm']
    """
    result = _run_impl(
        target,
        args,
        answers=answers,
        out_dir=out_dir,
        nargout=nargout,
        returns=returns,
        inputs=inputs,
        paths=paths,
        keep_figures=keep_figures,
        stdout=stdout,
        engine=engine,
        timeout=timeout,
        script=script,
    )
    if result.answers_left:
        warnings.warn(
            f"{target} finished without asking for {result.answers_left} of its scripted "
            "answers (check that the answers match what the code asks)",
            UnusedAnswersWarning,
            stacklevel=2,
        )
    return result


def _run_impl(
    target,
    args,
    *,
    answers,
    out_dir,
    nargout,
    returns,
    inputs,
    paths,
    keep_figures,
    stdout,
    engine,
    timeout,
    script,
) -> RunResult:
    items = _answers_list(answers)
    if nargout is not None and (
        isinstance(nargout, bool) or not isinstance(nargout, int) or nargout < 0
    ):
        raise ValueError(f"nargout must be an int >= 0; got {nargout!r}")
    if isinstance(returns, str):
        returns = [returns]
    for name in returns:
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z]\w*", name):
            raise ValueError(f"returns must hold MATLAB variable names; got {name!r}")
    eng = _prepare(engine if engine is not None else default_engine())
    _, gui, compat = harness_dirs()
    user_paths = [str(Path(p).resolve()) for p in paths]
    for p in user_paths:
        if not Path(p).is_dir():
            raise FileNotFoundError(f"no folder {p!r} (in paths)")
    name, mfile = _resolve_target(target, eng, user_paths)
    is_script, declared = (False, 1)
    if mfile is not None:
        is_script, declared = _code_info(mfile.read_text(errors="replace"))
    if script is not None:
        is_script = bool(script)
    if is_script and args:
        raise ValueError(f"{name} is a script: it takes no arguments (got {len(args)})")
    if not is_script and returns:
        raise ValueError(f"{name} is a function: use nargout, not returns (that is for scripts)")

    work = (
        Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="pybridge-legacy-"))
    )
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()
    _copy_inputs(inputs, work)
    call_args = []
    for a in args:
        if isinstance(a, Path) and a.is_file():
            call_args.append(str(_copy_one(a, work)))
        elif isinstance(a, Path):
            raise FileNotFoundError(
                f"no input file {str(a)!r} (a Path argument is copied into out_dir)"
            )
        else:
            call_args.append(a)
    figdir = work / "figures"
    if keep_figures:
        figdir.mkdir(exist_ok=True)
    before = _snapshot(work, figdir)

    n_out = len(returns) if is_script else (declared if nargout is None else nargout)
    spec = {
        "target": name,
        "script": is_script,
        "nargout": n_out,
        "returns": list(returns),
        "workdir": str(work),
        "paths": user_paths,
        "guidir": str(gui),
        "compat": [str(d) for d in sorted(compat.iterdir()) if d.is_dir()],
        "answers": [a.to_json() for a in items],
        "figdir": str(figdir) if keep_figures else "",
    }
    tee = _Tee(stdout)
    completed = False
    try:
        got = eng.pybridge_legacy_run(
            json.dumps(spec), *call_args, nargout=n_out + 1, stdout=tee, stderr=tee, timeout=timeout
        )
        completed = True
    finally:
        if not completed:
            _restore_after_interrupt(eng)
    got = got if isinstance(got, tuple) else (got,)
    report = json.loads(got[0])
    outputs = tuple(got[1:])
    output = tee.getvalue()
    after = _snapshot(work, figdir)
    files = sorted(p for p, sig in after.items() if before.get(p) != sig)
    figures = [
        Figure(int(f["number"]), str(f["title"]), Path(f["file"]) if f["file"] else None)
        for f in _as_list(report.get("figures"))
    ]
    if not report["ok"]:
        raise _legacy_error(report["error"], eng, output, files)
    left = int(report.get("answers_left") or 0)
    return RunResult(
        outputs=outputs,
        files=files,
        stdout=output,
        figures=figures,
        out_dir=work,
        answers_left=left,
        compat=[str(c) for c in _as_list(report.get("compat"))],
    )


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _legacy_error(info: dict, eng: Any, output: str, files: list) -> LegacyError:
    ident = str(info.get("identifier") or "")
    stack = [
        (str(f.get("file") or ""), str(f.get("name") or ""), int(f.get("line") or 0))
        for f in _as_list(info.get("stack"))
    ]
    cls = (
        ScriptedInputError
        if ident in ("pybridge:legacy:noAnswer", "pybridge:legacy:wrongAnswer")
        else LegacyError
    )
    err = cls(str(info.get("message") or ""), identifier=ident, stack=stack, backend=eng.backend)
    err.output = output
    err.files = files
    return err


def _restore_after_interrupt(eng: Any) -> None:
    """Best effort after a timeout or Ctrl-C: put the engine's path and folder back."""
    try:
        eng.pybridge_legacy_restore(nargout=0, timeout=30)
    except Exception:  # noqa: BLE001 - the engine may be dead; a restarted one is clean anyway
        pass
