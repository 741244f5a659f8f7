"""Models as MATLAB names them: the kind check on every call, where unnamed models live, progress.

References: the kinds of model each function takes (documented in the .m
help), the files a process leaves in its temp folder (listed after it
exits), the lines training prints (captured from the process's output).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pybridge import convert, mapi
from pybridge.datasets import masses, microcalcifications
from pybridge.mapi import _models


@pytest.fixture(scope="module")
def segmenter(tmp_path_factory):
    d = masses(8, size=32, seed=2)
    f = tmp_path_factory.mktemp("seg") / "unet.safetensors"
    info = mapi.call(
        "train_segmenter", convert.batch_to_matlab(d["images"]), convert.batch_to_matlab(d["masks"]),
        epochs=1.0, width=4.0, depth=2.0, file=str(f), verbose=False,
    )
    return info, convert.batch_to_matlab(d["images"][:2])


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_model_kind_is_checked_on_every_call_cached_or_not(segmenter):
    info, two = segmenter
    _models._CACHE.clear()
    for _ in range(2):  # the first call loads and caches the model; the second finds it cached
        assert mapi.call("segment", info, two)["mask"].shape == (32, 32, 2)
        with pytest.raises(ValueError, match=(
            r"MODEL '.*unet.safetensors' is a segmentation model \(from pybridge.trainSegmenter\); "
            r"pybridge.classify needs one from pybridge.trainClassifier"
        )):
            mapi.call("classify", info, two)
        with pytest.raises(ValueError, match="pybridge.permutationImportance needs one from"):
            mapi.call("permutation_importance", info, two, np.array([0.0, 1.0]))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_segment_roi_is_matlabs_one_based_rectangle(segmenter):
    from pybridge import segmentation

    info, two = segmenter
    est = segmentation.load(info["file"])
    images = convert.batch_from_matlab(two)
    # MATLAB [x y width height] = [5 7 16 10]: rows 7..16, columns 5..20 (1-based),
    # so 0-based end-exclusive rows 6:16, columns 4:20 (worked by hand)
    out = mapi.call("segment", info, two, roi=np.array([[5.0, 7.0, 16.0, 10.0]]), threshold=0.01)
    want = est.predict_roi_proba(images, (6, 4, 16, 20))
    np.testing.assert_allclose(convert.batch_from_matlab(out["probability"]), want, atol=1e-6)
    mask = convert.batch_from_matlab(out["mask"])
    assert not mask[:, :6].any() and not mask[:, 16:].any() and not mask[:, :, :4].any() and not mask[:, :, 20:].any()
    per_image = mapi.call("segment", info, two, roi=np.array([[5.0, 7.0, 16.0, 10.0]] * 2), threshold=0.01)
    np.testing.assert_array_equal(per_image["mask"], out["mask"])
    with pytest.raises(ValueError, match=r"'ROI' must be \[x y width height\]"):
        mapi.call("segment", info, two, roi=np.array([[1.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match="outside the 32 x 32 image"):
        mapi.call("segment", info, two, roi=np.array([[20.0, 20.0, 16.0, 16.0]]))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_classifier_is_refused_by_segment_even_when_cached(tmp_path, segmenter):
    d = microcalcifications(12, seed=1)
    f = tmp_path / "clf.safetensors"
    clf = mapi.call("train_classifier", convert.batch_to_matlab(d["images"]),
                    d["labels"].astype(float), model="traditional", file=str(f))
    stack = convert.batch_to_matlab(d["images"][:4])
    mapi.call("classify", clf, stack)  # cached now
    with pytest.raises(ValueError, match="is a classification model .*pybridge.segment needs one"):
        mapi.call("segment", clf, stack)
    # gradcam takes both kinds
    info, two = segmenter
    assert mapi.call("gradcam", info, two).shape == (32, 32, 2)


_TRAIN_AND_EXIT = textwrap.dedent(
    """
    import sys
    from pybridge import convert, mapi
    from pybridge.datasets import microcalcifications
    d = microcalcifications(12, seed=0)
    info = mapi.call("train_classifier", convert.batch_to_matlab(d["images"]),
                     d["labels"].astype(float), model="traditional")
    out = mapi.call("classify", info, convert.batch_to_matlab(d["images"]))
    print(info["file"])
    """
)


def _python(code: str, tmp: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=240
    )


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_models_trained_without_file_are_removed_when_python_exits(tmp_path):
    proc = _python(_TRAIN_AND_EXIT, tmp_path)
    assert proc.returncode == 0, proc.stderr
    file = Path(proc.stdout.strip().splitlines()[-1])
    assert file.parent.parent == tmp_path and file.name.startswith("classifier_")
    assert not file.exists() and not file.parent.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_killed_process_folder_is_removed_by_the_next_one(tmp_path):
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()  # its pid is free now
    stale = tmp_path / f"pybridge-models-{killed.pid}-abc123"
    stale.mkdir()
    (stale / "classifier_x.safetensors").write_bytes(b"weights")
    alive = tmp_path / f"pybridge-models-{os.getpid()}-keepme"  # this process runs
    alive.mkdir()
    other = tmp_path / "pybridge-models-notapid"
    other.mkdir()
    proc = _python(_TRAIN_AND_EXIT, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists()
    assert alive.exists() and other.exists()


def test_temporary_model_folder_is_private(tmp_path, monkeypatch):
    monkeypatch.setattr(_models, "_FOLDER", None)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    f = _models.temporary_model_file("segmenter")
    try:
        assert f.parent.parent == tmp_path
        assert (f.parent.stat().st_mode & 0o777) == 0o700
    finally:
        _models._remove_folder()
    assert not f.parent.exists()


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("verbose", [True, False])
def test_verbose_prints_progress_and_false_silences_it(verbose, capfd, tmp_path):
    d = masses(6, size=32, seed=1)
    mapi.call(
        "train_segmenter", convert.batch_to_matlab(d["images"]), convert.batch_to_matlab(d["masks"]),
        epochs=2.0, width=4.0, depth=2.0, file=str(tmp_path / "m.safetensors"), verbose=verbose,
    )
    out, err = capfd.readouterr()
    printed = (out + err).strip()
    if verbose:
        assert printed, "Verbose true printed nothing"
        assert "\r" not in printed  # plain lines, no progress-bar frames
    else:
        assert printed == ""


def test_quiet_kwargs_fit_either_estimator_signature():
    from pybridge.mapi._classification import quiet_kwargs

    class Old:
        def __init__(self, *, progress: bool = True, verbose: int = 0) -> None: ...

    class New:
        def __init__(self, *, verbose: bool = True) -> None: ...

    class Plain:
        def __init__(self, *, seed: int = 0) -> None: ...

    assert quiet_kwargs(Old, True) == {"progress": False, "verbose": 1}
    assert quiet_kwargs(Old, False) == {"progress": False, "verbose": 0}
    assert quiet_kwargs(New, False) == {"verbose": False}
    assert quiet_kwargs(New, True) == {"verbose": 2}  # a line per epoch, never a bar
    assert quiet_kwargs(Plain, True) == {}
