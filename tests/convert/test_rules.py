"""convert.RULES, the one table of every conversion rule: each cell is checked, and README shows it.

Each row's example is converted under every profile and the result described
here, independently of convert's own code; the description must be the cell.
The cells for the 'matlabengine' and 'py' profiles restate MathWorks' pages
("Handle Data Returned from MATLAB to Python", "Pass Data to MATLAB from
Python", "Pass MATLAB Data to Python"), cited in tests/convert/test_mvalue.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse

from pybridge import _marray, convert
from pybridge._mtypes import MArray, MCell, MMap, MOpaque, MSparse, MString, MStruct
from pybridge.convert import RULES, MatlabMap, StructArray, complex_int_dtype

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ("numpy", "matlabengine", "py")
NAMESPACE = {
    "np": np, "scipy": scipy, "_marray": _marray, "MArray": MArray, "MCell": MCell,
    "MMap": MMap, "MOpaque": MOpaque, "MSparse": MSparse, "MString": MString,
    "MStruct": MStruct, "MatlabMap": MatlabMap, "StructArray": StructArray,
    "complex_int_dtype": complex_int_dtype,
}


def describe_python(x) -> str:
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float, complex, str)) and type(x) in (int, float, complex, str):
        return type(x).__name__
    if isinstance(x, np.generic):
        return f"numpy.{type(x).__name__}"
    if isinstance(x, MatlabMap):
        return "MatlabMap (a dict)"
    if isinstance(x, dict):
        return "dict"
    if isinstance(x, StructArray):
        return f"StructArray {x.shape}"
    if isinstance(x, tuple):
        return "tuple"
    if isinstance(x, list):
        if x and all(v is None or isinstance(v, str) for v in x) and any(v is None for v in x):
            return "list of str/None"
        return "list"
    if scipy.sparse.issparse(x):
        return f"scipy.sparse.{type(x).__name__} {x.shape}"
    if isinstance(x, _marray.MatlabArray):
        return f"matlab.{type(x).__name__} size {x.size}"
    if isinstance(x, np.ndarray):
        if x.dtype.names:
            return f"{x.dtype.names} {x.dtype['real']} ndarray {x.shape}"
        if x.dtype.kind == "O":
            return f"object ndarray {x.shape}"
        if x.dtype.kind == "U":
            return f"<U{x.dtype.itemsize // 4} ndarray {x.shape}"
        if x.dtype.kind == "T":
            return f"StringDType ndarray {x.shape}"
        return f"{x.dtype} ndarray {x.shape}"
    return type(x).__name__


def describe_matlab(v) -> str:
    dims = "x".join(str(d) for d in getattr(v, "dims", ()))
    if isinstance(v, MArray):
        return f"{'complex ' if v.imag is not None else ''}{v.mclass} {dims}"
    if isinstance(v, MSparse):
        return f"sparse {v.mclass} {dims}"
    if isinstance(v, MCell):
        return f"cell {dims}"
    if isinstance(v, MStruct):
        return f"struct {dims}"
    if isinstance(v, MString):
        return f"string {dims}"
    if isinstance(v, MMap):
        return v.kind
    return type(v).__name__


CASES = [
    pytest.param(row, profile, cell, id=f"{row[0]}-{row[1]}-{profile}")
    for row in RULES
    for profile, cell in zip(PROFILES, row[4:], strict=True)
]


@pytest.mark.parametrize("row, profile, cell", CASES)
def test_every_cell_of_the_rules_table(row, profile, cell):
    direction, _what, _mexample, code, *_ = row
    value = eval(code, dict(NAMESPACE))  # noqa: S307 - the table's own examples
    try:
        if direction == "to Python":
            got = describe_python(convert.from_mvalue(value, profile=profile))
        else:
            got = describe_matlab(convert.to_mvalue(value, profile=profile))
    except (TypeError, ValueError) as err:
        got = type(err).__name__
    if cell.startswith("StringDType") and np.lib.NumpyVersion(np.__version__) < "2.0.0":
        cell = "TypeError"  # numpy 1.x has no StringDType: string arrays are refused, saying so
    assert got == cell


def test_the_table_covers_every_type_the_issue_names():
    whats = " ".join(r[1] for r in RULES)
    for kind in ("char matrix", "N-D cell", "struct array", "complex", "sparse", "integer",
                 "logical", "empty", "NaN", "string", "containers.Map", "dictionary",
                 "function handle", "object"):
        assert kind in whats, kind


def test_readme_shows_the_generated_table():
    readme = (ROOT / "README.md").read_text()
    assert convert.rules_markdown() in readme, (
        "README's conversion rules are out of date; paste the output of\n"
        "python -c 'from pybridge import convert; print(convert.rules_markdown())'"
    )
