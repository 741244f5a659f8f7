"""Where the .m code is, and how MATLAB or GNU Octave finds it.

A wheel carries the repository's ``matlab/`` folder as the package data
``pybridge/_matlab``; a source checkout uses ``matlab/`` itself.
``pybridge matlab-path`` prints the folder and ``pybridge setup-matlab`` the
line that puts it on MATLAB's or Octave's path (or writes that line into
``startup.m`` / ``~/.octaverc``).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from ._errors import PyBridgeError

__all__ = ["matlab_folder", "addpath_line", "startup_file", "write_startup"]

_BEGIN = "% >>> pybridge >>> (written by `pybridge setup-matlab --write`; remove the block to undo)"
_END = "% <<< pybridge <<<"


def _holds_wrappers(folder: Path) -> bool:
    return (folder / "+pybridge" / "setup.m").is_file()


def matlab_folder() -> Path:
    """The folder to ``addpath`` in MATLAB or Octave: it holds ``+pybridge``.

    The installed package data (``pybridge/_matlab``) when pybridge was
    installed from a wheel; the repository's ``matlab/`` in a source checkout.

    >>> (matlab_folder() / "+pybridge" / "setup.m").is_file()
    True
    """
    spec = importlib.util.find_spec("pybridge._matlab")
    if spec is not None:
        for loc in spec.submodule_search_locations or ():
            if _holds_wrappers(Path(loc)):
                return Path(loc).resolve()
    checkout = Path(__file__).resolve().parent.parent / "matlab"
    if _holds_wrappers(checkout):
        return checkout
    raise PyBridgeError(
        f"pybridge's .m files are missing: neither the package data nor {checkout} holds "
        "+pybridge/setup.m. Reinstall: python -m pip install --force-reinstall pybridge-lab"
    )


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def addpath_line(folder: Path | None = None) -> str:
    """The MATLAB/Octave line that puts pybridge's .m code on the path."""
    return f"addpath({_quote(folder or matlab_folder())});"


def startup_file(target: str) -> Path:
    """The file MATLAB (``startup.m`` in its default userpath) or Octave (``~/.octaverc``) runs at start.

    MATLAB's default userpath is ``Documents/MATLAB`` in the home folder on
    every platform; the environment variable ``MATLAB_USERPATH`` overrides it
    here (MATLAB's ``userpath`` command prints yours).
    """
    home = Path.home()
    if target == "octave":
        return home / ".octaverc"
    if target == "matlab":
        base = os.environ.get("MATLAB_USERPATH")
        return Path(base) / "startup.m" if base else home / "Documents" / "MATLAB" / "startup.m"
    raise ValueError(f"target must be 'matlab' or 'octave'; got {target!r}")


def write_startup(path: Path, folder: Path | None = None) -> str:
    """Put the ``addpath`` line into ``path``, replacing an earlier pybridge block.

    The rest of the file is kept as it was; the new file replaces the old in
    one step, so an interrupted write leaves the old file. Returns what changed:
    ``"added"``, ``"updated"`` or ``"unchanged"``.
    """
    block = f"{_BEGIN}\n{addpath_line(folder)}\n{_END}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if _BEGIN in old and _END in old:
        head, rest = old.split(_BEGIN, 1)
        tail = rest.split(_END, 1)[1].lstrip("\n")
        new = head + block + tail
        change = "unchanged" if new == old else "updated"
    else:
        sep = "" if not old or old.endswith("\n") else "\n"
        new = old + sep + block
        change = "added"
    if change != "unchanged":
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".pybridge-tmp")
        tmp.write_text(new, encoding="utf-8")
        os.replace(tmp, path)
    return change
