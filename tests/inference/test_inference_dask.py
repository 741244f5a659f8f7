"""Batch inference on a Dask LocalCluster of 2 worker processes, one of them killed mid-batch."""

from __future__ import annotations

import csv
import json
import os
import signal
import threading
import time

import numpy as np
import pytest
from inference_helpers import assert_masks_match, read_reference, save_8bit
from numpy.testing import assert_allclose
from PIL import Image

from pybridge._inference import classify_folder, segment_folder

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def _model_plugins(client) -> dict:
    """The inference plugins each worker holds: worker -> [(plugin name, its model's class)]."""

    def held(dask_worker):
        return [(name, type(p.resource).__name__) for name, p in dask_worker.plugins.items()
                if name.startswith(("pybridge-classify-", "pybridge-segment-"))]

    return client.run(held)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_classify_folder_on_two_workers_matches_predict(tmp_path, client, patches, classifier,
                                                        monkeypatch, capsys):
    folder = tmp_path / "in"
    names = []
    for i in range(10):
        save_8bit(folder / f"p{i}.png", patches["images"][i])
        names.append(f"p{i}.png")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)  # relative paths: the workers have another working folder
    summary = classify_folder(classifier, "in", "out", client=client)
    assert summary.ok and sorted(summary.done) == names
    # progress on this side: one line when the output is not a terminal
    assert "classify: 10/10 image in " in capsys.readouterr().err
    images = np.stack([read_reference(folder / n) for n in names])
    want_p, want = classifier.predict_proba(images), classifier.predict(images)
    with open(out / "predictions.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["image"] for r in rows] == names
    for k, r in enumerate(rows):
        assert int(r["prediction"]) == want[k]
        assert_allclose([float(r["p_0"]), float(r["p_1"])], want_p[k], rtol=1e-5, atol=1e-6)
    # the model is unloaded from the workers after the batch
    assert all(held == [] for held in _model_plugins(client).values())


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_killed_worker_loses_nothing_and_a_rerun_resumes(tmp_path, client, lesions,
                                                           segmenter_file, segmenter):
    folder = tmp_path / "in"
    n = 40
    for i in range(n):
        save_8bit(folder / f"s{i:02d}.pgm", lesions["images"][i % len(lesions["images"])])
    out = tmp_path / "out"
    pids = client.run(os.getpid)
    seen: dict = {}

    def killer():
        end = time.monotonic() + 300
        while time.monotonic() < end and not list(out.glob("*_mask.png")):
            time.sleep(0.005)
        seen["plugins"] = _model_plugins(client)
        busy = [w for w, keys in client.processing().items() if keys]
        seen["victim"] = pids[busy[0]]
        os.kill(seen["victim"], signal.SIGKILL)  # the worker dies with its image in flight
        seen["masks_then"] = len(list(out.glob("*_mask.png")))

    t = threading.Thread(target=killer)
    t.start()
    try:
        summary = segment_folder(segmenter_file, folder, out, client=client, progress=False)
    finally:
        t.join()
    assert seen["masks_then"] < n  # killed mid-batch
    # mid-batch, each worker held one model of this batch, loaded by its plugin
    assert len(seen["plugins"]) == 2
    for held in seen["plugins"].values():
        assert len(held) == 1 and held[0][1] == "UNetSegmenter"
    assert summary.ok, summary.failed  # the killed worker's images were run again elsewhere
    assert sorted(summary.done) == sorted(p.name for p in folder.iterdir())
    assert seen["victim"] not in client.run(os.getpid).values()
    assert not [p for p in out.rglob("*") if ".part" in p.name]
    for i in range(n):
        with Image.open(out / f"s{i:02d}_mask.png") as im:
            got = np.asarray(im) > 0
        assert_masks_match(got, segmenter, read_reference(folder / f"s{i:02d}.pgm"))
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*_mask.png")}
    again = segment_folder(segmenter_file, folder, out, client=client, progress=False)
    assert again.done == [] and len(again.skipped) == n
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*_mask.png")} == stamps
    assert json.loads((out / "summary.json").read_text())["failed"] == {}
