"""Batch inference throughput: classify_folder and segment_folder, local pool vs Dask.

Run:  python benchmarks/bench_inference.py [--n-classify 400] [--n-segment 60] [--size 256]
      [--repeats 2] [--threads 1] [--lean]

Trains two tiny models (a CNN classifier on 60 x 60 synthetic patches, a
U-Net on synthetic mass crops; a few epochs: throughput does not depend on
how well they are trained), writes the images as PNG files, then times each
batch end to end (the model copied into out_dir, loaded by each worker,
every image read, predicted and written atomically, predictions.csv) for:

- the local pool with 1 worker (this process);
- a Dask LocalCluster with 1 worker process, and with 2 (threads_per_worker=1).

Each configuration is warmed up once (a 2-image batch: imports on the
workers), then timed on a batch of 2 images and on a batch of all of them,
``--repeats`` times each on a fresh out_dir; the best time counts (the least
disturbed by other load). The per-image cost is the slope between the two
batch sizes; the fixed cost (model copied into out_dir and loaded by each
worker, summary and table written) is the rest. Both are given in wall
time and in CPU time of this process and its Dask workers together (CPU
time is less disturbed by other load on a shared machine). The clusters'
start-up is not counted. torch runs ``--threads`` intra-op threads here and
in each worker, so 1 local worker and 1 Dask worker do the same computation.

``--lean`` starts the clusters with Dask's monitoring made sparse
(``LEAN_DASK`` of ``bench_legacy.py``: no statistical profiler; event-loop
tick, system and memory monitors every 1, 5 and 2 s).

Targets: Dask 2 workers >= 1.8x 1 worker (images/min); Dask overhead <= 10 %
per image over the local pool.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def _write(folder: Path, images: np.ndarray) -> None:
    from PIL import Image

    folder.mkdir(parents=True)
    for i, im in enumerate(images):
        Image.fromarray(np.round(np.clip(im, 0, 1) * 255).astype(np.uint8)).save(
            folder / f"img{i:05d}.png"
        )


def _set_threads(n: int) -> int:
    import torch

    torch.set_num_threads(n)
    return torch.get_num_threads()


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and its child processes (Dask's workers)."""
    import psutil

    total = 0.0
    me = psutil.Process()
    for proc in (me, *me.children(recursive=True)):
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def _timed(run, model, folder: Path, out: Path, repeats: int, **kw) -> tuple[float, float]:
    """Best wall and best CPU seconds (all processes) of ``run`` over ``repeats`` fresh out_dirs."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)
        c0, t0 = _cpu_seconds(), time.perf_counter()
        summary = run(model, folder, out, progress=False, **kw)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, _cpu_seconds() - c0)
        if not summary.ok or summary.skipped:
            raise RuntimeError(f"the benchmark batch did not run cleanly: {summary}")
        shutil.rmtree(out)
    return best, best_cpu


def _identity(x):
    return x


def _dask_floor(client, n: int = 400) -> tuple[float, float]:
    """Dask's own cost of one task on this cluster (an empty task): wall and CPU seconds."""
    from distributed import as_completed

    client.gather(client.map(_identity, range(10), pure=False))
    c0, t0 = _cpu_seconds(), time.perf_counter()
    for fut in as_completed(client.map(_identity, [{"i": i} for i in range(n)], pure=False)):
        fut.result()
    return (time.perf_counter() - t0) / n, (_cpu_seconds() - c0) / n


def _measure(run, model, folder: Path, work: Path, repeats: int, **kw) -> dict[str, float]:
    """Wall and CPU time of a batch of all images of ``folder`` and of a batch of 2, after
    a warm-up batch; the per-image cost is the slope between the two, the rest is fixed."""
    small = work / "small-in"
    small.mkdir(parents=True)
    for p in sorted(folder.iterdir())[:2]:
        shutil.copy(p, small / p.name)
    n = len(list(folder.iterdir()))
    run(model, small, work / "warm-up", progress=False, **kw)  # imports on the workers
    wall_2, cpu_2 = _timed(run, model, small, work / "out", repeats, **kw)
    wall_n, cpu_n = _timed(run, model, folder, work / "out", repeats, **kw)
    per_wall, per_cpu = (wall_n - wall_2) / (n - 2), (cpu_n - cpu_2) / (n - 2)
    return {"n": n, "wall": wall_n, "cpu": cpu_n, "per_wall": per_wall, "per_cpu": per_cpu,
            "fixed_wall": wall_2 - 2 * per_wall, "fixed_cpu": cpu_2 - 2 * per_cpu}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-classify", type=int, default=400, help="60 x 60 patches")
    parser.add_argument("--n-segment", type=int, default=60, help="images to segment")
    parser.add_argument("--size", type=int, default=256, help="side of the images to segment")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker")
    parser.add_argument("--lean", action="store_true", help="clusters with LEAN_DASK settings")
    args = parser.parse_args(argv)

    import dask
    from bench_legacy import LEAN_DASK
    from distributed import Client, LocalCluster

    from pybridge._inference import classify_folder, segment_folder
    from pybridge.classification import CNNClassifier
    from pybridge.datasets import masses, microcalcifications
    from pybridge.segmentation import UNetSegmenter

    threads = _set_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="bench-inference-"))
    try:
        print("training the tiny models ...", flush=True)
        d = microcalcifications(96, seed=0)
        clf = CNNClassifier(epochs=2, progress=False, device="cpu").fit(d["images"], d["labels"])
        m = masses(32, size=64, seed=0)
        seg = UNetSegmenter(width=8, depth=3, epochs=2, progress=False, device="cpu").fit(
            m["images"], m["masks"]
        )
        clf_file, seg_file = work / "cnn.safetensors", work / "unet.safetensors"
        clf.save(clf_file)
        seg.save(seg_file)
        _write(work / "patches", microcalcifications(args.n_classify, seed=1)["images"])
        _write(work / "scans", masses(args.n_segment, size=args.size, seed=1)["images"])
        jobs = {
            "classify_folder": (classify_folder, clf_file, work / "patches", args.n_classify,
                                "CNN, 60x60 patches"),
            "segment_folder": (segment_folder, seg_file, work / "scans", args.n_segment,
                               f"U-Net w8 d3, {args.size}x{args.size}"),
        }
        times: dict[tuple[str, str], dict[str, float]] = {}
        for job, (run, model, folder, _, _) in jobs.items():
            print(f"{job}: local pool, 1 worker ...", flush=True)
            times[(job, "local 1")] = _measure(run, model, folder, work / job / "local",
                                               args.repeats, device="cpu")
        for n_workers in (1, 2):
            env = {"OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
            with dask.config.set(LEAN_DASK if args.lean else {}), LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                worker_dashboard_address=None, env=env,
            ) as cluster, Client(cluster) as client:
                client.run(_set_threads, args.threads)
                if n_workers == 1:
                    floor = _dask_floor(client)
                for job, (run, model, folder, _, _) in jobs.items():
                    print(f"{job}: Dask LocalCluster, {n_workers} worker(s) ...", flush=True)
                    times[(job, f"dask {n_workers}")] = _measure(
                        run, model, folder, work / job / f"dask{n_workers}", args.repeats,
                        client=client, device="cpu",
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(
        f"batch inference, best of {args.repeats}; torch threads per worker {threads}; "
        f"{os.cpu_count()} CPU cores (load average {os.getloadavg()[0]:.1f} at the end)"
    )
    print("wall: elapsed; CPU: CPU seconds of this process and its Dask workers together;")
    print("per image: slope between a batch of n and a batch of 2; fixed: the rest of a batch")
    header = (f"{'batch':<16} {'model, images':<24} {'n':>4} {'config':<8} {'wall s':>7} "
              f"{'img/min':>8} {'vs local':>8} {'ms/img':>7} {'fixed s':>7} "
              f"{'CPU ms/img':>10} {'CPU fixed s':>11}")
    print(header)
    print("-" * len(header))
    for job, (_, _, _, n, what) in jobs.items():
        base = times[(job, "local 1")]["wall"]
        for config in ("local 1", "dask 1", "dask 2"):
            t = times[(job, config)]
            print(f"{job:<16} {what:<24} {n:>4} {config:<8} {t['wall']:7.2f} "
                  f"{60 * n / t['wall']:8.0f} {base / t['wall']:7.2f}x "
                  f"{1000 * t['per_wall']:7.2f} {t['fixed_wall']:7.2f} "
                  f"{1000 * t['per_cpu']:10.2f} {t['fixed_cpu']:11.2f}")
    print()
    print(f"{'batch':<16} {'dask 2 / dask 1 (img/min)':>26} {'Dask overhead per image, wall':>31} "
          f"{'Dask overhead per image, CPU':>30}")
    for job in jobs:
        local, dask1 = times[(job, "local 1")], times[(job, "dask 1")]
        scale = dask1["wall"] / times[(job, "dask 2")]["wall"]
        cells = []
        for key in ("per_wall", "per_cpu"):
            extra = dask1[key] - local[key]
            cells.append(f"{100 * extra / local[key]:+.1f} % ({1000 * extra:+.2f} ms)")
        print(f"{job:<16} {scale:25.2f}x {cells[0]:>31} {cells[1]:>30}")
    print(f"Dask's own cost of an empty task on the 1-worker cluster: "
          f"{1000 * floor[0]:.2f} ms wall, {1000 * floor[1]:.2f} ms CPU")
    print("targets: dask 2 / dask 1 >= 1.80x; Dask overhead <= +10 % per image")

if __name__ == "__main__":
    main()
