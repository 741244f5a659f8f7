"""pybridge.mapi: the dispatcher, the value conversions and the metric wrappers.

Inputs are built the way MATLAB's ``py.`` hands them over: memoryviews over
column-major memory (MATLAB < R2025a, matrices), array.array (1-by-N
vectors) and ndarrays (R2025a). References come from scikit-learn and from
hand-worked cases.
"""

from __future__ import annotations

import array

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import f1_score, jaccard_score

from pybridge import convert, mapi


def as_memoryview(a: np.ndarray) -> memoryview:
    """What MATLAB's py. passes for a matrix: a memoryview over column-major memory."""
    return memoryview(np.asfortranarray(a))


FORMS = {
    "ndarray": lambda a: np.asfortranarray(a),
    "memoryview": as_memoryview,
}


# ----------------------------------------------------------------- dispatcher


def test_call_runs_a_mapi_function():
    assert mapi.call("ping") == "pong"


@pytest.mark.parametrize("name", ["dcie", "call", "_core", 3])
def test_call_refuses_unknown_or_private_names(name):
    with pytest.raises(ValueError, match="pybridge.mapi has no function"):
        mapi.call(name)


def test_call_suggests_the_closest_name():
    with pytest.raises(ValueError, match="did you mean 'jaccard'"):
        mapi.call("jacard")


def test_every_exported_name_is_callable():
    for name in mapi.__all__:
        assert callable(getattr(mapi, name)), name


# ----------------------------------------------------------------- from_python


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (np.bool_(False), False),
        (2.5, 2.5),
        ("text", "text"),
    ],
    ids=["bool", "numpy-bool", "float", "str"],
)
def test_from_python_scalars(value, expected):
    out = mapi.from_python(value)
    assert type(out) is type(expected) and out == expected


@pytest.mark.parametrize(
    "value, dtype",
    [(7, np.int64), (np.int64(7), np.int64), (np.uint8(7), np.uint8), (np.float32(7), np.float32)],
)
def test_from_python_scalars_of_other_classes_keep_their_class(value, dtype):
    # a 1 x 1 array of the class: MATLAB's int8(), single()... give back the same value
    out = mapi.from_python(value)
    assert out.shape == (1, 1) and out.dtype == dtype and out[0, 0] == 7


def test_from_python_complex_arrays_cross():
    out = mapi.from_python(np.array([1 + 2j, 3]))
    assert out.dtype == np.complex128 and out.tolist() == [[1 + 2j, 3 + 0j]]


def test_from_python_c_ordered_array_becomes_fortran_with_same_values(rng):
    a = rng.random((3, 4, 5))
    out = mapi.from_python(a)
    assert out.flags.f_contiguous
    assert_array_equal(out, a)


def test_from_python_1d_is_a_row_and_torch_is_numpy():
    import torch

    assert mapi.from_python(np.arange(4)).shape == (1, 4)
    t = mapi.from_python(torch.arange(6, dtype=torch.float32).reshape(2, 3))
    assert isinstance(t, np.ndarray) and t.dtype == np.float32 and t.shape == (2, 3)


def test_from_python_nested_containers():
    out = mapi.from_python({"a": (1.5, "x"), "b": {"c": np.ones(2)}, "n": None})
    assert out["a"] == [1.5, "x"]
    assert_array_equal(out["b"]["c"], [[1.0, 1.0]])
    assert out["n"].shape == (0, 0) and out["n"].dtype == np.float64  # None is MATLAB's []
    assert mapi.from_python(None).shape == (0, 0)


@pytest.mark.parametrize("key", ["1abc", "has space", "_private"])
def test_from_python_refuses_keys_that_are_not_field_names(key):
    with pytest.raises(ValueError, match="field names.*MatlabMap"):
        mapi.from_python({key: 1.0})


def test_from_python_dict_with_number_keys_is_a_map():
    # a containers.Map in MATLAB terms: handed back as a dict for containers.Map(keys, values)
    assert mapi.from_python({3: 1.0}) == {3: 1.0}


@pytest.mark.parametrize(
    "value, match",
    [
        (object(), "no MATLAB equivalent"),
        (np.array(["ab", "cd"]).reshape(2, 1).astype("<U1"), "char array"),
        (convert.StructArray([{"a": 1.0}, {"a": 2.0}]), "list of dicts"),
    ],
)
def test_from_python_refuses_values_py_cannot_hand_back(value, match):
    with pytest.raises(TypeError, match=match):
        mapi.from_python(value)


def test_from_python_set_is_a_cell_as_matlabengine_sends_it():
    assert mapi.from_python({2.0}) == [2.0]


# ----------------------------------------------------------------- to_python


@pytest.mark.parametrize("form", sorted(FORMS))
def test_to_python_keeps_matlab_shape(form, rng):
    a = rng.random((2, 3, 4))
    out = mapi.to_python(FORMS[form](a))
    assert out.shape == (2, 3, 4)
    assert_array_equal(out, a)


def test_to_python_array_array_is_a_row():
    out = mapi.to_python(array.array("d", [1.0, 2.0, 3.0]))
    assert_array_equal(out, [[1.0, 2.0, 3.0]])


def test_to_python_layout_hwcn_matches_explicit_transpose(rng):
    h, w, c, n = 4, 5, 2, 3
    x = rng.random((h, w, c, n))
    out = mapi.to_python(as_memoryview(x), layout="HWCN")
    assert out.shape == (n, c, h, w)
    # element (row 3, col 4, channel 1, sample 2) in MATLAB, 1-based -> [1, 0, 2, 3]
    assert out[1, 0, 2, 3] == x[2, 3, 0, 1]
    assert_array_equal(out, np.transpose(x, (3, 2, 0, 1)))


def test_to_python_cell_and_struct():
    assert mapi.to_python(("a", 1.0))[0] == "a"
    d = mapi.to_python({"k": array.array("d", [1.0, 2.0])})
    assert_array_equal(d["k"], [[1.0, 2.0]])


def test_to_python_cells_nested_in_structs_and_cells():
    out = mapi.to_python({"a": (1.0, ("x", array.array("d", [2.0, 3.0])))})
    assert out["a"][0] == 1.0 and type(out["a"][0]) is float
    assert out["a"][1][0] == "x"
    assert_array_equal(out["a"][1][1], [[2.0, 3.0]])


def test_to_python_bad_layout():
    with pytest.raises(ValueError):
        mapi.to_python(np.zeros((2, 2)), layout="XYZ")


# ----------------------------------------------------------------- dice / jaccard


def squares() -> tuple[np.ndarray, np.ndarray]:
    a = np.zeros((8, 8), dtype=bool)
    b = np.zeros((8, 8), dtype=bool)
    a[1:5, 1:5] = True  # 16 pixels
    b[2:6, 2:6] = True  # 16 pixels, 9 shared
    return a, b


@pytest.mark.parametrize("form", sorted(FORMS))
def test_dice_and_jaccard_hand_worked(form):
    a, b = squares()
    assert mapi.call("dice", FORMS[form](a), FORMS[form](b)) == pytest.approx(18 / 32)
    assert mapi.call("jaccard", FORMS[form](a), FORMS[form](b)) == pytest.approx(9 / 23)


def test_dice_of_a_row_vector_passed_as_array_array():
    a = array.array("d", [1, 1, 0, 0])
    b = array.array("d", [1, 0, 0, 0])
    assert mapi.call("dice", a, b) == pytest.approx(2 / 3)


def test_dice_and_jaccard_match_scikit_learn(rng):
    a = rng.random((30, 40)) > 0.6
    b = rng.random((30, 40)) > 0.4
    assert mapi.call("dice", as_memoryview(a), as_memoryview(b)) == pytest.approx(
        f1_score(a.ravel(), b.ravel())
    )
    assert mapi.call("jaccard", as_memoryview(a), as_memoryview(b)) == pytest.approx(
        jaccard_score(a.ravel(), b.ravel())
    )


def test_batch_takes_samples_from_the_last_matlab_axis(rng):
    n = 4
    a = rng.random((10, 12, n)) > 0.5  # MATLAB H x W x N
    b = rng.random((10, 12, n)) > 0.5
    out = mapi.call("dice", as_memoryview(a), as_memoryview(b), batch=True)
    assert out.shape == (n, 1) and out.flags.f_contiguous
    ref = [f1_score(a[:, :, k].ravel(), b[:, :, k].ravel()) for k in range(n)]
    assert_allclose(out[:, 0], ref)


def test_labels_one_value_per_label():
    l1 = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [0, 0, 3, 3]], dtype=float)
    l2 = np.array([[1, 1, 2, 2], [1, 2, 2, 2], [0, 0, 0, 3]], dtype=float)
    out = mapi.call(
        "dice", as_memoryview(l1), as_memoryview(l2), labels=array.array("d", [1, 2, 3])
    )
    assert out.shape == (3, 1)
    ref = f1_score(l2.ravel(), l1.ravel(), labels=[1, 2, 3], average=None)
    assert_allclose(out[:, 0], ref)
    assert_allclose(out[:, 0], [6 / 7, 8 / 9, 2 / 3])


def test_mask_with_nan_is_a_value_error():
    a, _ = squares()
    bad = a.astype(float)
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="(?i)nan"):
        mapi.call("dice", as_memoryview(a), as_memoryview(bad))


def test_numeric_inputs_are_label_images_as_in_matlab():
    # MATLAB's dice(L1, L2) on numeric label matrices scores labels 1..max
    l1 = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [0, 0, 3, 3]], dtype=float)
    l2 = np.array([[1, 1, 2, 2], [1, 2, 2, 2], [0, 0, 0, 3]], dtype=float)
    out = mapi.call("dice", as_memoryview(l1), as_memoryview(l2))
    assert out.shape == (3, 1)
    assert_allclose(out[:, 0], [6 / 7, 8 / 9, 2 / 3])  # worked by hand
    # a numeric 0/1 image is the label image of label 1: its one value
    one = mapi.call("dice", np.array([[0.0, 1.0, 1.0]]), np.array([[0.0, 1.0, 0.0]]))
    assert_allclose(np.ravel(one), [2 / 3])
    with pytest.raises(ValueError, match="whole numbers"):
        mapi.call("dice", np.array([[0.0, 0.5]]), np.array([[0.0, 1.0]]))
