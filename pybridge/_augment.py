"""On-the-fly data augmentation shared by the classifiers and the segmenters.

One random affine transform per sample (flip, 90-degree rotation, small-angle
rotation, shift, scaling) is composed into a single sampling grid and applied
with :func:`torch.nn.functional.grid_sample` using reflect fill, so nothing
black is dragged in from outside the patch. The same grid is applied to the
masks (nearest-neighbour), so an image and its mask stay aligned. An
optional smooth elastic deformation is added to that same grid (one
resampling, masks following); optional intensity changes (contrast scaled,
brightness shifted) and white noise go to the images only.

Why not MONAI's ``RandAffine``/``Rand2DElastic``/``RandScaleIntensity``/
``RandGaussianNoise``: they transform one
sample at a time and draw from their own numpy ``RandomState``; one batched
grid in torch is shorter here, runs on the GPU with the batch, and draws from
the training loop's seeded :class:`torch.Generator`, so a seeded fit is
reproducible with one seed.

Use :class:`Augmenter` (or :func:`make_augmenter` to accept the ``augment=``
option of an estimator: ``False``/``None``, ``True``, a dict of options or an
:class:`Augmenter`). Random draws come from an explicit
:class:`torch.Generator`, so a seeded training run is reproducible.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["Augmenter", "make_augmenter", "DEFAULT"]


@dataclass(frozen=True)
class Augmenter:
    """Random flips, rotations, shifts and scaling applied to a batch (optionally
    intensity changes, a smooth elastic deformation and white noise).

    Parameters
    ----------
    flip : bool, default True
        Mirror left-right with probability 1/2 (combined with ``rotate90`` this
        gives all 8 symmetries of the square).
    rotate90 : bool, default True
        Rotate by a uniformly drawn multiple of 90 degrees.
    max_angle : float, default 10.0
        Extra rotation drawn uniformly in ``[-max_angle, max_angle]`` degrees.
    max_shift : float, default 0.1
        Shift drawn uniformly in ``[-max_shift, max_shift]`` times the image
        side, independently along rows and columns.
    scale : tuple of float, default (0.9, 1.1)
        Zoom factor drawn uniformly in this range (``(1, 1)`` disables it).
    intensity : float, default 0.0
        Contrast multiplied by a factor drawn in ``[1 - intensity, 1 + intensity]``
        around each image's mean, and brightness shifted by up to
        ``intensity`` standard deviations of the image (0 disables it).
    elastic : float, default 0.0
        Standard deviation, in pixels, of a smooth random deformation: a
        displacement drawn from a normal distribution at each point of a
        coarse 3 x 3 grid spanning the image, interpolated bicubically to
        every pixel, on top of the other transforms (the deformation the
        U-Net paper, Ronneberger et al. 2015, used for small training sets;
        0 disables it). Masks follow the same deformation.
    noise : float, default 0.0
        Add white Gaussian noise whose standard deviation is drawn uniformly
        in ``[0, noise]`` times each image's standard deviation (0 disables
        it; images only, never masks).
    whole_pixels : bool, default False
        Round the shifts to whole pixels. With ``max_angle=0``,
        ``scale=(1, 1)`` and ``elastic=0`` every transform then moves pixels without
        interpolating them (a flip, a quarter turn, a whole-pixel shift), so
        pixel noise and fine texture keep their statistics: bilinear
        resampling at a fractional offset averages neighbouring pixels, and
        the default transforms leave white noise with about 0.68 of its
        standard deviation (0.5 at a half-pixel shift), which a model then
        never sees at test time.

    Examples
    --------
    >>> import torch
    >>> aug = Augmenter(max_angle=0, max_shift=0, scale=(1, 1))
    >>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
    >>> y, _ = aug(x, generator=torch.Generator().manual_seed(0))
    >>> sorted(y.flatten().round().tolist()) == sorted(x.flatten().tolist())
    True
    """

    flip: bool = True
    rotate90: bool = True
    max_angle: float = 10.0
    max_shift: float = 0.1
    scale: tuple[float, float] = (0.9, 1.1)
    intensity: float = 0.0
    whole_pixels: bool = False
    noise: float = 0.0
    elastic: float = 0.0

    def __post_init__(self) -> None:
        for name in ("max_angle", "max_shift", "intensity", "noise", "elastic"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a number; got {value!r} ({type(value).__name__})")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite; got {value}")
        if not 0 <= self.intensity < 1:
            raise ValueError(f"intensity must be in [0, 1); got {self.intensity}")
        if not self.elastic >= 0:
            raise ValueError(f"elastic must be >= 0 (a displacement in pixels); got {self.elastic}")
        if not self.noise >= 0:
            raise ValueError(f"noise must be >= 0 (a fraction of each image's standard deviation); got {self.noise}")
        if self.max_angle < 0 or self.max_shift < 0:
            raise ValueError(
                f"max_angle and max_shift must be >= 0; got {self.max_angle} and {self.max_shift}"
            )
        lo, hi = (float(s) for s in self.scale)
        if not (0 < lo <= hi):
            raise ValueError(f"scale must be (low, high) with 0 < low <= high; got {self.scale}")
        object.__setattr__(self, "scale", (lo, hi))

    def to_dict(self) -> dict[str, Any]:
        """The options as a JSON-friendly dict (``Augmenter(**d)`` rebuilds it)."""
        d = asdict(self)
        d["scale"] = list(d["scale"])
        return d

    def matrices(
        self, n: int, *, generator: torch.Generator, size: tuple[int, int] | None = None
    ) -> torch.Tensor:
        """Draw ``n`` random 2 x 3 affine matrices in grid_sample's normalised coordinates.

        ``size`` (height, width) is the images' size, needed to round the
        shifts to whole pixels when ``whole_pixels`` is set.

        Returns
        -------
        Tensor of shape (n, 2, 3), float32, on the CPU.
        """
        import torch

        u = torch.rand(n, 6, generator=generator, dtype=torch.float64)
        angle = (2 * u[:, 0] - 1) * math.radians(self.max_angle)
        if self.rotate90:
            quarter = torch.floor(u[:, 1] * 4).clamp(max=3)
            angle = angle + quarter * (math.pi / 2)
        lo, hi = self.scale
        zoom = lo + (hi - lo) * u[:, 2]
        # grid_sample maps output coords to input coords: zooming in by s means
        # sampling a region 1/s as large.
        cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
        mirror = torch.where(u[:, 3] < 0.5, -1.0, 1.0) if self.flip else torch.ones(n, dtype=torch.float64)
        theta = torch.zeros(n, 2, 3, dtype=torch.float64)
        theta[:, 0, 0] = cos * mirror
        theta[:, 0, 1] = -sin
        theta[:, 1, 0] = sin * mirror
        theta[:, 1, 1] = cos
        # normalised coordinates span 2 units per side
        theta[:, 0, 2] = (2 * u[:, 4] - 1) * 2 * self.max_shift
        theta[:, 1, 2] = (2 * u[:, 5] - 1) * 2 * self.max_shift
        if self.whole_pixels:
            if size is None:
                raise ValueError("whole_pixels needs the images' size: matrices(n, size=(H, W), ...)")
            h, w = size  # a pixel is 2 / side in normalised coordinates
            theta[:, 0, 2] = torch.round(theta[:, 0, 2] * w / 2) * 2 / w
            theta[:, 1, 2] = torch.round(theta[:, 1, 2] * h / 2) * 2 / h
        # snap round-off of exact quarter turns so they permute pixels exactly
        theta = torch.where(theta.abs() < 1e-12, torch.zeros_like(theta), theta)
        return theta.float()

    def __call__(
        self,
        images: torch.Tensor,
        masks: torch.Tensor | None = None,
        *,
        generator: torch.Generator,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Augment a batch; the same transform goes to each image and its mask.

        Parameters
        ----------
        images : Tensor of shape (N, C, H, W), float
        masks : Tensor of shape (N, K, H, W), optional
            Binary targets (any dtype); resampled nearest-neighbour and
            returned with the input dtype.
        generator : torch.Generator
            Source of the random draws (CPU generator).

        Returns
        -------
        images : Tensor of shape (N, C, H, W)
        masks : Tensor of shape (N, K, H, W) or None
        """
        import torch
        import torch.nn.functional as F

        if images.ndim != 4:
            raise ValueError(f"images must be N x C x H x W; got shape {tuple(images.shape)}")
        n = images.shape[0]
        size = (int(images.shape[2]), int(images.shape[3]))
        theta = self.matrices(n, generator=generator, size=size).to(images.device, images.dtype)
        grid = F.affine_grid(theta, list(images.shape), align_corners=False)
        if self.elastic > 0:
            h, w = size
            coarse = torch.randn(n, 2, 3, 3, generator=generator, dtype=torch.float64) * self.elastic
            field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=True)
            # pixels -> normalised units (2 per side); the grid's last axis is (x, y)
            field = field.permute(0, 2, 3, 1) * torch.tensor([2.0 / w, 2.0 / h], dtype=torch.float64)
            grid = grid + field.to(grid.device, grid.dtype)
        out = F.grid_sample(images, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
        if self.intensity > 0:
            u = torch.rand(n, 2, generator=generator).to(images.device, images.dtype)
            gain = (1 + self.intensity * (2 * u[:, :1] - 1)).view(n, 1, 1, 1)
            mean = out.mean(dim=(1, 2, 3), keepdim=True)
            sd = out.std(dim=(1, 2, 3), keepdim=True)
            shift = (self.intensity * (2 * u[:, 1:] - 1)).view(n, 1, 1, 1) * sd
            out = mean + gain * (out - mean) + shift
        if self.noise > 0:
            # drawn on the CPU generator, so a seed gives the same noise on any device
            level = self.noise * torch.rand(n, 1, 1, 1, generator=generator)
            white = torch.randn(tuple(out.shape), generator=generator) * level
            sd = out.std(dim=(1, 2, 3), keepdim=True)
            out = out + white.to(out.device, out.dtype) * sd
        if masks is None:
            return out, None
        if masks.ndim != 4 or masks.shape[0] != n or masks.shape[2:] != images.shape[2:]:
            raise ValueError(
                f"masks must be N x K x H x W matching images {tuple(images.shape)}; got {tuple(masks.shape)}"
            )
        m = F.grid_sample(
            masks.to(out.dtype), grid, mode="nearest", padding_mode="reflection", align_corners=False
        )
        if masks.dtype == torch.bool:
            m = m > 0.5
        else:
            m = m.to(masks.dtype)
        return out, m


#: What ``augment=True`` means: every symmetry of the square, small rotations,
#: shifts and zooms, and a +-10 % intensity change.
DEFAULT = Augmenter(intensity=0.1)


def make_augmenter(option: Any) -> Augmenter | None:
    """Turn an estimator's ``augment=`` option into an :class:`Augmenter` or None.

    Parameters
    ----------
    option : bool, None, dict or Augmenter
        ``False``/``None``: no augmentation; ``True``: the estimators'
        default augmentation, :data:`DEFAULT`; a dict: options for
        :class:`Augmenter`.

    Examples
    --------
    >>> make_augmenter(False) is None
    True
    >>> make_augmenter({"max_angle": 0}).max_angle
    0
    """
    if option is None or option is False:
        return None
    if option is True:
        return DEFAULT
    if isinstance(option, Augmenter):
        return option
    if isinstance(option, dict):
        known = {f.name for f in fields(Augmenter)}
        bad = sorted(set(option) - known)
        if bad:
            raise ValueError(f"unknown augmentation option(s) {bad}; expected some of {sorted(known)}")
        return Augmenter(**option)
    raise TypeError(
        f"augment must be True, False, a dict of Augmenter options or an Augmenter; got {type(option).__name__}"
    )
