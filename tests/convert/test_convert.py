"""pybridge.convert: the boundary rules, checked against MATLAB's documented behaviour.

References that the code under test did not produce:
- MATLAB's documented rules (MathWorks, "Pass Data to MATLAB from Python"): 1-D data is a 1 x N row vector,
  arrays are column-major, sizes drop trailing singletons past the second.
- Hand-worked element positions: element (h, w, c, n) of an H x W x C x N
  stack is element [n, c, h, w] of the N x C x H x W tensor.
- The fake matlabengine arrays, built from nested lists as MathWorks documents.
"""

from __future__ import annotations

import array
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_array_equal

from pybridge import convert
from pybridge.convert import (
    CONVERSION_TABLE,
    batch_from_matlab,
    batch_to_matlab,
    cell_to_list,
    dict_to_struct,
    from_matlab,
    index_to_one_based,
    index_to_zero_based,
    labels_from_matlab,
    mask_from_matlab,
    matlab_class,
    matlab_to_numpy,
    matlab_to_torch,
    numpy_to_matlab,
    roi_from_matlab,
    roi_to_matlab,
    to_matlab,
    torch_to_matlab,
)

ROOT = Path(__file__).resolve().parents[2]
MATLAB_DTYPES = [
    "float64", "float32", "int8", "uint8", "int16", "uint16",
    "int32", "uint32", "int64", "uint64", "bool",
]


def _example(dtype: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if dtype == "object":
        return np.array([1, "a"], dtype=object)
    if dtype.startswith("<U"):
        return np.array(["abc", "de"])
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if dtype.startswith("complex"):
        return rng.random(shape) + 1j * rng.random(shape)
    return np.asarray(rng.random(shape) * 100).astype(dtype)


# --------------------------------------------------------------------------
# the conversion table: test data and README documentation at once
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype, shape, mclass, msize, back", CONVERSION_TABLE, ids=[f"{r[0]}{r[1]}" for r in CONVERSION_TABLE]
)
def test_conversion_table(dtype, shape, mclass, msize, back, rng):
    a = _example(dtype, shape, rng)
    if mclass is None:
        with pytest.raises(TypeError, match="expected|Pass|complex|MATLAB class|object"):
            to_matlab(a)
        return
    m = to_matlab(a)
    assert matlab_class(m) == mclass
    assert m.shape == msize
    assert m.flags.f_contiguous
    r = from_matlab(m)
    assert r.dtype == np.dtype(back)
    assert r.shape == msize
    assert_array_equal(r.reshape(a.shape) if a.size else r, a.astype(back).reshape(a.shape) if a.size else r)


# --------------------------------------------------------------------------
# what MATLAB's py. hands over: ndarray, memoryview, array.array
# --------------------------------------------------------------------------


def test_memoryview_from_matlab_is_viewed_not_copied(rng):
    # MATLAB passes a memoryview over its own column-major memory.
    stack = np.asfortranarray(rng.random((6, 5, 1, 4)).astype(np.float32))
    mv = memoryview(stack)
    a = from_matlab(mv)
    assert a.shape == (6, 5, 1, 4)
    assert np.shares_memory(a, stack)
    assert_array_equal(a, stack)


def test_array_array_is_a_row_vector_view():
    buf = array.array("d", [1.0, 2.0, 3.0])
    a = from_matlab(buf)
    assert a.shape == (1, 3)
    buf[0] = 7.0  # a view: MATLAB's memory is not copied
    assert a[0, 0] == 7.0


def test_ndarray_in_matlab_order_is_returned_as_is(rng):
    x = np.asfortranarray(rng.random((3, 4)))
    assert from_matlab(x) is x


@pytest.mark.parametrize(
    "value, shape, dtype",
    [(3.5, (1, 1), np.float64), (True, (1, 1), np.bool_), (7, (1, 1), np.int64), ([1, 2, 3], (1, 3), np.int64),
     ([[1.0, 2.0], [3.0, 4.0]], (2, 2), np.float64), ((), (0, 0), np.float64), (None, (0, 0), np.float64)],
)
def test_scalars_and_lists_take_matlab_shapes(value, shape, dtype):
    a = from_matlab(value)
    assert a.shape == shape
    assert a.dtype == dtype


def test_nested_list_is_row_major_like_matlab_double_initializer():
    # matlab.double([[1,2,3],[4,5,6]]) is the 2 x 3 matrix with rows 1 2 3 / 4 5 6
    a = from_matlab([[1, 2, 3], [4, 5, 6]])
    assert a[1, 0] == 4 and a[0, 2] == 3


def test_text_and_structs_and_cells():
    assert from_matlab("abc") == "abc"
    s = from_matlab({"x": 1.0, "y": [1.0, 2.0]})
    assert s["x"].shape == (1, 1) and s["y"].shape == (1, 2)
    cell = np.empty((2, 2), dtype=object)  # oct2py / scipy.io hand cells over like this
    cell[0, 0], cell[1, 0], cell[0, 1], cell[1, 1] = "a", 2.0, "c", 4.0
    assert from_matlab(cell)[0] == "a" and from_matlab(cell)[2] == "c"  # column-major c(:)
    assert cell_to_list(("a", 1.0))[0] == "a"


@pytest.mark.parametrize(
    "bad, exc, words",
    [
        ([[1, 2], [3]], ValueError, "ragged"),
        ([["a", 1]], TypeError, "numbers"),
        (np.array([1 + 2j]), TypeError, "complex"),
        (np.array([object()]), TypeError, "object"),
        (np.array(["x"]), TypeError, "no MATLAB class"),
        (object(), TypeError, "cannot convert"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), TypeError, "no MATLAB class"),
    ],
)
def test_bad_input_says_what_was_expected_and_the_fix(bad, exc, words):
    with pytest.raises(exc, match=words):
        from_matlab(bad)


def test_to_matlab_refuses_complex_with_the_fix():
    with pytest.raises(TypeError, match=r"a\.real, a\.imag"):
        to_matlab(np.zeros(3, dtype=np.complex64))


# --------------------------------------------------------------------------
# to_matlab: layout, copies
# --------------------------------------------------------------------------


def test_to_matlab_fortran_input_is_not_copied(rng):
    x = np.asfortranarray(rng.random((4, 5, 3)))
    assert np.shares_memory(to_matlab(x), x)


def test_to_matlab_c_order_input_is_copied_once_into_column_major(rng):
    x = rng.random((4, 5))
    m = to_matlab(x)
    assert m.flags.f_contiguous and not np.shares_memory(m, x)
    assert_array_equal(m, x)


def test_to_matlab_non_contiguous_and_byteswapped(rng):
    x = rng.random((6, 8))[::2, 1::3]
    assert_array_equal(to_matlab(x), x)
    be = np.arange(6, dtype=">i4").reshape(2, 3)
    m = to_matlab(be)
    assert m.dtype == np.dtype("int32") and m.dtype.isnative
    assert_array_equal(m, be)


def test_to_matlab_structs_and_cells():
    d = to_matlab({"dice": 0.5, "mask": np.ones(3, bool), "name": "x"})
    assert d["mask"].shape == (1, 3) and d["name"] == "x"
    assert to_matlab(["a", np.zeros(2)])[1].shape == (1, 2)
    with pytest.raises(ValueError, match="field names"):
        dict_to_struct({"1bad": 1})


def test_to_matlab_accepts_torch_tensors():
    import torch

    m = to_matlab(torch.arange(6, dtype=torch.float32).reshape(2, 3))
    assert m.dtype == np.float32 and m.shape == (2, 3) and m[1, 2] == 5


# --------------------------------------------------------------------------
# image stacks: H x W x C x N <-> N x C x H x W
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layout, mshape, pyshape",
    [
        ("HWCN", (6, 5, 3, 4), (4, 3, 6, 5)),
        ("HWCN", (6, 5, 1, 4), (4, 1, 6, 5)),
        ("HWCN", (6, 5), (1, 1, 6, 5)),  # MATLAB dropped the trailing 1 x 1
        ("HWN", (6, 5, 4), (4, 1, 6, 5)),
        ("HWC", (6, 5, 3), (1, 3, 6, 5)),
        ("HW", (6, 5), (1, 1, 6, 5)),
    ],
)
def test_layouts_match_hand_worked_positions(layout, mshape, pyshape, rng):
    x = np.asfortranarray(rng.random(mshape))
    t = matlab_to_numpy(x, layout)
    assert t.shape == pyshape
    assert np.shares_memory(t, x)  # a view, no copy
    full = x.reshape(mshape + (1,) * (4 - len(mshape)), order="F")
    letters = layout + "".join(c for c in "NC" if c not in layout)
    for idx in [(0, 0, 0, 0), tuple(s - 1 for s in full.shape), (1, 2, 0, 0)]:
        idx = tuple(min(i, s - 1) for i, s in zip(idx, full.shape, strict=True))
        pos = dict(zip(letters, idx, strict=True))
        assert t[pos["N"], pos["C"], pos["H"], pos["W"]] == full[idx]
    back = numpy_to_matlab(t, layout)
    assert back.shape == mshape
    assert np.shares_memory(back, x)  # the round trip needs no copy either
    assert_array_equal(back, x)


def test_layout_errors_name_the_fix(rng):
    with pytest.raises(ValueError, match="image stack must be H x W"):
        matlab_to_numpy(rng.random((3, 4, 2, 2)), "HWN")
    with pytest.raises(ValueError, match="did you mean 'HWCN'"):
        matlab_to_numpy(rng.random((3, 4)), "HWNC")
    with pytest.raises(ValueError, match="use layout='HWCN'"):
        numpy_to_matlab(rng.random((2, 3, 4, 4)), "HWN")


def test_matlab_to_torch_makes_one_contiguous_copy(rng):
    import torch

    x = np.asfortranarray(rng.random((8, 9, 1, 5)).astype(np.float32))
    t = matlab_to_torch(x)
    assert t.shape == (5, 1, 8, 9) and t.dtype == torch.float32 and t.is_contiguous()
    assert not np.shares_memory(t.numpy(), x)
    assert t[4, 0, 7, 8].item() == x[7, 8, 0, 4]
    assert matlab_to_torch(x, dtype=torch.float64).dtype == torch.float64
    u8 = np.asfortranarray((rng.random((4, 4, 1, 2)) * 255).astype(np.uint8))
    assert matlab_to_torch(u8).dtype == torch.uint8  # dtype kept unless asked
    back = torch_to_matlab(t)
    assert back.shape == (8, 9, 1, 5)
    assert_array_equal(back, x)


def test_batch_axis_moves_between_last_and_first(rng):
    x = np.asfortranarray(rng.random((5, 6, 3)))
    b = batch_from_matlab(x)
    assert b.shape == (3, 5, 6) and np.shares_memory(b, x)
    assert b[2, 4, 5] == x[4, 5, 2]
    assert_array_equal(batch_to_matlab(b), x)


# --------------------------------------------------------------------------
# masks, indices, labels, ROIs
# --------------------------------------------------------------------------


def test_masks():
    assert mask_from_matlab(np.array([[1.0, 0.0]])).dtype == np.bool_
    with pytest.raises(ValueError, match="NaN"):
        mask_from_matlab(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="m > 0.5"):
        mask_from_matlab(np.array([[0.2, 1.0]]))


def test_indices_and_labels():
    assert index_to_zero_based([1, 5]).tolist() == [[0, 4]]
    assert index_to_one_based(np.array([0, 4])).tolist() == [[1.0, 5.0]]
    with pytest.raises(ValueError, match="start at 1"):
        index_to_zero_based([0, 1])
    with pytest.raises(ValueError, match="whole numbers"):
        index_to_zero_based([1.5])
    assert labels_from_matlab(np.array([[1.0], [2.0], [2.0]])).tolist() == [0, 1, 1]
    assert labels_from_matlab([0, 1, 1]).tolist() == [0, 1, 1]
    with pytest.raises(ValueError, match="vector"):
        labels_from_matlab(np.ones((2, 2)))


def test_roi_matches_matlab_imcrop_convention(rng):
    img = rng.random((40, 50))
    # MATLAB: imcrop(img, [x y w h]) with integer rect takes rows y:y+h, cols x:x+w
    # (imcrop includes one more pixel); the pixel-exact form img(y:y+h-1, x:x+w-1):
    x, y, w, h = 10, 20, 5, 3
    r0, c0, r1, c1 = roi_from_matlab([x, y, w, h], img.shape)
    assert_array_equal(img[r0:r1, c0:c1], img[y - 1 : y - 1 + h, x - 1 : x - 1 + w])
    assert roi_to_matlab((r0, c0, r1, c1)).tolist() == [[10.0, 20.0, 5.0, 3.0]]
    with pytest.raises(ValueError, match="1-based"):
        roi_from_matlab([0, 1, 2, 2])
    with pytest.raises(ValueError, match="outside"):
        roi_from_matlab([45, 1, 10, 2], img.shape)
    with pytest.raises(ValueError, match=re.escape("[x y width height]")):
        roi_from_matlab([1, 2, 3])


# --------------------------------------------------------------------------
# matlabengine array types (faithful fake)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mclass", MATLAB_DTYPES)
def test_engine_arrays_round_trip(fake_matlab, mclass, rng):
    name = matlab_class(np.dtype(mclass))
    a = _example(mclass, (3, 4, 2), rng)
    m = to_matlab(a, engine=True)
    assert type(m).__name__ == name and tuple(m.size) == (3, 4, 2)
    # element (i, j, k) of the MATLAB array, read through its documented indexing
    assert m[2][3][1] == a[2, 3, 1]
    r = from_matlab(m)
    assert r.dtype == np.dtype(mclass) and r.shape == (3, 4, 2)
    assert_array_equal(r, a)


def test_engine_array_from_nested_list_and_no_copy(fake_matlab):
    m = fake_matlab.double([[1, 2, 3], [4, 5, 6]])
    a = from_matlab(m)
    assert a.shape == (2, 3) and a[1, 0] == 4
    m._data[0] = 42.0  # column-major _data: viewed, not copied
    assert a[0, 0] == 42.0
    v = fake_matlab.double(vector=[1, 2, 3])
    assert from_matlab(v).shape == (1, 3)
    assert from_matlab(fake_matlab.uint8(size=(0, 5))).shape == (0, 5)


def test_engine_true_without_matlab_names_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matlab", None)
    from pybridge import EngineNotFoundError

    with pytest.raises(EngineNotFoundError, match="matlabengine"):
        to_matlab(np.zeros(2), engine=True)


# --------------------------------------------------------------------------
# property-based round trips
# --------------------------------------------------------------------------

_dtypes = st.sampled_from(MATLAB_DTYPES + ["float16"])
_shapes = hnp.array_shapes(min_dims=0, max_dims=6, min_side=0, max_side=4)


@st.composite
def _arrays(draw):
    dtype = draw(_dtypes)
    shape = draw(_shapes)
    a = draw(hnp.arrays(dtype, shape, elements=None if dtype == "bool" else {"allow_nan": False}))
    layout = draw(st.sampled_from(["C", "F", "strided"]))
    if layout == "F":
        a = np.asfortranarray(a)
    elif layout == "strided" and a.ndim and a.shape[0] > 1:
        a = a[::2]
    return a


def _expected_shape(shape):
    return convert._matlab_shape(shape)


# the case count comes from the hypothesis profile: 'ci' (10,000) in CI, 'dev' for the fast lane
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_arrays())
def test_round_trip_property(a):
    m = to_matlab(a)
    assert m.flags.f_contiguous
    assert m.shape == _expected_shape(a.shape)
    if a.flags.f_contiguous and a.dtype != np.float16 and a.dtype.isnative and a.size:
        assert np.shares_memory(m, a)  # a view suffices, so no copy
    # MATLAB's side sees it through the buffer protocol (a memoryview)
    r = from_matlab(memoryview(m))
    assert r.shape == m.shape
    assert np.shares_memory(r, m) or m.size == 0
    want = a.astype(np.float32) if a.dtype == np.float16 else a
    assert r.dtype == want.dtype
    assert_array_equal(r.reshape(a.shape), want)


@settings(max_examples=300, deadline=None)
@given(_arrays())
def test_engine_round_trip_property(a):
    import sys

    import fake_matlab

    saved = sys.modules.get("matlab")
    sys.modules["matlab"] = fake_matlab
    try:
        m = to_matlab(a, engine=True)
        r = from_matlab(m)
    finally:
        if saved is None:
            sys.modules.pop("matlab", None)
        else:
            sys.modules["matlab"] = saved
    want = a.astype(np.float32) if a.dtype == np.float16 else a
    assert tuple(m.size) == _expected_shape(a.shape)
    assert_array_equal(r.reshape(a.shape), want)


@settings(max_examples=500, deadline=None)
@given(
    st.integers(1, 4), st.integers(1, 5), st.integers(1, 3), st.integers(1, 4),
    st.sampled_from(["float32", "float64", "uint8", "bool"]),
)
def test_stack_round_trip_property(h, w, c, n, dtype):
    rng = np.random.default_rng(h * 1000 + w * 100 + c * 10 + n)
    x = np.asfortranarray(_example(dtype, (h, w, c, n), rng))
    t = matlab_to_numpy(x)
    assert t.shape == (n, c, h, w)
    assert_array_equal(numpy_to_matlab(np.ascontiguousarray(t)).reshape(x.shape), x)


def test_tuples_are_cells_when_they_come_from_matlab_py():
    # MATLAB's py. passes {1, 'x'} as the tuple (1.0, 'x'), also inside a struct
    assert from_matlab((1.0, 2.0)).shape == (1, 2)  # a nested-sequence initialiser
    cell = from_matlab((1.0, 2.0), tuple_is_cell=True)
    assert isinstance(cell, list) and cell[1].shape == (1, 1)
    s = from_matlab({"a": (1.0, "x"), "b": ((2.0,), "y")}, tuple_is_cell=True)
    assert s["a"][1] == "x" and s["a"][0].shape == (1, 1)
    assert isinstance(s["b"][0], list) and s["b"][0][0][0, 0] == 2.0
