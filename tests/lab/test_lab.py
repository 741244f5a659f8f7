"""``pybridge lab --quick`` end to end (CI runs it), re-use of finished stages, failure isolation."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import HAVE_OCTAVE

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def quick_lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab")
    r = subprocess.run(
        [sys.executable, "-m", "pybridge.cli", "lab", "--quick", "--no-progress", "--out", str(out)],
        capture_output=True, text=True, timeout=880,
    )
    return out, r


@pytest.mark.requires_octave
def test_quick_lab_runs_every_stage_and_writes_the_report(quick_lab):
    out, r = quick_lab
    assert r.returncode == 0, r.stdout + r.stderr
    results = json.loads((out / "results.json").read_text())
    assert {k: v["status"] for k, v in results["stages"].items()} == {
        k: "ok" for k in ("data", "classification", "explain", "segmentation", "legacy", "agreement", "repeat")
    }
    html = (out / "report.html").read_text()
    assert html.count("<img src=\"data:image/png;base64,") >= 7
    s = results["summary"]
    # numbers that cannot come out this way by chance on the quick lab's data
    assert s["CNN test AUC"] > 0.7
    assert s["U-Net test Dice"] > 0.5
    assert s["legacy Dice vs truth"] > 0.5
    assert (out / "summary.csv").read_text().startswith("quantity,value")


@pytest.mark.requires_octave
def test_rerun_reuses_finished_stages_and_isolates_a_failure(quick_lab, tmp_path):
    out, r = quick_lab
    assert r.returncode == 0, r.stdout + r.stderr
    copy = tmp_path / "lab"
    shutil.copytree(out, copy)
    # the legacy stage re-runs on an engine that is not there; the rest is reused
    from pybridge.lab import run_lab

    rc = run_lab(copy, engine="matlab", quick=True, stages=["legacy"], progress=False)
    assert rc == 1
    results = json.loads((copy / "results.json").read_text())
    st = {k: v["status"] for k, v in results["stages"].items()}
    assert st["legacy"] == "failed" and st["data"] == "ok" and st["classification"] == "ok"
    assert "matlab" in results["stages"]["legacy"]["error"].lower()
    html = (copy / "report.html").read_text()
    assert "failed" in html and "classification" in html


def test_lab_rejects_bad_options(tmp_path):
    from pybridge.lab import run_lab

    with pytest.raises(ValueError, match="'engine' must be one of"):
        run_lab(tmp_path, engine="matlob")
    with pytest.raises(ValueError, match="unknown stage"):
        run_lab(tmp_path, stages=["nope"])
    with pytest.raises(FileNotFoundError, match="no such folder"):
        run_lab(tmp_path, data=tmp_path / "missing")


def test_octave_is_present_where_ci_runs():
    # CI installs Octave, so the Octave-marked tests above must run there, not skip.
    import os

    if os.environ.get("CI"):
        assert HAVE_OCTAVE, "CI must install GNU Octave (scripts/bootstrap.sh does)"


def test_lab_reads_the_course_folder_layout(tmp_path):
    """--data: the course's Train/0, Train/1, Test/0, Test/1 PNG patches replace the synthetic ones."""
    import numpy as np
    from PIL import Image

    from pybridge.datasets import microcalcifications
    from pybridge.lab import run_lab

    d = microcalcifications(24, seed=5)
    for i, (img, label) in enumerate(zip(d["images"], d["labels"], strict=True)):
        split = "Train" if i < 16 else "Test"
        folder = tmp_path / "course" / split / str(int(label))
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8)).save(folder / f"p{i:03d}.png")
    out = tmp_path / "lab"
    rc = run_lab(out, quick=True, data=tmp_path / "course", stages=["data"], progress=False)
    assert rc == 0
    saved = np.load(out / "data" / "patches.npz")
    assert saved["x_train"].shape == (16, 60, 60) and saved["x_test"].shape == (8, 60, 60)
    assert sorted(saved["y_train"].tolist() + saved["y_test"].tolist()) == sorted(d["labels"].tolist())
    assert json.loads((out / "data" / "result.json").read_text())["result"]["source"].startswith("course data")
