"""Heatmaps drawn over images, for reports."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["overlay"]


def _as_stack(a: Any, name: str) -> np.ndarray:
    a = np.asarray(a.detach().cpu() if hasattr(a, "detach") else a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real or logical array; got dtype {a.dtype}")
    a = a.astype(np.float64)
    if a.ndim == 4:  # N x C x H x W: one-channel only
        if a.shape[1] != 1:
            raise ValueError(f"{name} must have one channel; got shape {a.shape}")
        a = a[:, 0]
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3:
        raise ValueError(
            f"{name} must be H x W or N x H x W (or N x 1 x H x W); got shape {a.shape}"
        )
    return a


def _resize(m: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if m.shape == shape:
        return m
    from scipy.ndimage import zoom

    return zoom(
        m, (shape[0] / m.shape[0], shape[1] / m.shape[1]), order=1, grid_mode=True, mode="nearest"
    )


def overlay(
    image: Any,
    heatmap: Any,
    *,
    alpha: float = 0.45,
    cmap: str = "jet",
    mask: Any = None,
    titles: Any = None,
    path: str | os.PathLike | None = None,
    dpi: int = 100,
) -> Any:
    """Draw heatmaps over images: a matplotlib Figure, or a PNG file.

    Each heatmap is scaled to [0, 1] by its own maximum (an all-zero map
    stays blank) and drawn with ``cmap`` at opacity ``alpha`` over the image
    in grey; a heatmap smaller than its image is resized bilinearly. The
    outline of ``mask`` (a ground-truth lesion, say) is drawn in white.

    Parameters
    ----------
    image : array-like of shape (H, W) or (N, H, W)
    heatmap : array-like of shape (h, w) or (N, h, w)
        From :func:`~pybridge.xai.gradcam`, :func:`~pybridge.xai.saliency`...
    alpha : float, default 0.45
    cmap : str, default 'jet'
    mask : bool array of shape (H, W) or (N, H, W), optional
    titles : sequence of str, optional
        One title per panel.
    path : str or path-like, optional
        Write a PNG there (folders must exist) and return the path instead
        of the figure.
    dpi : int, default 100

    Returns
    -------
    matplotlib.figure.Figure, or pathlib.Path when ``path`` is given
        One panel per image, in a row. No window opens (the figure is not
        registered with pyplot; save it with ``fig.savefig``).

    Examples
    --------
    >>> img = np.random.default_rng(0).random((32, 32))
    >>> heat = np.zeros((8, 8)); heat[2:4, 2:4] = 1
    >>> fig = overlay(img, heat)
    >>> len(fig.axes)
    1
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    imgs = _as_stack(image, "image")
    heats = _as_stack(heatmap, "heatmap")
    if len(heats) != len(imgs):
        raise ValueError(
            f"{len(imgs)} images but {len(heats)} heatmaps; pass one heatmap per image"
        )
    masks = None
    if mask is not None:
        masks = _as_stack(mask, "mask") > 0.5
        if masks.shape != imgs.shape:
            raise ValueError(f"mask must have the images' shape {imgs.shape}; got {masks.shape}")
    if not 0 <= float(alpha) <= 1:
        raise ValueError(f"'alpha' must be in [0, 1]; got {alpha!r}")
    if titles is not None:
        titles = [titles] if isinstance(titles, str) else list(titles)
        if len(titles) != len(imgs):
            raise ValueError(f"{len(titles)} titles for {len(imgs)} panels")
    n = len(imgs)
    fig = Figure(figsize=(3 * n, 3.2 if titles else 3), dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, n, squeeze=False)[0]
    for i, ax in enumerate(axes):
        img = imgs[i]
        heat = _resize(heats[i], img.shape)
        heat = np.clip(heat, 0, None)
        peak = heat.max()
        heat = heat / peak if peak > 0 else heat
        ax.imshow(img, cmap="gray", interpolation="nearest")
        ax.imshow(
            heat,
            cmap=cmap,
            alpha=float(alpha) * (heat > 0),
            vmin=0,
            vmax=1,
            interpolation="bilinear",
        )
        if masks is not None and masks[i].any():
            ax.contour(masks[i].astype(float), levels=[0.5], colors="white", linewidths=1)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
        ax.set_axis_off()
    fig.tight_layout()
    if path is None:
        return fig
    out = Path(path)
    fig.savefig(out, format="png")
    return out
