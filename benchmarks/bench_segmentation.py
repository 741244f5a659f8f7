"""Segmentation quality and training time of the CAE and the U-Net on synthetic masses.

Run:  python benchmarks/bench_segmentation.py [--seeds 0 1 2] [--n-train 320] [--epochs 8]

For each model and seed: train on ``--n-train`` synthetic 64 x 64 mass crops
(pybridge.datasets.masses, seed = the run's seed), pick the threshold on the
20 % validation split, and score mean Dice on ``--n-test`` crops from a
held-out seed. Prints mean and spread (standard deviation over seeds) of the
test Dice, training wall time and the process's CPU time (less sensitive to
other load on a shared machine).
Goal: U-Net test Dice >= 0.85 within 180 s of CPU training on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-train", type=int, default=320)
    parser.add_argument("--n-test", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=["unet", "cae"], choices=["unet", "cae"])
    args = parser.parse_args(argv)

    import torch

    from pybridge.datasets import masses
    from pybridge.segmentation import CAESegmenter, UNetSegmenter

    torch.set_num_threads(args.threads)
    test = masses(args.n_test, seed=10_000)
    common = dict(epochs=args.epochs, batch_size=16, lr=2e-3, early_stopping=None, progress=False)
    builders = {
        "unet": (
            "U-Net (width 8, depth 3)",
            lambda s: UNetSegmenter(width=8, depth=3, seed=s, **common),
        ),
        "cae": ("CAE (16, 32, 64)", lambda s: CAESegmenter(filters=(16, 32, 64), seed=s, **common)),
    }

    rows = []
    for key in args.models:
        name, build = builders[key]
        scores, walls, cpus = [], [], []
        for seed in args.seeds:
            train = masses(args.n_train, seed=seed)
            est = build(seed)
            w0, c0 = time.perf_counter(), time.process_time()
            est.fit(train["images"], train["masks"])
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
            scores.append(est.score(test["images"], test["masks"]))
            print(
                f"  {name} seed {seed}: test Dice {scores[-1]:.4f}, "
                f"train {walls[-1]:.0f} s wall / {cpus[-1]:.0f} s CPU",
                flush=True,
            )
        rows.append((name, scores, walls, cpus))

    print()
    print(
        f"synthetic masses 64x64: {args.n_train} train (20% validation), {args.n_test} test, "
        f"{args.epochs} epochs, seeds {args.seeds}, torch threads {args.threads}"
    )
    print(f"{'model':<26} {'test Dice':>10} {'spread':>8} {'train wall s':>13} {'train CPU s':>12}")
    for name, scores, walls, cpus in rows:
        spread = statistics.stdev(scores) if len(scores) > 1 else 0.0
        print(
            f"{name:<26} {np.mean(scores):10.4f} {spread:8.4f} "
            f"{np.mean(walls):13.1f} {np.mean(cpus):12.1f}"
        )


if __name__ == "__main__":
    main()
