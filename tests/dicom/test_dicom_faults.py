"""Fault injection for DICOM anonymisation: SIGKILL mid-batch, read-only output, hostile names.

Each case checks that nothing is lost (the rerun completes), nothing is
half-written (every output is a whole, readable, anonymised file) and
nothing is left behind (no temporary file after the next call).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

import pydicom
import pytest
from test_dicom_synth import IDENTIFIERS, write_series

from pybridge import dicom
from pybridge.dicom._anonymize import REPORT_NAME

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

# The child anonymises a folder; its 5th file write stops half-way (half the
# bytes reach the temporary file), says so, and waits to be killed.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pybridge.dicom import _io, anonymize

    src, dst, ready = sys.argv[1:4]
    real, calls = _io._save, []

    def half_then_hang(ds, f):
        calls.append(1)
        if len(calls) < 5:
            return real(ds, f)
        import io
        buf = io.BytesIO()
        real(ds, buf)
        f.write(buf.getvalue()[: len(buf.getvalue()) // 2])
        f.flush()
        Path(ready).write_text("writing")
        time.sleep(120)

    _io._save = half_then_hang
    anonymize(src, dst, salt="batch key")
    """
)


def _outputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_sigkill_mid_batch_leaves_whole_files_and_the_rerun_completes(tmp_path, rng):
    s = write_series(tmp_path / "in", rng, n=8)
    dst, ready = tmp_path / "out", tmp_path / "ready"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "in"), str(dst), str(ready)], env=env
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the child never reached its 5th write"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    # nothing half-written: 4 whole anonymised files, one hidden temporary, no report
    files = _outputs(dst)
    visible = [p for p in files if not p.name.startswith(".")]
    hidden = [p for p in files if p.name.startswith(".")]
    assert len(visible) == 4 and len(hidden) == 1
    assert f".pybridge-{child.pid}-" in hidden[0].name
    for p in visible:
        ds = pydicom.dcmread(p)
        assert ds.PatientIdentityRemoved == "YES" and ds.PatientName != IDENTIFIERS["PatientName"]
        assert len(ds.PixelData) == ds.Rows * ds.Columns * 2
    assert not (dst / REPORT_NAME).exists()  # the batch never claimed to be complete
    first = {p.relative_to(dst): p.read_bytes() for p in visible}

    # the rerun (same key) completes the batch, removes the dead process's temporary
    # file, and writes the same bytes for the files the killed run had finished
    report = dicom.anonymize(tmp_path / "in", dst, salt="batch key", overwrite=True)
    assert report["n_files"] == len(s["paths"]) == 8
    after = _outputs(dst)
    assert [p for p in after if p.name.startswith(".")] == []
    assert len([p for p in after if p.suffix == ".dcm"]) == 8
    for rel, data in first.items():
        assert (dst / rel).read_bytes() == data
    assert json.loads((dst / REPORT_NAME).read_text())["n_files"] == 8


def _as_unprivileged(fn):
    """Run fn() in a forked child as 'nobody' when we are root (root ignores file modes)."""
    if os.geteuid() != 0:
        return fn()
    r, w = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about fork() next to threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(r)
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                fn()
                msg = "no error"
            except Exception as err:  # noqa: BLE001 - reported to the parent
                msg = f"{type(err).__name__}: {err}"
            os.write(w, msg.encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        msg = f.read()
    os.waitpid(pid, 0)
    if msg.startswith("PermissionError: "):
        raise PermissionError(msg[len("PermissionError: ") :])
    if msg != "no error":
        raise AssertionError(msg)
    return None


@pytest.fixture
def public_tmp():
    """A folder another user can read (tmp_path's parents are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="pybridge-ro-", dir="/tmp"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        for p in sorted(folder.rglob("*"), reverse=True):
            if p.is_dir():
                os.chmod(p, 0o755)
        shutil.rmtree(folder)


@pytest.mark.parametrize("where", ["folder", "parent"])
def test_read_only_output_folder_is_refused_up_front(public_tmp, rng, where):
    s = write_series(public_tmp / "in", rng, n=3)
    for p in [public_tmp / "in", *(public_tmp / "in").rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    readonly = public_tmp / "ro"
    readonly.mkdir()
    dst = readonly if where == "folder" else readonly / "new"
    dicom.anonymize(s["paths"][0], public_tmp / "warm.dcm")  # load every module first
    os.chmod(readonly, 0o555)

    def run():
        dicom.anonymize(public_tmp / "in", dst, salt="k")

    with pytest.raises(PermissionError, match="cannot write into.*nothing was written"):
        _as_unprivileged(run)
    assert list(readonly.iterdir()) == []

    def run_file():
        dicom.anonymize(s["paths"][0], dst / "one.dcm")

    with pytest.raises(PermissionError, match="cannot write into"):
        _as_unprivileged(run_file)
    assert list(readonly.iterdir()) == []


HOSTILE = [
    "a b.dcm", "new\nline.dcm", "é日本 😀.dcm", "-rf.dcm", "--help", " lead.dcm", "x;rm -rf ~",
]  # fmt: skip


def test_hostile_file_names_round_trip(tmp_path, rng):
    s = write_series(tmp_path / "src", rng, n=len(HOSTILE))
    src = tmp_path / "in -- é\nx"
    sub = src / "-sub dir"
    sub.mkdir(parents=True)
    for p, name in zip(s["paths"], HOSTILE, strict=False):
        os.replace(p, (sub if len(name) % 2 else src) / name)
    dst = tmp_path / "out é -x"
    report = dicom.anonymize(src, dst, salt="k")
    assert report["n_files"] == len(HOSTILE) and report["skipped"] == []
    names = sorted(p.name for p in dst.rglob("*") if p.is_file() and p.name != REPORT_NAME)
    assert names == sorted(HOSTILE)
    for p in dst.rglob("*"):
        if p.is_file() and p.name != REPORT_NAME:
            assert pydicom.dcmread(p).PatientIdentityRemoved == "YES"
            assert stat.S_IMODE(p.stat().st_mode) == stat.S_IMODE(
                (src / p.relative_to(dst)).stat().st_mode
            )
    saved = json.loads((dst / REPORT_NAME).read_text(encoding="utf-8"))
    assert sorted(Path(f["source"]).name for f in saved["files"]) == sorted(HOSTILE)
    assert str(tmp_path) not in (dst / REPORT_NAME).read_text(encoding="utf-8")
    # and read back through dicom.read, one hostile name at a time
    for name in ("new\nline.dcm", "-rf.dcm"):
        found = next(dst.rglob(name))
        assert dicom.read(found)["image"].shape == (1, 6, 5)
