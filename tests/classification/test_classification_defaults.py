"""The CNN classifier's defaults and conventions: scikit-learn's API, input checks, old files."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.utils import estimator_checks

from pybridge._errors import PyBridgeError
from pybridge.classification import (
    CNNClassifier,
    NoBetterThanChanceWarning,
    TraditionalClassifier,
    TransferClassifier,
    load,
)
from pybridge.datasets import microcalcifications

DATA = Path(__file__).parent / "data"

# scikit-learn's checks that apply to estimators of image stacks (the others
# feed 2-D tabular data, which these estimators refuse by design)
SKLEARN_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_get_params_invariance",
    "check_set_params",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_do_not_raise_errors_in_init_or_set_params",
]


@pytest.fixture(scope="module")
def tiny():
    return microcalcifications(40, seed=11)


@pytest.fixture(scope="module")
def tiny_cnn(tiny):
    return CNNClassifier(epochs=2, verbose=False).fit(tiny["images"], tiny["labels"])


@pytest.mark.parametrize("cls", [CNNClassifier, TransferClassifier, TraditionalClassifier])
@pytest.mark.parametrize("check", SKLEARN_CHECKS)
def test_sklearn_estimator_checks(cls, check):
    getattr(estimator_checks, check)(cls.__name__, cls())


def test_defaults_are_the_tuned_ones():
    p = CNNClassifier().get_params()
    assert p["architecture"] == "course"
    assert p["augment"] is True and p["class_weight"] == "balanced"
    assert p["monitor"] == "val_auc" and p["random_state"] == 0 and p["seed"] is None
    assert p["verbose"] is True


def test_clone_and_set_params_round_trip():
    est = CNNClassifier(lr=0.01, random_state=3, filters=(4, 8))
    twin = clone(est)
    assert twin is not est and twin.get_params() == est.get_params()
    twin.set_params(lr=0.02, seed=5)
    assert twin.lr == 0.02 and twin.seed == 5 and est.lr == 0.01
    with pytest.raises(ValueError, match="Invalid parameter"):
        twin.set_params(learning_rate=1)


@pytest.mark.slow
def test_seed_is_an_alias_of_random_state(tiny):
    kw = {"epochs": 1, "verbose": False, "device": "cpu"}
    a = CNNClassifier(random_state=4, **kw).fit(tiny["images"], tiny["labels"])
    b = CNNClassifier(seed=4, random_state=99, **kw).fit(tiny["images"], tiny["labels"])
    sa, sb = a.network_.state_dict(), b.network_.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    with pytest.raises(TypeError, match="random_state must be an int"):
        CNNClassifier(random_state=np.random.RandomState(0), **kw).fit(tiny["images"], tiny["labels"])


@pytest.mark.slow
def test_progress_bar_shows_loss_and_val_auc_and_verbose_false_silences(tiny, capsys):
    CNNClassifier(epochs=2).fit(tiny["images"], tiny["labels"])
    err = capsys.readouterr().err
    # not a terminal here: one summary line per fit
    assert "CNNClassifier: 2/2 epoch" in err and "loss=" in err and "val_auc=" in err
    CNNClassifier(epochs=2, verbose=False).fit(tiny["images"], tiny["labels"])
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""


@pytest.mark.slow
def test_warns_when_no_better_than_chance():
    # labels drawn independently of the images: nothing can be learned
    rng = np.random.default_rng(0)
    X = rng.random((120, 16, 16)).astype(np.float32)
    y = rng.permutation(np.r_[np.zeros(60), np.ones(60)]).astype(int)
    with pytest.warns(NoBetterThanChanceWarning, match="no better than chance"):
        CNNClassifier(epochs=1, verbose=False, augment=False, validation_fraction=0.4).fit(X, y)


@pytest.mark.slow
def test_no_warning_on_a_learnable_task(recwarn):
    d = microcalcifications(200, seed=3, contrast=(0.4, 0.6), noise=0.01)
    CNNClassifier(epochs=12, verbose=False).fit(d["images"], d["labels"])
    assert not [w for w in recwarn if issubclass(w.category, NoBetterThanChanceWarning)]


# ---------------------------------------------------------------- input checks


def test_remembers_training_class_and_range(tiny_cnn):
    prof = tiny_cnn.input_profile_
    assert prof.dtype == "float32" and prof.low >= 0 and prof.high <= 1


def test_uint8_images_are_converted_to_the_training_scale(tiny, tiny_cnn):
    X8 = (tiny["images"][:5] * 255).round().astype(np.uint8)
    # reference: the conversion done by hand (MATLAB's im2double)
    assert_allclose(tiny_cnn.predict_proba(X8), tiny_cnn.predict_proba(X8 / 255.0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda X: X * 255.0, "divide by 255"),
        (lambda X: (X * 4095).astype(np.uint16), "4095"),
        (lambda X: X * 40 - 20, "bring the values"),
    ],
)
def test_images_on_another_scale_are_refused_with_the_fix(tiny, tiny_cnn, make, match):
    with pytest.raises(ValueError, match=match):
        tiny_cnn.predict(make(tiny["images"][:3]))


def test_colour_images_are_refused_with_rgb2gray_advice(tiny, tiny_cnn):
    rgb = np.repeat(tiny["images"][:2, ..., None], 3, axis=-1)
    with pytest.raises(ValueError, match="rgb2gray"):
        tiny_cnn.predict(rgb)
    with pytest.raises(ValueError, match="im2gray"):
        tiny_cnn.predict(rgb[0])
    with pytest.raises(ValueError, match="colour"):
        CNNClassifier(epochs=1, verbose=False).fit(rgb, [0, 1])


def test_empty_image_gives_a_clear_error(tiny_cnn):
    with pytest.raises(ValueError, match="0 x 0 pixels"):
        tiny_cnn.predict(np.zeros((1, 0, 0)))


def test_saved_profile_round_trips(tmp_path, tiny, tiny_cnn):
    tiny_cnn.save(tmp_path / "m.safetensors")
    back = load(tmp_path / "m.safetensors")
    assert back.input_profile_ == tiny_cnn.input_profile_
    assert back.get_params() == {**tiny_cnn.get_params(), "device": None}
    assert_allclose(back.predict_proba(tiny["images"][:4]), tiny_cnn.predict_proba(tiny["images"][:4]))


# ---------------------------------------------------------------- files of the earlier format


def test_model_saved_by_the_earlier_version_still_loads():
    # written by pybridge's file format 1 (course CNN, filters (4, 8), dense 4)
    est = load(DATA / "cnn_v1.safetensors")
    assert isinstance(est, CNNClassifier)
    p = est.get_params()
    assert p["architecture"] == "course" and p["random_state"] == 0 and p["monitor"] == "val_loss"
    assert est.input_profile_ is None  # format 1 did not record it: inputs are taken as they come
    X = np.load(DATA / "cnn_v1_images.npy")
    assert_allclose(est.predict_proba(X), np.load(DATA / "cnn_v1_proba.npy"), rtol=1e-6, atol=1e-7)


def _rewrite_meta(src: Path, dst: Path, edit) -> None:
    """Copy a safetensors file with its JSON metadata record edited (the header is JSON)."""
    raw = src.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = json.loads(header["__metadata__"]["pybridge"])
    edit(meta)
    header["__metadata__"]["pybridge"] = json.dumps(meta)
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    dst.write_bytes(struct.pack("<Q", len(blob)) + blob + raw[8 + n :])


def test_unreadable_old_files_fail_naming_the_format(tmp_path):
    def unknown_option(meta):
        meta["params"]["temperature"] = 2.0

    _rewrite_meta(DATA / "cnn_v1.safetensors", tmp_path / "a.safetensors", unknown_option)
    with pytest.raises(PyBridgeError, match=r"format 1.*temperature"):
        load(tmp_path / "a.safetensors")

    def other_sizes(meta):
        meta["architecture"]["filters"] = [8, 16]

    _rewrite_meta(DATA / "cnn_v1.safetensors", tmp_path / "b.safetensors", other_sizes)
    with pytest.raises(PyBridgeError, match=r"format 1.*does not fit"):
        load(tmp_path / "b.safetensors")


def test_progress_module_is_what_training_uses(tiny, monkeypatch):
    # the bar comes from pybridge._progress (one line per stage off a terminal)
    from pybridge import _progress

    calls = []
    real = _progress.progress

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **{**kwargs, "file": io.StringIO()})

    monkeypatch.setattr(_progress, "progress", spy)
    CNNClassifier(epochs=1, augment=False).fit(tiny["images"], tiny["labels"])
    assert calls and calls[0]["enabled"] is True and calls[0]["unit"] == "epoch"
