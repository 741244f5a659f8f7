"""The compat functions of matlab/compat (interpm, imbinarize), on Octave."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pybridge.engine import EngineError
from pybridge.legacy import _harness

pytestmark = [pytest.mark.requires_octave, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def eng():
    _, _, compat = _harness.harness_dirs()
    with _harness.quiet_start("octave", timeout=60) as e:
        assert e.exist("interpm", nargout=1) == 0  # absent: the compat one is tested
        assert e.exist("imbinarize", nargout=1) == 0
        e.addpath(str(compat / "interpm"), str(compat / "imbinarize"))
        e.eval("pkg load image", nargout=0)
        yield e


# ----------------------------------------------------------------- interpm
def test_interpm_matlab_documented_example(eng):
    # MATLAB's interpm page: lat = [1 2 4 5]; lon = [1 3 4 5]; maxdiff = 1
    lat, lon = eng.interpm(np.array([1.0, 2, 4, 5]), np.array([1.0, 3, 4, 5]), 1.0, nargout=2)
    assert np.shape(lat) == (6, 1) and np.shape(lon) == (6, 1)
    assert_allclose(np.ravel(lat), [1, 1.5, 2, 3, 4, 5])
    assert_allclose(np.ravel(lon), [1, 2, 3, 3.5, 4, 5])


@pytest.mark.parametrize(
    "lat, lon, maxdiff, want_lat, want_lon",
    [
        # a gap of exactly maxdiff needs no new point
        ([0, 1, 2], [0, 0, 0], 1, [0, 1, 2], [0, 0, 0]),
        # 3 units in 1-unit steps, backwards
        ([3, 0], [0, 0], 1, [3, 2, 1, 0], [0, 0, 0, 0]),
        # the larger of the two differences decides: 4 steps of (0.5, 1)
        ([0, 2], [0, 4], 1, [0, 0.5, 1, 1.5, 2], [0, 1, 2, 3, 4]),
        # non-integer number of steps rounds up: 2.5 / 1 -> 3 steps
        ([0, 2.5], [1, 1], 1, [0, 2.5 / 3, 5 / 3, 2.5], [1, 1, 1, 1]),
        # NaN separates two parts: nothing is inserted across it
        (
            [0, 2, np.nan, 5, 7],
            [0, 0, np.nan, 0, 0],
            1,
            [0, 1, 2, np.nan, 5, 6, 7],
            [0, 0, 0, np.nan, 0, 0, 0],
        ),
        # a closed polygon (first vertex repeated), as the course code builds it
        ([1, 1, 3, 1], [1, 3, 3, 1], 1, [1, 1, 1, 2, 3, 2, 1], [1, 2, 3, 3, 3, 2, 1]),
    ],
)
def test_interpm_hand_worked(eng, lat, lon, maxdiff, want_lat, want_lon):
    got_lat, got_lon = eng.interpm(
        np.array(lat, float), np.array(lon, float), float(maxdiff), nargout=2
    )
    assert_allclose(np.ravel(got_lat), want_lat, equal_nan=True)
    assert_allclose(np.ravel(got_lon), want_lon, equal_nan=True)


def test_interpm_errors(eng):
    with pytest.raises(EngineError) as info:
        eng.interpm(np.array([1.0, 2]), np.array([1.0, 2]), 1.0, "gc", nargout=2)
    assert info.value.identifier == "pybridge:interpm:badMethod"
    with pytest.raises(EngineError) as info:
        eng.interpm(np.array([1.0, 2]), np.array([1.0]), 1.0, nargout=2)
    assert info.value.identifier == "pybridge:interpm:badInput"
    with pytest.raises(EngineError) as info:
        eng.interpm(np.array([1.0, 2]), np.array([1.0, 2]), 0.0, nargout=2)
    assert info.value.identifier == "pybridge:interpm:badInput"


# -------------------------------------------------------------- imbinarize
def test_imbinarize_two_populations(eng, rng):
    # dark pixels in 10..60, bright in 150..240: Otsu's level falls in the gap
    truth = rng.random((40, 50)) < 0.3
    img = np.where(truth, rng.integers(150, 241, truth.shape), rng.integers(10, 61, truth.shape))
    img = img.astype(np.uint8)
    assert_array_equal(eng.imbinarize(img, nargout=1), truth)
    # the same image as double in [0, 1]
    assert_array_equal(eng.imbinarize(img / 255.0, nargout=1), truth)


def test_imbinarize_matches_octave_graythresh(eng, rng):
    # a second implementation of Otsu's method: the image package's graythresh
    for _ in range(5):
        img = np.clip(rng.normal(90, 40, (30, 30)), 0, 255).astype(np.uint8)
        img[:10] = np.clip(rng.normal(200, 20, (10, 30)), 0, 255).astype(np.uint8)
        level = eng.graythresh(img, nargout=1)
        assert_array_equal(eng.imbinarize(img, nargout=1), img > level * 255)


@pytest.mark.parametrize(
    "img, args, want",
    [
        # a threshold T in [0, 1] is scaled to the class's range: 0.5 -> 127.5 for uint8
        (np.array([[0, 127, 128, 255]], np.uint8), (0.5,), [[0, 0, 1, 1]]),
        (np.array([[0.2, 0.5, 0.7]]), (0.5,), [[0, 0, 1]]),
        # a matrix threshold, element by element
        (np.array([[0.2, 0.5, 0.7]]), (np.array([[0.1, 0.6, 0.8]]),), [[1, 0, 0]]),
        # doubles above 1 count as 1 (as im2uint8 clips them): the course's summed masks
        (np.array([[0.0, 1.0, 2.0, 7.0], [0.0, 0.0, 3.0, 0.0]]), (), [[0, 1, 1, 1], [0, 0, 1, 0]]),
        # a constant image has no foreground above it
        (np.full((2, 2), 0.4), (), [[1, 1], [1, 1]]),
        (np.zeros((2, 2)), (), [[0, 0], [0, 0]]),
        # logical input is returned as it is
        (np.array([[True, False]]), (), [[1, 0]]),
    ],
)
def test_imbinarize_hand_worked(eng, img, args, want):
    got = eng.imbinarize(img, *args, nargout=1)
    assert np.asarray(got).dtype == np.bool_
    assert_array_equal(got, np.array(want, bool))


def test_imbinarize_errors(eng):
    for args, ident in [
        (("adaptive",), "pybridge:imbinarize:badMethod"),
        (("bogus",), "pybridge:imbinarize:badMethod"),
        ((1.5,), "pybridge:imbinarize:badThreshold"),
        ((np.zeros((3, 3)),), "pybridge:imbinarize:badThreshold"),
    ]:
        with pytest.raises(EngineError) as info:
            eng.imbinarize(np.zeros((2, 2)), *args, nargout=1)
        assert info.value.identifier == ident, args
    with pytest.raises(EngineError) as info:
        eng.imbinarize("text", nargout=1)
    assert info.value.identifier == "pybridge:imbinarize:badImage"
