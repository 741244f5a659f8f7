"""Gradient saliency (Simonyan et al., 2014) and SmoothGrad (Smilkov et al., 2017).

captum's ``Saliency`` is the reference the tests check the plain gradient
against (SmoothGrad is checked on a linear model, where it equals the
weights). The few lines are kept here so that the
target (a class, or a segmenter's region) is resolved once on the clean
image and every noisy copy explains the same thing, with noise scaled per
image and drawn from a seeded torch generator; captum's noise tunnel takes
one global standard deviation and draws from the global random state.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch

from ._model import Explained, batches, evaluating, resolve_target, score

__all__ = ["saliency"]


def saliency(
    model: Any,
    images: Any,
    *,
    target: Any = None,
    smooth: int = 0,
    noise: float = 0.15,
    seed: int | None = 0,
    batch_size: int = 64,
) -> np.ndarray:
    """Saliency maps: how strongly each pixel moves the target score.

    The map is the absolute gradient of the target score with respect to the
    input, the largest over the channels. With ``smooth > 0`` it is
    SmoothGrad: the mean absolute gradient over ``smooth`` copies of the
    image with Gaussian noise of standard deviation
    ``noise * (max(x) - min(x))`` added (per image, in the network's input
    space), which removes much of the gradient's pixel-level noise.

    Parameters
    ----------
    model : pybridge estimator or torch.nn.Module
        See :func:`~pybridge.xai.gradcam`.
    images : array-like of shape (N, H, W) or (N, C, H, W)
    target : None, int, array of int of shape (N,), or bool array
        As in :func:`~pybridge.xai.gradcam`; resolved on the clean images, so
        every noisy copy explains the same class or region.
    smooth : int, default 0
        Number of noisy copies (SmoothGrad); 0 gives the plain gradient.
        Smilkov et al. use 50.
    noise : float, default 0.15
        Noise level relative to each image's value range (the paper finds
        10-20 % works best).
    seed : int or None, default 0
        Seed of the noise (torch generator); None draws a fresh one.
    batch_size : int, default 64

    Returns
    -------
    ndarray of shape (N, H, W), float32
        Non-negative maps.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(9, 1))
    >>> m = saliency(net, torch.ones(1, 1, 3, 3))
    >>> bool(np.allclose(m[0].ravel(), net[1].weight.detach().abs().numpy().ravel()))
    True
    """
    if not isinstance(smooth, numbers.Integral) or isinstance(smooth, bool) or smooth < 0:
        raise ValueError(
            f"'smooth' must be a non-negative int (number of noisy copies); got {smooth!r}"
        )
    if not isinstance(noise, numbers.Real) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"'noise' must be a non-negative number; got {noise!r}")
    model_ = Explained(model)
    net = model_.network
    x_all = model_.tensor(images)
    n, _, h, w = x_all.shape
    maps = np.empty((n, h, w), dtype=np.float32)
    gen = torch.Generator(device=x_all.device)
    if seed is None:
        gen.seed()
    else:
        gen.manual_seed(int(seed))
    with evaluating(net):
        for sl in batches(n, batch_size):
            x = x_all[sl]
            with torch.no_grad():
                tgt = resolve_target(net(x), target, sl.start, mask_logit=model_.mask_logit)
            if smooth == 0:
                acc = _abs_grad(net, x, tgt)
            else:
                span = (x.flatten(1).amax(1) - x.flatten(1).amin(1)).view(-1, 1, 1, 1)
                sigma = float(noise) * span
                acc = torch.zeros_like(x)
                for _ in range(int(smooth)):
                    eps = torch.randn(x.shape, generator=gen, device=x.device, dtype=x.dtype)
                    acc += _abs_grad(net, x + sigma * eps, tgt)
                acc /= int(smooth)
            maps[sl] = acc.amax(1).cpu().numpy()
    return maps


def _abs_grad(net: torch.nn.Module, x: torch.Tensor, tgt) -> torch.Tensor:
    with torch.enable_grad():
        xin = x.detach().clone().requires_grad_(True)
        s = score(net(xin), tgt)
        (g,) = torch.autograd.grad(s.sum(), xin)
    return g.abs()
