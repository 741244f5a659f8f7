"""pybridge._copy and the layout conversions built on it, against plain numpy transposes.

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
from numpy.testing import assert_array_equal

from pybridge import _copy, convert

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
    p = _copy.plan(dst, src)
    return p.path == "blocked" and (p.threads > 1 or _copy._workers() == 1)


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
    assert _copy.plan(np.empty(small.shape, order="F"), small).path == "copy"


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
        _copy.copy(out, v)
        assert_array_equal(out, v)


def test_copy_casts_like_copyto(rng):
    x = np.asfortranarray(_data((61, 67, 1, 400), "float32", rng))
    import torch

    t = convert.matlab_to_torch(x, dtype=torch.float64)
    assert t.dtype == torch.float64
    assert_array_equal(t.numpy(), x.transpose(3, 2, 0, 1).astype(np.float64))


def test_empty_scalar_and_singleton_arrays():
    for shape in [(0, 3), (3, 0, 2), (), (1, 1, 1)]:
        a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
        out = np.empty(shape, order="F")
        _copy.copy(out, a)
        assert_array_equal(out, a)
    with pytest.raises(ValueError, match="shapes"):
        _copy.copy(np.empty((2, 3)), np.empty((3, 2)))


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
    saved = (_copy.SMALL_BYTES, _copy.TILE_BYTES, _copy.PARALLEL_BYTES)
    _copy.SMALL_BYTES, _copy.TILE_BYTES, _copy.PARALLEL_BYTES = 0, 64, 0
    try:
        for order in "CF":
            out = np.empty(v.shape, v.dtype, order=order)
            _copy.copy(out, v)
            assert_array_equal(out, v)
    finally:
        _copy.SMALL_BYTES, _copy.TILE_BYTES, _copy.PARALLEL_BYTES = saved


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
    convert.matlab_to_torch(x)  # the parent's pool is running
    assert _copy._pool is not None and _copy._pool_pid == os.getpid()
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
