"""Text crosses intact between Python and GNU Octave, both directions (property tests).

Octave keeps text as UTF-8 bytes (one char element a byte); Python's str is
code points. References: the UTF-8 encoding itself (``str.encode``) and
the file system's own bytes (``os.fsencode``), neither of them pybridge.

- the engine: any Unicode text (every script, emoji) sent to Octave arrives
  as its UTF-8 bytes and comes back equal;
- file names that are not UTF-8 (Python holds them with ``surrogateescape``,
  as ``os.listdir`` gives them) reach Octave as the same bytes, so Octave
  opens the same file, and names Octave lists come back as the same bytes;
- ``py.`` in Octave, driven through the engine: the same text goes on to
  Python's ``py.`` helper and back, and Python counts its characters.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge.engine import start_matlab

pytestmark = [pytest.mark.requires_octave, pytest.mark.timeout(300)]
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def eng():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYBRIDGE_PYTHON", sys.executable)  # the Python behind Octave's py.
        e = start_matlab(backend="octave", timeout=120)
    e.addpath(str(ROOT / "matlab" / "octave"))
    yield e
    e.quit()


# any text: every script, emoji, combining marks; no lone surrogates (not text)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@SETTINGS
@given(text=TEXT)
def test_any_text_crosses_the_engine_as_utf8(eng, text):
    assert eng.deal(text) == text
    octave_bytes = np.asarray(eng.uint8(text)).reshape(-1).tobytes() if text else b""
    assert octave_bytes == text.encode("utf-8")


@pytest.mark.parametrize(
    "text",
    ["é", "日本", "in sp é/normal.png", "😀 emoji", "Ελληνικά", "עברית", "हिन्दी",
     "a\nb\tc"],
)
def test_named_scripts_cross_the_engine(eng, text):
    assert eng.deal(text) == text
    assert eng.numel(text) == len(text.encode("utf-8"))  # Octave counts bytes


@SETTINGS
@given(raw=st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_non_utf8_names_round_trip_as_the_same_bytes(eng, raw):
    name = os.fsdecode(raw)  # lone surrogates where raw is not UTF-8
    assert os.fsencode(eng.deal(name)) == raw


def test_non_utf8_file_names_reach_the_same_file(eng, tmp_path):
    raw = b"caf\xe9 \xff\xfe.txt"  # Latin-1, not UTF-8
    folder = os.fsencode(str(tmp_path))
    path = os.path.join(folder, raw)
    with open(path, "wb") as f:
        f.write(b"from python")
    # readdir: Octave's own dir() refuses names that are not UTF-8
    names = np.asarray(eng.readdir(str(tmp_path)), dtype=object).ravel()  # an N x 1 cell
    listed = [n for n in names if n not in (".", "..")]
    assert [os.fsencode(n) for n in listed] == [raw]
    text = eng.fileread(os.fsdecode(path))
    assert text == "from python"
    made = os.fsdecode(os.path.join(folder, b"made \xe9\xe8.dat"))
    fid = eng.fopen(made, "w")
    eng.fwrite(fid, "from octave", nargout=0)
    eng.fclose(fid, nargout=0)
    assert Path(made).read_bytes() == b"from octave"
    assert b"made \xe9\xe8.dat" in os.listdir(folder)


@SETTINGS
@given(text=TEXT.filter(lambda t: t != ""))
def test_any_text_crosses_py_in_octave_both_ways(eng, text):
    # Python (engine) -> Octave -> Python (py. helper) -> Octave -> Python (engine)
    assert eng.pycall("str", text) == text
    assert eng.pycall("len", text) == len(text)  # the helper counts code points
