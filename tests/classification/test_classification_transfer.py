"""Tests of transfer learning (TransferClassifier) and the shipped source model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from pybridge._errors import PyBridgeError
from pybridge.classification import (
    STRATEGIES,
    CNNClassifier,
    TransferClassifier,
    build_source_model,
    load,
    source_model_path,
)
from pybridge.datasets import microcalcifications


@pytest.fixture(scope="module")
def tiny():
    return microcalcifications(40, seed=12)


@pytest.fixture(scope="module")
def source_state():
    return CNNClassifier.load(source_model_path()).network_.state_dict()


def test_shipped_source_model_is_small_and_loads():
    assert STRATEGIES == ("feature_extractor", "gradual", "fine_tune")
    path = source_model_path()
    assert path.is_file() and path.stat().st_size < 1_000_000
    src = CNNClassifier.load(path)
    assert src.input_size_ == (60, 60)
    assert sum(p.numel() for p in src.network_.parameters()) == 21701


def _fit(strategy, tiny, **kw):
    kw = {"epochs": 3, "progress": False, "device": "cpu", **kw}
    return TransferClassifier(strategy=strategy, **kw).fit(
        tiny["images"], tiny["labels"])


def test_feature_extractor_keeps_the_source_convolutions(tiny, source_state):
    clf = _fit("feature_extractor", tiny)
    state = clf.network_.state_dict()
    for k, v in source_state.items():
        if k.startswith("blocks."):
            assert torch.equal(state[k].cpu(), v), k  # weights and batch-norm statistics
    assert not torch.equal(state["out.weight"].cpu(), source_state["out.weight"])
    assert clf.predict_proba(tiny["images"]).shape == (40, 2)


def test_fine_tune_changes_every_block(tiny, source_state):
    clf = _fit("fine_tune", tiny)
    state = clf.network_.state_dict()
    for i in range(3):
        assert not torch.equal(state[f"blocks.{i}.0.weight"].cpu(), source_state[f"blocks.{i}.0.weight"])


def test_gradual_unfreezing_stages_and_discriminative_rates(tiny, source_state):
    clf = _fit("gradual", tiny, epochs=6, early_stopping=None)
    h = clf.history_
    assert h["stage"] == [0, 0, 1, 1, 2, 2]
    assert len(h["loss"]) == 6 and 0 <= h["best_epoch"][0] < 6
    # learning rates: the head at lr, block k levels below at lr * decay**k
    groups = clf._group(clf.network_, [0, 1, 2])
    assert_allclose([g["lr"] for g in groups], [0.003, 0.003 * 0.3**3, 0.003 * 0.3**2, 0.003 * 0.3])
    # after the run every parameter is trainable again
    assert all(p.requires_grad for p in clf.network_.parameters())


def test_transfer_save_load(tmp_path, tiny):
    clf = _fit("feature_extractor", tiny)
    p = tmp_path / "t.safetensors"
    clf.save(p)
    again = load(p)
    assert type(again) is TransferClassifier and again.strategy == "feature_extractor"
    assert_allclose(again.predict_proba(tiny["images"]), clf.predict_proba(tiny["images"]), rtol=1e-6)


def test_transfer_errors(tmp_path, tiny):
    with pytest.raises(ValueError, match="strategy"):
        _fit("fine-tune", tiny)
    with pytest.raises(ValueError, match="60 x 60"):
        TransferClassifier(epochs=1, progress=False).fit(np.zeros((4, 32, 32)), [0, 1, 0, 1])
    with pytest.raises(FileNotFoundError):
        _fit("fine_tune", tiny, source=tmp_path / "none.safetensors")


def test_build_source_model_writes_a_loadable_model(tmp_path, tiny):
    p = build_source_model(tmp_path / "src.safetensors", n=24, epochs=1)
    src = CNNClassifier.load(p)
    assert src.input_size_ == (60, 60)
    clf = _fit("fine_tune", tiny, source=p)
    assert clf.predict(tiny["images"][:3]).shape == (3,)
    from pybridge.classification import TraditionalClassifier

    base = TraditionalClassifier().fit(tiny["images"], tiny["labels"])
    base.save(tmp_path / "base.safetensors")
    with pytest.raises(PyBridgeError, match="course-CNN"):
        _fit("fine_tune", tiny, source=tmp_path / "base.safetensors")
