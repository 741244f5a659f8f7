"""pybridge._layout and the layout conversions built on it, against plain numpy transposes.

The reference for every copy is numpy's own: ``np.ascontiguousarray`` /
``np.asfortranarray`` of the transposed view, or indexing element by element.
The shapes are chosen so that each path of the copy runs (one numpy call,
blocked tiles, several threads, a source stride that aliases in the cache)
and the tests check that the path they meant is the one taken.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from machine_tools import X86
from numpy.testing import assert_array_equal

from pybridge import _layout, convert

DTYPES = ["float32", "float64", "uint8", "int16", "bool"]


def _data(shape, dtype, rng) -> np.ndarray:
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
    return rng.standard_normal(shape).astype(dt)


def _blocked_threaded(dst, src) -> bool:
    p = _layout.plan(dst, src)
    return p.path == "blocked" and (p.threads > 1 or _layout._workers() == 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape",
    [
        (61, 67, 3, 9),  # odd sizes, a few images (one numpy call)
        (61, 67, 1, 400),  # odd image sizes, many images (blocked, threaded)
        (64, 128, 2, 160),  # rows of 512 bytes: a source stride that aliases in the cache
        (1, 1, 1, 5000),  # all but the last axis singleton
    ],
)
def test_matlab_to_torch_and_back_equal_numpy_transposes(dtype, shape, rng):
    x = np.asfortranarray(_data(shape, dtype, rng))
    want = np.ascontiguousarray(x.transpose(3, 2, 0, 1))  # numpy's own N x C x H x W copy
    t = convert.matlab_to_torch(x)
    assert t.is_contiguous() and tuple(t.shape) == want.shape
    assert not np.shares_memory(t.numpy(), x)
    assert_array_equal(t.numpy(), want)
    back = convert.torch_to_matlab(t)
    assert back.flags.f_contiguous and back.shape == convert._matlab_shape(shape)
    assert_array_equal(back.reshape(shape, order="F"), x)
    nb = convert.numpy_to_matlab(want)
    assert nb.flags.f_contiguous  # a view where the memory already is in that order
    assert_array_equal(nb.reshape(shape, order="F"), x)


def test_the_large_cases_take_the_blocked_threaded_path(rng):
    x = np.asfortranarray(_data((61, 67, 1, 400), "float64", rng))
    view = convert.matlab_to_numpy(x)
    assert _blocked_threaded(np.empty(view.shape, view.dtype), view)
    c = np.ascontiguousarray(x)
    assert _blocked_threaded(np.empty(c.shape, c.dtype, order="F"), c)
    small = x[..., :3]
    assert _layout.plan(np.empty(small.shape, order="F"), small).path == "copy"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape",
    [
        (10_001, 317),  # a 2-D transpose, odd sizes
        (1024, 2048),  # powers of two: strides that alias in the cache
        (60, 60, 1, 700),  # the full reversal of a C-ordered stack of patches
        (3, 701, 1203),  # channels first
        (7, 5, 300, 301),
    ],
)
def test_to_matlab_of_c_order_equals_asfortranarray(dtype, shape, rng):
    a = _data(shape, dtype, rng)
    m = convert.to_matlab(a)
    assert m.flags.f_contiguous and not np.shares_memory(m, a)
    assert_array_equal(m, np.asfortranarray(a).reshape(m.shape, order="A"))


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a[::2, 1::3],  # steps
        lambda a: a[::-1, :],  # a negative stride
        lambda a: a.T[:, ::-2],
        lambda a: np.broadcast_to(a[:1], a.shape),  # a zero stride
    ],
)
def test_non_contiguous_sources(make, rng):
    a = _data((2003, 1001), "float64", rng)
    v = make(a)
    for order in "CF":
        out = np.empty(v.shape, v.dtype, order=order)
        _layout.copy(out, v)
        assert_array_equal(out, v)


def test_copy_casts_like_copyto(rng):
    x = np.asfortranarray(_data((61, 67, 1, 400), "float32", rng))
    import torch

    t = convert.matlab_to_torch(x, dtype=torch.float64)
    assert t.dtype == torch.float64
    assert_array_equal(t.numpy(), x.transpose(3, 2, 0, 1).astype(np.float64))


@pytest.mark.parametrize("dtype", ["float32", "uint8", "object"])
def test_small_copies_cast_like_copyto(dtype, rng):
    """A copy that fits in the cache is one call, the kernel's where it takes it: between
    different dtypes of one element size (float32 into int32) it must cast, not move bytes."""
    a = np.asfortranarray(rng.uniform(0, 255, (60, 60, 1, 20))).astype(dtype)
    v = a.transpose(3, 2, 0, 1)  # N x C x H x W, as matlab_to_numpy views it
    for to in ("int32", "float32", "uint8", "object"):
        out = np.empty(v.shape, to)
        _layout.copy(out, v)
        expect = np.empty(v.shape, to)
        np.copyto(expect, v, casting="unsafe")
        assert_array_equal(out, expect)
        assert out.dtype == np.dtype(to)


def test_empty_scalar_and_singleton_arrays():
    for shape in [(0, 3), (3, 0, 2), (), (1, 1, 1)]:
        a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
        out = np.empty(shape, order="F")
        _layout.copy(out, a)
        assert_array_equal(out, a)
    with pytest.raises(ValueError, match="shapes"):
        _layout.copy(np.empty((2, 3)), np.empty((3, 2)))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 9), min_size=1, max_size=5),
    st.sampled_from(DTYPES),
    st.randoms(use_true_random=False),
)
def test_any_permutation_property(dims, dtype, r):
    """Any axis order into C or F memory, with the tiles made small so that tiling runs."""
    rng = np.random.default_rng(r.randrange(2**32))
    a = _data(tuple(dims), dtype, rng)
    perm = list(range(a.ndim))
    r.shuffle(perm)
    v = a.transpose(perm)
    names = ("SMALL_BYTES", "TILE_ELEMENTS", "TILE_MIN_BYTES", "PARALLEL_BYTES")
    saved = {n: getattr(_layout, n) for n in names}
    try:
        # tiles and threads made small, then the defaults (these arrays are small: one call)
        for values in ((0, 16, 16, 0), tuple(saved.values())):
            for n, value in zip(names, values, strict=True):
                setattr(_layout, n, value)
            for kernel in (_layout._BUILT, None):  # the C kernel's copies and numpy's alone
                _layout.KERNEL = kernel
                for order in "CF":
                    out = np.empty(v.shape, v.dtype, order=order)
                    _layout.copy(out, v)
                    assert_array_equal(out, v)
    finally:
        _layout.KERNEL = _layout._BUILT
        for n, value in saved.items():
            setattr(_layout, n, value)


@pytest.mark.parametrize("reshape_views", [True, False])
def test_simplified_views_are_the_same_memory(reshape_views, monkeypatch, rng):
    """Both ways of building the simplified views (reshape(copy=False) on numpy >= 2.1,
    as_strided before it) give views of the same memory with the merged shape and strides."""
    if reshape_views and np.lib.NumpyVersion(np.__version__) < "2.1.0":
        pytest.skip("numpy < 2.1 has no reshape(copy=False): pybridge uses as_strided there")
    monkeypatch.setattr(_layout, "_RESHAPE_VIEWS", reshape_views)
    a = _data((4, 1, 6, 5, 3), "float32", rng)
    for src in (a.transpose(3, 1, 0, 4, 2), a.transpose(4, 3, 2, 1, 0), a[:, :, ::-1].transpose(2, 0, 1, 3, 4)):
        dst = np.empty(src.shape, src.dtype)
        d, s = _layout._simplify(dst, src)
        assert d.ndim < src.ndim and d.size == s.size == src.size
        assert np.shares_memory(d, dst) and np.shares_memory(s, src)
        assert d.strides[-1] == d.itemsize  # the destination's fastest axis last
        np.copyto(d, s)
        assert_array_equal(dst, src)


# ------------------------------------------------------------- the C kernel
def _cpu_has(flag: str) -> bool | None:
    """Whether the CPU has ``flag``, as Linux lists it (None where /proc/cpuinfo is not)."""
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and flag in line.split() for line in f)
    except OSError:
        return None


def test_the_c_kernel_is_built_and_taken_for_transposes():
    """The test command installs pybridge with a C compiler: the kernel must be there."""
    assert _layout._BUILT is not None, "pybridge._transpose was not built (no C compiler?)"
    assert bool(_layout._BUILT.SIMD) == X86
    if _cpu_has("avx2") is not None:  # Linux says
        assert bool(_layout._BUILT.AVX2) == (X86 and _cpu_has("avx2"))
    if not X86:  # built without SSE2: numpy copies everything
        assert _layout.KERNEL is None
        return
    x = np.asfortranarray(np.ones((60, 60, 1, 50), dtype=np.uint8))
    view = convert.matlab_to_numpy(x)
    p = _layout.plan(np.empty(view.shape, view.dtype), view)
    assert p.kernel and "C transpose" in p.describe()
    big = np.asfortranarray(np.ones((60, 60, 1, 3000), dtype=np.uint8))  # 10 MB: tiles
    v = convert.matlab_to_numpy(big)
    p = _layout.plan(np.empty(v.shape, v.dtype), v)
    assert p.path == "blocked" and p.kernel
    f = np.asfortranarray(np.ones((60, 60, 1, 400), dtype=np.float64))  # tiles of float64 too
    v = convert.matlab_to_numpy(f)
    p = _layout.plan(np.empty(v.shape, v.dtype), v)
    assert p.path == "blocked" and p.kernel
    same = np.ones((300, 300))
    assert not _layout.plan(np.empty_like(same), same).kernel  # not a transpose
    assert not _layout.plan(np.empty(same.shape, np.float32), same.T).kernel  # a cast
    # where its blocks do not apply numpy copies (faster than element by element there)
    thin = np.ones((5000, 3), np.float32)  # source rows of 3 floats: shorter than a block of 4
    assert not _layout.plan(np.empty(thin.shape, thin.dtype, order="F"), thin).kernel
    c = np.asfortranarray(np.ones((60, 60, 1, 29), np.complex128)).transpose(3, 2, 0, 1)
    assert not _layout.plan(np.empty(c.shape, c.dtype), c).kernel  # 16-byte elements


KERNEL_DTYPES = ["uint8", "int16", "float32", "float64", "complex64", "complex128", "bool"]
KERNEL_SHAPES = [(16, 16), (17, 33), (5, 100), (100, 3), (60, 60, 7), (3, 31, 2, 47), (40, 70)]


def _copies_like_numpy(kernel, dtype, shape, rng, *, blocks: bool = True, wide: bool = True) -> None:
    """Every axis order and a reversed axis, into C and F memory: the kernel's bytes are
    numpy's. It declines (returns False, writes nothing) where both memories run along the
    same axis, and where its 16-byte blocks do not apply: elements of other than 1, 2, 4
    or 8 bytes, a contiguous axis shorter than one block, or (``blocks=False``) a build
    without SSE2, which declines everything."""
    import itertools

    a = _data(shape, dtype, rng)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * _data(shape, "float64", rng).astype(dtype)

    def contiguous_axis(arr):
        return next(
            (
                i
                for i, (n, st) in enumerate(zip(arr.shape, arr.strides, strict=True))
                if n > 1 and st == arr.itemsize
            ),
            None,
        )

    for perm in itertools.permutations(range(a.ndim)):
        for v in (a.transpose(perm), a[::-1].transpose(perm)):
            for order in "CF":
                out = np.zeros(v.shape, v.dtype, order=order)
                took = kernel.copy(out, v, wide)
                ad, av = contiguous_axis(out), contiguous_axis(v)
                e = v.itemsize
                fits = e in (1, 2, 4, 8) and ad is not None and av is not None and ad != av \
                    and min(v.shape[ad], v.shape[av]) >= 16 // e
                assert took == (blocks and fits), (perm, order)
                if took:
                    assert_array_equal(out, v)
                else:
                    assert not out.any()  # nothing written


@pytest.mark.parametrize("dtype", KERNEL_DTYPES)
@pytest.mark.parametrize("shape", KERNEL_SHAPES)
@pytest.mark.parametrize("wide", [True, False], ids=["avx2-where-there", "sse2"])
def test_kernel_copies_every_transpose_like_numpy(dtype, shape, wide, rng):
    """With AVX2 (where the CPU has it: blocks of K x 2K where the destination's rows are at
    least 2K long, K x K at their edges) and with the SSE2 blocks alone."""
    _copies_like_numpy(_layout._BUILT, dtype, shape, rng, blocks=X86, wide=wide)


@pytest.fixture(scope="module")
def portable_kernel(tmp_path_factory):
    """pybridge/_transpose.c built with -DPB_NO_SIMD, as on a machine without SSE2 (ARM),
    with the compiler pip uses."""
    import importlib.util
    from pathlib import Path

    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    source = Path(_layout.__file__).with_name("_transpose.c")
    out = tmp_path_factory.mktemp("portable-kernel")
    ext = Extension("_transpose", [str(source)], define_macros=[("PB_NO_SIMD", "1")])
    cmd = build_ext(Distribution({"name": "portable-kernel", "ext_modules": [ext]}))
    cmd.build_lib, cmd.build_temp = str(out), str(out / "tmp")
    cmd.ensure_finalized()
    cmd.run()
    (path,) = out.glob("_transpose*.so")
    spec = importlib.util.spec_from_file_location("_transpose", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("dtype", KERNEL_DTYPES)
@pytest.mark.parametrize("shape", KERNEL_SHAPES)
def test_a_kernel_built_without_sse2_declines_every_copy(portable_kernel, dtype, shape, rng):
    """What ARM machines build: it copies nothing (numpy's loop is faster than an element-by-
    element copy), so pybridge._layout does not use it and numpy copies."""
    assert portable_kernel.SIMD == 0 and portable_kernel.AVX2 == 0
    _copies_like_numpy(portable_kernel, dtype, shape, rng, blocks=False)


def test_kernel_refuses_mismatched_arrays():
    k = _layout._BUILT
    with pytest.raises(ValueError, match="same shape"):
        k.copy(np.empty((2, 3)), np.empty((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="shapes"):
        k.copy(np.empty((2, 3)), np.empty((3, 2)))
    with pytest.raises(TypeError):
        k.copy(np.empty((2, 3)), object())
    with pytest.raises((TypeError, BufferError, ValueError)):  # a read-only destination
        k.copy(np.broadcast_to(np.zeros(3), (2, 3)), np.empty((3, 2)).T)


# The kernel's helper thread: copies of SPLIT_BYTES or more, in a row, are split in two.
TWO_CORES = _layout._workers() > 1


def _in_rows_until_the_helper_takes_one(copies, budget_s: float = 20.0) -> bool:
    """Call ``copies()`` (copies back to back) until the helper has taken a half, or for
    ``budget_s`` seconds; whether it took one. On a busy machine the helper, woken by a
    copy, may wait for a core longer than a row of copies lasts: a row repeats until it
    gets one (the scheduler runs a woken thread within milliseconds, not seconds)."""
    import time

    before = _layout._BUILT.helper_parts()[0]
    end = time.monotonic() + budget_s
    while True:
        copies()
        if _layout._BUILT.helper_parts()[0] > before:
            return True
        if time.monotonic() > end:
            return False
# Each is split along the axis with the destination's longest stride, so that the two
# threads write apart.
THREADED_CASES = [
    ("uint8", (60, 60, 1, 300), (3, 2, 0, 1)),  # 1 MB stack -> N x C x H x W: along N
    ("int16", (60, 60, 1, 150), (3, 2, 0, 1)),
    ("float32", (61, 67, 1, 70), (3, 2, 0, 1)),
    ("float64", (60, 60, 1, 40), (3, 2, 0, 1)),
    ("uint8", (300, 1, 60, 60), (3, 2, 1, 0)),  # the axis order reversed: along W
    ("uint8", (700, 1000), (1, 0)),  # one plane: along the destination's slower axis
    ("float32", (3, 200, 300), (0, 2, 1)),  # an odd outer axis: halves of 1 and 2
    ("float64", (401, 333), (1, 0)),
    ("uint8", (8000, 20), (1, 0)),  # 20 source rows, too few to halve: along the 8000
]


@pytest.mark.skipif(not X86, reason="the kernel copies on x86 only (SSE2); numpy elsewhere")
@pytest.mark.parametrize("dtype, shape, perm", THREADED_CASES)
def test_copies_split_with_the_helper_thread_equal_numpy(dtype, shape, perm, rng):
    """Copies in a row, each offered half to the helper (which takes it when it is polling
    and else leaves it to the caller): every copy is numpy's, whichever thread did which
    half, and some halves were the helper's."""
    k = _layout._BUILT
    assert k.THREADS == 1  # POSIX with GCC or clang, as every test machine
    a = _data(shape, dtype, rng)
    for v in (a.transpose(perm), a[::-1].transpose(perm)):
        assert v.nbytes >= k.SPLIT_BYTES

        def row(v=v):
            outs = [np.zeros(v.shape, v.dtype) for _ in range(40)]
            # back to back (the helper polls only while copies come; from the second on)
            assert all([k.copy(out, v, True, True) for out in outs])
            for out in outs:
                assert_array_equal(out, v)

        took = _in_rows_until_the_helper_takes_one(row, 20.0 if TWO_CORES else 0.0)
        if TWO_CORES:  # on one core the helper may not get to run while the copies last
            assert took, "the helper thread copied nothing"


@pytest.mark.skipif(not X86, reason="the kernel copies on x86 only (SSE2); numpy elsewhere")
def test_copies_below_the_split_size_or_without_threads_stay_on_the_calling_thread(rng):
    k = _layout._BUILT
    big = np.asfortranarray(_data((60, 60, 1, 300), "uint8", rng))
    small = np.asfortranarray(_data((60, 60, 1, 30), "uint8", rng))  # 108 KB
    assert small.nbytes < k.SPLIT_BYTES <= big.nbytes
    before = k.helper_parts()
    for v, threads in ((small, True), (big, False)):
        view = convert.matlab_to_numpy(v)
        outs = [np.zeros(view.shape, view.dtype) for _ in range(40)]
        assert all([k.copy(out, view, True, threads) for out in outs])
        for out in outs:
            assert_array_equal(out, view)
    assert k.helper_parts() == before


@pytest.mark.skipif(not X86, reason="the kernel copies on x86 only (SSE2); numpy elsewhere")
def test_layout_copies_in_a_row_use_the_helper_where_there_are_two_cores(rng):
    x = np.asfortranarray(_data((60, 60, 1, 70), "float32", rng))

    def row():
        tensors = [convert.matlab_to_torch(x) for _ in range(40)]  # a loop over stacks
        for t in tensors:
            assert_array_equal(t.numpy(), x.transpose(3, 2, 0, 1))

    used = _in_rows_until_the_helper_takes_one(row, 20.0 if TWO_CORES else 1.0)
    assert used == TWO_CORES  # _layout offers halves to the helper only with two cores


def _child_threaded_copies(q) -> None:
    k = _layout._BUILT
    x = np.asfortranarray(np.arange(60 * 60 * 300, dtype=np.float64).reshape(60, 60, 1, 300) % 251)
    v = convert.matlab_to_numpy(x.astype(np.uint8))
    ok = []

    def row():
        outs = [np.zeros(v.shape, v.dtype) for _ in range(40)]
        for out in outs:
            k.copy(out, v, True, True)
        ok.append(all(np.array_equal(out, v) for out in outs))

    took = _in_rows_until_the_helper_takes_one(row, 20.0 if TWO_CORES else 0.0)
    q.put((all(ok), took or not TWO_CORES))


@pytest.mark.skipif(not X86, reason="the kernel copies on x86 only (SSE2); numpy elsewhere")
@pytest.mark.skipif(
    sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods(),
    reason="fork start method is Linux-only here",
)
def test_a_forked_child_starts_its_own_helper_thread(rng):
    """fork copies only the calling thread: a child of a parent whose helper is running (or
    in the middle of a half) must start its own helper, not wait for the parent's."""
    k = _layout._BUILT
    v = convert.matlab_to_numpy(np.asfortranarray(_data((60, 60, 1, 300), "uint8", rng)))

    def row():
        for out in [np.empty(v.shape, v.dtype) for _ in range(40)]:
            k.copy(out, v, True, True)

    took = _in_rows_until_the_helper_takes_one(row, 20.0 if TWO_CORES else 0.0)
    assert took or not TWO_CORES  # the parent's helper is running
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child_threaded_copies, args=(q,))
    p.start()
    try:
        assert q.get(timeout=60) == (True, True)
    finally:
        p.join(60)
        if p.is_alive():  # a child stuck waiting for a helper that is not there
            p.kill()
            p.join()
    assert p.exitcode == 0


def _child_copy(q) -> None:
    x = np.asfortranarray(np.arange(61 * 67 * 400, dtype=np.float64).reshape(61, 67, 1, 400))
    t = convert.matlab_to_torch(x)
    q.put(bool(np.array_equal(t.numpy(), x.transpose(3, 2, 0, 1))))


@pytest.mark.skipif(
    sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods(),
    reason="fork start method is Linux-only here",
)
def test_a_forked_child_gets_its_own_copy_threads():
    """The pool's threads do not survive fork: a child that copies must start its own."""
    x = np.asfortranarray(np.ones((61, 67, 1, 400)))
    convert.matlab_to_torch(x)  # the parent's pool is running (with one core it has none)
    if TWO_CORES:
        assert _layout._pool is not None and _layout._pool_pid == os.getpid()
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child_copy, args=(q,))
    p.start()
    try:
        assert q.get(timeout=60) is True
    finally:
        p.join(60)
        if p.is_alive():  # a child stuck waiting for threads that are not there
            p.kill()
            p.join()
    assert p.exitcode == 0


# ------------------------------------------------ writing in column-major order
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape", [(10_001, 317), (1024, 2048), (60, 60, 1, 700), (3, 701, 1203), (7,), (), (0, 5)]
)
@pytest.mark.parametrize("workers", [1, 2])
def test_write_column_major_writes_what_numpy_lays_out(
    dtype, shape, workers, rng, tmp_path, monkeypatch
):
    """One thread copies and writes in turn; with two, the pool copies the next chunk
    while the caller writes the last."""
    monkeypatch.setattr(_layout, "_workers", lambda: workers)
    a = _data(shape, dtype, rng)
    for src in (a, a[..., ::2] if a.ndim else a, np.asfortranarray(a)):
        path = tmp_path / "out"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            n = _layout.write_column_major(fd, src)
        finally:
            os.close(fd)
        want = np.asfortranarray(src).tobytes(order="F")
        assert n == len(want) and path.read_bytes() == want


def test_write_column_major_casts(tmp_path, rng):
    a = _data((500, 301), "float32", rng)
    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        _layout.write_column_major(fd, a, np.float64)
    finally:
        os.close(fd)
    assert path.read_bytes() == a.astype(np.float64).tobytes(order="F")


def _wire_round_trip(folders, arr):
    from pybridge._octpy import wire

    pending = convert._layout_pending(arr)
    assert pending is not None
    out: list = []
    wire.encode(wire.ColumnMajor(*pending), out, folders)
    return wire.decode(b"".join(bytes(p) for p in out), folders)


def test_column_major_payloads_decode_to_the_mvalue_of_the_array(tmp_path, rng):
    """Python's own reader of the payload (Octave's binary format) gets what
    ``to_mvalue`` makes of the same array, and the file is private and removed."""
    from pybridge._mtypes import same
    from pybridge._octpy import wire

    folder = tmp_path / "main"
    folder.mkdir(mode=0o700)
    folders = wire.Folders([str(folder), str(tmp_path)], "p")
    seen = []
    real = wire._write_private

    def spy(path, header, data):
        real(path, header, data)
        seen.append(os.stat(path).st_mode & 0o777)

    wire._write_private = spy
    try:
        for dtype in DTYPES:
            arr = _data((61, 67, 3, 9), dtype, rng)
            back = _wire_round_trip(folders, arr)
            assert same(back, convert.to_mvalue(arr, profile="numpy")), dtype
    finally:
        wire._write_private = real
    assert seen and all(m == 0o600 for m in seen)
    assert not list(folder.iterdir())


def test_a_full_first_folder_mid_write_falls_back_and_leaves_nothing(tmp_path, rng, monkeypatch):
    """ENOSPC after part of a payload is written: the partial file goes, the payload is
    written again in the fallback folder, and what arrives is whole."""
    from pybridge._mtypes import same
    from pybridge._octpy import wire

    main, spill = tmp_path / "main", tmp_path / "spill"
    main.mkdir()
    spill.mkdir()
    folders = wire.Folders([str(main), str(spill)], "p")
    real_write = os.write
    written = {"n": 0}

    def write(fd, data):
        target = os.readlink(f"/proc/self/fd/{fd}") if sys.platform == "linux" else ""
        if target.startswith(str(main)):
            written["n"] += 1
            if written["n"] > 2:  # the header and one chunk went through
                raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    arr = _data((2000, 3001), "float64", rng)  # 48 MB: several chunks
    out: list = []
    pending = convert._layout_pending(arr)
    wire.encode(wire.ColumnMajor(*pending), out, folders)
    monkeypatch.setattr(os, "write", real_write)
    if sys.platform == "linux":
        assert written["n"] > 2, "the first folder was tried"
    assert not list(main.iterdir()), "the partial file is removed"
    assert len(list(spill.iterdir())) == 1
    back = wire.decode(b"".join(bytes(p) for p in out), folders)
    assert same(back, convert.to_mvalue(arr, profile="numpy"))
    assert not list(spill.iterdir())


def test_copies_finish_on_the_callers_thread_when_no_thread_can_start(monkeypatch, rng):
    """At interpreter shutdown a pool takes no new work: the caller copies every part."""

    class Closed:
        def submit(self, *a, **k):
            raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    monkeypatch.setattr(_layout, "_get_pool", lambda: Closed())
    monkeypatch.setattr(_layout, "_workers", lambda: 2)
    x = np.asfortranarray(_data((61, 67, 1, 400), "float64", rng))
    p = _layout.plan(np.empty((400, 1, 61, 67)), convert.matlab_to_numpy(x))
    assert p.threads == 2
    t = convert.matlab_to_torch(x)
    assert_array_equal(t.numpy(), x.transpose(3, 2, 0, 1))
