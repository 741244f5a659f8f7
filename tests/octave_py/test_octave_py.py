"""The Python half of ``py.`` for GNU Octave: requests, replies, and Octave's binary format.

The protocol tests drive :class:`pybridge._octpy.server.Server` over in-memory
streams (no Octave needed), with requests built by hand byte by byte as the
wire's description says (pybridge/_octpy/server.py); the format tests check
our reader and writer of Octave's ``save -binary`` files against files
Octave itself writes and reads.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from pybridge._mtypes import MArray
from pybridge._octpy import wire
from pybridge._octpy.server import Server

# ----------------------------------------------------------------- request builders


def s(text: str) -> bytes:
    data = text.encode("utf-8", "surrogateescape")
    return struct.pack("<I", len(data)) + data


def dbl(x: float) -> bytes:
    return b"\x07" + struct.pack("<d", x)


def arr(mclass: str, dims: tuple, data: bytes) -> bytes:
    """A full real array, inline: the elements' bytes in column-major order."""
    return (
        b"\x01" + s(mclass) + bytes([len(dims)]) + struct.pack(f"<{len(dims)}Q", *dims)
        + b"\x00" + b"\x00" + struct.pack("<Q", len(data)) + data
    )


def char(text: str) -> bytes:
    data = text.encode("utf-8", "surrogateescape")
    dims = (1, len(data)) if data else (0, 0)
    return b"\x02" + bytes([2]) + struct.pack("<2Q", *dims) + b"\x00" + struct.pack(
        "<Q", len(data)
    ) + data


def cell_row(*items: bytes) -> bytes:
    return b"\x04" + bytes([2]) + struct.pack("<2Q", 1, len(items)) + b"".join(items)


def ref(i: int) -> bytes:
    return b"\x09" + struct.pack("<qq", i, 1)


def kw(**pairs: bytes) -> bytes:
    return b"\x0b" + struct.pack("<I", len(pairs)) + b"".join(s(k) + v for k, v in pairs.items())


def call(*args: bytes) -> bytes:
    return b"\x02" + struct.pack("<I", len(args)) + b"".join(args)


def attr(name: str) -> bytes:
    return b"\x01" + s(name)


def index(*args: bytes) -> bytes:
    return b"\x03" + struct.pack("<I", len(args)) + b"".join(args)


def req(seq: int, verb: int, body: bytes = b"", released=()) -> bytes:
    msg = bytes([verb]) + struct.pack("<II", seq, len(released))
    msg += b"".join(struct.pack("<q", i) for i in released) + body
    return struct.pack("<Q", len(msg)) + msg


def eval_(seq: int, name: str, *ops: bytes, nout: int = 1, released=()) -> bytes:
    body = struct.pack("<i", nout) + b"\x01" + s(name) + struct.pack("<I", len(ops)) + b"".join(ops)
    return req(seq, 1, body, released)


def eval_ref(seq: int, obj: int, *ops: bytes, nout: int = 1) -> bytes:
    body = struct.pack("<i", nout) + b"\x02" + struct.pack("<q", obj)
    return req(seq, 1, body + struct.pack("<I", len(ops)) + b"".join(ops))


def conv(seq: int, obj: int, mode: str) -> bytes:
    return req(seq, 2, struct.pack("<q", obj) + s(mode))


# ----------------------------------------------------------------- reply reader


def serve(requests: list[bytes], folder) -> tuple[list[tuple], Server]:
    """Run the server over the requests; return the replies as (status, seq, rest...)."""
    fin = io.BytesIO(b"".join(requests))
    fout = io.BytesIO()
    server = Server(str(folder), fin, fout)
    assert server.serve() == 0
    data = fout.getvalue()
    replies, pos = [], 0
    while pos < len(data):
        n = struct.unpack_from("<Q", data, pos)[0]
        body = data[pos + 8 : pos + 8 + n]
        pos += 8 + n
        r = wire.Reader(body, server.folders)
        status, seq = r.u8(), r.u32()
        if status == 0:
            replies.append(("OK", seq, r.value()))
        elif status == 1:
            replies.append(("ERR", seq, r.str(), r.str()))
        else:
            replies.append(("PRINT", seq, r.u8(), r.str()))
    return replies, server


def scalar(v) -> float:
    assert isinstance(v, MArray) and v.dims == (1, 1), v
    return v.real[0]


# ----------------------------------------------------------------- protocol


def test_ping_answers_the_pid(tmp_path):
    (reply,), _ = serve([req(1, 6)], tmp_path)
    assert reply[:2] == ("OK", 1)
    assert scalar(reply[2]) == os.getpid()


def test_call_with_float_returns_double(tmp_path):
    (reply,), _ = serve([eval_(1, "math.sqrt", call(dbl(2.0)))], tmp_path)
    assert reply[2].mclass == "double" and scalar(reply[2]) == 2**0.5


def test_numpy_float_results_are_doubles(tmp_path):
    row = struct.pack("<3d", 1.0, 2.0, 3.0)
    (reply,), _ = serve([eval_(1, "numpy.mean", call(arr("double", (1, 3), row)))], tmp_path)
    assert reply[2].mclass == "double" and scalar(reply[2]) == 2.0


def test_inline_array_is_column_major(tmp_path):
    # MATLAB reshape(1:6, 2, 3) is [1 3 5; 2 4 6]: its bytes in memory order 1..6
    data = struct.pack("<6d", 1, 2, 3, 4, 5, 6)
    (reply,), server = serve(
        [eval_(1, "numpy.asarray", call(arr("double", (2, 3), data)))], tmp_path
    )
    handle = reply[2]
    assert isinstance(handle, wire.Handle) and handle.cls == "py.numpy.ndarray"
    assert_array_equal(server.objects[handle.id], [[1, 3, 5], [2, 4, 6]])


def test_python_exception_comes_back_with_type_and_message(tmp_path):
    (reply,), _ = serve([eval_(7, "math.sqrt", call(dbl(-1.0)))], tmp_path)
    assert reply == ("ERR", 7, "ValueError", "math domain error")


def test_kwargs_strings_and_integers(tmp_path):
    width = arr("int32", (1, 1), struct.pack("<i", 4))
    (reply,), server = serve(
        [eval_(1, "textwrap.wrap", call(char("aaa bbb ccc"), kw(width=width)))], tmp_path
    )
    assert server.objects[reply[2].id] == ["aaa", "bbb", "ccc"]


def test_brace_index_is_one_based_and_released_objects_are_freed(tmp_path):
    requests = [
        eval_(1, "list", call(cell_row(dbl(10), dbl(20), dbl(30)))),
        eval_ref(2, 1, index(dbl(1))),
        req(3, 6, released=[1]),
    ]
    replies, server = serve(requests, tmp_path)
    assert scalar(replies[1][2]) == 10.0
    assert 1 not in server.objects


def test_brace_index_zero_is_refused(tmp_path):
    requests = [eval_(1, "list", call(cell_row(dbl(10)))), eval_ref(2, 1, index(dbl(0)))]
    replies, _ = serve(requests, tmp_path)
    assert replies[1][:3] == ("ERR", 2, "IndexError")
    assert "1-based" in replies[1][3]


def test_none_result_of_a_statement_is_empty(tmp_path):
    (reply,), server = serve([eval_(1, "time.sleep", call(dbl(0)), nout=0)], tmp_path)
    assert reply[2] == MArray("double", (0, 0), reply[2].real) and reply[2].real.size == 0
    assert not server.objects


def test_none_result_assigned_is_an_object(tmp_path):
    (reply,), _ = serve([eval_(1, "time.sleep", call(dbl(0)))], tmp_path)
    assert reply[2] == wire.Handle(1, "py.NoneType")


def test_eval_with_nout_minus_one_returns_the_converted_tree(tmp_path):
    (reply,), server = serve([eval_(1, "dict", call(kw(a=dbl(2))), nout=-1)], tmp_path)
    value = reply[2]
    assert value.fields == ("a",) and scalar(value.items[0]["a"]) == 2.0
    assert not server.objects, "nothing is kept in the object table"


def test_conv_cell_gives_floats_and_handles(tmp_path):
    requests = [eval_(1, "list", call(cell_row(dbl(1.5), char("x")))), conv(2, 1, "cell")]
    replies, _ = serve(requests, tmp_path)
    cell = replies[1][2]
    assert cell.dims == (1, 2)
    assert scalar(cell.items[0]) == 1.5
    assert cell.items[1].cls == "py.str"


def test_large_array_travels_through_a_file(tmp_path, rng):
    x = rng.random((300, 400))
    flat = x.reshape(-1, order="F")  # MATLAB's element order, written as Octave would
    header = wire._octave_header("double", flat.size, flat)
    wire._write_private(str(tmp_path / "o1.oct"), header, flat)
    dims = struct.pack("<2Q", 300, 400)
    big = b"\x01" + s("double") + b"\x02" + dims + b"\x00" + b"\x01" + s("o1.oct")
    requests = [eval_(1, "numpy.asarray", call(big)), conv(2, 1, "num")]
    replies, server = serve(requests, tmp_path)
    assert not (tmp_path / "o1.oct").exists(), "the request file is removed once read"
    assert_array_equal(server.objects[1], x)
    back = replies[1][2]
    assert back.mclass == "double" and back.dims == (300, 400)
    assert_array_equal(back.real, flat)
    assert not os.listdir(tmp_path), "the answer's file is removed once read"


def test_printed_text_arrives_in_order_before_the_answer(tmp_path):
    requests = [eval_(1, "print", call(char("first")), nout=0), eval_(2, "math.sqrt", call(dbl(4)))]
    replies, _ = serve(requests, tmp_path)
    assert [r[0] for r in replies] == ["PRINT", "PRINT", "OK", "OK"]
    assert "".join(r[3] for r in replies[:2]) == "first\n"


# ----------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "name", ["math.pi\nPING", "math pi", "os.system('x')", "math.", "", "é.x", "a..b"]
)
def test_hostile_names_are_refused_and_the_server_goes_on(tmp_path, name):
    requests = [eval_(1, name, nout=-1), eval_(2, "math.sqrt", call(dbl(9.0)))]
    replies, _ = serve(requests, tmp_path)
    assert replies[0][0] == "ERR" and replies[0][2] in ("ProtocolError", "ModuleNotFoundError")
    assert scalar(replies[1][2]) == 3.0


def test_hostile_attribute_and_field_names(tmp_path):
    struct_ab = (
        b"\x05" + bytes([2]) + struct.pack("<2Q", 1, 1) + struct.pack("<I", 1) + s("a b")
        + dbl(1.0)
    )
    requests = [
        eval_(1, "math", attr("pi\nPING"), nout=-1),
        eval_(2, "dict", call(struct_ab), nout=-1),
        eval_(3, "math.sqrt", call(dbl(16.0))),
    ]
    replies, _ = serve(requests, tmp_path)
    assert replies[0][:3] == ("ERR", 1, "ProtocolError")
    assert replies[1][0] == "ERR"
    assert scalar(replies[2][2]) == 4.0


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=64))
def test_any_garbage_gets_an_error_never_a_crash(tmp_path_factory, body):
    folder = tmp_path_factory.mktemp("garbage")
    msg = struct.pack("<Q", len(body)) + body
    replies, _ = serve([msg, eval_(9, "math.sqrt", call(dbl(1.0)))], folder)
    assert replies[-1][:2] == ("OK", 9) and scalar(replies[-1][2]) == 1.0


def test_payload_file_names_cannot_leave_the_folder(tmp_path):
    (tmp_path / "secret").mkdir()
    dims = struct.pack("<2Q", 1, 1)
    evil = b"\x01" + s("double") + b"\x02" + dims + b"\x00" + b"\x01" + s("../secret/x")
    (reply,), _ = serve([eval_(1, "len", call(evil))], tmp_path)
    assert reply[:3] == ("ERR", 1, "ProtocolError")


# ----------------------------------------------------------------- Octave's binary format


@pytest.mark.parametrize(
    "cls",
    ["double", "single", "logical", "uint8", "int8", "int16", "uint16", "int32", "uint32",
     "int64", "uint64"],
)
def test_octave_binary_round_trip_in_python(cls, tmp_path, rng):
    from pybridge.convert import MATLAB_CLASSES

    dtype = MATLAB_CLASSES[cls]
    flat = (rng.random(210) * 100).astype(dtype) if cls != "logical" else rng.random(210) > 0.5
    path = str(tmp_path / "v.oct")
    wire._write_private(path, wire._octave_header(cls, flat.size, flat), flat)
    assert os.stat(path).st_mode & 0o777 == 0o600
    back = wire._read_octave_file(path, dtype, flat.size)
    assert_array_equal(back, flat)
    assert not os.path.exists(path), "read files are removed"


def octave(code: str, cwd) -> None:
    subprocess.run(
        ["octave-cli", "--no-gui", "--norc", "--no-history", "-q", "--eval", code],
        check=True,
        cwd=cwd,
        timeout=60,
        capture_output=True,
    )


@pytest.mark.requires_octave
@pytest.mark.timeout(90)
def test_octave_written_files_read_in_python(tmp_path):
    # whole-number doubles above 8192 elements: Octave narrows their storage type
    octave(
        "x = reshape(1:30000, 100, 300); save('-binary', 'narrow.oct', 'x');"
        "x = -reshape(1:30000, 100, 300) / 4; save('-binary', 'frac.oct', 'x');"
        "x = single(reshape(1:20000, 200, 100)); save('-binary', 'single.oct', 'x');"
        "x = reshape(1:24, 2, 3, 4) > 12; save('-binary', 'bool.oct', 'x');"
        "x = int16(-reshape(1:24, 4, 6)); save('-binary', 'int16.oct', 'x');",
        tmp_path,
    )
    ref = np.arange(1, 30001, dtype=float)
    got = wire._read_octave_file(str(tmp_path / "narrow.oct"), np.dtype(np.float64), ref.size)
    assert got.dtype == np.float64
    assert_array_equal(got, ref)
    got = wire._read_octave_file(str(tmp_path / "frac.oct"), np.dtype(np.float64), ref.size)
    assert_array_equal(got, -ref / 4)
    ref32 = np.arange(1, 20001, dtype=np.float32)
    got = wire._read_octave_file(str(tmp_path / "single.oct"), np.dtype(np.float32), ref32.size)
    assert got.dtype == np.float32
    assert_array_equal(got, ref32)
    got = wire._read_octave_file(str(tmp_path / "bool.oct"), np.dtype(np.bool_), 24)
    assert_array_equal(got, np.arange(1, 25) > 12)
    got = wire._read_octave_file(str(tmp_path / "int16.oct"), np.dtype(np.int16), 24)
    assert_array_equal(got, -np.arange(1, 25, dtype=np.int16))


@pytest.mark.requires_octave
@pytest.mark.timeout(90)
def test_python_written_files_load_in_octave(tmp_path):
    x = np.arange(1, 25, dtype=np.float64) / 8
    for name, cls, data in (
        ("d.oct", "double", x),
        ("b.oct", "logical", x > 1.5),
        ("u.oct", "uint16", (x * 8).astype(np.uint16)),
    ):
        wire._write_private(str(tmp_path / name), wire._octave_header(cls, data.size, data), data)
    octave(
        "d = load('d.oct'); b = load('b.oct'); u = load('u.oct');"
        "assert(isequal(d.x, (1:24)' / 8));"
        "assert(islogical(b.x) && isequal(b.x, (1:24)' / 8 > 1.5));"
        "assert(isa(u.x, 'uint16') && isequal(u.x, uint16((1:24)')));",
        tmp_path,
    )


def test_objects_inside_cells_and_structs_are_the_objects(tmp_path):
    struct_with_ref = (
        b"\x05" + bytes([2]) + struct.pack("<2Q", 1, 1) + struct.pack("<I", 1) + s("k") + ref(1)
    )
    requests = [
        eval_(1, "list", call(cell_row(dbl(1)))),  # object 1: [1.0]
        eval_(2, "tuple", call(cell_row(char("x"), ref(1)))),  # object 2
        eval_(3, "dict", call(struct_with_ref)),  # object 3
    ]
    replies, server = serve(requests, tmp_path)
    assert [r[0] for r in replies] == ["OK", "OK", "OK"], replies
    the_list = server.objects[1]
    pair = server.objects[2]
    assert pair[0] == "x" and pair[1] is the_list
    assert server.objects[3]["k"] is the_list
