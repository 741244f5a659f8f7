"""The ``pybridge`` command line: ``pybridge lab`` (the main job) and ``pybridge doctor``."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _doctor(args: argparse.Namespace) -> int:
    from ._doctor import report, run_checks

    checks = run_checks()
    print(report(checks))
    return 0 if all(c.ok for c in checks if c.required) else 1


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pybridge", description="A MATLAB-Python bridge for medical-imaging labs.")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("doctor", help="list what is installed and what is missing, with the fix")
    d.set_defaults(func=_doctor)
    lab = sub.add_parser("lab", help="run the mixed-language lab end to end and write an HTML report")
    lab.add_argument("--out", default="pybridge-lab", help="output folder (default: pybridge-lab)")
    lab.add_argument("--engine", default="auto", choices=["auto", "matlab", "octave"],
                     help="engine for the legacy MATLAB code (default: auto = MATLAB if installed, else Octave)")
    lab.add_argument("--quick", action="store_true", help="small data and short training (< 2 min on 2 cores)")
    lab.add_argument("--force", action="store_true", help="re-run stages that already finished")
    lab.add_argument("--data", default=None,
                     help="folder with the course data (Train/0, Train/1, Test/0, Test/1 patches) instead of synthetic data")
    lab.add_argument("--no-progress", action="store_true", help="no progress bars")
    lab.set_defaults(func=_lab)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
