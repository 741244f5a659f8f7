"""Synthetic mass crops and the full synthetic mammogram."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import ndimage

from pybridge.datasets import mammogram, masses


@pytest.mark.parametrize("spiculated", [False, True])
def test_masses_shapes_dtypes_range(spiculated):
    d = masses(6, size=48, seed=2, spiculated=spiculated)
    assert d["images"].shape == (6, 48, 48) and d["images"].dtype == np.float32
    assert d["masks"].shape == (6, 48, 48) and d["masks"].dtype == np.bool_
    assert d["images"].min() >= 0.0 and d["images"].max() <= 1.0
    assert d["centers"].shape == (6, 2)


def test_masses_reproducible_and_seed_dependent():
    a, b, c = masses(3, seed=5), masses(3, seed=5), masses(3, seed=6)
    assert_array_equal(a["images"], b["images"])
    assert_array_equal(a["masks"], b["masks"])
    assert not np.array_equal(a["masks"], c["masks"])


def test_masses_one_lesion_inside_crop_and_brighter_than_its_surround():
    d = masses(40, seed=0)
    for img, m in zip(d["images"], d["masks"], strict=True):
        _, count = ndimage.label(m)
        assert count == 1
        # the lesion does not touch the crop border
        assert not (m[0].any() or m[-1].any() or m[:, 0].any() or m[:, -1].any())
        ring = ndimage.binary_dilation(m, iterations=4) & ~m
        assert img[m].mean() > img[ring].mean()


def test_mask_centre_matches_reported_centre():
    d = masses(10, seed=4)
    for m, c in zip(d["masks"], d["centers"], strict=True):
        com = ndimage.center_of_mass(m)
        assert np.hypot(com[0] - c[0], com[1] - c[1]) < 3.0


def test_spicules_grow_the_same_core():
    plain = masses(10, seed=1)["masks"]
    spic = masses(10, seed=1, spiculated=True)["masks"]
    assert not (plain & ~spic).any()  # same seed: same core, spicules only add
    assert (spic.sum(axis=(1, 2)) > plain.sum(axis=(1, 2))).all()


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"n": 0}, ValueError),
        ({"n": 2, "size": 8}, ValueError),
        ({"n": 2, "radius": (0.3, 0.1)}, ValueError),
        ({"n": 2, "radius": "big"}, TypeError),
        ({"n": 2, "seed": "x"}, TypeError),
    ],
)
def test_masses_bad_arguments(kwargs, error):
    with pytest.raises(error):
        masses(**kwargs)


def test_masses_options_are_keyword_only():
    with pytest.raises(TypeError):
        masses(2, 64)  # size must be passed by name


def test_mammogram_contract():
    m = mammogram(size=300, seed=1)
    assert m["image"].shape == (300, 300) and m["image"].dtype == np.float64
    assert m["image"].min() >= 0 and m["image"].max() <= 1
    assert m["mask"].dtype == np.bool_ and m["mask"].any()
    r0, c0, r1, c1 = m["roi"]
    assert all(isinstance(v, int) for v in m["roi"])
    assert 0 <= r0 < r1 <= 300 and 0 <= c0 < c1 <= 300
    # the box holds the whole lesion, with the margin (default round(0.02 * size) = 6) on all sides
    rows = np.flatnonzero(m["mask"].any(axis=1))
    cols = np.flatnonzero(m["mask"].any(axis=0))
    assert (r0, c0, r1, c1) == (rows[0] - 6, cols[0] - 6, rows[-1] + 7, cols[-1] + 7)
    # the lesion lies inside the breast, and the breast is brighter than the air around it
    assert not (m["mask"] & ~m["breast"]).any()
    assert m["image"][m["breast"]].mean() > m["image"][~m["breast"]].mean() + 0.1


def test_mammogram_default_size_and_reproducible():
    a = mammogram(seed=0)
    assert a["image"].shape == (1000, 1000)
    b = mammogram(seed=0)
    assert_array_equal(a["image"], b["image"])
    assert a["roi"] == b["roi"]


def test_mammogram_margin_is_clipped_to_the_image():
    m = mammogram(size=128, seed=2, margin=500)
    assert m["roi"] == (0, 0, 128, 128)
