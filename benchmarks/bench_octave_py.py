"""Benchmark pybridge's ``py.`` for GNU Octave: call latency and 80 MB throughput.

Runs ``benchmarks/bench_octave_py.m`` in one Octave session and prints a
table: median call latency (goal <= 2 ms) against a plain Octave function
call, and 80 MB round-trip throughput each way (goal >= 500 MB/s) against
Octave's own fwrite/fread of the same bytes in /dev/shm, measured in the
same run. For latency, oct2py's Python -> Octave call is measured too, as
the other bridge's per-call cost.

Usage::

    .venv/bin/python benchmarks/bench_octave_py.py [--calls 300] [--reps 5] [--mb 80]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_octave(calls: int, reps: int, mb: float) -> dict[str, list[float]]:
    out = Path(tempfile.mkdtemp()) / "bench.txt"
    code = (
        f"addpath('{ROOT / 'benchmarks'}'); r = bench_octave_py({calls}, {reps}, {mb}); "
        f"fid = fopen('{out}', 'w'); f = fieldnames(r); "
        "for k = 1:numel(f), fprintf(fid, '%s', f{k}); fprintf(fid, ' %.9g', double(r.(f{k}))); "
        "fprintf(fid, '\\n'); end; fclose(fid);"
    )
    env = dict(os.environ, PYBRIDGE_PYTHON=sys.executable)
    subprocess.run(
        ["octave-cli", "--no-gui", "--no-window-system", "--norc", "--no-history", "-q", "--eval", code],
        check=True,
        env=env,
        cwd=ROOT,
        timeout=1800,
    )
    rows = {}
    for line in out.read_text().splitlines():
        name, *vals = line.split()
        rows[name] = [float(v) for v in vals]
    shutil.rmtree(out.parent, ignore_errors=True)
    return rows


def oct2py_latency(calls: int) -> float | None:
    try:
        from oct2py import Oct2Py
    except ImportError:
        return None
    with Oct2Py() as oc:
        oc.feval("max", 2.0, 1.0)
        times = []
        for _ in range(min(calls, 100)):
            t = time.perf_counter()
            oc.feval("max", 2.0, 1.0)
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--mb", type=float, default=80.0)
    args = ap.parse_args(argv)
    if shutil.which("octave-cli") is None:
        print("octave-cli is not on PATH: nothing to benchmark", file=sys.stderr)
        return 1
    r = run_octave(args.calls, args.reps, args.mb)
    o2p = oct2py_latency(args.calls)
    med = {k: statistics.median(v) for k, v in r.items()}
    base = med["octave_fn"]
    mbytes = med["bytes"] / 1e6
    print(f"py. for GNU Octave: {args.calls} calls, {args.reps} x {mbytes:.0f} MB transfers")
    print(f"{'measure':<44}{'median':>14}{'baseline':>14}{'ratio':>10}")
    print("-" * 82)
    for key, label in (
        ("sqrt", "call latency py.math.sqrt(2)"),
        ("method", "call latency l.count(2) (method)"),
        ("dice", "call latency pybridge.dice(64x64 masks)"),
    ):
        print(
            f"{label:<44}{med[key] * 1e3:>11.3f} ms{base * 1e3:>11.4f} ms{med[key] / base:>9.0f}x"
        )
    if o2p is not None:
        print(
            f"{'oct2py feval (Python -> Octave), for scale':<44}{o2p * 1e3:>11.3f} ms"
            f"{med['sqrt'] * 1e3:>11.3f} ms{o2p / med['sqrt']:>9.1f}x"
        )
    for key, raw, label in (
        ("to_py", "raw_write", "Octave -> Python (py.numpy.asarray(x))"),
        ("from_py", "raw_read", "Python -> Octave (double(a))"),
    ):
        rate, floor = mbytes / med[key], mbytes / med[raw]
        print(f"{label:<44}{rate:>9.0f} MB/s{floor:>9.0f} MB/s{rate / floor:>10.2f}")
    print("-" * 82)
    print(
        "baseline: a plain Octave call (latency), fwrite/fread of the same bytes in /dev/shm "
        "(throughput); goals <= 2 ms, >= 500 MB/s"
    )
    print(f"round trip exact: {bool(r['equal'][0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
