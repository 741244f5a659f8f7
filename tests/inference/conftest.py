"""Tiny fitted models (a few epochs on synthetic data) for the batch inference tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def patches():
    from pybridge.datasets import microcalcifications

    return microcalcifications(64, seed=3)


@pytest.fixture(scope="session")
def classifier(patches):
    from pybridge.classification import CNNClassifier

    return CNNClassifier(epochs=2, progress=False, device="cpu", seed=0).fit(
        patches["images"], patches["labels"]
    )


@pytest.fixture(scope="session")
def classifier_file(classifier, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "cnn.safetensors"
    classifier.save(path)
    return path


@pytest.fixture(scope="session")
def lesions():
    from pybridge.datasets import masses

    return masses(24, size=32, seed=5)


@pytest.fixture(scope="session")
def segmenter(lesions):
    from pybridge.segmentation import UNetSegmenter

    return UNetSegmenter(width=4, depth=2, epochs=2, progress=False, device="cpu", seed=0).fit(
        lesions["images"], lesions["masks"]
    )


@pytest.fixture(scope="session")
def segmenter_file(segmenter, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "unet.safetensors"
    segmenter.save(path)
    return path
