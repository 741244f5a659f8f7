"""Occlusion sensitivity (Zeiler and Fergus, 2014).

captum's ``Occlusion`` (``baselines=fill``) is the reference the tests check
this against, window for window, including the clipped last window. The
loop is kept here because it scores a segmenter's region and a single-logit
model's class 0 with the same target rules as the other explainers, and
batches occluded copies by ``batch_size`` for bounded memory.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch

from ._model import Explained, Target, batches, evaluating, resolve_target, score

__all__ = ["occlusion"]


def _pair(value: Any, name: str) -> tuple[int, int]:
    vals = (value, value) if isinstance(value, numbers.Integral) else tuple(np.ravel(value))
    if len(vals) != 2 or any(
        isinstance(v, bool) or not float(v).is_integer() or v < 1 for v in vals
    ):
        raise ValueError(f"'{name}' must be a positive int or a pair (rows, cols); got {value!r}")
    return int(vals[0]), int(vals[1])


def occlusion(
    model: Any,
    images: Any,
    *,
    window: int | tuple[int, int] = 8,
    stride: int | tuple[int, int] | None = None,
    fill: float = 0.0,
    target: Any = None,
    batch_size: int = 64,
) -> np.ndarray:
    """Occlusion maps: how much the target score drops when a window is masked.

    A ``window`` slides over each image with step ``stride`` (all channels at
    once; the last window in a row or column is clipped at the image's edge
    so that it reaches the edge); the window is set to
    ``fill`` and the drop ``score(image) - score(occluded)`` is added to every
    pixel it covers. Each pixel's value is the mean drop over the windows
    that covered it (0 where none did, when the stride is longer than the
    window). This is captum's ``Occlusion`` with ``baselines=fill``.

    Parameters
    ----------
    model : pybridge estimator or torch.nn.Module
        See :func:`~pybridge.xai.gradcam`.
    images : array-like of shape (N, H, W) or (N, C, H, W)
    window : int or (int, int), default 8
        Window height and width in pixels.
    stride : int or (int, int), optional
        Step between windows; default half the window (at least 1).
    fill : float, default 0.0
        The value put in the window, in the network's input space (after an
        estimator's ``to_tensor`` normalisation, where 0 is usually the
        training mean).
    target : None, int, array of int of shape (N,), or bool array
        As in :func:`~pybridge.xai.gradcam`, resolved on the unoccluded image.
    batch_size : int, default 64
        Occluded copies per forward pass.

    Returns
    -------
    ndarray of shape (N, H, W), float32
        Positive where masking lowers the score (evidence for the target),
        negative where it raises it.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 1))
    >>> occlusion(net, torch.rand(3, 1, 4, 4), window=2, stride=2).shape
    (3, 4, 4)
    """
    wh, ww = _pair(window, "window")
    sh, sw = _pair(stride, "stride") if stride is not None else (max(wh // 2, 1), max(ww // 2, 1))
    if not isinstance(fill, numbers.Real):
        raise TypeError(f"'fill' must be a number; got {type(fill).__name__}")
    model_ = Explained(model)
    net = model_.network
    x_all = model_.tensor(images)
    n, c, h, w = x_all.shape
    if wh > h or ww > w:
        raise ValueError(f"window {wh} x {ww} is larger than the images ({h} x {w})")
    # as captum: enough steps to reach the last row/column, the last window clipped
    rows = range(0, sh * (-(-(h - wh) // sh)) + 1, sh)
    cols = range(0, sw * (-(-(w - ww) // sw)) + 1, sw)
    corners = [(r, q) for r in rows for q in cols]
    counts = torch.zeros(h, w, device=x_all.device)
    for r, q in corners:
        counts[r : r + wh, q : q + ww] += 1
    maps = np.empty((n, h, w), dtype=np.float32)
    with evaluating(net), torch.no_grad():
        for i in range(n):
            x = x_all[i : i + 1]
            out0 = net(x)
            tgt = resolve_target(out0, target, i, mask_logit=model_.mask_logit)
            s0 = score(out0, tgt)[0]
            total = torch.zeros(h, w, device=x.device)
            for sl in batches(len(corners), batch_size):
                chunk = corners[sl]
                xs = x.repeat(len(chunk), 1, 1, 1)
                for j, (r, q) in enumerate(chunk):
                    xs[j, :, r : r + wh, q : q + ww] = fill
                rep = _repeat_target(tgt, len(chunk))
                drops = s0 - score(net(xs), rep)
                for j, (r, q) in enumerate(chunk):
                    total[r : r + wh, q : q + ww] += drops[j]
            maps[i] = torch.where(counts > 0, total / counts.clamp(min=1), 0).cpu().numpy()
    return maps


def _repeat_target(tgt: Target, m: int) -> Target:
    return Target(
        classes=None if tgt.classes is None else tgt.classes.expand(m),
        region=None if tgt.region is None else tgt.region.expand(m, -1, -1),
        n_out=tgt.n_out,
    )
