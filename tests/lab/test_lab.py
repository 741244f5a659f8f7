"""``pybridge lab --quick`` end to end (CI runs it), re-use of finished stages, failure isolation."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from octave_tools import HAVE_OCTAVE

from pybridge.lab._report import EXPLAIN, cell, explain, human, render, stage_counts

STAGE_NAMES = ("data", "classification", "explain", "segmentation", "legacy", "agreement", "repeat")


def _keys(obj, stage, out):
    """Every key a stage result shows as a row or a column (data-valued keys excluded)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "figures":
                continue
            out.add((stage, k))
            if isinstance(v, dict) and all(isinstance(x, dict) for x in v.values()):
                for row in v.values():  # a matrix: its columns are shown, its row names are data
                    out.update((stage, c) for c in row)
            elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
                for row in v:
                    out.update((stage, c) for c in row)
            elif isinstance(v, dict) and k not in ("permutation_importance", "areas"):
                _keys(v, stage, out)
    return out


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text = []

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def quick_lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab")
    r = subprocess.run(
        [sys.executable, "-m", "pybridge.cli", "lab", "--quick", "--no-progress", "--out", str(out)],
        capture_output=True, text=True, timeout=880,
    )
    return out, r


@pytest.mark.slow
@pytest.mark.timeout(900)
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
    assert s["stages"] == "7 of 7 stages ok"
    # the log: one line per stage event, no progress-bar frames
    assert "\r" not in r.stderr and "it/s" not in r.stdout + r.stderr
    assert r.stderr.strip() == "", r.stderr  # no Octave banner or exit noise


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.requires_octave
def test_quick_lab_report_is_explained_rounded_and_complete(quick_lab):
    out, r = quick_lab
    assert r.returncode == 0, r.stdout + r.stderr
    results = json.loads((out / "results.json").read_text())
    page = (out / "report.html").read_text()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    # every quantity shown has its one-line explanation
    shown = set()
    for name, rec in results["stages"].items():
        _keys(rec["result"], name, shown)
    unexplained = sorted(f"{stage}.{key}" for stage, key in shown if not explain(key, stage))
    assert not unexplained, unexplained
    assert all(explain(k) for k in results["summary"]), [k for k in results["summary"] if not explain(k)]
    # nothing cut: every per-image Dice of every method pair is on the page, rounded
    parser = _Text()
    parser.feed(page)
    text = " ".join(parser.text)
    for pair, row in results["stages"]["agreement"]["result"]["dice"].items():
        assert pair in text
        assert ", ".join(f"{v:.3f}" for v in row["per_image"]) in text, pair
    # rounded for people on the page, full precision in results.json
    long = [v for v in results["summary"].values() if isinstance(v, float) and len(repr(v)) > 8]
    assert long, results["summary"]  # e.g. the Grad-CAM share: a mean of ratios
    for v in long:
        assert human(v) in text and repr(v) not in page, v
    assert not re.search(r"\d\.\d{6,}", text), "a long float reached the page"


@pytest.mark.slow
@pytest.mark.timeout(900)
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
    assert results["summary"]["stages"] == "6 of 7 stages ok, 1 failed (legacy)"
    assert "6 of 7 stages ok, 1 failed (legacy)" in html


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


@pytest.mark.slow
@pytest.mark.timeout(300)
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


# ---------------------------------------------------------------- the report, without running the lab


def test_stage_counts_are_true():
    records = {"data": {"status": "ok"}, "classification": {"status": "ok"}, "explain": {"status": "ok"},
               "segmentation": {"status": "ok"}, "legacy": {"status": "failed"},
               "agreement": {"status": "skipped"}, "repeat": {"status": "ok"}}
    c = stage_counts(records)
    assert (c["ok"], c["failed"], c["skipped"], c["total"]) == (5, 1, 1, 7)
    assert c["text"] == "5 of 7 stages ok, 1 failed (legacy), 1 skipped (agreement)"


@pytest.mark.parametrize(("value", "text"), [
    (0.964123456, "0.964"), (1.0, "1.000"), (0.0, "0.000"), (-332.66666, "-332.7"), (1234.56, "1,235"),
    (7, "7"), (123456, "123,456"), (0.00012345, "0.00012"), (float("nan"), "NaN"), (None, "-"), ("octave", "octave"),
])
def test_numbers_are_rounded_for_people(value, text):
    assert human(value) == text


def test_nested_results_become_tables_and_lists_are_never_cut():
    values = [0.1 * i for i in range(200)]
    c = cell({"values": values, "mean": 0.5})
    assert c["kind"] == "pairs"
    listed = c["rows"][0]["cell"]["text"].split(", ")
    assert len(listed) == 200 and listed[-1] == "19.9"
    m = cell({"legacy vs truth": {"mean": 0.81234, "per_image": [0.7, 0.9]}}, "agreement")
    assert m["kind"] == "matrix" and m["columns"] == ["mean", "per_image"]
    assert m["rows"][0]["cells"] == ["0.812", "0.700, 0.900"]
    rows = cell([{"image": 0, "dice": 0.5}, {"image": 1, "dice": 0.25}])
    assert rows["kind"] == "matrix" and [r["cells"] for r in rows["rows"]] == [["0", "0.500"], ["1", "0.250"]]
    assert cell(12.3456, key="train_seconds")["text"] == "12.3"


def _records(tmp_path):
    from PIL import Image

    (tmp_path / "data").mkdir()
    Image.new("RGB", (4, 4), "white").save(tmp_path / "data" / "patches.png")
    long_list = [0.123456789 + i for i in range(40)]
    return {
        "data": {"status": "ok", "seconds": 1.23, "result": {"n_train": 200, "source": "synthetic <tissue>",
                                                            "figures": ["patches.png"]}},
        "classification": {"status": "ok", "seconds": 2.0, "result": {
            "models": {"CNN": {"auc": 0.987654321, "sensitivity": 0.9, "specificity": 1.0, "train_seconds": 3.21}},
            "learning_curve": {"sizes": [20, 60], "CNN": long_list}}},
        "explain": {"status": "ok", "seconds": 0.5, "result": {"gradcam_mass_in_cluster": 0.4, "cluster_area_share": 0.02}},
        "segmentation": {"status": "ok", "seconds": 1.0, "result": {}},
        "legacy": {"status": "failed", "seconds": 0.1, "error": "EngineStartError: cannot start MATLAB: <none>",
                   "traceback": "Traceback ...\nEngineStartError"},
        "agreement": {"status": "skipped", "seconds": 0.0, "reason": "needs legacy, which did not finish"},
        "repeat": {"status": "ok", "seconds": 0.0, "reused": True, "result": {}},
    }


def test_report_renders_from_the_template(tmp_path):
    records = _records(tmp_path)
    summary = {"CNN test AUC": 0.987654321, "stages": stage_counts(records)["text"]}
    page = render(records, summary, tmp_path, describe={n: f"about {n}" for n in records}, quick=True, wall=12.34)
    assert page.startswith("<!doctype html>") and '<meta name="viewport"' in page
    assert page.count('<img src="data:image/png;base64,') == 1
    assert "5 of 7 stages ok, 1 failed (legacy), 1 skipped (agreement)" in page
    assert "0.988" in page and "0.987654321" not in page
    assert "synthetic &lt;tissue&gt;" in page and "cannot start MATLAB: &lt;none&gt;" in page  # escaped
    assert "needs legacy, which did not finish" in page
    assert explain("gradcam_mass_in_cluster") in page.replace("&#39;", "'")
    assert "(ok, reused, 0.0 s)" in page
    # the 40-value learning curve is there to its last value
    assert "0.123, 1.123, 2.123" in page and "38.1, 39.1</td>" in page


def test_the_template_ships_as_package_data():
    from pathlib import Path

    import tomllib

    root = Path(__file__).resolve().parents[2]
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["pybridge"]
    assert "lab/templates/*" in data
    assert (root / "pybridge" / "lab" / "templates" / "report.html.j2").is_file()


def test_every_summary_quantity_is_explained():
    from pybridge.lab._runner import _summary

    records = {"classification": {"status": "ok", "result": {"models": {"CNN": {"auc": 0.9},
                                                                        "traditional": {"auc": 0.8}}}},
               "explain": {"status": "ok", "result": {"gradcam_mass_in_cluster": 0.3, "cluster_area_share": 0.01}}}
    s = _summary(records)
    assert s["CNN test AUC"] == 0.9 and s["stages"] == "2 of 2 stages ok"
    assert all(k in EXPLAIN for k in s)
