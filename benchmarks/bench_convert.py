"""Throughput of pybridge.convert's layout conversions, as ratios against ``np.copy``.

Each conversion runs on H x W x 1 x N MATLAB-layout stacks of 60 x 60
patches (the course's size), 1 MB, 64 MB and 512 MB, float32, float64 and
uint8, and is timed against ``np.copy`` of the same bytes in interleaved
rounds of the same run (machines are noisy: only the ratio means something;
it is the median over the rounds of np.copy's time over the conversion's).
A ratio of 1.0 is "as fast as copying the bytes"; the target is >= 0.9.

Each row says which path the conversion takes (see ``pybridge/_layout.py``):

- ``view``: no copy at all (a strided view of the same memory);
- ``one numpy copy`` / ``one C transpose``: one call, for copies that fit in
  the cache;
- ``blocked, K tiles of ...``: a cache-blocked transpose, on the threads of
  one persistent pool when large, each tile a numpy copy or a C transpose.

The C transpose is pybridge's kernel (``pybridge/_transpose.c``: SSE2 blocks,
two at a time in AVX2 registers where the CPU has AVX2, shown as
``SSE2/AVX2``); ``PYBRIDGE_LAYOUT_KERNEL=0 python benchmarks/bench_convert.py``
measures the same table with numpy's copies alone, for comparison.

Copies that fit in the cache (the 1 MB rows) are split with the kernel's
helper thread when they come in a row, as in the timing loop above (``2
threads in a row``); the column ``after a pause`` times single calls that
each follow 2 ms of sleep, against np.copy timed the same way (medians of
``--pauses`` calls): one thread, caches and the interpreter's own state no
longer warm. A loop over stacks sees the first column, a single conversion
between other work the second.

The last lines print the worst ratio over the rows that copy (in a row, and
after a pause), and the
ceiling of a copy that transposes in numpy: one ``np.copyto`` of 256 KB of
patches (transposed, or in reversed axis order) against ``np.copy`` of the
same bytes, both in the cache. That is the element rate of numpy's strided
copy loop, which bounds the 1 MB rows where numpy copies (no kernel, or
``PYBRIDGE_LAYOUT_KERNEL=0``): no blocking or thread helps a 1 MB copy
(handing half of it to a second thread costs more than it saves: measured).
The kernel's 1 MB rows are above it, and below np.copy: its blocks spend
unpack instructions and edge blocks that a plain copy does not. Beyond the
cache the rows are bound by memory and by how many cores are free: the
blocked copies run on all the pool's threads, np.copy on one.

    python benchmarks/bench_convert.py [--sizes 1 64 512] [--dtypes float32 float64 uint8]
                                       [--rounds 5]
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

from pybridge import _layout, convert  # noqa: E402


def _best(fn, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _after_pause(fn, pause: float = 0.002) -> float:
    """The time of one call that follows ``pause`` seconds of sleep (nothing else in a row)."""
    time.sleep(pause)
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _reps(nbytes: int) -> int:
    """Repeats within a round: about 20 ms of copying, at least 1."""
    return max(1, min(200, int(0.02 / (nbytes / 4e9))))


def _stack(mb: int, dtype: str) -> np.ndarray:
    dt = np.dtype(dtype)
    n = max(1, mb * 2**20 // (60 * 60 * dt.itemsize))
    rng = np.random.default_rng(0)
    if dt.kind == "u":
        data = rng.integers(0, 256, size=(60, 60, 1, n), dtype=dt)
    else:
        data = rng.random((60, 60, 1, n), dtype=dt)
    return np.asfortranarray(data)


def _cases(stack: np.ndarray) -> list[tuple[str, object, str]]:
    """(name, function, path) for one stack."""
    import torch

    nchw = convert.matlab_to_torch(stack)  # contiguous N x C x H x W
    nchw_np = nchw.numpy()
    c_order = np.ascontiguousarray(stack)
    view = convert.matlab_to_numpy(stack)

    def path(dst_order: str, src: np.ndarray) -> str:
        return _layout.plan(np.empty(src.shape, src.dtype, order=dst_order), src).describe()

    hwcn = nchw_np.transpose(2, 3, 1, 0)  # what numpy_to_matlab copies into column-major
    assert isinstance(nchw, torch.Tensor)
    return [
        ("from_matlab(memoryview)", lambda: convert.from_matlab(memoryview(stack)), "view"),
        ("matlab_to_numpy HWCN->NCHW", lambda: convert.matlab_to_numpy(stack), "view"),
        ("matlab_to_torch (contiguous)", lambda: convert.matlab_to_torch(stack), path("C", view)),
        ("torch_to_matlab NCHW->HWCN", lambda: convert.torch_to_matlab(nchw), path("F", hwcn)),
        ("numpy_to_matlab NCHW->HWCN", lambda: convert.numpy_to_matlab(nchw_np), path("F", hwcn)),
        ("to_matlab(C-order array)", lambda: convert.to_matlab(c_order), path("F", c_order)),
    ]


def _check(stack: np.ndarray) -> None:
    """The conversions give what plain numpy transposes give (a benchmark of wrong answers
    is worth nothing)."""
    ref = np.ascontiguousarray(stack.transpose(3, 2, 0, 1))
    t = convert.matlab_to_torch(stack)
    assert t.is_contiguous() and np.array_equal(t.numpy(), ref)
    assert np.array_equal(convert.torch_to_matlab(t), stack)
    back = convert.to_matlab(np.ascontiguousarray(stack))
    assert back.flags.f_contiguous and np.array_equal(back, stack)


def _ceiling(dtype: str, rounds: int) -> tuple[float, float]:
    """In-cache ratios to np.copy of numpy's own transposing copy (one np.copyto of 256 KB).

    For a stack of 60 x 60 patches: (each patch transposed, the whole axis
    order reversed). No blocking or threading applies at this size; this is
    the element rate of numpy's strided copy loop, which bounds the 1 MB rows.
    """
    dt = np.dtype(dtype)
    n = max(1, 256 * 1024 // (3600 * dt.itemsize))
    stack = np.asfortranarray(np.ones((60, 60, 1, n), dtype=dt))
    planes = convert.matlab_to_numpy(stack)
    c_order = np.ascontiguousarray(stack)
    same = np.empty_like(stack)
    out_planes = np.empty(planes.shape, dtype=dt)
    out_rev = np.empty(c_order.shape, dtype=dt, order="F")
    r_planes, r_rev = [], []
    for _ in range(rounds):
        t_copy = _best(lambda: np.copyto(same, stack), 200)
        r_planes.append(t_copy / _best(lambda: np.copyto(out_planes, planes), 200))
        r_rev.append(t_copy / _best(lambda: np.copyto(out_rev, c_order), 200))
    return statistics.median(r_planes), statistics.median(r_rev)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", type=int, nargs="+", default=[1, 64, 512], help="stack sizes in MB")
    p.add_argument(
        "--dtypes",
        nargs="+",
        default=["float32", "float64", "uint8"],
        choices=["float32", "float64", "uint8"],
    )
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median ratio)")
    p.add_argument(
        "--pauses", type=int, default=15, help="calls after a pause, for the copies in the cache"
    )
    args = p.parse_args(argv)
    import torch  # noqa: F401  (torch's own thread pool is set up as a user gets it)

    rows = []
    for dtype in args.dtypes:
        for mb in args.sizes:
            stack = _stack(mb, dtype)
            _check(stack)
            nbytes = stack.nbytes
            reps = _reps(nbytes)
            cases = _cases(stack)
            base = []
            times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
            for _ in range(args.rounds):
                t_copy = _best(lambda s=stack: np.copy(s, order="K"), reps)
                base.append(t_copy)
                for name, fn, _ in cases:
                    times[name].append(_best(fn, reps))
            # copies that fit in the cache, one at a time: each call after a pause (medians)
            alone: dict[str, float] = {}
            if nbytes <= _layout.SMALL_BYTES:
                samples: dict[str, list[float]] = {"np.copy": []} | {n: [] for n, _, _ in cases}
                for _ in range(args.pauses):
                    samples["np.copy"].append(_after_pause(lambda s=stack: np.copy(s, order="K")))
                    for name, fn, _ in cases:
                        samples[name].append(_after_pause(fn))
                t_alone = statistics.median(samples.pop("np.copy"))
                alone = {n: t_alone / statistics.median(t) for n, t in samples.items()}
            size = f"{nbytes / 2**20:.0f} MB"
            t_base = min(base)
            rows.append((dtype, size, "np.copy (baseline)", "copy", nbytes / t_base / 1e9, 1.0, 1.0 if alone else None))
            for name, _, path in cases:
                ratio = statistics.median(b / t for b, t in zip(base, times[name], strict=True))
                rows.append((dtype, size, name, path, nbytes / min(times[name]) / 1e9, ratio, alone.get(name)))
            del stack, cases

    w = max(len(r[3]) for r in rows)
    head = (
        f"{'dtype':<8} {'stack':>6} | {'conversion':<29} | {'path':<{w}} | {'GB/s':>6} | vs np.copy"
        " | after a pause"
    )
    print(head)
    print("-" * len(head))
    worst = worst_alone = None
    for dtype, size, name, path, gbs, ratio, alone in rows:
        if path == "view":
            print(f"{dtype:<8} {size:>6} | {name:<29} | {path:<{w}} | {'-':>6} | view (no copy)")
            continue
        after = f"{alone:5.2f}x" if alone is not None else "    -"
        print(f"{dtype:<8} {size:>6} | {name:<29} | {path:<{w}} | {gbs:6.2f} | {ratio:9.2f}x | {after}")
        if path != "copy" and (worst is None or ratio < worst[0]):
            worst = (ratio, f"{name}, {dtype}, {size}")
        if path != "copy" and alone is not None and (worst_alone is None or alone < worst_alone[0]):
            worst_alone = (alone, f"{name}, {dtype}, {size}")
    if worst is not None:
        print(f"\nworst ratio over the copying rows: {worst[0]:.2f}x ({worst[1]}); target >= 0.90x")
    if worst_alone is not None:
        print(
            f"worst ratio of a copy after a pause (in the cache, one thread): {worst_alone[0]:.2f}x "
            f"({worst_alone[1]})"
        )
    print(
        "ceiling in the cache: one np.copyto of 256 KB of 60 x 60 patches, vs np.copy "
        "(patches transposed / axis order reversed):"
    )
    figures = {dt: _ceiling(dt, 3) for dt in args.dtypes}
    print("  " + ", ".join(f"{dt} {a:.2f}x / {b:.2f}x" for dt, (a, b) in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
