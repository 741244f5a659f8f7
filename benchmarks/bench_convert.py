"""Throughput of pybridge.convert for MATLAB-layout image stacks.

Each conversion is timed on 1 MB, 64 MB and 512 MB single-precision
H x W x 1 x N stacks (60 x 60 patches, the course's size), and reported as
GB/s and as a ratio against ``np.copy`` of the same bytes, measured in the
same run (machines are noisy: only the ratio means something). A conversion
that needs no copy (a view) shows "view" and copies = 0.

    python benchmarks/bench_convert.py [--sizes 1 64 512] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from pybridge import convert


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[1, 64, 512], help="stack sizes in MB")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    import torch  # noqa: F401  (torch's own thread pool is used as a user gets it)

    rows = []
    for mb in args.sizes:
        n = max(1, mb * 2**20 // (60 * 60 * 4))
        stack = np.asfortranarray(np.random.default_rng(0).random((60, 60, 1, n), dtype=np.float32))
        nbytes = stack.nbytes
        c_order = np.ascontiguousarray(stack)
        t_copy = best_of(lambda s=stack: np.copy(s, order="K"), args.repeat)
        t = convert.matlab_to_torch(stack)
        cases = {
            "from_matlab(memoryview)": lambda s=stack: convert.from_matlab(memoryview(s)),
            "matlab_to_numpy (HWCN->NCHW)": lambda s=stack: convert.matlab_to_numpy(s),
            "matlab_to_torch (contiguous NCHW)": lambda s=stack: convert.matlab_to_torch(s),
            "torch_to_matlab (NCHW->HWCN)": lambda t=t: convert.torch_to_matlab(t),
            "to_matlab(C-order array)": lambda c=c_order: convert.to_matlab(c),
        }
        for name, fn in cases.items():
            out = fn()
            base = out.numpy() if hasattr(out, "numpy") else out
            copies = 0 if np.shares_memory(np.asarray(base), stack) else 1
            sec = best_of(fn, args.repeat)
            rows.append((f"{nbytes / 2**20:.0f} MB", name, copies, sec, nbytes / sec / 1e9, t_copy / sec))
        rows.append((f"{nbytes / 2**20:.0f} MB", "np.copy (baseline)", 1, t_copy, nbytes / t_copy / 1e9, 1.0))
    print(f"{'stack':>7} | {'conversion':<36} | copies | {'seconds':>9} | {'GB/s':>8} | vs np.copy")
    print("-" * 92)
    for size, name, copies, sec, gbs, ratio in rows:
        gb = "view" if copies == 0 else f"{gbs:8.2f}"
        r = "view (no copy)" if copies == 0 else f"{ratio:5.2f}x"
        print(f"{size:>7} | {name:<36} | {copies:^6} | {sec:9.6f} | {gb:>8} | {r}")


if __name__ == "__main__":
    main()
