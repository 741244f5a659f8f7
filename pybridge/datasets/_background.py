"""Power-law (1/f^beta) noise, the usual statistical model of breast tissue texture."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["power_law_background"]


def _as_rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, numbers.Integral):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, None or a numpy Generator; got {type(seed).__name__}")


def power_law_background(
    n: int,
    *,
    size: int | tuple[int, int] = 60,
    beta: float = 3.0,
    seed: int | np.random.Generator | None = 0,
) -> np.ndarray:
    """Random fields whose power spectrum falls as ``1 / f**beta``.

    Mammographic backgrounds are well described by power-law noise with an
    exponent near 3 (Burgess et al., Med. Phys. 2001); ``beta=0`` gives white
    noise, larger values smoother, cloudier texture. Each field is made by
    shaping complex white noise in the Fourier domain, so the texture wraps
    around the edges; each is then set to zero mean and unit standard
    deviation.

    Parameters
    ----------
    n : int
        Number of fields.
    size : int or (int, int), default 60
        Side (or height, width) of each field in pixels.
    beta : float, default 3.0
        Spectral exponent, >= 0.
    seed : int, None or numpy.random.Generator, default 0

    Returns
    -------
    ndarray of shape (n, H, W), float64
        Zero mean and unit standard deviation per field.

    Raises
    ------
    ValueError
        For ``n < 0``, a side < 2 or a negative ``beta``.

    Examples
    --------
    >>> b = power_law_background(2, size=32, seed=1)
    >>> b.shape, bool(abs(b[0].mean()) < 1e-12), round(float(b[0].std()), 6)
    ((2, 32, 32), True, 1.0)
    """
    if isinstance(size, numbers.Integral):
        h = w = int(size)
    else:
        h, w = (int(s) for s in size)
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer; got {n!r}")
    if h < 2 or w < 2:
        raise ValueError(f"size must be at least 2 x 2; got {size!r}")
    if beta < 0:
        raise ValueError(f"beta must be >= 0; got {beta}")
    rng = _as_rng(seed)
    n = int(n)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    f = np.sqrt(fx**2 + fy**2)
    f[0, 0] = 1.0
    amplitude = f ** (-beta / 2.0)
    amplitude[0, 0] = 0.0  # no DC: mean set below
    spectrum = rng.standard_normal((n, h, w // 2 + 1)) + 1j * rng.standard_normal((n, h, w // 2 + 1))
    fields = np.fft.irfft2(spectrum * amplitude, s=(h, w), axes=(-2, -1))
    fields -= fields.mean(axis=(1, 2), keepdims=True)
    sd = fields.std(axis=(1, 2), keepdims=True)
    sd[sd == 0] = 1.0
    return fields / sd
