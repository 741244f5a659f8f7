"""The fast layout copies: arrays into another memory order, at memory speed (private).

MATLAB keeps arrays column-major, numpy and torch row-major: turning an
H x W x C x N MATLAB stack into an N x C x H x W tensor, or a C-ordered
array into MATLAB's layout, is a copy whose source and destination walk the
memory in different orders. numpy does such a copy in one pass that follows
the destination, reading the source with a large stride: past the cache
size every element read costs a cache line, and the copy runs at a fraction
of ``np.copy``'s speed. :func:`copy` does the same copy

- in one numpy call when it fits in the cache (up to :data:`SMALL_BYTES`);
- otherwise in tiles: blocks that read whole cache lines of the source and
  write runs of the destination, small enough that the lines a tile reads
  stay in the cache until all their elements are used (a blocked
  transpose). The run along the destination's contiguous axis is shortened
  when the source stride is a multiple of 4 KiB (rows of 1024 float32, 8192
  uint8...), where longer runs evict their own lines (cache-set aliasing);
- on several threads of one persistent pool (numpy releases the GIL while it
  copies) from :data:`PARALLEL_BYTES` on.

A transpose (the destination contiguous along one axis, the source along
another, one dtype), in one call or tile by tile, is copied by
``pybridge._transpose``, a C kernel that moves 16 x 16-byte blocks through
SSE2 registers (two at a time in AVX2's 32-byte registers, where the CPU has
them) instead of numpy's loop, which moves one element at a time. A copy
that fits in the cache skips the plan (below) and goes to the kernel at once:
at 1 MB the plan's views cost a fifth of the copy. Such copies of 128 KB or
more are split in two with the kernel's helper thread where there are two
cores, when they come in a row (a loop over stacks: the helper polls only
while copies come, since a sleeping thread takes longer to wake than a 1 MB
copy takes; a copy after a pause runs on one thread). Measured with ``python
benchmarks/bench_convert.py`` on a 2-core VM (Xeon, AVX2), 1 MB stacks: one
thread 0.49-0.65x ``np.copy``'s speed where numpy's own copies reach
0.07-0.51x (``PYBRIDGE_LAYOUT_KERNEL=0``), two threads in a row 1.0-1.5x;
past the cache, tiles of every element size at 0.96-2.05x (they once stayed
numpy's for 4- and 8-byte elements, with the SSE2 blocks in 64-byte tiles:
those were slower than numpy's loop on float64). The kernel takes elements
of 1, 2, 4 or 8 bytes whose two contiguous axes are each at least one block
long; numpy copies the rest, and everything where the kernel was built
without SSE2 (not x86: an element-by-element C copy was slower than numpy's
loop) or not built at all (no C compiler at install).

:func:`plan` says which of these a copy takes (the benchmark prints it).
:func:`write_column_major` writes an array to a file in column-major order
through two chunk buffers (the Octave engine's payload files), with no
column-major copy of the whole array in memory and, given two cores, the
copy of one chunk overlapping the write of the one before.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "copy",
    "plan",
    "Plan",
    "column_major",
    "write_column_major",
    "SMALL_BYTES",
    "PARALLEL_BYTES",
    "TILE_ELEMENTS",
    "WRITE_CHUNK",
]

#: Copies up to this many bytes are one numpy call (they fit in a core's cache).
SMALL_BYTES = 2 << 20
#: Copies from this many bytes on are split between threads.
PARALLEL_BYTES = 4 << 20
#: The elements one tile of a blocked copy moves (float64: 1 MB), and its
#: least bytes (each tile is one numpy call: uint8 tiles of 512 KB)
TILE_ELEMENTS = 128 << 10
TILE_MIN_BYTES = 512 << 10
#: The longest run along the destination's contiguous axis (elements).
_MAX_RUN = 256
#: The run used when the source stride aliases in the first-level cache.
_ALIASED_RUN = 64
#: The chunk :func:`write_column_major` copies and writes at a time.
WRITE_CHUNK = 4 << 20


try:  # the C transposing copy, built with the package where a C compiler was found
    from pybridge import _transpose as _BUILT
except ImportError:  # built without one: every copy is numpy's
    _BUILT = None
#: The C kernel in use (None: numpy's copies only; PYBRIDGE_LAYOUT_KERNEL=0 asks for that, and
#: a kernel built without SSE2, e.g. on ARM, declines every copy).
KERNEL = (
    _BUILT
    if getattr(_BUILT, "SIMD", 0) and os.environ.get("PYBRIDGE_LAYOUT_KERNEL", "1") != "0"
    else None
)


try:  # reshape(copy=False), numpy >= 2.1: a view or an error, never a silent copy
    np.empty((1, 2)).reshape(2, copy=False)
    _RESHAPE_VIEWS = True
except TypeError:
    _RESHAPE_VIEWS = False


def _workers() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))


#: Whether copies that fit in the cache may use the kernel's helper thread (a second core).
_SPLIT = _workers() > 1

_pool: ThreadPoolExecutor | None = None
_pool_pid = -1
_pool_lock = threading.Lock()


def _get_pool() -> ThreadPoolExecutor:
    """The process's copy threads, started once (and again in a forked child, which has none)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(
                max_workers=max(1, _workers() - 1), thread_name_prefix="pybridge-copy"
            )
            _pool_pid = os.getpid()
        return _pool


@dataclass
class Plan:
    """How :func:`copy` moves one array: ``path`` is 'empty', 'copy' or 'blocked'; ``kernel``:
    each part is copied by the C transposing copy rather than ``np.copyto``."""

    path: str
    threads: int = 1
    tile: tuple[int, ...] | None = None
    dst: np.ndarray | None = None
    src: np.ndarray | None = None
    parts: list = field(default_factory=list)  # per thread: index tuples into dst/src
    kernel: bool = False
    helper: bool = False  # the kernel may split it with its helper thread (copies in a row)

    def describe(self) -> str:
        if self.path == "empty":
            return "nothing to copy"
        on = f"{self.threads} threads" if self.threads > 1 else "1 thread"
        simd = "SSE2/AVX2" if getattr(KERNEL, "AVX2", 0) else "SSE2"
        how = f"C transpose ({simd})" if self.kernel else "numpy copy"
        if self.path == "copy":
            if self.helper:
                return f"one {how}, 2 threads in a row"
            return f"one {how}, {on}" if self.threads > 1 else f"one {how}"
        tile = " x ".join(str(t) for t in self.tile or ())
        n = sum(len(p) for p in self.parts)
        return f"blocked, {n} tiles of {tile}, each a {how}, {on}"


def _simplify(dst: np.ndarray, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Views of ``dst`` and ``src`` without length-1 axes, axes in the destination's order
    (slowest first), and neighbouring axes that are contiguous in both merged into one."""
    dshape, dstrides, sstrides = dst.shape, dst.strides, src.strides
    keep = sorted((i for i, n in enumerate(dshape) if n != 1), key=lambda i: -abs(dstrides[i]))
    shape = [dshape[i] for i in keep]
    ds = [dstrides[i] for i in keep]
    ss = [sstrides[i] for i in keep]
    i = len(shape) - 1
    while i > 0:
        if ds[i - 1] == ds[i] * shape[i] and ss[i - 1] == ss[i] * shape[i]:
            shape[i - 1] *= shape[i]
            ds[i - 1], ss[i - 1] = ds[i], ss[i]
            del shape[i], ds[i], ss[i]
        i -= 1
    if not _RESHAPE_VIEWS:  # numpy < 2.1
        as_strided = np.lib.stride_tricks.as_strided
        return as_strided(dst, shape, ds, writeable=True), as_strided(src, shape, ss, writeable=False)
    # a transpose, then a reshape that only drops length-1 axes and merges axes whose
    # strides chain in both arrays: views (copy=False raises rather than copies), built
    # in half the time np.lib.stride_tricks.as_strided takes (this runs for every copy,
    # the small ones too)
    order = keep + [i for i, n in enumerate(dshape) if n == 1]
    d = dst.transpose(order).reshape(shape, copy=False)
    s = src.transpose(order).reshape(shape, copy=False)
    return d, s


def _run_length(stride: int) -> int:
    """How many elements an inner loop may read at ``stride`` bytes apart and keep its lines.

    The lines land in the sets of a 4 KiB-per-way first-level cache (8 ways
    assumed): a stride that is a multiple of a large power of two puts them
    all in a few sets, which then hold only a few lines each.
    """
    g = math.gcd(stride, 4096)
    if g < 64:
        return _MAX_RUN
    lines = (4096 // g) * 8
    return _ALIASED_RUN if lines < _ALIASED_RUN else min(lines, _MAX_RUN)


def _split(items: list, n: int) -> list[list]:
    size = -(-len(items) // n)
    return [items[k : k + size] for k in range(0, len(items), size)]


def plan(
    dst: np.ndarray, src: np.ndarray, *, small_bytes: int | None = None, threads: int | None = None
) -> Plan:
    """How :func:`copy` would copy ``src`` into ``dst`` (same shape).

    ``small_bytes`` (default :data:`SMALL_BYTES`): copies up to this size are
    one numpy call; ``threads``: at most this many threads (default: by size).
    """
    if dst.shape != src.shape:
        raise ValueError(f"copy between shapes {src.shape} and {dst.shape}")
    if dst.size == 0:
        return Plan("empty")
    nbytes = max(dst.nbytes, src.nbytes)
    d, s = _simplify(dst, src)
    if threads is None:
        threads = _workers() if nbytes >= PARALLEL_BYTES else 1
    kernel = _kernel_takes(d, s)
    if d.ndim == 0 or nbytes <= (SMALL_BYTES if small_bytes is None else small_bytes):
        helper = kernel and _SPLIT and nbytes >= getattr(KERNEL, "SPLIT_BYTES", math.inf)
        return Plan("copy", dst=d, src=s, parts=[[()]], kernel=kernel, helper=helper)
    nd = d.ndim
    d0 = nd - 1  # the destination's fastest axis (after _simplify)
    s0 = min(range(nd), key=lambda i: abs(s.strides[i]))
    if s0 == d0 or abs(s.strides[d0]) <= s.itemsize:
        # both walk their memory in the same order: numpy's own loop is a
        # streaming copy; threads take slabs along the slowest axis
        n0 = d.shape[0]
        parts = [[()]]
        if threads > 1 and n0 > 1:
            step = -(-n0 // min(threads, n0))
            parts = [[(slice(i, i + step),)] for i in range(0, n0, step)]
        return Plan("copy", threads=len(parts), dst=d, src=s, parts=parts)
    # The tile: numpy walks it in the destination's order. Between two uses of
    # a source line (neighbouring elements along s0) it visits every index of
    # the axes inside s0: their block sizes multiply to at most one run, so
    # those lines stay cached; they are filled fastest first, so the tile
    # writes whole runs of the destination. s0 and the outer axes then fill
    # the tile up to TILE_ELEMENTS.
    run = _run_length(abs(s.strides[d0]))
    tile_elems = max(TILE_ELEMENTS, TILE_MIN_BYTES // max(d.itemsize, s.itemsize))
    block = [1] * nd
    size = 1
    for ax in range(nd - 1, s0, -1):
        block[ax] = min(d.shape[ax], max(1, run // size))
        size *= block[ax]
    line = max(1, 64 // s.itemsize)  # at least a cache line of the source per read
    block[s0] = min(d.shape[s0], max(line, tile_elems // size))
    size *= block[s0]
    for ax in range(s0 - 1, -1, -1):
        block[ax] = min(d.shape[ax], max(1, tile_elems // size))
        size *= block[ax]
    starts = itertools.product(*(range(0, n, b) for n, b in zip(d.shape, block, strict=True)))
    tiles = [tuple(slice(i, i + b) for i, b in zip(st, block, strict=True)) for st in starts]
    threads = min(threads, len(tiles))
    return Plan(
        "blocked",
        threads=threads,
        tile=tuple(block),
        dst=d,
        src=s,
        parts=_split(tiles, threads),
        kernel=kernel,
    )


def _kernel_takes(d: np.ndarray, s: np.ndarray) -> bool:
    """Whether the C kernel copies ``s`` into ``d`` (simplified views): a transpose
    between arrays of one plain dtype of 1, 2, 4 or 8 bytes, each contiguous along a
    different axis at least one 16-byte block long (the kernel declines the others)."""
    if KERNEL is None or d.ndim < 2 or d.dtype != s.dtype or d.dtype.hasobject:
        return False
    e = d.itemsize
    if e not in (1, 2, 4, 8) or d.strides[-1] != e:  # _simplify puts the destination's fastest axis last
        return False
    block = 16 // e
    return d.shape[-1] >= block and any(
        st == e and n >= block for st, n in zip(s.strides[:-1], s.shape[:-1], strict=True)
    )


def _run(
    d: np.ndarray, s: np.ndarray, index: list, kernel: bool = False, helper: bool = False
) -> None:
    for ix in index:
        dv, sv = (d[ix], s[ix]) if ix else (d, s)  # d[()] of a 0-d array is a scalar
        if kernel and KERNEL.copy(dv, sv, True, helper):
            continue  # (False: a tile the kernel does not take, e.g. one with a single row)
        np.copyto(dv, sv, casting="unsafe")


def run(p: Plan) -> None:
    """Carry out a :class:`Plan` (the caller's thread takes the first part)."""
    if p.path == "empty":
        return
    if len(p.parts) == 1:
        _run(p.dst, p.src, p.parts[0], p.kernel, p.helper)
        return
    futures = []
    try:
        pool = _get_pool()
        for part in p.parts[1:]:
            futures.append(pool.submit(_run, p.dst, p.src, part, p.kernel))
    except RuntimeError:  # the interpreter is shutting down: no new threads
        for part in p.parts[1 + len(futures) :]:
            _run(p.dst, p.src, part, p.kernel)
    try:
        _run(p.dst, p.src, p.parts[0], p.kernel)
    finally:
        for f in futures:
            f.result()


def copy(dst: np.ndarray, src: np.ndarray) -> None:
    """``np.copyto(dst, src, casting='unsafe')``, blocked and threaded when that is faster.

    ``dst`` must not overlap ``src`` (the callers copy into new arrays).
    """
    if (
        KERNEL is not None
        and dst.nbytes <= SMALL_BYTES
        and dst.dtype == src.dtype
        and not dst.dtype.hasobject
        and dst.shape == src.shape
    ):
        # What plan() would choose for a copy this small (one call, the kernel where it
        # takes the copy), without building the plan: the kernel finds the two contiguous
        # axes itself and declines what is not a transpose for its blocks. At 1 MB the
        # plan and its views cost a fifth of the copy's time.
        if not KERNEL.copy(dst, src, True, _SPLIT):
            np.copyto(dst, src, casting="unsafe")
        return
    run(plan(dst, src))


def column_major(a: np.ndarray, dtype: np.dtype | None = None) -> np.ndarray:
    """The elements of ``a`` in column-major order, as a 1-D array (a view when they are)."""
    dt = np.dtype(dtype) if dtype is not None else a.dtype
    if not a.flags.f_contiguous or a.dtype != dt:
        out = np.empty(a.shape, dtype=dt, order="F")
        copy(out, a)
        a = out
    return a.reshape(-1, order="F")


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]


def write_column_major(fd: int, a: np.ndarray, dtype: np.dtype | None = None) -> int:
    """Write the elements of ``a`` to the file ``fd`` in column-major order; return the bytes.

    What ``os.write(fd, np.asfortranarray(a))`` writes, without the
    column-major copy in memory: the array goes out in chunks of about
    :data:`WRITE_CHUNK` bytes, each copied (blocked) into a buffer and
    written from there, so the transposing copy and the write are one pass
    through memory instead of two. With a second core, a pool thread copies
    the next chunk into the other of two buffers while this thread writes
    (the copy then costs no time of its own). ``dtype`` casts on the way (as
    ``np.copyto`` with ``casting='unsafe'``).
    """
    dt = np.dtype(dtype) if dtype is not None else a.dtype
    b = a.T  # C order of a.T is the column-major order of a
    if b.flags.c_contiguous and dt == b.dtype:
        data = memoryview(np.ascontiguousarray(b).reshape(-1)).cast("B") if b.size else b""
        _write_all(fd, memoryview(data))
        return b.size * dt.itemsize
    if b.ndim == 0:
        b = b.reshape(1)
    # the chunks: ranges along one axis (ax) of b, with every axis after it whole
    inner, ax = 1, b.ndim
    while ax > 0 and inner * b.shape[ax - 1] * dt.itemsize <= WRITE_CHUNK:
        inner *= b.shape[ax - 1]
        ax -= 1
    if ax == 0:
        chunks = [()]
        step = 1
    else:
        ax -= 1
        step = max(1, WRITE_CHUNK // (inner * dt.itemsize))
        chunks = [
            (*outer, slice(j, j + step))
            for outer in np.ndindex(*b.shape[:ax])
            for j in range(0, b.shape[ax], step)
        ]
    size = min(b.size, step * inner)
    bufs = [np.empty(size, dtype=dt), np.empty(size, dtype=dt) if len(chunks) > 1 else None]
    tiles: dict[tuple, Plan] = {}

    def fill(k: int) -> np.ndarray:
        """Copy chunk ``k`` into its buffer (the two buffers take turns)."""
        ix = chunks[k]
        src = b[ix] if ix else b
        dst = bufs[k % 2][: src.size].reshape(src.shape)
        p = tiles.get(src.shape)
        if p is None:  # the tiles of every chunk of this shape (the strides are the same)
            p = tiles[src.shape] = plan(dst, src, small_bytes=0, threads=1)
        elif p.path != "empty":
            p.dst, p.src = _simplify(dst, src)
        run(p)
        return dst

    total = 0
    if len(chunks) == 1 or _workers() == 1:
        for k in range(len(chunks)):
            dst = fill(k)
            _write_all(fd, memoryview(dst.reshape(-1)).cast("B"))
            total += dst.nbytes
        return total
    # two threads: the pool copies the next chunk while this thread writes one

    def submit(k: int) -> Future:
        try:
            return _get_pool().submit(fill, k)
        except RuntimeError:  # the interpreter is shutting down: copy here
            done: Future = Future()
            done.set_result(fill(k))
            return done

    pending: Future | None = submit(0)
    try:
        for k in range(len(chunks)):
            dst = pending.result()
            pending = submit(k + 1) if k + 1 < len(chunks) else None
            _write_all(fd, memoryview(dst.reshape(-1)).cast("B"))
            total += dst.nbytes
    finally:
        if pending is not None:  # a write failed: let the copy in flight finish first
            pending.cancel() or pending.exception()
    return total
