"""One owner of the boundary rules: no class table, layout transpose or index shift outside convert.

:mod:`pybridge.convert` (with the value model :mod:`pybridge._mtypes`, the
fast layout copies of :mod:`pybridge._layout`, and matlabengine's array types
in :mod:`pybridge._marray` / ``pybridge._compat``) owns every rule at the
MATLAB <-> Python boundary. Everywhere else in ``pybridge/`` the checks below
find none of:

- a MATLAB class table: a literal (dict, list, tuple, set) naming three or
  more MATLAB numeric classes, a dict keyed or valued by three or more numpy
  dtypes, or a dict of three or more ``array.array`` type codes;
- a transpose for MATLAB's layout: ``order="F"`` (column-major reshapes,
  ravels, allocations), ``np.asfortranarray``, and in the modules that talk to
  MATLAB (``mapi``, ``engine``, ``_octpy``, ``legacy``) any ``.T``,
  ``transpose``, ``moveaxis``, ``swapaxes`` or ``permute``;
- a 0/1 index shift in the modules that talk to MATLAB: ``+ 1`` or ``- 1``
  applied to something named like an index (idx, index, label, row, col,
  key, pos, start, stop, argmax/argmin, sub).

Each check is first shown to catch a hand-written offender, so the test can
fail.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "pybridge"

#: Files that own the rules.
OWNERS = {"convert.py", "_mtypes.py", "_layout.py", "_marray.py"}
OWNER_DIRS = {"_compat"}
#: Modules that talk to MATLAB: stricter checks.
BOUNDARY = ("mapi/", "engine/", "_octpy/", "legacy.py")

MATLAB_CLASSES = {
    "double", "single", "int8", "uint8", "int16", "uint16",
    "int32", "uint32", "int64", "uint64", "logical",
}
NUMPY_DTYPES = {
    "float64", "float32", "float16", "int8", "uint8", "int16", "uint16", "int32",
    "uint32", "int64", "uint64", "bool_", "complex64", "complex128",
}
TYPECODES = set("dfbBhHiIlLqQ")
INDEXY = re.compile(r"(?i)(idx|index|indices|label|row|col|key|pos|start|stop|argmax|argmin|\bsub)")
LAYOUT_CALLS = {"transpose", "moveaxis", "swapaxes", "permute", "rollaxis"}


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _dtype_refs(nodes) -> int:
    count = 0
    for n in nodes:
        if isinstance(n, ast.Attribute) and n.attr in NUMPY_DTYPES:
            count += 1
        elif isinstance(n, ast.Call) and ast.unparse(n.func).endswith("dtype"):
            count += 1
    return count


def _all_assignments(tree: ast.AST) -> set[int]:
    """ids of the value nodes of ``__all__ = [...]`` (names, not tables)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            out.update(id(n) for n in ast.walk(node.value))
    return out


def violations(source: str, rel: str) -> list[str]:
    """What the checks find in one module's ``source`` (``rel`` is its path under pybridge/)."""
    tree = ast.parse(source)
    skip = _all_assignments(tree)
    boundary = rel.startswith(BOUNDARY)
    found = []

    def where(node: ast.AST) -> str:
        return f"{rel}:{getattr(node, 'lineno', '?')}"

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        # ---- class tables
        if isinstance(node, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
            consts = {s for s in _strings(node) if s in MATLAB_CLASSES}
            if len(consts) >= 3:
                found.append(f"{where(node)}: a MATLAB class table {sorted(consts)}")
                continue
        if isinstance(node, ast.Dict):
            if _dtype_refs(node.keys) >= 3 or _dtype_refs(node.values) >= 3:
                found.append(f"{where(node)}: a numpy dtype table")
            codes = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            if sum(c in TYPECODES for c in codes) >= 3:
                found.append(f"{where(node)}: an array.array type-code table")
        # ---- layout transposes
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "order" and isinstance(kw.value, ast.Constant) and kw.value.value == "F":
                    found.append(f"{where(node)}: a column-major (order='F') layout step")
            name = ast.unparse(node.func)
            if name.endswith("asfortranarray"):
                found.append(f"{where(node)}: np.asfortranarray, a layout copy")
            if boundary and name.rsplit(".", 1)[-1] in LAYOUT_CALLS:
                found.append(f"{where(node)}: {name}, a layout transpose at the boundary")
        if boundary and isinstance(node, ast.Attribute) and node.attr == "T":
            found.append(f"{where(node)}: .T, a layout transpose at the boundary")
        # ---- index shifts
        if boundary and isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            for one, other in ((node.right, node.left), (node.left, node.right)):
                if isinstance(one, ast.Constant) and one.value in (1, 1.0) and not isinstance(one.value, bool):
                    if INDEXY.search(ast.unparse(other)):
                        found.append(f"{where(node)}: {ast.unparse(node)}, a 0/1 index shift")
                    break
    return found


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        if path.name in OWNERS and path.parent == PKG:
            continue
        if rel.split("/", 1)[0] in OWNER_DIRS:
            continue
        yield rel, path


# -------------------------------------------------------- the checks can fail
@pytest.mark.parametrize(
    "source, rel, what",
    [
        ("T = {'double': 'd', 'single': 'f', 'int8': 'b'}", "x.py", "class table"),
        ("T = {np.float64: 1, np.float32: 2, np.int8: 3}", "x.py", "dtype table"),
        ("T = {'a': 'd', 'b': 'f', 'c': 'q'}", "x.py", "type-code table"),
        ("y = a.reshape(s, order='F')", "x.py", "order='F'"),
        ("y = np.asfortranarray(a)", "x.py", "asfortranarray"),
        ("y = a.T.tobytes()", "mapi/x.py", ".T"),
        ("y = np.moveaxis(a, 0, -1)", "engine/x.py", "moveaxis"),
        ("return key - 1", "_octpy/x.py", "index shift"),
        ("labels = labels + 1", "mapi/x.py", "index shift"),
    ],
)
def test_each_check_catches_an_offender(source, rel, what):
    src = source if not source.startswith("return") else f"def f(key):\n    {source}\n"
    found = violations(src, rel)
    assert found and any(w in " ".join(found) for w in what.split()), found


@pytest.mark.parametrize(
    "source, rel",
    [
        ("__all__ = ['double', 'single', 'int8', 'uint8']", "x.py"),
        ("x = convert.MATLAB_CLASSES[cls]", "engine/x.py"),
        ("n = count + 1", "mapi/x.py"),
        ("w = a.T @ b", "metrics/x.py"),  # maths outside the boundary modules
        ("y = net.permute(0, 2, 3, 1)", "xai/x.py"),
    ],
)
def test_legitimate_code_is_not_flagged(source, rel):
    assert violations(source, rel) == []


def test_convert_itself_holds_the_rules():
    # the owner is where the tables are: the checks find them there
    found = violations((PKG / "convert.py").read_text(), "convert.py")
    assert any("class table" in f or "dtype table" in f for f in found)
    assert any("order='F'" in f for f in found)


# -------------------------------------------------------------- the package
@pytest.mark.parametrize("rel, path", list(_modules()), ids=[r for r, _ in _modules()])
def test_no_second_owner_of_the_boundary_rules(rel, path):
    found = violations(path.read_text(), rel)
    assert not found, (
        "boundary rules belong to pybridge.convert (call its functions instead):\n  "
        + "\n  ".join(found)
    )
