"""The segmentation networks: MONAI's U-Net and auto-encoder, and the course's own ones.

The estimators build MONAI's networks by default (``architecture='monai'``);
``architecture='course'`` builds the course's :class:`CAE` and :class:`UNet`
below, so the lecture's models can still be reproduced.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["CAE", "UNet", "PadToMultiple", "MonaiNet", "build_network", "ARCHITECTURES"]

#: Values of the segmenters' ``architecture=`` option, per estimator kind.
ARCHITECTURES = {"unet": ("monai", "basic", "course"), "cae": ("monai", "course")}


def _conv_bn_relu(c_in: int, c_out: int, *, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class CAE(nn.Module):
    """Convolutional auto-encoder for segmentation (the course architecture).

    Encoder: one strided 3 x 3 convolution (stride 2) per level, batch norm,
    ReLU; decoder: transposed convolutions (stride 2) back to full size; a
    1 x 1 convolution gives one logit per pixel. No skip connections.

    Parameters
    ----------
    filters : sequence of int, default (16, 32, 64)
        Channels of the encoder levels; the input side must be a multiple of
        ``2 ** len(filters)`` (wrap in :class:`PadToMultiple` otherwise).

    Shapes: (N, 1, H, W) -> (N, 1, H, W) logits.
    """

    def __init__(self, filters: Sequence[int] = (16, 32, 64)) -> None:
        super().__init__()
        filters = [int(f) for f in filters]
        enc, c = [], 1
        for f in filters:
            enc.append(_conv_bn_relu(c, f, stride=2))
            c = f
        self.encoder = nn.Sequential(*enc)
        dec = []
        for f in [*filters[-2::-1], filters[0]]:
            dec += [
                nn.ConvTranspose2d(c, f, 2, stride=2, bias=False),
                nn.BatchNorm2d(f),
                nn.ReLU(inplace=True),
            ]
            c = f
        self.decoder = nn.Sequential(*dec)
        self.head = nn.Conv2d(c, 1, 1)
        self.multiple = 2 ** len(filters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.decoder(self.encoder(x)))


class _DoubleConv(nn.Sequential):
    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__(_conv_bn_relu(c_in, c_out), _conv_bn_relu(c_out, c_out))


class UNet(nn.Module):
    """U-Net: double-conv encoder levels with max pooling, a bottleneck, and a
    decoder of transposed convolutions whose outputs are concatenated with the
    encoder's (skip connections).

    Parameters
    ----------
    width : int, default 16
        Channels of the first level; each level doubles them.
    depth : int, default 3
        Number of poolings; the input side must be a multiple of ``2 ** depth``
        (wrap in :class:`PadToMultiple` otherwise).

    Shapes: (N, 1, H, W) -> (N, 1, H, W) logits.
    """

    def __init__(self, width: int = 16, depth: int = 3) -> None:
        super().__init__()
        widths = [int(width) * 2**i for i in range(int(depth) + 1)]
        self.down = nn.ModuleList()
        c = 1
        for w in widths[:-1]:
            self.down.append(_DoubleConv(c, w))
            c = w
        self.bottleneck = _DoubleConv(c, widths[-1])
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for w in reversed(widths[:-1]):
            self.up.append(nn.ConvTranspose2d(2 * w, w, 2, stride=2))
            self.merge.append(_DoubleConv(2 * w, w))
        self.head = nn.Conv2d(widths[0], 1, 1)
        self.multiple = 2 ** int(depth)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips), strict=True):
            x = merge(torch.cat([up(x), skip], dim=1))
        return self.head(x)


class PadToMultiple(nn.Module):
    """Run ``net`` on inputs of any size: reflect-pad H and W up to a multiple, crop back.

    Parameters
    ----------
    net : nn.Module
        A fully convolutional network with an attribute ``multiple``.

    Shapes: (N, C, H, W) -> (N, 1, H, W), for any H, W.
    """

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net
        self.multiple = int(net.multiple)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        m = self.multiple
        ph, pw = (-h) % m, (-w) % m
        if ph or pw:
            # reflect padding needs pad < side; replicate covers tiny inputs
            mode = "reflect" if ph < h and pw < w else "replicate"
            x = F.pad(x, (0, pw, 0, ph), mode=mode)
        return self.net(x)[..., :h, :w]


class MonaiNet(nn.Module):
    """A MONAI network with the ``multiple`` its input sides must be a multiple of.

    Parameters
    ----------
    net : nn.Module
        ``monai.networks.nets.UNet``, ``BasicUNet`` or ``AutoEncoder``.
    multiple : int
    """

    def __init__(self, net: nn.Module, multiple: int) -> None:
        super().__init__()
        self.net = net
        self.multiple = int(multiple)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def build_network(kind: str, arch: dict) -> nn.Module:
    """The network of a segmenter, wrapped in :class:`PadToMultiple`.

    Parameters
    ----------
    kind : {'unet', 'cae'}
    arch : dict
        ``name`` ('monai', 'basic' or 'course'; a saved file of format 1
        names the class, 'UNet' or 'CAE', meaning 'course') and the sizes:
        ``width`` and ``depth`` (U-Net) or ``filters`` (CAE).

    Returns
    -------
    PadToMultiple
        (N, 1, H, W) -> (N, 1, H, W) logits, any H and W.

    Examples
    --------
    >>> net = build_network("unet", {"name": "monai", "width": 4, "depth": 2})
    >>> net(torch.zeros(1, 1, 20, 30)).shape
    torch.Size([1, 1, 20, 30])
    """
    name = arch.get("name", "course")
    name = {"UNet": "course", "CAE": "course"}.get(name, name)
    if name not in ARCHITECTURES[kind]:
        raise ValueError(f"architecture must be one of {ARCHITECTURES[kind]}; got {name!r}")
    if name == "course":
        if kind == "unet":
            return PadToMultiple(UNet(width=arch["width"], depth=arch["depth"]))
        return PadToMultiple(CAE(filters=arch["filters"]))
    from monai.networks import nets

    # Batch norm, not MONAI's default instance norm: whole images are run
    # window by window, and instance norm would rescale a window of plain
    # background as if it held a lesion.
    if kind == "cae":
        filters = [int(f) for f in arch["filters"]]
        net = nets.AutoEncoder(
            spatial_dims=2, in_channels=1, out_channels=1, channels=filters,
            strides=[2] * len(filters), num_res_units=1, norm="batch",
        )
        return PadToMultiple(MonaiNet(net, 2 ** len(filters)))
    width, depth = int(arch["width"]), int(arch["depth"])
    if name == "basic":
        # BasicUNet has 4 poolings and takes 6 feature counts
        feats = (width, width, 2 * width, 4 * width, 8 * width, width)
        net = nets.BasicUNet(spatial_dims=2, in_channels=1, out_channels=1, features=feats,
                             norm=("batch", {"affine": True}))
        return PadToMultiple(MonaiNet(net, 16))
    channels = [width * 2**i for i in range(depth + 1)]
    net = nets.UNet(
        spatial_dims=2, in_channels=1, out_channels=1, channels=channels,
        strides=[2] * depth, num_res_units=2, norm="batch",
    )
    return PadToMultiple(MonaiNet(net, 2**depth))
