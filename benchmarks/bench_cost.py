"""The per-image cost of each stage, and what an archive of mammograms would take.

Measures, in one run, on synthetic mammograms (``pybridge.datasets.mammogram``):

- **transport**: one mammogram (float64, ``size`` x ``size``) into the engine's
  workspace and its binary mask back, through ``pybridge.engine``;
- **legacy segmentation**: ``pybridge.legacy.mass_segment`` with the ROI (the
  course method, on Octave; its own transport included);
- **CNN inference**: the course CNN classifying every 60 x 60 tile of the
  mammogram (a screening pass: 16 x 16 = 256 tiles at 1000 x 1000);
- **scaling**: the legacy segmentation of the same images by 1 engine and by
  2 worker processes with an engine each (engines started before the
  clock), the only scaling that one machine can show.

It then prints the projected hours for 100,000 mammograms on N workers:
``100000 * seconds_per_image / N`` when each worker has cores of its own
(as on a cluster), and the same divided by the 2-worker efficiency measured
here (speed-up / 2), which on a small machine shares its cores between the
workers' Python and Octave processes. The per-image time is assumed not to
grow with N; the Dask path's own overhead per task is measured by
``bench_legacy.py`` and ``bench_inference.py``.

    python benchmarks/bench_cost.py [--images 24] [--size 1000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time
import warnings

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
    p.add_argument("--images", type=int, default=24, help="synthetic mammograms (even number)")
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

    # two worker processes (as Dask runs them), each with its own engine started before the clock
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(2) as pool:
        barrier = manager.Barrier(3, timeout=300)  # a proxy: it can travel to the workers
        jobs = [pool.apply_async(_segment_half, (args.size, args.images, k, barrier)) for k in (0, 1)]
        barrier.wait()
        t = time.perf_counter()
        for j in jobs:
            j.get()
        two_engines = time.perf_counter() - t

    data = datasets.microcalcifications(128, seed=0)
    with warnings.catch_warnings():
        # a 1-epoch model: only its inference time matters here, not its quality
        warnings.simplefilter("ignore")
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
    print(f"Projected time for {args.archive:,} mammograms on N workers:")
    print("  own cores: each worker (a Python and its engine) on 2 cores of its own, no slow-down")
    print(f"  as measured: with the 2-worker efficiency measured on this machine ({efficiency:.0%})")
    print(f"{'workers':>8} | {'own cores, hours':>16} | {'as measured, hours':>18}")
    print("-" * 50)
    for n in (1, 2, 8, 32, 128):
        ideal = args.archive * total / n / 3600
        measured = ideal / (1.0 if n == 1 else efficiency)
        print(f"{n:>8} | {ideal:16.2f} | {measured:18.2f}")


def _segment_half(size: int, images: int, half: int, barrier) -> None:
    """One worker process: start an engine, wait for the clock, segment every other mammogram."""
    from pybridge import datasets, legacy
    from pybridge.engine import start_matlab

    scans = [datasets.mammogram(size=size, seed=s) for s in range(half, images, 2)]
    with start_matlab(backend="octave") as eng:
        eng.addpath(str(legacy.legacy_dir()))
        legacy.mass_segment(scans[0]["image"], scans[0]["roi"], engine=eng)  # warm
        barrier.wait()
        for s in scans:
            legacy.mass_segment(s["image"], s["roi"], engine=eng)


def _quiet(cls) -> dict:
    """The keyword that switches the estimator's progress output off, whichever it has."""
    import inspect

    names = inspect.signature(cls).parameters
    return {"verbose": False} if "verbose" in names and "progress" not in names else {"progress": False}


if __name__ == "__main__":
    main()
