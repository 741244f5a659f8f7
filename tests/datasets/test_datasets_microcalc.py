"""Tests of the synthetic microcalcification patches and the power-law background."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pybridge.datasets import microcalcifications, power_law_background


def test_shapes_types_and_labels():
    d = microcalcifications(21, seed=3)
    assert d["images"].shape == (21, 60, 60) and d["images"].dtype == np.float32
    assert d["labels"].shape == (21,) and d["labels"].dtype == np.int64
    assert d["masks"].shape == (21, 60, 60) and d["masks"].dtype == bool
    assert d["labels"].sum() == round(21 * 0.5)
    assert d["images"].min() >= 0 and d["images"].max() <= 1
    assert not d["masks"][d["labels"] == 0].any()
    assert d["masks"][d["labels"] == 1].any(axis=(1, 2)).all()
    assert microcalcifications(10, size=32, positive_fraction=0.2, seed=0)["labels"].sum() == 2
    assert microcalcifications(0)["images"].shape == (0, 60, 60)


def test_seeded():
    a, b = microcalcifications(6, seed=7), microcalcifications(6, seed=7)
    for k in a:
        assert_array_equal(a[k], b[k])
    c = microcalcifications(6, seed=8)
    assert not np.array_equal(a["images"], c["images"])
    g = np.random.default_rng(1)
    assert microcalcifications(2, seed=g)["images"].shape == (2, 60, 60)


def test_speck_footprint_and_height_hand_worked():
    # one speck of 0.85 mm at 0.085 mm/pixel: a disk of radius 5 pixels, area pi * 25
    d = microcalcifications(
        8, seed=2, positive_fraction=1.0, count=1, diameter_mm=0.85, distractors=0,
        texture=0.0, noise=0.0, blur=0.0, contrast=0.2,
    )
    for img, mask in zip(d["images"], d["masks"], strict=True):
        area = mask.sum()
        assert abs(area - np.pi * 25) < 2 * np.pi * 5  # within one perimeter of the ideal area
        level = np.median(img[~mask])
        far = np.ones_like(mask)
        rows, cols = np.nonzero(mask)
        far[max(rows.min() - 2, 0): rows.max() + 3, max(cols.min() - 2, 0): cols.max() + 3] = False
        assert_allclose(img[far], level, atol=1e-6)  # flat background outside the speck
        peak = img[mask].max() - level
        assert 0.2 * 0.75 - 1e-6 <= peak <= 0.2 * 1.25 + 1e-6  # contrast +-25 % per speck


def test_cluster_stays_within_its_spread():
    d = microcalcifications(10, seed=4, positive_fraction=1.0, spread_mm=0.85, diameter_mm=0.17,
                            distractors=0)
    reach = 0.85 / 0.085 + 0.17 / 0.085 / 2 + 1  # spread radius + speck radius + a pixel
    for mask in d["masks"]:
        pts = np.argwhere(mask)
        dist = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
        assert dist.max() <= 2 * reach


def test_distractors_are_not_in_the_mask():
    d = microcalcifications(6, seed=5, positive_fraction=0.0, distractors=4, texture=0.0, noise=0.0,
                            contrast=0.3)
    assert not d["masks"].any()
    assert (d["images"].max(axis=(1, 2)) - np.median(d["images"], axis=(1, 2)) > 0.1).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": -1}, "non-negative"),
        ({"n": 2, "size": 8}, "size"),
        ({"n": 2, "count": (5, 2)}, "count"),
        ({"n": 2, "count": (1.5, 3)}, "whole"),
        ({"n": 2, "contrast": "high"}, "contrast"),
        ({"n": 2, "positive_fraction": 1.5}, "positive_fraction"),
        ({"n": 2, "noise": -0.1}, "noise"),
    ],
)
def test_errors(kwargs, match):
    n = kwargs.pop("n")
    with pytest.raises(ValueError, match=match):
        microcalcifications(n, **kwargs)


def test_bad_seed_type():
    with pytest.raises(TypeError, match="seed"):
        microcalcifications(2, seed="zero")


@pytest.mark.parametrize("beta", [2.0, 3.0])
def test_background_spectrum_follows_power_law(beta):
    f = power_law_background(64, size=64, beta=beta, seed=0)
    assert_allclose(f.mean(axis=(1, 2)), 0, atol=1e-12)
    assert_allclose(f.std(axis=(1, 2)), 1, rtol=1e-12)
    # radially averaged power spectrum, fitted on log-log axes (an independent estimate)
    power = (np.abs(np.fft.fft2(f)) ** 2).mean(axis=0)
    fy, fx = np.meshgrid(np.fft.fftfreq(64), np.fft.fftfreq(64), indexing="ij")
    r = np.hypot(fy, fx)
    bins = np.linspace(0.05, 0.45, 12)
    idx = np.digitize(r, bins)
    centres = [r[idx == k].mean() for k in range(1, len(bins))]
    means = [power[idx == k].mean() for k in range(1, len(bins))]
    slope = np.polyfit(np.log(centres), np.log(means), 1)[0]
    assert abs(slope + beta) < 0.25


def test_background_errors():
    with pytest.raises(ValueError, match="beta"):
        power_law_background(1, beta=-1)
    with pytest.raises(ValueError, match="size"):
        power_law_background(1, size=1)
    assert power_law_background(2, size=(8, 12)).shape == (2, 8, 12)
