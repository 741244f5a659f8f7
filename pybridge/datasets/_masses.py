"""Synthetic mass lesions with exact masks: 64 x 64 crops and a full mammogram.

A mass is drawn from a signed "inside-ness" field ``d`` (pixels, positive
inside): a lobulated disc whose radius varies with the angle, optionally with
tapering spicules. The mask is exactly ``d > 0`` at the pixel centres, and the
lesion's intensity is ``contrast * sigmoid(d / edge)``, so its half-height
contour is the mask's boundary: the ground truth is exact, not annotated.

The lesion sits on a power-law ("1/f^beta") texture, the classical model of
mammographic background (beta about 3;
:func:`pybridge.datasets.power_law_background`), plus white noise.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._background import power_law_background

__all__ = ["masses", "mammogram", "MARGINS"]

#: Values of the ``margin=`` option of :func:`masses`.
MARGINS = ("round", "lobulated", "spiculated")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, numbers.Integral):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, None or a numpy Generator; got {type(seed).__name__}")


def _range(value: Any, name: str, *, low: float, high: float) -> tuple[float, float]:
    """A number or a (min, max) pair inside [low, high] -> (min, max)."""
    if isinstance(value, numbers.Real):
        pair = (float(value), float(value))
    else:
        try:
            a, b = value
            pair = (float(a), float(b))
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be a number or a (min, max) pair; got {value!r}") from err
    if not (low <= pair[0] <= pair[1] <= high):
        raise ValueError(
            f"{name} must satisfy {low} <= min <= max <= {high}; got {pair} "
            f"(pass e.g. {name}=({low + (high - low) / 4:g}, {low + (high - low) / 2:g}))"
        )
    return pair


def _lesion_field(
    yy: np.ndarray,
    xx: np.ndarray,
    center: tuple[float, float],
    radius: float,
    rng: np.random.Generator,
    *,
    spiculated: bool,
    lobulated: bool = True,
) -> np.ndarray:
    """Signed inside-ness (pixels, > 0 inside) of one mass: round or lobulated, optionally spiculated."""
    dy, dx = yy - center[0], xx - center[1]
    rho = np.hypot(dy, dx)
    theta = np.arctan2(dy, dx)
    boundary = np.ones_like(theta)
    for k in range(2, 6):
        # drawn for a round mass too, so its other draws match the lobulated one's
        amp = rng.uniform(0.0, 0.16 / k) if lobulated else 0.0 * rng.uniform()
        boundary += amp * np.cos(k * theta + rng.uniform(0.0, 2.0 * np.pi))
    field = radius * boundary - rho
    # spicules draw from their own stream, so the same seed gives the same core
    # with and without them
    spicule_rng = np.random.default_rng(rng.integers(2**63))
    if spiculated:
        rng = spicule_rng
        for _ in range(int(rng.integers(5, 11))):
            psi = rng.uniform(0.0, 2.0 * np.pi)
            ux, uy = np.cos(psi), np.sin(psi)
            base = 0.8 * radius
            length = radius * rng.uniform(0.5, 1.2)
            half_width = max(0.8, 0.09 * radius)
            t = dx * ux + dy * uy - base  # along the spicule
            s = np.abs(dx * uy - dy * ux)  # across it
            taper = half_width * (1.0 - t / length)
            spike = np.where((t >= 0) & (t <= length), taper - s, -np.inf)
            field = np.maximum(field, spike)
    return field


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _blobs(
    rng: np.random.Generator,
    yy: np.ndarray,
    xx: np.ndarray,
    field: np.ndarray,
    radius: float,
    peak: float,
    lo: int,
    hi: int,
) -> np.ndarray:
    """Bright Gaussian blobs as bright as the mass or brighter, clear of it (not in the mask)."""
    out = np.zeros_like(yy)
    size = yy.shape[0]
    far = field < -0.6 * radius  # blob centres keep away from the mass
    candidates = np.argwhere(far)
    for _ in range(int(rng.integers(lo, hi + 1))):
        if not len(candidates):
            break
        cy, cx = candidates[rng.integers(len(candidates))]
        sigma = rng.uniform(0.03, 0.07) * size
        out = np.maximum(out, peak * rng.uniform(0.8, 1.3) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma**2)))
    # the mask stays exact: where a blob overlaps the mass, the mass is still the mass
    return np.where(field > 0, 0.0, out)


# --------------------------------------------------------------------------
# public
# --------------------------------------------------------------------------


def masses(
    n: int,
    *,
    size: int = 64,
    seed: int | np.random.Generator | None = 0,
    spiculated: bool = False,
    radius: float | tuple[float, float] = (0.12, 0.26),
    contrast: float | tuple[float, float] = (0.18, 0.35),
    texture: float = 0.07,
    noise: float = 0.015,
    beta: float = 3.0,
    margin: str | None = None,
    distractors: int | tuple[int, int] = 0,
) -> dict[str, np.ndarray]:
    """Synthetic mammogram crops, each with one mass lesion and its exact mask.

    Parameters
    ----------
    n : int
        Number of crops.
    size : int, default 64
        Side of each square crop, in pixels (>= 16).
    seed : int, Generator or None, default 0
        Seed of the generator; the same seed gives the same crops.
    spiculated : bool, default False
        Add 5 to 10 tapering spicules to each mass (they are part of the mask).
    radius : float or (float, float), default (0.12, 0.26)
        Mean lesion radius as a fraction of ``size``, drawn uniformly per crop.
    contrast : float or (float, float), default (0.18, 0.35)
        Peak lesion intensity above the background, drawn uniformly per crop.
    texture : float, default 0.07
        Standard deviation of the power-law background texture.
    noise : float, default 0.015
        Standard deviation of the white (quantum) noise.
    beta : float, default 3.0
        Exponent of the background's power spectrum 1/f^beta.
    margin : {'round', 'lobulated', 'spiculated'} or None, default None
        Shape of the mass margin: a round disc, a lobulated one (radius
        varying with the angle), or lobulated with spicules. None follows
        ``spiculated`` ('spiculated' when True, else 'lobulated').
    distractors : int or (int, int), default 0
        Number of bright round blobs (cysts, lymph nodes, overlapping
        tissue) put away from the mass, drawn per crop. They are not part of
        the mask: a segmenter must learn to ignore them.

    Returns
    -------
    dict
        ``'images'``: ndarray of shape (n, size, size), float32 in [0, 1];
        ``'masks'``: ndarray of shape (n, size, size), bool, the exact lesion masks;
        ``'centers'``: ndarray of shape (n, 2), float64, (row, col) of each lesion centre.

    Raises
    ------
    ValueError
        ``n`` < 1, ``size`` < 16 or a range outside its bounds.

    Examples
    --------
    >>> d = masses(4, size=64, seed=1)
    >>> d["images"].shape, d["images"].dtype, d["masks"].dtype
    ((4, 64, 64), dtype('float32'), dtype('bool'))
    >>> bool(d["masks"].any(axis=(1, 2)).all())
    True
    """
    if not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    if not isinstance(size, numbers.Integral) or size < 16:
        raise ValueError(f"size must be an integer >= 16; got {size!r}")
    r_lo, r_hi = _range(radius, "radius", low=0.02, high=0.3)
    c_lo, c_hi = _range(contrast, "contrast", low=0.0, high=0.8)
    if texture < 0 or noise < 0:
        raise ValueError(f"texture and noise must be >= 0; got texture={texture}, noise={noise}")
    if margin is None:
        margin = "spiculated" if spiculated else "lobulated"
    if margin not in MARGINS:
        raise ValueError(f"margin must be one of {MARGINS} or None; got {margin!r}")
    d_lo, d_hi = _range(distractors, "distractors", low=0, high=10)
    if int(d_lo) != d_lo or int(d_hi) != d_hi:
        raise ValueError(f"distractors must be whole numbers; got {distractors!r}")
    rng = _rng(seed)
    n, size = int(n), int(size)
    # a separate stream, drawn only when asked for, so that crops without
    # distractors are the same as before the option existed
    blob_rng = np.random.default_rng(rng.integers(2**63)) if d_hi > 0 else None

    background = 0.35 + texture * power_law_background(n, size=size, beta=beta, seed=rng)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    images = np.empty((n, size, size), dtype=np.float32)
    masks = np.empty((n, size, size), dtype=bool)
    centers = np.empty((n, 2))
    for i in range(n):
        r = size * rng.uniform(r_lo, r_hi)
        jitter = 0.1 * size
        center = (
            (size - 1) / 2 + rng.uniform(-jitter, jitter),
            (size - 1) / 2 + rng.uniform(-jitter, jitter),
        )
        field = _lesion_field(
            yy, xx, center, r, rng, spiculated=margin == "spiculated", lobulated=margin != "round"
        )
        edge = rng.uniform(0.6, 1.6) * size / 64
        core = 0.85 + 0.15 * np.clip(1.0 - np.hypot(yy - center[0], xx - center[1]) / r, 0, 1)
        peak = rng.uniform(c_lo, c_hi)
        lesion = peak * core * _sigmoid(field / edge)
        if blob_rng is not None:
            lesion = lesion + _blobs(blob_rng, yy, xx, field, r, peak, int(d_lo), int(d_hi))
        image = background[i] + lesion + noise * rng.standard_normal((size, size))
        images[i] = np.clip(image, 0.0, 1.0)
        masks[i] = field > 0
        centers[i] = center
    return {"images": images, "masks": masks, "centers": centers}


def mammogram(
    *,
    size: int = 1000,
    seed: int | np.random.Generator | None = 0,
    spiculated: bool = False,
    radius: float | tuple[float, float] = (0.025, 0.05),
    contrast: float | tuple[float, float] = (0.2, 0.3),
    margin: int | None = None,
    texture: float = 0.06,
    noise: float = 0.01,
    beta: float = 3.0,
) -> dict[str, Any]:
    """A full synthetic mammogram (breast on the left, chest wall at column 0) with one mass.

    Parameters
    ----------
    size : int, default 1000
        Side of the square image, in pixels (>= 64).
    seed : int, Generator or None, default 0
        Seed of the generator.
    spiculated : bool, default False
        Give the mass spicules (they are part of the mask).
    radius : float or (float, float), default (0.025, 0.05)
        Lesion radius as a fraction of ``size``.
    contrast : float or (float, float), default (0.2, 0.3)
        Peak lesion intensity above the breast tissue.
    margin : int or None, default None
        Pixels added on every side of the lesion's bounding box to form ``roi``
        (clipped to the image); None means ``max(4, round(0.02 * size))``.
    texture, noise, beta : float
        As in :func:`masses`.

    Returns
    -------
    dict
        ``'image'``: ndarray of shape (size, size), float64 in [0, 1];
        ``'mask'``: ndarray of shape (size, size), bool, the exact lesion mask;
        ``'breast'``: ndarray of shape (size, size), bool, the breast region;
        ``'roi'``: tuple (row0, col0, row1, col1) of ints, 0-based and end-exclusive,
        the lesion's bounding box grown by ``margin`` (see :mod:`pybridge.convert`
        for the MATLAB ``[x y width height]`` form).

    Examples
    --------
    >>> m = mammogram(size=256, seed=3)
    >>> m["image"].shape, m["image"].dtype
    ((256, 256), dtype('float64'))
    >>> r0, c0, r1, c1 = m["roi"]
    >>> bool(m["mask"][r0:r1, c0:c1].sum() == m["mask"].sum())
    True
    """
    if not isinstance(size, numbers.Integral) or size < 64:
        raise ValueError(f"size must be an integer >= 64; got {size!r}")
    r_lo, r_hi = _range(radius, "radius", low=0.005, high=0.15)
    c_lo, c_hi = _range(contrast, "contrast", low=0.0, high=0.8)
    if margin is None:
        margin = max(4, round(0.02 * size))
    if not isinstance(margin, numbers.Integral) or margin < 0:
        raise ValueError(f"margin must be a non-negative integer or None; got {margin!r}")
    rng = _rng(seed)
    size = int(size)

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    # breast: half-ellipse against the chest wall (column 0), soft skin line
    a = size * rng.uniform(0.68, 0.8)
    b = size * rng.uniform(0.42, 0.48)
    cy = size / 2 + rng.uniform(-0.03, 0.03) * size
    ell = np.sqrt((xx / a) ** 2 + ((yy - cy) / b) ** 2)
    breast = ell <= 1.0
    thickness = np.sqrt(np.clip(1.0 - ell**2, 0.0, 1.0))  # compressed-breast falloff
    tissue = (
        0.25
        + 0.2 * thickness
        + texture * power_law_background(1, size=size, beta=beta, seed=rng)[0]
    )
    image = np.where(breast, tissue * np.clip(4.0 * thickness, 0, 1) ** 0.3, 0.03)

    # the mass: inside the breast, away from the skin line
    r = size * rng.uniform(r_lo, r_hi)
    for _ in range(1000):
        center = (cy + rng.uniform(-0.6, 0.6) * b, rng.uniform(0.15, 0.6) * a)
        if np.hypot(center[1] / a, (center[0] - cy) / b) < 0.7:
            break
    field = _lesion_field(yy, xx, center, r, rng, spiculated=spiculated)
    mask = (field > 0) & breast
    edge = rng.uniform(0.6, 1.6) * max(1.0, size / 250)
    core = 0.85 + 0.15 * np.clip(1.0 - np.hypot(yy - center[0], xx - center[1]) / r, 0, 1)
    image = image + rng.uniform(c_lo, c_hi) * core * _sigmoid(field / edge) * breast
    image = np.clip(image + noise * rng.standard_normal((size, size)), 0.0, 1.0)

    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    roi = (
        int(max(0, rows[0] - margin)),
        int(max(0, cols[0] - margin)),
        int(min(size, rows[-1] + 1 + margin)),
        int(min(size, cols[-1] + 1 + margin)),
    )
    return {"image": image, "mask": mask, "breast": breast, "roi": roi}
