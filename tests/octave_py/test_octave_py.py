"""The Python half of ``py.`` for GNU Octave: wire protocol and Octave's binary format.

The protocol tests drive :class:`pybridge._octpy.server.Server` over in-memory
streams (no Octave needed); the format tests check our reader and writer of
Octave's ``save -binary`` files against files Octave itself writes and reads.
"""

from __future__ import annotations

import io
import os
import subprocess

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pybridge._octpy.server import Server, _read_octave_binary, _write_octave_binary


def serve(requests: list[bytes], folder) -> tuple[list[list[str]], list[bytes], Server]:
    """Run the server over the requests; return each reply's tokens, payloads, the server."""
    fin = io.BytesIO(b"".join(requests))
    fout = io.BytesIO()
    server = Server(str(folder), fin, fout)
    assert server.serve() == 0
    data = fout.getvalue()
    replies, payloads, pos = [], [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos : pos + 4], "little")
        head = data[pos + 4 : pos + 4 + n].decode().split()
        pos += 4 + n
        nbytes = int(head[1])
        replies.append(head)
        payloads.append(data[pos : pos + nbytes])
        pos += nbytes
    return replies, payloads, server


def req(seq: int, verb: str, *tokens: str, payload: bytes = b"", released=()) -> bytes:
    head = [str(seq), str(len(payload)), str(len(released)), *map(str, released), verb, *tokens]
    return (" ".join(head) + "\n").encode() + payload


def test_ping_answers_the_pid(tmp_path):
    replies, _, _ = serve([req(1, "PING")], tmp_path)
    assert replies == [["1", "0", "OK", "F", repr(float(os.getpid()))]]


def test_call_with_float_returns_float(tmp_path):
    replies, _, _ = serve([req(1, "EVAL", "1", "G", "math.sqrt", "(", "1", "F", "2")], tmp_path)
    assert replies[0][2:4] == ["OK", "F"]
    assert float(replies[0][4]) == 2**0.5


def test_numpy_float_results_are_plain_floats(tmp_path):
    d = np.array([[1.0, 2.0, 3.0]]).tobytes(order="F")
    r = req(
        1, "EVAL", "1", "G", "numpy.mean", "(", "1", "A", "double", "2", "1", "3", "-", payload=d
    )
    replies, _, _ = serve([r], tmp_path)
    assert replies[0][2:] == ["OK", "F", "2.0"]


def test_inline_array_is_column_major(tmp_path):
    m = np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])  # MATLAB reshape(1:6, 2, 3)
    payload = m.tobytes(order="F")
    r = req(
        1,
        "EVAL",
        "1",
        "G",
        "numpy.asarray",
        "(",
        "1",
        "A",
        "double",
        "2",
        "2",
        "3",
        "-",
        payload=payload,
    )
    replies, _, server = serve([r], tmp_path)
    assert replies[0][2] == "OK" and replies[0][3] == "O"
    assert replies[0][5] == "py.numpy.ndarray"
    assert_array_equal(server.objects[int(replies[0][4])], m)


def test_python_exception_comes_back_with_type_and_message(tmp_path):
    replies, payloads, _ = serve(
        [req(7, "EVAL", "1", "G", "math.sqrt", "(", "1", "F", "-1")], tmp_path
    )
    assert replies[0] == ["7", str(len(payloads[0])), "ERR", "ValueError"]
    assert payloads[0] == b"math domain error"


def test_kwargs_strings_and_tuples(tmp_path):
    text = b"aaa bbb ccc"
    r = req(
        1,
        "EVAL",
        "1",
        "G",
        "textwrap.wrap",
        "(",
        "2",
        "S",
        str(len(text)),
        "K",
        "1",
        "width",
        "I",
        "int32",
        "4",
        payload=text,
    )
    replies, _, server = serve([r], tmp_path)
    assert server.objects[int(replies[0][4])] == ["aaa", "bbb", "ccc"]


def test_brace_index_is_one_based_and_released_objects_are_freed(tmp_path):
    requests = [
        req(1, "EVAL", "1", "G", "list", "(", "1", "T", "3", "F", "10", "F", "20", "F", "30"),
        req(2, "EVAL", "1", "R", "1", "{", "1", "F", "1"),
        req(3, "PING", released=[1]),
    ]
    replies, _, server = serve(requests, tmp_path)
    assert replies[1][2:] == ["OK", "F", "10.0"]
    assert 1 not in server.objects


def test_brace_index_zero_is_refused(tmp_path):
    requests = [
        req(1, "EVAL", "1", "G", "list", "(", "1", "T", "1", "F", "10"),
        req(2, "EVAL", "1", "R", "1", "{", "1", "F", "0"),
    ]
    replies, payloads, _ = serve(requests, tmp_path)
    assert replies[1][2:] == ["ERR", "IndexError"]
    assert b"1-based" in payloads[1]


def test_none_result_of_a_statement_is_not_an_object(tmp_path):
    replies, _, server = serve(
        [req(1, "EVAL", "0", "G", "time.sleep", "(", "1", "F", "0")], tmp_path
    )
    assert replies[0][2:] == ["OK", "N"]
    assert not server.objects


def test_none_result_assigned_is_an_object(tmp_path):
    replies, _, server = serve(
        [req(1, "EVAL", "1", "G", "time.sleep", "(", "1", "F", "0")], tmp_path
    )
    assert replies[0][2:] == ["OK", "O", "1", "py.NoneType"]


def test_eval_with_nout_minus_one_returns_the_converted_tree(tmp_path):
    requests = [req(1, "EVAL", "-1", "G", "dict", "(", "1", "K", "1", "a", "F", "2")]
    replies, _, server = serve(requests, tmp_path)
    assert replies[0][2:] == ["OK", "D", "1", "a", "F", "2.0"]
    assert not server.objects, "nothing is kept in the object table"


def test_conv_tree_converts_nested_values(tmp_path):
    requests = [
        req(
            1,
            "EVAL",
            "1",
            "G",
            "dict",
            "(",
            "1",
            "D",
            "2",
            "a",
            "F",
            "1.5",
            "b",
            "T",
            "1",
            "S",
            "1",
            payload=b"x",
        ),
        req(2, "CONV", "1", "tree"),
    ]
    replies, payloads, _ = serve(requests, tmp_path)
    assert replies[1][2:] == ["OK", "D", "2", "a", "F", "1.5", "b", "C", "1", "S", "1"]
    assert payloads[1] == b"x"


def test_large_array_travels_through_a_file(tmp_path, rng):
    x = rng.random((300, 400))
    name = "o1.oct"
    _write_octave_binary(str(tmp_path / name), np.asfortranarray(x), "double")
    requests = [
        req(
            1,
            "EVAL",
            "1",
            "G",
            "numpy.asarray",
            "(",
            "1",
            "A",
            "double",
            "2",
            "300",
            "400",
            "@" + name,
        ),
        req(2, "CONV", "1", "num"),
    ]
    replies, _, server = serve(requests, tmp_path)
    assert not (tmp_path / name).exists(), "the request file is removed once read"
    assert_array_equal(server.objects[1], x)
    head = replies[1]
    assert head[2:8] == ["OK", "A", "double", "2", "300", "400"]
    back = _read_octave_binary(str(tmp_path / head[8][1:]), np.float64, x.size)
    assert_array_equal(back.reshape(300, 400, order="F"), x)


@pytest.mark.parametrize(
    "cls",
    [
        "double",
        "single",
        "logical",
        "uint8",
        "int8",
        "int16",
        "uint16",
        "int32",
        "uint32",
        "int64",
        "uint64",
    ],
)
def test_octave_binary_round_trip_in_python(cls, tmp_path, rng):
    from pybridge.convert import MATLAB_CLASSES

    dtype = MATLAB_CLASSES[cls]
    x = (
        (rng.random((5, 6, 7)) * 100).astype(dtype)
        if cls != "logical"
        else rng.random((5, 6, 7)) > 0.5
    )
    path = str(tmp_path / "v.oct")
    _write_octave_binary(path, np.asfortranarray(x), cls)
    back = _read_octave_binary(path, dtype, x.size)
    assert_array_equal(back.reshape(x.shape, order="F"), x)


# ----------------------------------------------------------------- against Octave itself


def octave(code: str, cwd) -> None:
    subprocess.run(
        ["octave-cli", "--no-gui", "--norc", "-q", "--eval", code],
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
    ref = np.arange(1, 30001, dtype=float).reshape(100, 300, order="F")
    got = _read_octave_binary(str(tmp_path / "narrow.oct"), np.float64, ref.size)
    assert got.dtype == np.float64
    assert_array_equal(got.reshape(ref.shape, order="F"), ref)
    got = _read_octave_binary(str(tmp_path / "frac.oct"), np.float64, ref.size)
    assert_array_equal(got.reshape(ref.shape, order="F"), -ref / 4)
    ref32 = np.arange(1, 20001, dtype=np.float32).reshape(200, 100, order="F")
    got = _read_octave_binary(str(tmp_path / "single.oct"), np.float32, ref32.size)
    assert got.dtype == np.float32
    assert_array_equal(got.reshape(ref32.shape, order="F"), ref32)
    got = _read_octave_binary(str(tmp_path / "bool.oct"), np.bool_, 24)
    assert_array_equal(got, np.arange(1, 25) > 12)
    got = _read_octave_binary(str(tmp_path / "int16.oct"), np.int16, 24)
    assert_array_equal(got, -np.arange(1, 25, dtype=np.int16))


@pytest.mark.requires_octave
@pytest.mark.timeout(90)
def test_python_written_files_load_in_octave(tmp_path):
    x = np.arange(1, 25, dtype=np.float64).reshape(2, 3, 4, order="F") / 8
    _write_octave_binary(str(tmp_path / "d.oct"), x, "double")
    _write_octave_binary(str(tmp_path / "b.oct"), np.asfortranarray(x > 1.5), "logical")
    _write_octave_binary(
        str(tmp_path / "u.oct"), np.asfortranarray((x * 8).astype(np.uint16)), "uint16"
    )
    octave(
        "d = load('d.oct'); b = load('b.oct'); u = load('u.oct');"
        "assert(isequal(d.x, reshape(1:24, 2, 3, 4) / 8));"
        "assert(islogical(b.x) && isequal(b.x, reshape(1:24, 2, 3, 4) / 8 > 1.5));"
        "assert(isa(u.x, 'uint16') && isequal(u.x, uint16(reshape(1:24, 2, 3, 4))));",
        tmp_path,
    )


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_ctrl_c_during_a_call_restarts_python_cleanly(tmp_path):
    """Ctrl-C during a long Python call interrupts it; the next calls work, no stale answer.

    The call sleeps for 600 s: if Ctrl-C did not interrupt it, the test times out.
    """
    import signal
    import sys
    import time
    from pathlib import Path

    matlab_dir = Path(__file__).resolve().parents[2] / "matlab"
    env = dict(os.environ, PYBRIDGE_PYTHON=sys.executable)
    proc = subprocess.Popen(
        ["octave-cli", "--interactive", "--no-gui", "--norc", "-q"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        env=env,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    try:
        proc.stdin.write(
            f"addpath('{matlab_dir}'); pybridge.setup('Verbose', false);"
            " l = py.list({1}); disp('READY'); fflush(stdout);\n"
        )
        proc.stdin.flush()
        seen = ""
        while "READY" not in seen:
            line = proc.stdout.readline()
            assert line, f"Octave ended early: {seen}"
            seen += line
        proc.stdin.write("disp('SLEEPING'); fflush(stdout); py.time.sleep(600)\n")
        proc.stdin.flush()
        while "SLEEPING" not in seen:
            seen += proc.stdout.readline()
        time.sleep(1.0)  # Octave is now waiting for Python's answer
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: to Octave and to its Python
        proc.stdin.write(
            "x = py.math.sqrt(16)\n"
            "try, py.len(l), catch e, disp(e.identifier), end\n"
            "y = py.math.sqrt(25)\n"
            "exit\n"
        )
        proc.stdin.close()
        out = seen + proc.stdout.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # Octave and its Python, never orphans
            proc.wait()
        proc.stdout.close()
    assert "the previous Python call was interrupted" in out, out
    assert "x = 4" in out, out
    assert "MATLAB:Python:StaleObject" in out, out
    assert "y = 5" in out, out
