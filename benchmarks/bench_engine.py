"""Engine benchmark: pybridge's Octave engine against raw oct2py, and the legacy segmentation.

Prints one table:

- per-call latency of a trivial call (``plus(1, 2)``), pybridge vs raw oct2py;
- an 8 MB round trip (a 1000 x 1000 double array there and back);
- seconds per 1000 x 1000 synthetic mammogram for ``massSegment`` through
  :func:`pybridge.legacy.segment_folder`, with 1 and 2 workers (engines
  started before the clock starts).

The ratio column compares with the baseline measured in the same run
(raw oct2py for the first two rows, 1 worker for the last). Goal: pybridge
adds at most 10% to raw oct2py.

Run::

    python benchmarks/bench_engine.py            # full
    python benchmarks/bench_engine.py --quick    # fewer repeats
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
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
    parser.add_argument("--quick", action="store_true", help="fewer repeats and images")
    args = parser.parse_args(argv)
    n_calls, n_big, n_images = (100, 10, 4) if args.quick else (500, 30, 8)

    from oct2py import Oct2Py
    from PIL import Image

    from pybridge.datasets import mammogram
    from pybridge.engine import start_matlab
    from pybridge.legacy import legacy_dir, segment_folder

    rows = []
    oc = Oct2Py(backend="disable")
    eng = start_matlab("octave")
    eng2 = start_matlab("octave")
    try:
        oc.feval("plus", 1.0, 2.0)
        eng.plus(1.0, 2.0)
        raw_t, pb_t = _interleaved(
            lambda: oc.feval("plus", 1.0, 2.0), lambda: eng.plus(1.0, 2.0), n_calls
        )
        rows.append(("per call: plus(1, 2)", "raw oct2py", raw_t * 1e3, "ms", 1.0))
        rows.append(("per call: plus(1, 2)", "pybridge", pb_t * 1e3, "ms", pb_t / raw_t))

        big = np.random.default_rng(0).random((1000, 1000))  # 8 MB of float64
        back_raw = oc.feval("double", big)
        back_pb = eng.double(big)
        assert np.array_equal(back_raw, big) and np.array_equal(back_pb, big)
        raw_t, pb_t = _interleaved(lambda: oc.feval("double", big), lambda: eng.double(big), n_big)
        rows.append(("8 MB round trip", "raw oct2py", raw_t * 1e3, "ms", 1.0))
        rows.append(("8 MB round trip", "pybridge", pb_t * 1e3, "ms", pb_t / raw_t))

        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "in"
            folder.mkdir()
            rois = {}
            for i in range(n_images):
                m = mammogram(size=1000, seed=i)
                Image.fromarray(np.round(m["image"] * 255).astype(np.uint8)).save(
                    folder / f"m{i}.pgm"
                )
                rois[f"m{i}.pgm"] = m["roi"]
            for e in (eng, eng2):
                e.addpath(str(legacy_dir()))
            per_image = {}
            for workers, engines in ((1, [eng]), (2, [eng, eng2])):
                out = Path(tmp) / f"out{workers}"
                t = time.perf_counter()
                summary = segment_folder(
                    folder, rois, out, workers=workers, engine=engines, progress=False
                )
                per_image[workers] = (time.perf_counter() - t) / n_images
                assert summary.ok and len(summary.done) == n_images, summary
            for workers in (1, 2):
                rows.append(
                    (
                        f"massSegment 1000x1000, {n_images} images",
                        f"{workers} worker(s)",
                        per_image[workers],
                        "s/image",
                        per_image[workers] / per_image[1],
                    )
                )
    finally:
        oc.exit()
        eng.quit()
        eng2.quit()

    print(f"{'what':<34} {'how':<12} {'time':>10} {'unit':<8} {'ratio':>6}")
    print("-" * 74)
    for what, how, value, unit, ratio in rows:
        print(f"{what:<34} {how:<12} {value:>10.3f} {unit:<8} {ratio:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
