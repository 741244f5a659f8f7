"""Values through the MATLAB backend and the fake matlabengine: one conversion table both ways.

The fake ``matlab.engine`` plays MathWorks' engine with matlabengine's
documented rules ("Pass Data to MATLAB from Python", "Handle Data Returned
from MATLAB to Python"); an identity "m-file" sends every value back, so what
``pybridge.engine`` returns must be what went in (numpy profile), or a
TypeError where matlabengine cannot carry the type.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybridge import convert
from pybridge._mtypes import same
from pybridge.engine import start_matlab


@pytest.fixture(scope="module")
def eng():
    import fake_matlab
    import fake_matlab.engine as fe

    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "matlab", fake_matlab)
        mp.setitem(sys.modules, "matlab.engine", fe)
        mp.setattr(fake_matlab, "engine", fe, raising=False)
        fe.register("pb_id", lambda nargout, x: (x,))
        e = start_matlab(backend="matlab")
        yield e
        e.quit()
        fe.unregister("pb_id")


@pytest.mark.parametrize(
    "value, cls",
    [
        (np.int8(-128), "int8"),  # a 1 x 1 int8 stays int8 (sent as matlab.int8)
        (np.uint64(2**64 - 1), "uint64"),
        (7, "int64"),
        (2.5, "double"),
        (np.float32(1.5), "single"),
        (True, "logical"),
        ("abc", "char"),
        ([1.0, "a"], "cell"),
        ({"a": 1.0}, "struct"),
        (np.zeros((0, 3), np.int16), "int16"),
    ],
)
def test_classes_reach_matlab(eng, value, cls):
    assert eng.feval("class", value) == cls


def test_integer_scalars_come_back_as_matlabengine_returns_them(eng):
    # matlabengine hands a 1 x 1 integer of any class to Python as int: the value is kept
    assert eng.pb_id(np.int8(-128)) == -128
    assert eng.pb_id(np.uint64(2**64 - 1)) == 2**64 - 1
    assert eng.pb_id(np.array([[-128, 127]], np.int8)).dtype == np.int8  # arrays keep the class


@pytest.mark.parametrize(
    "value",
    [
        2.5,
        1 + 2j,
        np.array([[1 + 2j, 3]]),
        np.array([[np.nan, np.inf, -np.inf]]),
        np.arange(24.0).reshape(2, 3, 4),
        np.zeros((0, 3), np.uint8),
        np.array([[True, False]]),
        "",
        "text",
        [1.0, ["x", {"k": np.array([[4, 5]], np.int32)}]],
        {"a": {"b": [2.0]}},
    ],
    ids=repr,
)
def test_values_come_back_unchanged(eng, value):
    back = eng.pb_id(value)
    assert same(convert.to_mvalue(back, profile="numpy"), convert.to_mvalue(value, profile="numpy"))


@pytest.mark.parametrize(
    "value, match",
    [
        (np.array([["a", "b"], ["c", "d"]]), "char array"),
        (np.empty((2, 2), object), "cell"),
        (convert.StructArray([{"a": 1.0}, {"a": 2.0}]), "struct array"),
        (np.array(["ab", "c"]), "string"),
        (__import__("scipy.sparse", fromlist=["eye_array"]).eye_array(2, format="csr"), "sparse"),
    ],
)
def test_what_matlabengine_cannot_send_is_refused_with_the_workaround(eng, value, match):
    with pytest.raises(TypeError, match=match):
        eng.pb_id(value)


def test_none_is_matlab_empty_on_the_matlab_backend_too(eng):
    # one fate for None on every backend of pybridge.engine: MATLAB's []
    back = eng.pb_id(None)
    assert isinstance(back, np.ndarray) and back.shape == (0, 0) and back.dtype == np.float64
    assert eng.feval("class", None) == "double"


FIELD = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{0,5}", fullmatch=True)
SCALARS = st.one_of(
    st.floats(),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.complex_numbers(allow_nan=False),
    st.text(max_size=5),
)
VALUES = st.recursive(
    SCALARS,
    lambda kids: st.one_of(
        st.lists(kids, min_size=1, max_size=3), st.dictionaries(FIELD, kids, max_size=3)
    ),
    max_leaves=8,
)


@settings(deadline=None)
@given(VALUES)
def test_python_values_round_trip_through_the_fake_engine(eng, value):
    back = eng.pb_id(value)
    assert same(
        convert.to_mvalue(back, profile="numpy"), convert.to_mvalue(value, profile="numpy")
    )
