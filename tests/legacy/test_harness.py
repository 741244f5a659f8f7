"""pybridge.legacy.run: the project's own interactive .m code, run headless on Octave."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image

from pybridge import legacy
from pybridge.engine import EngineError

MFILES = Path(__file__).resolve().parent / "mfiles"
octave = [pytest.mark.requires_octave, pytest.mark.timeout(180)]


def line_of(name: str, needle: str) -> int:
    """The 1-based line of ``needle`` in mfiles/<name>, read from the file itself."""
    for i, line in enumerate((MFILES / name).read_text().splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {name}")


@pytest.fixture(scope="module")
def eng():
    with legacy._harness.quiet_start("octave", timeout=120) as e:
        yield e


@pytest.fixture
def scan(tmp_path, rng) -> tuple[Path, np.ndarray]:
    img = rng.integers(0, 256, size=(20, 30), dtype=np.uint8)
    folder = tmp_path / "data"
    folder.mkdir()
    Image.fromarray(img).save(folder / "scan.pgm")
    (folder / "scan.pgm").chmod(0o444)
    return folder / "scan.pgm", img


# ------------------------------------------------------------ answers (no engine)
def test_rectangle_corners_are_the_first_and_last_pixel():
    # 0-based end-exclusive rows 3..8, columns 4..11 -> MATLAB press (5, 4), release (12, 9)
    assert legacy.Rectangle((3, 4, 9, 12)).to_json()["num"] == [5.0, 4.0, 12.0, 9.0]
    assert legacy.Rectangle.corners(12, 9, 5, 4) == legacy.Rectangle((3, 4, 9, 12))
    assert legacy.Click(2, 7).to_json()["num"] == [8.0, 3.0, 1.0]
    assert legacy.Click.xy(8, 3) == legacy.Click(2, 7)


@pytest.mark.parametrize(
    "make, err",
    [
        (lambda: legacy.Rectangle((5, 5, 2, 9)), ValueError),
        (lambda: legacy.Key("ab"), ValueError),
        (lambda: legacy.Click(1, 1, button=4), ValueError),
        (lambda: legacy.Dialog("Yes", 3), TypeError),
        (lambda: legacy.Text(3), TypeError),
    ],
)
def test_bad_answers_are_refused_in_python(make, err):
    with pytest.raises(err):
        make()


def test_answers_must_be_answer_objects():
    with pytest.raises(TypeError, match="Click, Rectangle"):
        legacy._harness._answers_list([(1, 2)])


# ------------------------------------------------------------ the interactive function
@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_interactive_function_headless(eng, scan, tmp_path):
    path, img = scan
    out = tmp_path / "out"
    streamed = io.StringIO()
    res = legacy.run(
        MFILES / "measure_spot.m",
        path,
        answers=[
            legacy.Rectangle((3, 4, 9, 12)),
            legacy.Click(1, 2),
            legacy.Click(5, 6, button=3),
            "2.5",
            legacy.Dialog("lesion A"),
            legacy.Dialog("Save"),
        ],
        out_dir=out,
        engine=eng,
        keep_figures=True,
        stdout=streamed,
    )
    box, total, label = res.outputs
    # rows 3..8 and columns 4..11 (0-based) are MATLAB's 4..9 and 5..12
    assert_array_equal(np.ravel(box), [4, 9, 5, 12])
    assert_allclose(total, 2.5 * img[3:9, 4:12].astype(float).sum())
    assert label == "lesion A"
    # written next to the image's copy under out_dir, never next to the input
    written = out / "results" / "scan_box.txt"
    assert res.files == [written]
    assert written.read_text().split() == ["lesion", "A", "4", "9", "5", "12", f"{total:g}"]
    assert not (path.parent / "results").exists()
    # printed output, returned and streamed; the dialogs leave a transcript
    assert "Box: rows 4-9, columns 5-12" in res.stdout
    assert "Clicked 2 points" in res.stdout
    assert "[questdlg] Save the measurement? -> Save" in res.stdout
    assert "[msgbox] Measurement saved" in res.stdout
    assert "[warndlg] Check the box before saving" in res.stdout
    assert streamed.getvalue() == res.stdout
    for noise in ("X11", "DISPLAY", "disabling GUI", "gnuplot"):
        assert noise not in res.stdout
    # two figures (the waitbar's is no figure of the code), saved with their titles
    assert [f.title for f in res.figures] == ["Draw a box around the spot", "Spot lesion A"]
    for f in res.figures:
        assert f.path is not None and f.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert res.answers_left == 0


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_figures_are_invisible_and_closed(eng, scan, tmp_path):
    path, _ = scan
    answers = [
        legacy.Rectangle((0, 0, 4, 4)),
        legacy.Click(0, 0),
        legacy.Click(1, 1),
        "1",
        legacy.Dialog("x"),
        legacy.Dialog("Discard"),
    ]
    before = eng.eval("numel(allchild(0))", nargout=1)
    visible = eng.eval("get(0, 'defaultfigurevisible')", nargout=1)
    res = legacy.run(
        MFILES / "measure_spot.m", path, answers=answers, out_dir=tmp_path / "o", engine=eng
    )
    assert len(res.figures) == 2 and all(f.path is None for f in res.figures)
    assert res.files == []  # 'Discard': nothing written
    assert eng.eval("numel(allchild(0))", nargout=1) == before
    assert eng.eval("get(0, 'defaultfigurevisible')", nargout=1) == visible


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_interactive_script_over_a_folder(eng, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (data / name).write_text(name)
    res = legacy.run(
        MFILES / "tally_session.m",
        inputs=[data],
        answers=[
            legacy.File("list.lst"),
            legacy.Dialog("Yes"),
            "2",
            legacy.Dialog("No"),
            legacy.Dialog("Yes"),
            "0.5",
            legacy.Key(),
            legacy.Text("counted = counted * 10;"),
        ],
        returns=["counted", "weights"],
        out_dir=tmp_path / "out",
        engine=eng,
    )
    counted, weights = res.outputs
    assert counted == 20  # 2 files, times 10 by the keyboard command
    assert_allclose(np.ravel(weights), [2, 0.5])
    assert res.files == [tmp_path / "out" / "tally.csv"]
    assert (tmp_path / "out" / "tally.csv").read_text() == "2,2.5\n"
    assert "Appending to list.lst" in res.stdout
    assert "[questdlg] Count b.txt? -> No" in res.stdout
    assert "Tallied 20 files" in res.stdout


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_getrect_and_menu(eng, tmp_path):
    rect, n = legacy.run(
        MFILES / "pick_region.m",
        np.zeros((10, 10)),
        answers=[legacy.Rectangle((2, 3, 6, 8)), legacy.Dialog("two")],
        out_dir=tmp_path,
        engine=eng,
    )
    # MATLAB's [x y width height] from the press (4, 3) to the release (8, 6)
    assert_array_equal(np.ravel(rect), [4, 3, 4, 3])
    assert n == 2


# ------------------------------------------------------------ errors
@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_answers_run_out_names_function_file_and_line(eng, scan, tmp_path):
    path, _ = scan
    with pytest.raises(legacy.ScriptedInputError) as info:
        legacy.run(
            MFILES / "measure_spot.m",
            path,
            answers=[legacy.Rectangle((0, 0, 4, 4))],
            out_dir=tmp_path,
            engine=eng,
        )
    err = info.value
    assert isinstance(err, EngineError)
    assert err.identifier == "pybridge:legacy:noAnswer"
    line = line_of("measure_spot.m", "[x, y] = ginput(2);")
    assert f"ginput (called from measure_spot.m, line {line})" in err.message
    assert "ran out" in err.message
    assert any(f.name == "measure_spot" and f.line == line for f in err.stack)
    assert "Box: rows 1-4" in err.output  # what it printed before


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_wrong_kind_of_answer(eng, tmp_path):
    with pytest.raises(legacy.ScriptedInputError) as info:
        legacy.run(
            MFILES / "only_input.m", answers=[legacy.Click(1, 1)], out_dir=tmp_path, engine=eng
        )
    err = info.value
    assert err.identifier == "pybridge:legacy:wrongAnswer"
    line = line_of("only_input.m", "input('Number? ')")
    assert f"input (called from only_input.m, line {line})" in err.message
    assert "is a click" in err.message


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_questdlg_answer_must_be_a_button(eng, tmp_path):
    for name in ("a.txt",):
        (tmp_path / name).write_text("x")
    with pytest.raises(legacy.ScriptedInputError, match="buttons 'Yes', 'No'"):
        legacy.run(
            MFILES / "tally_session.m",
            inputs=[tmp_path / "a.txt"],
            answers=[legacy.File(None), legacy.Dialog("Maybe")],
            out_dir=tmp_path / "out",
            engine=eng,
        )


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_error_inside_legacy_code_and_path_restored(eng, tmp_path):
    path_before = eng.path(nargout=1)
    cwd_before = eng.pwd(nargout=1)
    with pytest.raises(legacy.LegacyError) as info:
        legacy.run(MFILES / "fails_inside.m", 3.0, out_dir=tmp_path, engine=eng)
    err = info.value
    assert not isinstance(err, legacy.ScriptedInputError)
    assert err.identifier == "lab:fails:positive"
    assert err.message == "x must not be positive; got 3"
    names = [f.name for f in err.stack]
    assert names[:2] == ["fails_inside>fails_inside_helper", "fails_inside"] or names[:2] == [
        "fails_inside_helper",
        "fails_inside",
    ]
    assert err.stack[0].file.endswith("fails_inside.m")
    assert err.stack[0].line == line_of("fails_inside.m", "error('lab:fails:positive'")
    # nothing of the harness is left: path, folder, GUI shadows, compat functions
    assert eng.path(nargout=1) == path_before
    assert eng.pwd(nargout=1) == cwd_before
    assert eng.exist("rbbox", nargout=1) == 0 and eng.exist("interpm", nargout=1) == 0


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_unused_answers_warn(eng, tmp_path):
    with pytest.warns(legacy.UnusedAnswersWarning, match="1 of its scripted answers"):
        res = legacy.run(
            MFILES / "only_input.m", answers=["41 + 1", "extra"], out_dir=tmp_path, engine=eng
        )
    assert res.outputs == (42.0,)


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_compat_functions_only_where_absent(eng, tmp_path):
    lat, lon, bw = legacy.run(
        MFILES / "uses_toolboxes.m", np.array([[0.1, 0.9]]), out_dir=tmp_path, engine=eng
    )
    assert_allclose(np.ravel(lat), [1, 1.5, 2, 3, 4, 5])
    assert_allclose(np.ravel(lon), [1, 2, 3, 3.5, 4, 5])
    assert_array_equal(np.ravel(bw), [False, True])


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_bad_calls(eng, tmp_path):
    with pytest.raises(FileNotFoundError):
        legacy.run(tmp_path / "nope.m", engine=eng)
    with pytest.raises(ValueError, match="script"):
        legacy.run(MFILES / "tally_session.m", 1.0, engine=eng)
    with pytest.raises(ValueError, match="returns"):
        legacy.run(MFILES / "only_input.m", returns=["v"], engine=eng)
    with pytest.raises(ValueError, match="target"):
        legacy.run("not a name", engine=eng)


@pytest.mark.requires_octave
@pytest.mark.timeout(120)
def test_no_display_notice_reaches_stderr(tmp_path):
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from pybridge import legacy\n"
        f"r = legacy.run({str(MFILES / 'pick_region.m')!r}, np.eye(4), out_dir={str(tmp_path)!r},\n"
        "               answers=[legacy.Rectangle((0, 0, 2, 2)), legacy.Dialog('one')])\n"
        "print(r.stdout + 'ok')\n"
    )
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=100, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    for noise in ("X11 DISPLAY", "disabling GUI features", "execution_exception"):
        assert noise not in done.stderr


def test_harness_m_code_runs_on_matlab_and_octave():
    # no Octave-only syntax in the .m files pybridge puts on a MATLAB path
    root = Path(legacy._harness.harness_dirs()[0]).parent
    files = sorted(root.glob("harness/**/*.m")) + sorted(root.glob("compat/**/*.m"))
    assert len(files) > 20
    for f in files:
        for n, line in enumerate(f.read_text().splitlines(), start=1):
            code = line.split("%")[0]  # MATLAB comments (and %#ok pragmas) aside
            for bad in (
                "endfunction",
                "endif",
                "endfor",
                "endwhile",
                "!=",
                "++",
                "#",
                '"',
                "printf(",
                "unwind_protect",
            ):
                if bad == "printf(":
                    assert not code.lstrip().startswith("printf("), (f, n, line)
                else:
                    assert bad not in code, (f, n, line)


def test_importing_starts_no_engine():
    import subprocess
    import sys

    code = "import pybridge.legacy, pybridge.legacy._harness as h; print(h._default)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "{}"


@pytest.mark.slow
@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_timeout_interrupts_and_restores(eng, tmp_path):
    from pybridge.engine import EngineTimeoutError

    path_before = eng.path(nargout=1)
    cwd_before = eng.pwd(nargout=1)
    with pytest.raises(EngineTimeoutError):
        legacy.run(MFILES / "spins.m", out_dir=tmp_path, engine=eng, timeout=3, nargout=0)
    # the engine is usable, and nothing of the run is left on it
    assert eng.plus(1.0, 2.0) == 3.0
    assert eng.path(nargout=1) == path_before
    assert eng.pwd(nargout=1) == cwd_before
    assert eng.exist("rbbox", nargout=1) == 0


@pytest.mark.requires_octave
@pytest.mark.timeout(180)
def test_figures_shown_again_draw_nothing(eng, tmp_path):
    # figure(h) makes a figure visible; without a display it must still draw nothing
    res = legacy.run(MFILES / "shows_again.m", out_dir=tmp_path, engine=eng, keep_figures=True)
    assert res.outputs == (2.0,)
    assert res.stdout == ""
    assert [f.title for f in res.figures] == ["again", "seven"]
    assert all(f.path.stat().st_size > 1000 for f in res.figures)
    assert eng.getenv("GNUTERM", nargout=1) == ""
