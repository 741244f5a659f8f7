"""The per-image cost of each stage, and what an archive of mammograms would take.

Measures, in one run, on synthetic mammograms (``pybridge.datasets.mammogram``):

- **transport**: one mammogram (float64, ``size`` x ``size``) into the engine's
  workspace and its binary mask back, through ``pybridge.engine``;
- **legacy segmentation**: ``pybridge.legacy.mass_segment`` with the ROI (the
  course method, on Octave; its own transport included);
- **CNN inference**: the course CNN classifying every 60 x 60 tile of the
  mammogram (a screening pass: 16 x 16 = 256 tiles at 1000 x 1000);
- **scaling**: the legacy segmentation of the same images by 1 engine and by
  2 engines side by side (engines started before the clock), the only
  scaling that one machine can show.

It then prints the projected hours for 100,000 mammograms on N workers, as
``100000 * seconds_per_image / (N * efficiency)``, where the efficiency is
the measured 2-engine speed-up divided by 2. The projection assumes each
worker has its own core (as on a cluster) and that the per-image time does
not grow with N; the Dask path's own overhead is measured by
``bench_legacy.py`` and ``bench_inference.py``.

    python benchmarks/bench_cost.py [--images 6] [--size 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _tiles(image: np.ndarray, side: int = 60) -> np.ndarray:
    """Every full ``side`` x ``side`` tile of ``image``, as an N x 1 x side x side stack."""
    h, w = (image.shape[0] // side) * side, (image.shape[1] // side) * side
    t = image[:h, :w].reshape(h // side, side, w // side, side).swapaxes(1, 2)
    return t.reshape(-1, 1, side, side).astype(np.float32)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", type=int, default=6, help="synthetic mammograms (even number)")
    p.add_argument("--size", type=int, default=1000, help="side of each mammogram in pixels")
    p.add_argument("--archive", type=int, default=100_000, help="mammograms in the archive")
    args = p.parse_args(argv)

    from pybridge import datasets, legacy
    from pybridge.classification import CNNClassifier
    from pybridge.engine import start_matlab

    scans = [datasets.mammogram(size=args.size, seed=s) for s in range(args.images)]
    rows: list[tuple[str, float]] = []

    with start_matlab(backend="octave") as eng:
        img = scans[0]["image"]

        def round_trip() -> None:
            eng.workspace["img"] = img
            eng.eval("m = img > 0.5;", nargout=0)
            np.asarray(eng.workspace["m"])

        round_trip()
        rows.append(("transport (image in, mask out)", _median_time(round_trip, 5)))

        eng.addpath(str(legacy.legacy_dir()))
        legacy.mass_segment(img, scans[0]["roi"], engine=eng)  # warm: first call reads the files
        t = time.perf_counter()
        for s in scans:
            legacy.mass_segment(s["image"], s["roi"], engine=eng)
        one_engine = time.perf_counter() - t
        rows.append(("legacy segmentation (Octave)", one_engine / len(scans)))

        with start_matlab(backend="octave") as eng2:
            eng2.addpath(str(legacy.legacy_dir()))
            legacy.mass_segment(img, scans[0]["roi"], engine=eng2)
            halves = [(eng, scans[0::2]), (eng2, scans[1::2])]

            def run(pair) -> None:
                e, part = pair
                for s in part:
                    legacy.mass_segment(s["image"], s["roi"], engine=e)

            t = time.perf_counter()
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(run, halves))
            two_engines = time.perf_counter() - t

    data = datasets.microcalcifications(128, seed=0)
    clf = CNNClassifier(epochs=1, **_quiet(CNNClassifier)).fit(data["images"], data["labels"])
    tiles = _tiles(scans[0]["image"])
    clf.predict_proba(tiles[:8])
    rows.append((f"CNN inference ({len(tiles)} tiles of 60 x 60)", _median_time(lambda: clf.predict_proba(tiles), 3)))

    total = sum(sec for _, sec in rows[1:])  # segmentation includes its own transport
    speedup = one_engine / two_engines
    efficiency = speedup / 2

    print(f"Per mammogram ({args.size} x {args.size}), median over the run:")
    print(f"{'stage':<40} | {'seconds':>8} | share of total")
    print("-" * 68)
    for name, sec in rows:
        share = "(inside segmentation)" if name.startswith("transport") else f"{sec / total:6.1%}"
        print(f"{name:<40} | {sec:8.3f} | {share}")
    print(f"{'total (segmentation + CNN)':<40} | {total:8.3f} |")
    print()
    print(
        f"Scaling: {len(scans)} images, 1 engine {one_engine:.2f} s, 2 engines {two_engines:.2f} s: "
        f"{speedup:.2f}x (efficiency {efficiency:.0%})"
    )
    print()
    print(f"Projected time for {args.archive:,} mammograms:")
    print(f"{'workers':>8} | {'hours':>8} | days")
    print("-" * 30)
    for n in (1, 2, 8, 32, 128):
        eff = 1.0 if n == 1 else efficiency
        hours = args.archive * total / (n * eff) / 3600
        print(f"{n:>8} | {hours:8.1f} | {hours / 24:5.2f}")


def _quiet(cls) -> dict:
    """The keyword that switches the estimator's progress output off, whichever it has."""
    import inspect

    names = inspect.signature(cls).parameters
    return {"verbose": False} if "verbose" in names and "progress" not in names else {"progress": False}


if __name__ == "__main__":
    main()
