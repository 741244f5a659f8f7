"""Legacy-code benchmark: the headless harness's cost, and legacy batches on 1 and 2 engines.

Prints two tables:

1. **Harness overhead per call.** A trivial legacy function (``y = x + 1``)
   called plainly (``eng.bench_noop(1.0)``) and through
   :func:`pybridge.legacy.run` (working folder, path set-up and restore,
   report); then the same for an interactive function that opens a figure
   and takes a scripted rectangle (``waitforbuttonpress`` + ``rbbox``).
   Ratio: against the plain call, measured in the same run.
2. **Images per minute** of :func:`pybridge.legacy.run_folder` over
   synthetic 1000 x 1000 mammograms, with an interactive legacy-style
   segmentation (figure, scripted ROI, ``massSegment``, ``imwrite`` next to
   the image): local pool with 1 and 2 engines, Dask ``LocalCluster`` with 1
   and 2 worker processes, each started (and warmed up) before its clock
   starts, timed in alternating rounds (median); a cluster is up only while
   its own batch runs. Ratios: against the
   local pool with 1 engine; the last lines give the Dask path's per-image
   overhead over the local pool and the speed-up of 2 workers over 1.
   Each cluster is timed twice: with Dask's default settings and
   with :data:`LEAN_DASK` (Dask's own monitoring made sparse). On a
   machine where the engines already use every core, the CPU a cluster
   spends on monitoring comes out of the engines' time; the last line gives
   what an idle 2-worker cluster (started, warmed up, no tasks) uses with
   each setting, in percent of one core over 5 s.

``--code FOLDER --function NAME`` benchmarks your own function instead (it
must take the image path first and ask for its ROI with a rectangle, like
the course's ``mass_segment``); ``--images FOLDER`` takes your images
(the ROI is the central third of the image shown, unless ``--rois CSV``).

Run::

    python benchmarks/bench_legacy.py            # full
    python benchmarks/bench_legacy.py --quick    # fewer repeats and images
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOOP = "function y = bench_noop(x)\ny = x + 1;\nend\n"
ASK_BOX = (
    "function y = bench_ask_box(x)\n"
    "figure;\nimagesc(magic(16));\ntitle('box');\n"
    "waitforbuttonpress;\np1 = get(gca, 'CurrentPoint');\nrbbox;\n"
    "p2 = get(gca, 'CurrentPoint');\ny = x + p2(1, 1) - p1(1, 1);\nend\n"
)
# a legacy-style interactive segmentation: the ROI is drawn on the image shown
SEGMENT = (
    "function [mask, small] = bench_segment(file_path)\n"
    "img = imread(file_path);\n"
    "figure;\nimagesc(img);\ncolormap(gray);\ntitle('Draw a box around the mass');\n"
    "waitforbuttonpress;\np1 = get(gca, 'CurrentPoint');\nrbbox;\n"
    "p2 = get(gca, 'CurrentPoint');\n"
    "x = round(min(p1(1, 1), p2(1, 1)));\ny = round(min(p1(1, 2), p2(1, 2)));\n"
    "w = round(abs(p2(1, 1) - p1(1, 1))) + 1;\nh = round(abs(p2(1, 2) - p1(1, 2))) + 1;\n"
    "[mask, small] = massSegment(img, [x y w h]);\n"
    "figure;\nimagesc(mask);\ntitle('Mass');\n"
    "[folder, name] = fileparts(file_path);\n"
    "if ~exist(fullfile(folder, 'Im_segmented'), 'dir')\n"
    "    mkdir(fullfile(folder, 'Im_segmented'));\nend\n"
    "imwrite(mask, fullfile(folder, 'Im_segmented', [name '_mass_mask.png']));\n"
    "fprintf('%s segmented\\n', name);\nend\n"
)


# Dask settings for workers on machines whose cores the engines fill: no
# statistical profiler (it samples every thread's stack every 10 ms), and the
# event-loop tick, system monitor and memory monitor polled less often (a
# worker over its memory limit is then caught within 2 s instead of 0.1 s).
# As environment variables for ``dask worker``:
# DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False, ..._ADMIN__TICK__INTERVAL=1s, ...
LEAN_DASK = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "2s",
}


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def _interleaved(fns: list, repeats: int, rounds: int = 5) -> list[float]:
    """Median ms of each function, measured in alternating rounds (fair under load)."""
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            samples[i].append(_median_ms(fn, max(1, repeats // rounds)))
    return [statistics.median(s) for s in samples]


def _table(title: str, header: tuple, rows: list[tuple]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print(fmt.format(*header))
    print(fmt.format(*("-" * w for w in widths)))
    for r in rows:
        print(fmt.format(*r))


def bench_overhead(code_dir: Path, work: Path, repeats: int) -> None:
    from pybridge import legacy
    from pybridge.legacy._harness import quiet_start

    with quiet_start("octave") as eng:
        eng.addpath(str(code_dir))
        run = legacy.run

        def harness_noop():
            run("bench_noop", 1.0, engine=eng, out_dir=work / "noop", nargout=1)

        def harness_box():
            run(
                "bench_ask_box",
                1.0,
                engine=eng,
                out_dir=work / "box",
                nargout=1,
                answers=legacy.Rectangle((2, 3, 9, 12)),
            )

        harness_noop(), harness_box(), eng.bench_noop(1.0)  # warm caches
        plain, noop, box = _interleaved(
            [lambda: eng.bench_noop(1.0), harness_noop, harness_box], repeats
        )
    rows = [
        ("plain engine call eng.bench_noop(1.0)", f"{plain:.2f}", "1.00", "-"),
        (
            "legacy.run('bench_noop', 1.0)",
            f"{noop:.2f}",
            f"{noop / plain:.2f}",
            f"{noop - plain:.2f}",
        ),
        (
            "legacy.run(figure + scripted rectangle)",
            f"{box:.2f}",
            f"{box / plain:.2f}",
            f"{box - plain:.2f}",
        ),
    ]
    _table(
        f"Harness overhead per call (Octave, median of {repeats})",
        ("call", "ms", "ratio", "overhead ms"),
        rows,
    )


def _make_images(folder: Path, n: int) -> dict[str, tuple]:
    from PIL import Image

    from pybridge.datasets import mammogram

    folder.mkdir(parents=True)
    rois = {}
    for i in range(n):
        m = mammogram(seed=100 + i)
        Image.fromarray(np.round(m["image"] * 255).astype(np.uint8)).save(folder / f"mg{i}.png")
        rois[f"mg{i}.png"] = m["roi"]
    return rois


def _rois_from_images(folder: Path) -> dict[str, tuple]:
    from PIL import Image

    rois = {}
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() in (".pgm", ".png"):
            h, w = np.asarray(Image.open(p)).shape[:2]
            rois[p.name] = (h // 3, w // 3, 2 * h // 3, 2 * w // 3)
    return rois


def bench_batches(target, paths, images: Path, rois, work: Path, rounds: int) -> None:
    from distributed import Client, LocalCluster

    from pybridge import legacy
    from pybridge.legacy._harness import _prepare, quiet_start

    logging.getLogger("distributed").setLevel(logging.ERROR)  # no INFO lines as clusters close
    n = len(rois)
    # warm-ups (first calls, Dask workers starting their engines) on 2 of the images
    warm_images = work / "warm-images"
    warm_images.mkdir()
    for name in sorted(rois)[:2]:
        shutil.copy2(images / name, warm_images / name)
    # Dask's nanny caps a worker's BLAS/OpenMP threads at 1; the local engines get the
    # same caps, so the comparison is of the two paths, not of thread counts
    caps = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    saved = {k: os.environ.get(k) for k in caps}
    os.environ.update(caps)
    try:
        engines = [_prepare(quiet_start("octave")) for _ in range(2)]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def start_cluster(workers: int, lean: bool):
        import dask

        with dask.config.set(LEAN_DASK if lean else {}):  # the workers take the config at spawn
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            return Client(cluster), cluster

    def run(name: str, kw: dict, images_dir: Path, out: Path) -> float:
        t = time.perf_counter()
        s = legacy.run_folder(target, images_dir, out, rois=rois, paths=paths, progress=False, **kw)
        dt = time.perf_counter() - t
        if images_dir == images and (not s.ok or len(s.done) != n):
            raise SystemExit(f"{name}: the batch failed: {s}")
        return dt

    # Only one configuration's processes are up while it is timed: a second
    # cluster's idle scheduler, nannies and engines would take CPU from it on a
    # small machine. A cluster is started and warmed up (its workers start their
    # engines) before its clock starts, and closed after its batch.
    configs = {
        "local pool, 1 engine": ("local", {"engine": engines[0]}),
        "local pool, 2 engines": ("local", {"workers": 2, "engine": engines}),
        "Dask LocalCluster, 1 worker": ("dask", (1, False)),
        "Dask LocalCluster, 2 workers": ("dask", (2, False)),
        "Dask LocalCluster, 1 worker, LEAN_DASK": ("dask", (1, True)),
        "Dask LocalCluster, 2 workers, LEAN_DASK": ("dask", (2, True)),
    }
    times: dict[str, list[float]] = {name: [] for name in configs}
    try:
        for r in range(rounds):  # rounds alternate the configurations: fair when the load changes
            for name, (kind, arg) in configs.items():
                tag = name.replace(" ", "_").replace(",", "")
                if kind == "local":
                    if r == 0:
                        run(name, arg, warm_images, work / f"warm-{tag}")
                    times[name].append(run(name, arg, images, work / f"round{r}-{tag}"))
                    continue
                client, cluster = start_cluster(*arg)
                try:
                    kw = {"client": client, "backend": "octave"}
                    run(name, kw, warm_images, work / f"warm{r}-{tag}")
                    times[name].append(run(name, kw, images, work / f"round{r}-{tag}"))
                finally:
                    client.close()
                    cluster.close()
    finally:
        for e in engines:
            e.quit()
    idle = {lean: _idle_cpu(start_cluster, lean) for lean in (False, True)}
    med = {name: statistics.median(ts) for name, ts in times.items()}
    base = med["local pool, 1 engine"]
    rows = [
        (name, f"{dt:.1f}", f"{dt / n:.3f}", f"{60 * n / dt:.1f}", f"{base / dt:.2f}")
        for name, dt in med.items()
    ]
    _table(
        f"Legacy batch: {n} images, run_folder (Octave), median of {rounds} alternating rounds",
        ("configuration", "s", "s/image", "images/min", "speed vs 1 local"),
        rows,
    )
    local1, local2 = med["local pool, 1 engine"], med["local pool, 2 engines"]
    dask1, dask2 = med["Dask LocalCluster, 1 worker"], med["Dask LocalCluster, 2 workers"]
    lean1, lean2 = (med[f"Dask LocalCluster, {w}, LEAN_DASK"] for w in ("1 worker", "2 workers"))
    print(
        f"\nDask per-image overhead over the local pool: 1 worker "
        f"{(dask1 - local1) / n * 1e3:+.1f} ms ({100 * (dask1 / local1 - 1):+.1f}%), "
        f"2 workers {(dask2 - local2) / n * 1e3:+.1f} ms ({100 * (dask2 / local2 - 1):+.1f}%), "
        f"with LEAN_DASK 1 worker {(lean1 - local1) / n * 1e3:+.1f} ms "
        f"({100 * (lean1 / local1 - 1):+.1f}%), 2 workers {(lean2 - local2) / n * 1e3:+.1f} ms "
        f"({100 * (lean2 / local2 - 1):+.1f}%)"
    )
    print(
        f"2 workers vs 1: local pool {local1 / local2:.2f}x, Dask {dask1 / dask2:.2f}x, "
        f"Dask with LEAN_DASK {lean1 / lean2:.2f}x "
        f"(on {os.cpu_count()} CPU cores, shared with whatever else runs; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"an idle 2-worker LocalCluster (scheduler, nannies, workers) uses {idle[False]:.1f}% of "
        f"a core with Dask's defaults, {idle[True]:.1f}% with LEAN_DASK"
    )


def _idle_cpu(start_cluster, lean: bool, seconds: float = 5.0) -> float:
    """Percent of one core that a started, idle 2-worker cluster and its client use."""
    import psutil

    client, cluster = start_cluster(2, lean)
    try:
        client.run(lambda: None)  # the workers are up and have run a task
        time.sleep(1.0)
        me = psutil.Process()
        procs = [me, *me.children(recursive=True)]

        def cpu() -> float:
            total = 0.0
            for p in procs:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.Error:
                    pass
            return total

        c0, t0 = cpu(), time.perf_counter()
        time.sleep(seconds)
        return 100 * (cpu() - c0) / (time.perf_counter() - t0)
    finally:
        client.close()
        cluster.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and images")
    parser.add_argument("--code", type=Path, help="folder of your own legacy .m code")
    parser.add_argument("--function", help="your function (image path first, asks a rectangle)")
    parser.add_argument("--images", type=Path, help="folder of your images")
    parser.add_argument("--rois", type=Path, help="CSV of ROIs (see pybridge.legacy.read_rois)")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument(
        "--n-images", type=int, help="synthetic mammograms per batch (default 24; 4 with --quick)"
    )
    parser.add_argument("--rounds", type=int, help="alternating rounds (default 5; 1 with --quick)")
    args = parser.parse_args(argv)
    # a batch long enough that its fixed costs (lock, summary, pool) do not hide the per-image ones
    repeats, n_images, rounds = (20, 4, 1) if args.quick else (60, 24, 5)
    n_images = args.n_images or n_images
    rounds = args.rounds or rounds

    from pybridge import legacy

    work = Path(tempfile.mkdtemp(prefix="pybridge-bench-legacy-"))
    try:
        code = work / "code"
        code.mkdir()
        (code / "bench_noop.m").write_text(NOOP)
        (code / "bench_ask_box.m").write_text(ASK_BOX)
        (code / "bench_segment.m").write_text(SEGMENT)
        if not args.skip_overhead:
            bench_overhead(code, work, repeats)
        if args.code:
            if not args.function:
                parser.error("--code needs --function")
            target = str((args.code / f"{args.function}.m").resolve())
            paths = [str(args.code.resolve())]
        else:
            target = str(code / "bench_segment.m")
            paths = [str(legacy.legacy_dir())]
        if args.images:
            images = args.images.resolve()
            rois = legacy.read_rois(args.rois) if args.rois else _rois_from_images(images)
        else:
            images = work / "images"
            rois = _make_images(images, n_images)
        bench_batches(target, paths, images, rois, work, rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
