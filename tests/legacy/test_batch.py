"""Folder batches: pybridge._batch (no engine) and legacy.run_folder (Octave, local pool and Dask)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from PIL import Image

from pybridge import _batch, legacy

MFILES = Path(__file__).resolve().parent / "mfiles"


# ------------------------------------------------------------ the generic runner
def _marker_task(payload: dict, resource: dict) -> None:
    """A task that writes ``<key>.txt`` atomically (its marker); fails or stops on request."""
    resource["calls"].append(payload["key"])
    if payload.get("fail"):
        raise ValueError(f"cannot do {payload['key']}")
    if payload.get("interrupt"):
        raise KeyboardInterrupt
    out = Path(payload["out_dir"])
    _batch.atomic_write(out / f"{payload['key']}.txt", lambda fh: fh.write(b"done"), ".txt")


def _items(out: Path, n: int, **special) -> list[_batch.Item]:
    items = []
    for i in range(n):
        key = f"img{i}"
        payload = {"key": key, "out_dir": str(out), **special.get(key, {})}
        items.append(_batch.Item(f"{key}.png", key, payload))
    return items


def _run(out: Path, items, resource=None, **kw):
    res = resource if resource is not None else {"calls": []}
    return _batch.run_batch(
        items,
        _marker_task,
        out_dir=out,
        is_done=lambda k: (out / f"{k}.txt").exists(),
        resources=[res],
        show_progress=False,
        **kw,
    ), res


def test_run_batch_resumes_after_an_interrupt_and_lists_failures(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        _run(out, _items(out, 5, img1={"fail": True}, img3={"interrupt": True}))
    assert sorted(p.name for p in out.glob("*.txt")) == ["img0.txt", "img2.txt"]
    # a writer killed mid-write leaves its temporary file; the next run removes it
    stale = out / f".img4.txt.{os.getpid() + 1}.77.part.txt"
    stale.write_bytes(b"half")
    first = json.loads((out / "summary.json").read_text())
    assert first["failed"] == {"img1.png": "ValueError: cannot do img1"}
    summary, res = _run(out, _items(out, 5))
    assert res["calls"] == ["img1", "img3", "img4"]  # only what was not done
    assert sorted(summary.skipped) == ["img0.png", "img2.png"]
    assert sorted(summary.done) == ["img1.png", "img3.png", "img4.png"] and summary.ok
    assert not [p for p in out.iterdir() if ".part" in p.name]  # nothing half-written
    assert (out / "img4.txt").read_bytes() == b"done"


def test_out_dir_lock_refuses_a_second_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with _batch.out_dir_lock(out):
        with pytest.raises(_batch.BatchLockedError, match=f"pid {os.getpid()}"):
            _run(out, _items(out, 2))
    summary, _ = _run(out, _items(out, 2))  # released: runs
    assert len(summary.done) == 2


def test_lock_is_released_when_its_process_dies(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pybridge._batch import out_dir_lock\n"
            f"with out_dir_lock({str(out)!r}):\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(_batch.BatchLockedError, match=f"pid {holder.pid}"):
            _run(out, _items(out, 1))
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    summary, _ = _run(out, _items(out, 1))
    assert summary.done == ["img0.png"]


def test_same_stem_and_out_dir_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.pgm", "a.png", "b.png"):
        Image.fromarray(np.zeros((4, 4), np.uint8)).save(folder / name)
    with pytest.raises(ValueError, match=r"a\.pgm and a\.png -> 'a'"):
        legacy.segment_folder(folder, {}, tmp_path / "out", progress=False)
    with pytest.raises(ValueError, match=r"a\.pgm and a\.png -> 'a'"):
        legacy.run_folder(MFILES / "box_mean.m", folder, tmp_path / "out", progress=False)
    (folder / "a.png").unlink()
    with pytest.raises(ValueError, match="out_dir is the input folder"):
        legacy.segment_folder(folder, {}, folder, progress=False)
    with pytest.raises(ValueError, match="out_dir is the input folder"):
        legacy.run_folder(MFILES / "box_mean.m", folder, folder / ".", progress=False)
    os.symlink(folder, tmp_path / "link")
    with pytest.raises(ValueError, match="out_dir is the input folder"):
        legacy.run_folder(MFILES / "box_mean.m", folder, tmp_path / "link", progress=False)
    assert not (folder / "summary.json").exists()


def test_read_rois_both_conventions(tmp_path):
    py = tmp_path / "py.csv"
    py.write_text("image,row0,col0,row1,col1\na.pgm,19,9,22,14\n")
    ml = tmp_path / "ml.csv"
    ml.write_text("file,x,y,width,height\na.pgm,10,20,5,3\n")
    assert legacy.read_rois(py) == legacy.read_rois(ml) == {"a.pgm": (19, 9, 22, 14)}
    bad = tmp_path / "bad.csv"
    bad.write_text("image,x,y\na.pgm,1,2\n")
    with pytest.raises(ValueError, match="x,y,width,height"):
        legacy.read_rois(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("image,x,y,width,height\na.pgm,1,1,2,2\na.pgm,1,1,3,3\n")
    with pytest.raises(ValueError, match="line 3"):
        legacy.read_rois(twice)


# ------------------------------------------------------------ run_folder on Octave
def _images(folder: Path, n: int, rng) -> dict[str, np.ndarray]:
    folder.mkdir()
    imgs = {}
    for i in range(n):
        img = rng.integers(0, 256, size=(24, 32), dtype=np.uint8)
        Image.fromarray(img).save(folder / f"scan{i}.pgm")
        (folder / f"scan{i}.pgm").chmod(0o444)
        imgs[f"scan{i}.pgm"] = img
    return imgs


@pytest.mark.requires_octave
@pytest.mark.timeout(300)
def test_run_folder_with_csv_rois_resumes(tmp_path, rng):
    imgs = _images(tmp_path / "in", 3, rng)
    csv = tmp_path / "rois.csv"
    # scan2 has no ROI the first time: it fails, the others are done
    csv.write_text("image,x,y,width,height\nscan0.pgm,3,2,10,5\nscan1.pgm,1,1,32,24\n")
    out = tmp_path / "out"
    with legacy._harness.quiet_start("octave", timeout=120) as eng:
        first = legacy.run_folder(
            MFILES / "box_mean.m", tmp_path / "in", out, rois=csv, engine=eng, progress=False
        )
        assert sorted(first.done) == ["scan0.pgm", "scan1.pgm"]
        assert first.failed == {"scan2.pgm": "no ROI given for this image"}
        stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("scan*.json")}
        csv.write_text(csv.read_text() + "scan2.pgm,5,5,4,4\n")
        second = legacy.run_folder(
            MFILES / "box_mean.m", tmp_path / "in", out, rois=csv, engine=eng, progress=False
        )
    assert second.done == ["scan2.pgm"] and sorted(second.skipped) == ["scan0.pgm", "scan1.pgm"]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("scan[01].json")} == stamps
    # x 3..12, y 2..6 (1-based) are rows 1..5, columns 2..11 (0-based)
    want = {
        "scan0": imgs["scan0.pgm"][1:6, 2:12],
        "scan1": imgs["scan1.pgm"],
        "scan2": imgs["scan2.pgm"][4:8, 4:8],
    }
    for key, part in want.items():
        with np.load(out / f"{key}.npz") as r:
            assert_allclose(r["output1"], part.mean())
        record = json.loads((out / f"{key}.json").read_text())
        assert record["files"] == [f"{key}/results/{key}_mean.txt"]
        assert float((out / record["files"][0]).read_text()) == pytest.approx(part.mean(), abs=1e-6)
        assert f"{key}: mean" in record["stdout"]
    assert not (tmp_path / "in" / "results").exists()  # nothing next to the inputs


@pytest.mark.requires_octave
@pytest.mark.timeout(300)
def test_run_folder_reports_missing_answers_per_image(tmp_path, rng):
    _images(tmp_path / "in", 2, rng)
    out = tmp_path / "out"
    answers = {"scan0.pgm": [legacy.Rectangle((0, 0, 4, 4))]}  # scan1 gets none
    with legacy._harness.quiet_start("octave", timeout=120) as eng:
        s = legacy.run_folder(
            MFILES / "box_mean.m", tmp_path / "in", out, answers=answers, engine=eng, progress=False
        )
    assert s.done == ["scan0.pgm"]
    assert "ScriptedInputError" in s.failed["scan1.pgm"]
    assert "waitforbuttonpress (called from box_mean.m, line" in s.failed["scan1.pgm"]
    assert not (out / "scan1.json").exists()


# ------------------------------------------------------------ Dask
@pytest.mark.requires_octave
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_dask_two_workers_survive_a_killed_worker_and_resume(tmp_path, rng):
    distributed = pytest.importorskip("distributed")
    imgs = _images(tmp_path / "in", 6, rng)
    rois = {name: (0, 0, 8, 8) for name in imgs}
    out = tmp_path / "out"
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]

        def killer():
            end = time.monotonic() + 120
            while time.monotonic() < end and not list(out.glob("*.json")):
                time.sleep(0.01)
            os.kill(victim, signal.SIGKILL)  # a worker dies with its image in flight

        t = threading.Thread(target=killer)
        t.start()
        summary = legacy.run_folder(
            MFILES / "box_mean.m",
            tmp_path / "in",
            out,
            rois=rois,
            args=(1.5,),
            client=client,
            backend="octave",
            progress=False,
        )
        t.join()
        assert summary.ok, summary.failed
        assert sorted(summary.done) == sorted(imgs)
        now = client.run(os.getpid)
        assert victim not in now.values()  # the killed worker was replaced
        # each worker holds one engine, started once, registered under one plugin
        plugins = client.run(lambda dask_worker: sorted(dask_worker.plugins))
        assert all("pybridge-legacy-harness-octave" in p for p in plugins.values())
        stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("scan*.json")}
        again = legacy.run_folder(
            MFILES / "box_mean.m",
            tmp_path / "in",
            out,
            rois=rois,
            client=client,
            backend="octave",
            progress=False,
        )
    assert again.done == [] and sorted(again.skipped) == sorted(imgs)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("scan*.json")} == stamps
    for name, img in imgs.items():
        with np.load(out / f"{Path(name).stem}.npz") as r:
            assert_allclose(r["output1"], img[:8, :8].mean())
    assert not [p for p in out.rglob("*") if ".part" in p.name]


@pytest.mark.requires_octave
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_dask_segment_folder_matches_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    from pybridge.datasets import mammogram

    folder = tmp_path / "in"
    folder.mkdir()
    rois = {}
    for i in range(3):
        m = mammogram(size=200, seed=i, radius=(0.06, 0.08))
        Image.fromarray(np.round(m["image"] * 255).astype(np.uint8)).save(folder / f"m{i}.png")
        rois[f"m{i}.png"] = m["roi"]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask_sum = legacy.segment_folder(
            folder,
            rois,
            tmp_path / "dask",
            client=client,
            backend="octave",
            scale=4,
            smooth=4,
            progress=False,
        )
    local_sum = legacy.segment_folder(
        folder, rois, tmp_path / "local", backend="octave", scale=4, smooth=4, progress=False
    )
    assert sorted(dask_sum.done) == sorted(local_sum.done) == sorted(rois)
    for name in rois:
        a, _ = legacy.result_paths(tmp_path / "dask", name)
        b, _ = legacy.result_paths(tmp_path / "local", name)
        with np.load(a) as ra, np.load(b) as rb:
            np.testing.assert_array_equal(ra["mask"], rb["mask"])
