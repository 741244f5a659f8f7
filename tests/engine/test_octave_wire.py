"""Every MATLAB type over the Octave wire, both ways, at the level of the MATLAB value model.

The backend is driven with :mod:`pybridge._mtypes` values directly (no
conversion profile in between), so these tests check the transport alone:

- Octave -> Python: Octave builds a value from a MATLAB literal; the test
  compares what arrives with the elements written out by hand in
  column-major order (MATLAB's documented storage order).
- Python -> Octave: the test sends a value and Octave itself compares it
  with the same literal (``isequal`` plus ``class`` and ``size``).
- Round trips: hypothesis draws values (every class, complex, empties of any
  size, N-D cells and structs, NaN/Inf, integer extremes) and checks that
  ``deal`` in Octave hands back exactly what was sent.
"""

from __future__ import annotations

import os
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge._mtypes import MArray, MCell, MMap, MOpaque, MSparse, MStruct, same
from pybridge.engine import EngineError

pytestmark = [pytest.mark.requires_octave, pytest.mark.timeout(300)]

INTS = {
    "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16,
    "int32": np.int32, "uint32": np.uint32, "int64": np.int64, "uint64": np.uint64,
}
FLOATS = {"double": np.float64, "single": np.float32}


@pytest.fixture(scope="module")
def octave(tmp_path_factory):
    from pybridge.engine._octave import OctaveBackend

    be = OctaveBackend()
    folder = tmp_path_factory.mktemp("m")
    (folder / "pb_check.m").write_text(
        "function ok = pb_check(x, expr)\n"
        "y = eval(expr);\n"
        "ok = isequaln(x, y) && strcmp(class(x), class(y)) && isequal(size(x), size(y))"
        " && isreal(x) == isreal(y) && issparse(x) == issparse(y);\n"
        "end\n"
    )
    call(be, "addpath", [char(str(folder))], 0)
    yield be
    be.close()


def call(be, name, args, nargout=1):
    return be.call(name, args, nargout, stdout=None, stderr=None, timeout=60)


def char(text: str, dims=None) -> MArray:
    n = len(text)
    return MArray("char", dims or ((1, n) if n else (0, 0)), np.array(list(text), dtype="<U1"))


def num(mclass, dims, real, imag=None) -> MArray:
    dt = INTS.get(mclass) or FLOATS.get(mclass) or np.bool_
    im = None if imag is None else np.array(imag, dtype=dt)
    return MArray(mclass, tuple(dims), np.array(real, dtype=dt), im)


def from_octave(be, expr):
    return call(be, "eval", [char(expr)])[0]


def octave_agrees(be, value, expr) -> bool:
    out = call(be, "pb_check", [value, char(expr)])[0]
    return bool(out.real[0])


# --------------------------------------------------------------- hand-worked cases
CASES = [
    # (MATLAB literal, the value as MATLAB stores it: class, size, column-major elements)
    ("['abc';'def']", char("adbecf", (2, 3))),
    ("''", char("", (0, 0))),
    ("zeros(0, 3, 'int16')", num("int16", (0, 3), [])),
    ("false(2, 0)", num("logical", (2, 0), [])),
    ("single(zeros(3, 0))", num("single", (3, 0), [])),
    ("reshape(1:6, 2, 3)", num("double", (2, 3), [1, 2, 3, 4, 5, 6])),
    ("reshape(int8(1:8), 2, 2, 2)", num("int8", (2, 2, 2), range(1, 9))),
    ("[NaN Inf -Inf]", num("double", (1, 3), [np.nan, np.inf, -np.inf])),
    ("[true false; false true]", num("logical", (2, 2), [1, 0, 0, 1])),
    ("[1+2i 3-4i]", num("double", (1, 2), [1, 3], [2, -4])),
    ("single([1+2i; 3])", num("single", (2, 1), [1, 3], [2, 0])),
    ("sparse([1 3], [2 2], [5 6], 3, 4)",
     MSparse("double", (3, 4), np.array([1, 3]), np.array([2, 2]), np.array([5.0, 6.0]))),
    ("sparse([1 0; 0 1] > 0)",
     MSparse("logical", (2, 2), np.array([1, 2]), np.array([1, 2]), np.array([True, True]))),
    ("sparse([0 1i; 2 0])",
     MSparse("double", (2, 2), np.array([2, 1]), np.array([1, 2]), np.array([2.0, 0.0]),
             np.array([0.0, 1.0]))),
    ("{1, 'a'; 2, 'b'}", MCell((2, 2), (num("double", (1, 1), [1]), num("double", (1, 1), [2]),
                                        char("a"), char("b")))),
    ("cell(2, 0, 3)", MCell((2, 0, 3), ())),
    ("struct('a', {1, 2})", MStruct((1, 2), ("a",), ({"a": num("double", (1, 1), [1])},
                                                     {"a": num("double", (1, 1), [2])}))),
    ("struct('a', {}, 'b', {})", MStruct((0, 0), ("a", "b"), ())),
    ("struct()", MStruct((1, 1), (), ({},))),
    ("containers.Map({'x', 'y'}, {1, 'z'})",
     MMap("char", "any", (char("x"), char("y")), (num("double", (1, 1), [1]), char("z")))),
]
CASES += [
    (f"[intmin('{c}') intmax('{c}')]", num(c, (1, 2), [np.iinfo(t).min, np.iinfo(t).max]))
    for c, t in INTS.items()
]


@pytest.mark.parametrize("expr, expected", CASES, ids=[c[0] for c in CASES])
def test_octave_to_python(octave, expr, expected):
    got = from_octave(octave, expr)
    assert same(got, expected), got


@pytest.mark.parametrize("expr, value", CASES, ids=[c[0] for c in CASES])
def test_python_to_octave(octave, expr, value):
    assert octave_agrees(octave, value, expr)


def test_function_handles_and_objects_arrive_as_what_they_are(octave):
    h = from_octave(octave, "@(x) x + 1")
    assert h == MOpaque("function_handle", "@(x) x + 1")
    obj = from_octave(octave, "inputParser()")
    assert isinstance(obj, MOpaque) and obj.mclass == "inputParser"


@pytest.mark.parametrize("mclass", list(INTS))
def test_complex_integers_are_refused_not_changed(octave, mclass):
    # Octave has no complex integers: complex(int8(1), int8(2)) is a complex double there
    v = num(mclass, (1, 2), [1, 2], [3, 4])
    with pytest.raises(EngineError, match=f"no complex {mclass} arrays"):
        call(octave, "deal", [v])
    assert not _leftovers(octave)


def test_a_function_handle_cannot_be_sent(octave):
    with pytest.raises(EngineError, match="function_handle"):
        call(octave, "deal", [MOpaque("function_handle", "@sin")])
    assert same(call(octave, "deal", [char("still fine")])[0], char("still fine"))


def test_large_arrays_of_every_class_through_files(octave, rng):
    n = 300_000  # above the inline limit for every class
    for mclass, dt in {**INTS, **FLOATS, "logical": np.bool_}.items():
        if dt is np.bool_:
            real = rng.random(n) > 0.5
        elif mclass in FLOATS:
            real = rng.standard_normal(n).astype(dt)
        else:
            info = np.iinfo(dt)
            real = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
        v = MArray(mclass, (600, 500), real)
        assert same(call(octave, "deal", [v])[0], v), mclass
    cx = MArray("single", (1000, 100), rng.random(100_000, np.float32),
                rng.random(100_000, np.float32))
    assert same(call(octave, "deal", [cx])[0], cx)
    big_sparse = MSparse("double", (5000, 5000), np.arange(1, 20001) % 5000 + 1,
                         np.arange(1, 20001) // 5 + 1, rng.random(20000))
    back = call(octave, "deal", [big_sparse])[0]
    # Octave keeps a sparse matrix sorted by column, then row: compare as a set of entries
    key = lambda s: sorted(zip(s.cols.tolist(), s.rows.tolist(), s.real.tolist(), strict=False))  # noqa: E731
    assert back.dims == big_sparse.dims and key(back) == key(big_sparse)
    assert not _leftovers(octave), "no payload file is left behind"


def _leftovers(be):
    return [n for p in be._folders.paths for n in os.listdir(p) if n.endswith(".oct")]


# --------------------------------------------------------------- round trips
def _dims(max_nd=3, max_side=3):
    def canonical(d):
        d = list(d)
        while len(d) > 2 and d[-1] == 1:  # MATLAB drops trailing singleton dimensions
            d.pop()
        return tuple(d)

    return st.lists(st.integers(0, max_side), min_size=2, max_size=max_nd).map(canonical)


@st.composite
def numeric(draw):
    mclass = draw(st.sampled_from([*INTS, *FLOATS, "logical"]))
    dims = draw(_dims())
    n = int(np.prod(dims))
    if mclass == "logical":
        real = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=np.bool_)
        return MArray("logical", dims, real)
    if mclass in FLOATS:
        dt = np.dtype(FLOATS[mclass])
        elems = st.floats(width=dt.itemsize * 8, allow_nan=True, allow_infinity=True)
    else:
        dt = np.dtype(INTS[mclass])
        info = np.iinfo(dt)
        elems = st.integers(int(info.min), int(info.max))
    real = np.array(draw(st.lists(elems, min_size=n, max_size=n)), dtype=dt)
    imag = None
    if n and mclass in FLOATS and draw(st.booleans()):  # Octave's complex: double, single
        imag = np.array(draw(st.lists(elems, min_size=n, max_size=n)), dtype=dt)
    return MArray(mclass, dims, real, imag)


ascii_text = st.text(alphabet=string.printable, max_size=6)


@st.composite
def chars(draw):
    if draw(st.booleans()):
        dims = draw(_dims(max_nd=2))
        n = int(np.prod(dims))
        text = draw(st.text(alphabet=string.ascii_letters + " ", min_size=n, max_size=n))
        return char(text, dims)
    return char(draw(st.text(max_size=8).filter(lambda t: "\x00" not in t)))


def values(depth=2):
    leaf = st.one_of(numeric(), chars())
    if depth == 0:
        return leaf

    @st.composite
    def cells(draw):
        dims = draw(_dims(max_side=2))
        items = draw(st.lists(values(depth - 1), min_size=int(np.prod(dims)),
                              max_size=int(np.prod(dims))))
        return MCell(dims, tuple(items))

    @st.composite
    def structs(draw):
        dims = draw(_dims(max_side=2))
        fields = tuple(draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True),
                                     max_size=3, unique=True)))
        items = tuple(
            {f: draw(values(depth - 1)) for f in fields} for _ in range(int(np.prod(dims)))
        )
        return MStruct(dims, fields, items)

    return st.one_of(leaf, cells(), structs())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(v=values())
def test_round_trip_through_octave(octave, v):
    back = call(octave, "deal", [v])[0]
    assert same(back, v), (v, back)


# ------------------------------------- arrays not in column-major order (ColumnMajor)
@pytest.mark.parametrize("mclass", [*INTS, *FLOATS, "logical"])
def test_c_order_arrays_are_copied_straight_into_the_payload(octave, mclass):
    """A C-ordered or strided array crosses as ``ColumnMajor`` (its elements copied
    straight into the payload file); Octave compares it with its own literal."""
    from pybridge._octpy import wire

    dims = (123, 45, 17)  # 94,095 elements: a payload file for every class
    n = int(np.prod(dims))
    if mclass == "logical":
        flat = np.arange(n) % 3 == 0
        expr = f"reshape(mod(0:{n - 1}, 3) == 0, [123 45 17])"
    else:
        flat = (np.arange(n) % 101).astype({**INTS, **FLOATS}[mclass])
        expr = f"reshape({mclass}(mod(0:{n - 1}, 101)), [123 45 17])"
    col = flat.reshape(dims, order="F")  # MATLAB's x(i, j, k) is col[i, j, k]
    wide = np.zeros((123, 90, 17), dtype=col.dtype)
    wide[:, ::2, :] = col
    for arr in (np.ascontiguousarray(col), wide[:, ::2, :]):
        v = octave.to_mvalue(arr, "numpy")
        assert isinstance(v, wire.ColumnMajor)
        assert call(octave, "pb_check", [v, char(expr)])[0].real.tolist() == [True]
        assert same(call(octave, "deal", [v])[0], MArray(mclass, dims, flat))
    assert not _leftovers(octave), "no payload file is left behind"


def test_torch_tensors_and_small_arrays_take_the_same_values(octave):
    import torch

    from pybridge import convert
    from pybridge._octpy import wire

    t = torch.arange(60_000, dtype=torch.float32).reshape(200, 300)
    v = octave.to_mvalue(t, "numpy")
    assert isinstance(v, wire.ColumnMajor)
    want = MArray("single", (200, 300), t.numpy().ravel(order="F"))
    assert same(call(octave, "deal", [v])[0], want)
    small = np.arange(12.0).reshape(3, 4)  # inline: the ordinary MArray
    assert same(octave.to_mvalue(small, "numpy"), convert.to_mvalue(small, profile="numpy"))
    f = np.asfortranarray(np.ones((300, 300)))  # column-major already: a view, no copy
    mv = octave.to_mvalue(f, "numpy")
    assert isinstance(mv, MArray) and np.shares_memory(mv.real, f)
