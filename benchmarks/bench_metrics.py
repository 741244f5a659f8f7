"""Speed of pybridge.metrics.dice on 256^3 masks against MONAI and plain numpy.

Run:  python benchmarks/bench_metrics.py [--size 256] [--repeat 7]

Every row is timed in the same run (median of ``--repeat`` calls, after one
warm-up call). MONAI gets its own input format, prepared outside the timing:
float tensors of shape (1, C, D, H, W) (one-hot channels). pybridge gets bool
(or integer label) numpy arrays, as a MATLAB user's logical arrays arrive.
Goal: pybridge >= 2x faster than MONAI's compute_dice on CPU.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _median_time(fn, repeat: int) -> tuple[float, object]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--labels", type=int, default=4, help="labels incl. background")
    args = parser.parse_args(argv)

    import torch
    from monai.metrics import compute_dice

    from pybridge.metrics import dice

    rng = np.random.default_rng(0)
    s = args.size
    shape = (s, s, s)
    zz, yy, xx = np.ogrid[:s, :s, :s]
    r2 = (zz - s / 2) ** 2 + (yy - s / 2) ** 2 + (xx - s / 2) ** 2
    ref = r2 < (0.3 * s) ** 2
    pred = (r2 + rng.normal(0, 0.05 * s * s, shape)) < (0.3 * s) ** 2

    t_ref = torch.from_numpy(ref[None, None].astype(np.float32))
    t_pred = torch.from_numpy(pred[None, None].astype(np.float32))

    def plain_numpy():
        return 2.0 * np.logical_and(pred, ref).sum() / (pred.sum() + ref.sum())

    rows = []
    t_monai, v_monai = _median_time(lambda: compute_dice(t_pred, t_ref), args.repeat)
    t_ours, v_ours = _median_time(lambda: dice(pred, ref), args.repeat)
    t_np, v_np = _median_time(plain_numpy, args.repeat)
    assert abs(float(v_monai) - v_ours) < 1e-6 and abs(v_np - v_ours) < 1e-12
    rows += [
        ("binary", "MONAI compute_dice (float32 tensors)", t_monai),
        ("binary", "plain numpy (a & b).sum()", t_np),
        ("binary", "pybridge.metrics.dice (bool)", t_ours),
    ]

    k = args.labels
    lab_ref = np.minimum((r2 / (0.45 * s) ** 2 * k).astype(np.int64), k - 1).astype(np.uint8)
    lab_pred = np.where(rng.random(shape) < 0.9, lab_ref, rng.integers(0, k, shape)).astype(
        np.uint8
    )

    def one_hot(lab: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(lab.astype(np.int64))
        return torch.nn.functional.one_hot(t, k).movedim(-1, 0)[None].float()

    t_lref, t_lpred = one_hot(lab_ref), one_hot(lab_pred)
    t_lmonai, v_lmonai = _median_time(
        lambda: compute_dice(t_lpred, t_lref, include_background=False), args.repeat
    )
    t_lours, v_lours = _median_time(lambda: dice(lab_pred, lab_ref), args.repeat)
    np.testing.assert_allclose(v_lmonai.numpy()[0], v_lours, atol=1e-6)
    rows += [
        (f"{k - 1} labels", "MONAI compute_dice (one-hot float32)", t_lmonai),
        (f"{k - 1} labels", "pybridge.metrics.dice (uint8 labels)", t_lours),
    ]

    base = {"binary": t_monai, f"{k - 1} labels": t_lmonai}
    print(f"dice on {s}^3 masks, median of {args.repeat}, torch threads={torch.get_num_threads()}")
    print(f"{'input':<10} {'implementation':<40} {'ms':>9} {'speed-up vs MONAI':>18}")
    for kind, name, t in rows:
        print(f"{kind:<10} {name:<40} {t * 1e3:9.1f} {base[kind] / t:17.2f}x")


if __name__ == "__main__":
    main()
