"""The ``pybridge`` command line.

``pybridge lab`` runs the mixed-language lab, ``pybridge doctor`` lists what
is installed, ``pybridge matlab-path`` prints the folder holding the .m code
and ``pybridge setup-matlab`` the line that puts it on MATLAB's path.

Errors are one plain line on stderr: exit status 2 for a bad argument, 1 for
a run that failed (``PYBRIDGE_TRACEBACK=1`` shows the traceback of the latter).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ._errors import PyBridgeError

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    """A bad command-line argument (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line (and ``--help`` says the rest)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _doctor(args: argparse.Namespace) -> int:
    from ._doctor import report, run_checks

    checks = run_checks()
    print(report(checks))
    return 0 if all(c.ok for c in checks if c.required) else 1


def _matlab_path(args: argparse.Namespace) -> int:
    from ._install import matlab_folder

    print(matlab_folder())
    return 0


def _setup_matlab(args: argparse.Namespace) -> int:
    from ._install import addpath_line, matlab_folder, startup_file, write_startup

    folder = matlab_folder()
    line = addpath_line(folder)
    if args.write is None:
        print("Paste this into MATLAB or GNU Octave (or into startup.m / ~/.octaverc to keep it):")
        print(f"  {line}")
        print("then check the set-up with:")
        print("  pybridge.setup")
        print(f"pybridge.setup looks for the Python pybridge is installed in (this one is {sys.executable});")
        print(f"to name it yourself: pybridge.setup('Python', '{sys.executable}')")
        print("`pybridge setup-matlab --write matlab` (or `--write octave`) writes the addpath line for you.")
        return 0
    path = Path(args.startup) if args.startup else startup_file(args.write)
    change = write_startup(path, folder)
    print(f"{path}: pybridge's addpath line {change}")
    return 0


def _lab(args: argparse.Namespace) -> int:
    from .lab import run_lab

    return run_lab(
        out=args.out,
        engine=args.engine,
        quick=args.quick,
        force=args.force,
        data=args.data,
        progress=not args.no_progress,
    )


def _existing_folder(value: str) -> str:
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(
            f"{value}: no such folder (expected the course data: Train/0, Train/1, Test/0, Test/1 inside)")
    return value


def _version() -> str:
    from . import __version__

    return f"pybridge {__version__} (Python {sys.version.split()[0]})"


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="pybridge", description="A MATLAB-Python bridge for medical-imaging labs.")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    d = sub.add_parser("doctor", help="list what is installed and what is missing, with the command that fixes it")
    d.set_defaults(func=_doctor)
    mp = sub.add_parser("matlab-path", help="print the folder holding pybridge's .m code (for addpath)")
    mp.set_defaults(func=_matlab_path)
    sm = sub.add_parser("setup-matlab", help="print the addpath line for MATLAB/Octave, or write it into startup.m / ~/.octaverc")
    sm.add_argument("--write", choices=["matlab", "octave"], default=None,
                    help="write the line into MATLAB's startup.m (in its userpath, Documents/MATLAB) "
                         "or into Octave's ~/.octaverc")
    sm.add_argument("--startup", default=None, metavar="FILE", help="the file to write instead (with --write)")
    sm.set_defaults(func=_setup_matlab)
    lab = sub.add_parser("lab", help="run the mixed-language lab end to end and write an HTML report")
    lab.add_argument("--out", default="pybridge-lab", help="output folder (default: pybridge-lab)")
    lab.add_argument("--engine", default="auto", choices=["auto", "matlab", "octave"],
                     help="engine for the legacy MATLAB code (default: auto = MATLAB if installed, else Octave)")
    lab.add_argument("--quick", action="store_true", help="small data and short training (about a minute on 2 cores)")
    lab.add_argument("--force", action="store_true", help="re-run stages that already finished")
    lab.add_argument("--data", default=None, type=_existing_folder,
                     help="folder with the course data (Train/0, Train/1, Test/0, Test/1 patches) instead of synthetic data")
    lab.add_argument("--no-progress", action="store_true",
                     help="no progress bars (bars are drawn only on a terminal; logs get one line per stage)")
    lab.set_defaults(func=_lab)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 fine, 1 failed run, 2 bad arguments)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as err:
        print(f"pybridge: error: {err}", file=sys.stderr)
        return 2
    if args.command == "setup-matlab" and args.startup and not args.write:
        print("pybridge: error: --startup needs --write matlab or --write octave (see: pybridge setup-matlab --help)",
              file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("pybridge: interrupted", file=sys.stderr)
        return 130
    except (ImportError, OSError, ValueError, TypeError, RuntimeError, PyBridgeError) as err:
        # anything else is a bug and keeps its traceback; PYBRIDGE_TRACEBACK=1 keeps it for these too
        if os.environ.get("PYBRIDGE_TRACEBACK"):
            raise
        print(f"pybridge: error: {err} (PYBRIDGE_TRACEBACK=1 shows where)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
