"""The family of data settings, and the generator options it varies."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import ndimage

from pybridge.datasets import BACKGROUNDS, MARGINS, SETTINGS, make_setting, masses, settings


def test_family_covers_the_axes_and_splits_them():
    for task in ("classification", "segmentation"):
        tune, held = settings(task, "tuning"), settings(task, "held-out")
        assert tune and held
        assert not {s.name for s in tune} & {s.name for s in held}
        # every background texture appears, and held-out settings are not copies of tuning ones
        assert {s.background for s in settings(task)} == set(BACKGROUNDS)
        assert {(s.background, tuple(sorted(s.options.items()))) for s in tune}.isdisjoint(
            {(s.background, tuple(sorted(s.options.items()))) for s in held}
        )
    sizes = {s.options["size"] for s in SETTINGS}
    assert min(sizes) == 32 and max(sizes) == 128
    assert {s.options.get("margin") for s in settings("segmentation")} == set(MARGINS)
    assert min(s.options.get("positive_fraction", 0.5) for s in settings("classification")) == 0.1
    assert any(s.options.get("distractors") for s in settings("segmentation"))


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_draws(setting):
    d = make_setting(setting, 10, seed=3)
    size = setting.options["size"]
    assert d["images"].shape == (10, size, size) and d["images"].dtype == np.float32
    assert 0 <= d["images"].min() and d["images"].max() <= 1
    if setting.task == "classification":
        frac = setting.options.get("positive_fraction", 0.5)
        assert d["labels"].sum() == round(10 * frac)
    else:
        assert d["masks"].any(axis=(1, 2)).all()


def test_make_setting_errors():
    with pytest.raises(ValueError, match="unknown setting"):
        make_setting("calc-nowhere", 3)
    with pytest.raises(ValueError, match="task must be"):
        settings("detection")


def test_round_margin_is_a_disc():
    d = masses(6, size=64, seed=4, margin="round")
    for m, c in zip(d["masks"], d["centers"], strict=True):
        edge = m & ~ndimage.binary_erosion(m)
        r = np.hypot(*(np.argwhere(edge) - c).T)
        assert r.max() - r.min() < 1.5  # a pixelated circle
        assert ndimage.label(m)[1] == 1


def test_lobulated_is_the_former_default_and_spiculated_the_former_flag():
    assert_array_equal(masses(3, seed=2)["images"], masses(3, seed=2, margin="lobulated")["images"])
    assert_array_equal(masses(3, seed=2, spiculated=True)["masks"],
                       masses(3, seed=2, margin="spiculated")["masks"])
    # spiculated masks reach further from their centre than the round core
    sp, rd = masses(8, seed=5, margin="spiculated"), masses(8, seed=5, margin="round")
    assert sp["masks"].sum() > rd["masks"].sum()
    with pytest.raises(ValueError, match="margin must be one of"):
        masses(2, margin="irregular")


def test_distractors_are_bright_and_outside_the_mask():
    plain = masses(20, seed=7, contrast=0.3, texture=0.0, noise=0.0)
    blobs = masses(20, seed=7, contrast=0.3, texture=0.0, noise=0.0, distractors=1)
    for img, m in zip(blobs["images"], blobs["masks"], strict=True):
        away = ~ndimage.binary_dilation(m, iterations=3)
        # a blob as bright as a mass sits away from it (the flat background is 0.35)
        assert img[away].max() > 0.35 + 0.2
    for img, m in zip(plain["images"], plain["masks"], strict=True):
        away = ~ndimage.binary_dilation(m, iterations=8)  # past the mass's soft edge
        assert img[away].max() < 0.35 + 0.01
    with pytest.raises(ValueError, match="whole numbers"):
        masses(2, distractors=0.5)
