"""Engine benchmark: pybridge's Octave engine against raw oct2py, side by side in one run.

Prints one table:

- per-call latency of a trivial call (``plus(1, 2)``), median;
- an 8 MB round trip (a 1000 x 1000 double array there and back);
- 80 MB each way: Python -> Octave (``workspace['x'] = a`` / ``oc.push``), for a
  C-ordered array and for the same values held column-major, and Octave ->
  Python (``workspace['x']`` / ``oc.pull``), in GB/s;
- seconds per image for the legacy ``massSegment`` on a 512 x 512 synthetic
  mammogram: :func:`pybridge.legacy.mass_segment` against the same
  ``massSegment`` call made through raw oct2py.

Both engines are started before the clock starts and measured in alternating
rounds, so load on the machine falls on both alike. The ratio column is
pybridge's time over raw oct2py's (below 1: pybridge is faster); the last
column is the speed-up (raw oct2py's time over pybridge's).

Targets: at most 1 ms per scalar call, at least 1 GB/s each way for 80 MB,
at least 5x raw oct2py per call, massSegment no slower. Each 80 MB case is run
twice before the clock starts (the first transfers of a process pay for its
memory: page faults, Octave's heap growing).

A second table takes one 80 MB transfer apart, each stage timed alone (best
of the repeats) in pybridge's own Octave: what Python spends writing the
payload file (a C-ordered array is copied into column-major order on the way,
chunk by chunk, each chunk's copy overlapping the previous chunk's write
when a second core is free), Octave's ``load`` of it, and the other way
Octave's ``save`` and Python's read. Below it, the primitives on the same
80 MB file set the ceiling: Octave cannot take in an 80 MB array faster than
its ``load`` of the file (``fread(fid, n, '*double')`` is slower) and than it
allocates and fills new memory (``x + 0``), and a C-ordered array's transfer
adds Python's column-major copy to that.

Run::

    python benchmarks/bench_engine.py            # full
    python benchmarks/bench_engine.py --quick    # fewer repeats
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _interleaved(fa, fb, repeats: int, rounds: int = 5) -> tuple[float, float]:
    """Median seconds of fa and fb, measured in alternating rounds (fair under load)."""
    a, b = [], []
    for _ in range(rounds):
        a += _timed(fa, max(1, repeats // rounds))
        b += _timed(fb, max(1, repeats // rounds))
    return statistics.median(a), statistics.median(b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    n_calls, n_big, n_huge, n_seg = (200, 10, 5, 5) if args.quick else (1000, 30, 20, 10)

    try:
        from oct2py import Oct2Py
    except ImportError:
        print("the baseline is raw oct2py: install it to run this comparison (pip install oct2py)")
        return 2

    from pybridge import convert
    from pybridge.datasets import mammogram
    from pybridge.engine import start_matlab
    from pybridge.legacy import legacy_dir, mass_segment

    rows = []
    oc = Oct2Py(backend="disable", convert_to_float=False)
    eng = start_matlab(backend="octave")
    try:
        oc.feval("plus", 1.0, 2.0)
        eng.plus(1.0, 2.0)
        raw_t, pb_t = _interleaved(
            lambda: oc.feval("plus", 1.0, 2.0), lambda: eng.plus(1.0, 2.0), n_calls
        )
        rows.append(("per call: plus(1, 2)", raw_t * 1e3, pb_t * 1e3, "ms"))

        big = np.random.default_rng(0).random((1000, 1000))  # 8 MB of float64
        back_raw = oc.feval("double", big)
        back_pb = eng.double(big)
        assert np.array_equal(back_raw, big) and np.array_equal(back_pb, big)
        raw_t, pb_t = _interleaved(lambda: oc.feval("double", big), lambda: eng.double(big), n_big)
        rows.append(("8 MB round trip", raw_t * 1e3, pb_t * 1e3, "ms"))

        huge = np.random.default_rng(1).random((10_000, 1_000))  # 80 MB of float64
        gb = huge.nbytes / 1e9

        def push_pb():
            eng.workspace["pb_huge"] = huge

        def push_raw():
            oc.push("pb_huge", huge)

        for _ in range(2):  # warm-up, both engines
            push_raw()
            push_pb()
        raw_t, pb_t = _interleaved(push_raw, push_pb, n_huge)
        rows.append(("80 MB Python -> Octave", gb / raw_t, gb / pb_t, "GB/s"))
        # the same values held column-major (as arrays that came from MATLAB are):
        # no layout copy is needed on the way
        huge_f = np.asfortranarray(huge)
        for _ in range(2):
            oc.push("pb_huge", huge_f)
            eng.workspace["pb_huge"] = huge_f
        raw_t, pb_t = _interleaved(
            lambda: oc.push("pb_huge", huge_f),
            lambda: eng.workspace.__setitem__("pb_huge", huge_f),
            n_huge,
        )
        rows.append(("  same, column-major", gb / raw_t, gb / pb_t, "GB/s"))
        assert np.array_equal(oc.pull("pb_huge"), huge)
        assert np.array_equal(eng.workspace["pb_huge"], huge)
        for _ in range(2):
            oc.pull("pb_huge")
            eng.workspace["pb_huge"]  # noqa: B018
        raw_t, pb_t = _interleaved(
            lambda: oc.pull("pb_huge"), lambda: eng.workspace["pb_huge"], n_huge
        )
        rows.append(("80 MB Octave -> Python", gb / raw_t, gb / pb_t, "GB/s"))

        m = mammogram(size=512, seed=0)
        image, roi = m["image"], m["roi"]
        oc.addpath(str(legacy_dir()))
        rect = convert.roi_to_matlab(convert.validate_roi(roi, image.shape))  # as legacy does
        mask_pb, _ = mass_segment(image, roi, engine=eng)
        mask_raw, _ = oc.feval("massSegment", image, rect, 8.0, 8.0, 5.0, 32.0, nout=2)
        assert np.array_equal(mask_pb, np.asarray(mask_raw, dtype=bool)), "same method, same mask"
        raw_t, pb_t = _interleaved(
            lambda: oc.feval("massSegment", image, rect, 8.0, 8.0, 5.0, 32.0, nout=2),
            lambda: mass_segment(image, roi, engine=eng),
            n_seg,
        )
        rows.append(("massSegment 512x512", raw_t, pb_t, "s/image"))
        stages = _stages(eng, huge, max(3, n_huge // 2))
    finally:
        oc.exit()
        eng.quit()

    head = f"{'what':<26} {'raw oct2py':>11} {'pybridge':>10} {'unit':<8} {'ratio':>6}"
    print(f"{head} {'speed-up':>8}")
    print("-" * 74)
    for what, raw, pb, unit in rows:
        rate = unit == "GB/s"
        ratio = raw / pb if rate else pb / raw  # pybridge's time over oct2py's
        print(f"{what:<26} {raw:>11.3f} {pb:>10.3f} {unit:<8} {ratio:>6.2f} {1 / ratio:>7.1f}x")
    print()
    print(f"{'one 80 MB transfer, stage by stage (pybridge)':<56} {'ms':>7} {'GB/s':>6}")
    print("-" * 71)
    for what, sec in stages:
        print(f"{what:<56} {sec * 1e3:>7.1f} {huge.nbytes / sec / 1e9:>6.2f}")
    return 0


def _stages(eng, huge: np.ndarray, repeats: int) -> list[tuple[str, float]]:
    """The stages of one 80 MB transfer, and the primitives on the same file, each alone."""
    import os

    from pybridge import _layout
    from pybridge._octpy import wire

    folder = eng._backend._folders.paths[0]
    path = os.path.join(folder, "pb_bench.oct")
    flat = np.asfortranarray(huge).reshape(-1, order="F")
    header = wire._octave_header("double", flat.size, flat)

    def best(fn) -> float:
        return min(_timed(fn, repeats))

    def write(data) -> None:
        wire._write_private(path, header, data)
        os.unlink(path)

    rows = [
        ("np.copy of the array (memory speed)", best(lambda: np.copy(huge))),
        (
            "Python writes the payload, C-ordered array",
            best(lambda: write(lambda fd: _layout.write_column_major(fd, huge))),
        ),
        ("Python writes the payload, column-major array", best(lambda: write(flat))),
    ]
    wire._write_private(path, header, flat)
    try:
        eng.eval(f"pb_f = '{path}'; pb_n = {flat.size};", nargout=0)
        code = {
            "Octave load('-binary') of it (what pybridge uses)": "s = load('-binary', pb_f);",
            "Octave fread(fid, n, '*double') of it": (
                "fid = fopen(pb_f); fseek(fid, -8 * pb_n, 'eof'); "
                "y = fread(fid, pb_n, '*double'); fclose(fid);"
            ),
            "Octave x + 0 (allocate and fill 80 MB)": "y = pb_huge + 0;",
            "Octave save('-binary') of the array": "save('-binary', [pb_f '.o'], 'pb_huge');",
        }
        for what, stmt in code.items():
            eng.eval(
                f"pb_t = inf; for pb_k = 1:{repeats}, pb_t0 = tic; {stmt} "
                "pb_t = min(pb_t, toc(pb_t0)); clear s y; end; "
                "if exist([pb_f '.o'], 'file'), unlink([pb_f '.o']); end",
                nargout=0,
            )
            rows.append((what, float(eng.workspace["pb_t"])))
        rows.append(("Python np.fromfile of it", best(lambda: np.fromfile(path, np.uint8))))
    finally:
        os.unlink(path)
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
