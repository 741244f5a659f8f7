"""Every MATLAB type across GNU Octave and back, through the public engine API.

Ground truth the code under test did not produce: each value is generated as
a MATLAB value model (``pybridge._mtypes``) *and* as the MATLAB source text
that builds it (written here, from MATLAB's own functions: ``reshape``,
``cell2struct``, ``sparse``, ``complex``, ``intmin``/``intmax``...). Octave
evaluates the text; what comes back must be exactly the model (MATLAB ->
Python); sent back into Octave's workspace it must be ``isequaln`` to the
text's value with the same class and size (Python -> MATLAB), and read again
it must be unchanged.

Octave has no ``string`` or ``dictionary`` class and no complex integers
(``complex(int8(1), int8(2))`` is a complex double there): those types are
covered by the fake engine and the model tests, not here. Octave's char is one byte an
element: text here is ASCII.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge import convert
from pybridge._mtypes import MArray, MCell, MSparse, MStruct, same

pytestmark = [pytest.mark.requires_octave, pytest.mark.timeout(600)]

INTS = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")
FLOATS = ("double", "single")
#: Octave calls take tens of milliseconds: a capped count keeps a run in minutes.
OCTAVE_CASES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.fixture(scope="module")
def eng():
    from pybridge.engine import start_matlab

    e = start_matlab(backend="octave", timeout=120)
    yield e
    e.quit()


# ----------------------------------------------------------- MATLAB source
def _num(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return repr(float(x))


def _int_text(v: int, mclass: str) -> str:
    info = np.iinfo(convert.MATLAB_CLASSES[mclass])
    if v == info.min:
        return f"intmin('{mclass}')"
    if v == info.max:
        return f"intmax('{mclass}')"
    return str(int(v))


def _dims_text(dims) -> str:
    return "[" + " ".join(str(d) for d in dims) + "]"


def matlab_text(v) -> str:
    """MATLAB source that evaluates to the value ``v`` (a model value)."""
    if isinstance(v, MArray):
        n = int(np.prod(v.dims))
        if v.mclass == "char":
            codes = np.asarray(v.real).view("<u4").tolist() if n else []
            return f"reshape(char([{' '.join(map(str, codes))}]), {_dims_text(v.dims)})" if n else f"char(zeros({_dims_text(v.dims)}))"
        if v.mclass == "logical":
            body = " ".join("true" if b else "false" for b in v.real.tolist())
            return f"reshape(logical([{body}]), {_dims_text(v.dims)})" if n else f"false({_dims_text(v.dims)})"

        def part(vals):
            if v.mclass in INTS:
                return f"[{' '.join(f'{v.mclass}({_int_text(x, v.mclass)})' for x in vals)}]" if n else f"zeros(1, 0, '{v.mclass}')"
            return f"{v.mclass}([{' '.join(_num(x) for x in vals)}])" if n else f"zeros(1, 0, '{v.mclass}')"

        flat = part(v.real.tolist())
        if v.imag is not None:
            flat = f"complex({flat}, {part(v.imag.tolist())})"
        return f"reshape({flat}, {_dims_text(v.dims)})"
    if isinstance(v, MCell):
        if not v.items:
            return f"cell({_dims_text(v.dims)})"
        return f"reshape({{{', '.join(matlab_text(x) for x in v.items)}}}, {_dims_text(v.dims)})"
    if isinstance(v, MStruct):
        n = len(v.items)
        names = "{" + ", ".join(f"'{f}'" for f in v.fields) + "}"
        if not v.fields:
            return f"repmat(struct(), {_dims_text(v.dims)})"
        if n == 0:
            return f"reshape(cell2struct(cell({len(v.fields)}, 0), {names}, 1), {_dims_text(v.dims)})"
        cells = ", ".join(matlab_text(item[f]) for item in v.items for f in v.fields)
        return (
            f"reshape(cell2struct(reshape({{{cells}}}, [{len(v.fields)} {n}]), {names}, 1), "
            f"{_dims_text(v.dims)})"
        )
    if isinstance(v, MSparse):
        m, k = v.dims
        if v.mclass == "logical":
            vals = f"true(1, {len(v.rows)})"
        else:
            vals = "[" + " ".join(_num(x) for x in v.real.tolist()) + "]"
        return (
            f"sparse([{' '.join(map(str, v.rows.tolist()))}], [{' '.join(map(str, v.cols.tolist()))}], "
            f"{vals}, {m}, {k})"
        )
    raise TypeError(type(v))


# -------------------------------------------------------------- strategies
def _dims(max_nd=3, max_side=3):
    return st.lists(st.integers(0, max_side), min_size=2, max_size=max_nd).map(
        lambda ds: tuple(convert._matlab_shape(tuple(ds)))
    )


def _values(mclass, n):
    if mclass in INTS:
        info = np.iinfo(convert.MATLAB_CLASSES[mclass])
        lo, hi = max(int(info.min), -(2**53)), min(int(info.max), 2**53)
        elems = st.one_of(st.integers(lo, hi), st.sampled_from([int(info.min), int(info.max)]))
    elif mclass == "single":
        elems = st.floats(width=32)
    else:
        elems = st.floats()
    dt = convert.MATLAB_CLASSES[mclass]
    return st.lists(elems, min_size=n, max_size=n).map(lambda xs: np.array(xs, dtype=dt))


@st.composite
def numeric(draw, dims=None):
    dims = dims or draw(_dims())
    n = int(np.prod(dims))
    mclass = draw(st.sampled_from((*FLOATS, *INTS, "logical")))
    if mclass == "logical":
        return MArray("logical", dims, np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool))
    real = draw(_values(mclass, n))
    if mclass in FLOATS and draw(st.booleans()):  # Octave has no complex integer classes
        imag = draw(_values(mclass, n))
        if n and not np.any(imag != 0):
            imag[0] = 1  # Octave makes an all-zero imaginary part real
        if n:
            return MArray(mclass, dims, real, imag)
    return MArray(mclass, dims, real)


@st.composite
def chars(draw):
    dims = draw(_dims(2, 3))
    n = int(np.prod(dims))
    text = draw(st.lists(st.characters(min_codepoint=32, max_codepoint=126), min_size=n, max_size=n))
    return MArray("char", dims, np.array(text, dtype="<U1").reshape(n))


@st.composite
def sparse(draw):
    m, k = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    mclass = draw(st.sampled_from(("double", "logical")))
    cells = sorted(draw(st.sets(st.tuples(st.integers(0, k - 1), st.integers(0, m - 1)), max_size=m * k)))
    cols = np.array([c + 1 for c, _ in cells], dtype=np.int64)
    rows = np.array([r + 1 for _, r in cells], dtype=np.int64)
    if mclass == "logical":
        return MSparse("logical", (m, k), rows, cols, np.ones(len(cells), bool))
    vals = draw(st.lists(st.floats(allow_nan=False).filter(bool), min_size=len(cells), max_size=len(cells)))
    return MSparse("double", (m, k), rows, cols, np.array(vals, dtype=np.float64))


FIELD = st.from_regex(r"[a-z][a-z0-9]{0,4}", fullmatch=True)


def mvalues():
    leaves = st.one_of(numeric(), chars(), sparse())

    def extend(kids):
        @st.composite
        def cell(draw):
            dims = draw(_dims(3, 2))
            n = int(np.prod(dims))
            return MCell(dims, tuple(draw(st.lists(kids, min_size=n, max_size=n))))

        @st.composite
        def struct(draw):
            dims = draw(_dims(3, 2))
            n = int(np.prod(dims))
            fields = tuple(draw(st.lists(FIELD, min_size=1, max_size=3, unique=True)))
            items = tuple({f: draw(kids) for f in fields} for _ in range(n))
            return MStruct(dims, fields, items)

        return st.one_of(cell(), struct())

    return st.recursive(leaves, extend, max_leaves=5)


# ------------------------------------------------------------------ tests
def check_both_ways(eng, v):
    text = matlab_text(v)
    got = eng.eval(text)  # MATLAB -> Python
    assert same(convert.to_mvalue(got, profile="numpy"), v), text
    eng.workspace["pb_rt"] = got  # Python -> MATLAB
    ok = eng.eval(
        f"isequaln(pb_rt, {text}) && strcmp(class(pb_rt), class({text})) "
        f"&& isequal(size(pb_rt), size({text}))"
    )
    assert ok is True, text
    again = eng.workspace["pb_rt"]
    assert same(convert.to_mvalue(again, profile="numpy"), v), text


@OCTAVE_CASES
@given(v=mvalues())
def test_every_type_round_trips_through_octave(eng, v):
    check_both_ways(eng, v)


@pytest.mark.parametrize(
    "v",
    [
        MArray("char", (2, 3), np.array(list("adbecf"))),  # ['abc'; 'def']
        MCell((2, 2), (MArray("double", (1, 1), np.array([1.0])), MArray("double", (1, 1), np.array([2.0])),
                       MArray("char", (1, 1), np.array(["a"])), MArray("char", (1, 1), np.array(["b"])))),
        MStruct((1, 2), ("a",), ({"a": MArray("double", (1, 1), np.array([1.0]))},
                                 {"a": MArray("double", (1, 1), np.array([2.0]))})),  # struct('a', {1, 2})
        MArray("double", (1, 2), np.array([1.0, 3.0]), np.array([2.0, 0.0])),  # [1+2i 3]
        *[MArray(c, (1, 2), np.array([np.iinfo(c).min, np.iinfo(c).max], dtype=c)) for c in INTS],
        *[MArray(c, (0, 3), np.zeros(0, dtype=convert.MATLAB_CLASSES[c])) for c in (*FLOATS, *INTS, "logical")],
        MArray("char", (0, 3), np.zeros(0, "<U1")),
        MCell((0, 2), ()),
        MArray("double", (1, 3), np.array([np.nan, np.inf, -np.inf])),
        MSparse("double", (2, 3), np.array([1, 2, 2]), np.array([1, 1, 3]), np.array([10.0, 20.0, 30.0])),
    ],
    ids=lambda v: matlab_text(v)[:40],
)
def test_the_documented_cases_cross_octave_unchanged(eng, v):
    check_both_ways(eng, v)


def test_containers_map_to_and_from_dict(eng):
    m = eng.eval("containers.Map({'a', 'b c'}, {1, 'x'})")
    assert isinstance(m, dict) and m == {"a": 1.0, "b c": "x"}
    eng.workspace["pb_map"] = m
    assert eng.eval("isa(pb_map, 'containers.Map') && pb_map.Count == 2 && strcmp(pb_map('b c'), 'x')") is True


def test_function_handles_and_objects_are_refused_with_their_class(eng):
    with pytest.raises(TypeError, match="function_handle"):
        eng.eval("@(x) x + 1")
    with pytest.raises(TypeError, match="inputParser"):
        eng.eval("inputParser()")


def test_none_is_empty_double_on_octave(eng):
    eng.workspace["pb_none"] = None
    assert eng.eval("isa(pb_none, 'double') && isequal(size(pb_none), [0 0])") is True


def test_python_values_cross_octave_with_their_class(eng):
    for value, cls in [(7, "int64"), (2.5, "double"), (True, "logical"), (1 + 2j, "double"),
                       ("abc", "char"), ([1.0, 2.0], "cell"), ({"a": 1.0}, "struct"),
                       (np.float32(1.5), "single"), (b"ab", "uint8")]:
        eng.workspace["pb_v"] = value
        assert eng.eval("class(pb_v)") == cls, value
