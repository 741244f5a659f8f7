"""What the image explainers see of a model: a network, its input tensor, its score.

Two kinds of model are accepted:

- a pybridge estimator (anything with ``network_`` and ``to_tensor``): the
  images go through ``to_tensor`` (normalised exactly as in training);
- a plain :class:`torch.nn.Module`: the images are taken as they are
  (N x C x H x W, or N x H x W for one channel), moved to the module's device
  as float32.

The network's raw output decides what "the score" is:

- ``(N, 1)`` or ``(N,)``: one sigmoid output, the logit of class 1. Class 1's
  score is the logit, class 0's is the negated logit.
- ``(N, K)``, ``K >= 2``: class logits; the score of class k is column k.
- ``(N, 1, H, W)``: a segmenter's logits; the score is the sum of the logits
  inside a region (by default the predicted mask, logit > 0).
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .._errors import PyBridgeError

__all__: list[str] = []  # private module


def _describe(x: Any) -> str:
    if isinstance(x, (np.ndarray, torch.Tensor)):
        return f"{type(x).__name__} of shape {tuple(x.shape)} and dtype {x.dtype}"
    return type(x).__name__


class Explained:
    """A model reduced to what the explainers need.

    Attributes
    ----------
    network : torch.nn.Module
    device : torch.device
    estimator : object or None
        The pybridge estimator, when one was given.
    """

    def __init__(self, model: Any):
        if isinstance(model, torch.nn.Module):
            self.network = model
            self.estimator = None
        elif hasattr(model, "to_tensor") and (
            hasattr(model, "network_") or hasattr(type(model), "network_")
        ):
            net = getattr(model, "network_", None)
            if net is None:
                raise ValueError(
                    f"{type(model).__name__} is not fitted (it has no network_ yet); "
                    "call fit(X, y) or load a saved model first"
                )
            self.network = net
            self.estimator = model
        elif hasattr(model, "fit") and hasattr(model, "to_tensor"):
            raise ValueError(
                f"{type(model).__name__} is not fitted (it has no network_ yet); "
                "call fit(X, y) or load a saved model first"
            )
        else:
            raise TypeError(
                "model must be a torch.nn.Module or a fitted pybridge estimator with "
                f"network_ and to_tensor (CNNClassifier, UNetSegmenter, ...); got "
                f"{type(model).__name__}. For a scikit-learn estimator use "
                "permutation_importance"
            )
        if not isinstance(self.network, torch.nn.Module):
            raise TypeError(
                f"network_ must be a torch.nn.Module; got {type(self.network).__name__}"
            )
        self.mask_logit = 0.0
        threshold = getattr(self.estimator, "threshold_", None)
        if isinstance(threshold, (int, float, np.floating)) and 0 < float(threshold) < 1:
            # a segmenter predicts lesion where the probability exceeds its threshold
            self.mask_logit = float(np.log(threshold / (1 - threshold)))
        param = next(iter(self.network.parameters()), None)
        if self.estimator is not None and getattr(self.estimator, "device_", None) is not None:
            self.device = torch.device(self.estimator.device_)
        else:
            self.device = param.device if param is not None else torch.device("cpu")

    def tensor(self, images: Any) -> torch.Tensor:
        """Images -> float32 tensor (N, C, H, W) on the model's device, without history."""
        if self.estimator is not None:
            x = self.estimator.to_tensor(images)
        else:
            if isinstance(images, torch.Tensor):
                x = images.detach()
            else:
                a = np.asarray(images)
                if a.dtype.kind not in "biuf":
                    raise TypeError(
                        f"images must be a real or logical array; got {_describe(images)}"
                    )
                x = torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
            if x.ndim == 2:
                x = x[None, None]
            elif x.ndim == 3:
                x = x[:, None]
            elif x.ndim != 4:
                raise ValueError(
                    "images must be N x C x H x W (or N x H x W for one channel, H x W for "
                    f"one image); got {_describe(images)}"
                )
            x = x.to(device=self.device, dtype=torch.float32)
        if not isinstance(x, torch.Tensor) or x.ndim != 4:
            raise PyBridgeError(
                f"the model's to_tensor must return an N x C x H x W tensor; got {_describe(x)}"
            )
        return x.detach()

    def layer(self, layer: Any) -> torch.nn.Module:
        """Resolve ``layer`` (None, a name from ``named_modules``, or a module)."""
        named = dict(self.network.named_modules())
        if layer is None:
            convs = [
                (n, m)
                for n, m in named.items()
                if isinstance(m, torch.nn.Conv2d) and m.out_channels > 1
            ]
            if not convs:
                raise ValueError(
                    "the network has no Conv2d layer with more than one output channel; "
                    "name the layer to explain with layer='<name>' (one of "
                    f"{[n for n in named if n][:12]})"
                )
            return _block_output(named, *convs[-1])
        if isinstance(layer, str):
            if layer not in named or layer == "":
                close = difflib.get_close_matches(layer, [n for n in named if n], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                convs = [n for n, m in named.items() if isinstance(m, torch.nn.Conv2d)]
                raise ValueError(
                    f"the network has no layer named {layer!r}{hint}; its conv layers are {convs}"
                )
            return named[layer]
        if isinstance(layer, torch.nn.Module):
            if not any(m is layer for m in named.values()):
                raise ValueError("'layer' is a module that is not part of the model's network")
            return layer
        raise TypeError(
            f"'layer' must be None, a layer name (str) or a torch.nn.Module; got "
            f"{type(layer).__name__}"
        )


def _followers() -> tuple[type, ...]:
    nn = torch.nn
    return (
        nn.BatchNorm2d, nn.GroupNorm, nn.InstanceNorm2d, nn.LayerNorm, nn.Dropout, nn.Dropout2d,
        nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU,
        nn.Mish, nn.Identity,
    )  # fmt: skip


def _block_output(named: dict, name: str, conv: torch.nn.Module) -> torch.nn.Module:
    """The rectified output of a conv block: the conv, or the normalisation and
    activation modules that directly follow it in its ``nn.Sequential``."""
    parent_name, _, child = name.rpartition(".")
    parent = named.get(parent_name)
    if not isinstance(parent, torch.nn.Sequential):
        return conv
    children = list(parent.named_children())
    chosen = conv
    start = [c for c, _ in children].index(child) + 1
    for _, module in children[start:]:
        if not isinstance(module, _followers()):
            break
        chosen = module
    return chosen


@contextlib.contextmanager
def evaluating(network: torch.nn.Module) -> Iterator[None]:
    """Put every submodule in eval mode, then restore each one's own mode."""
    modes = [(m, m.training) for m in network.modules()]
    network.eval()
    try:
        yield
    finally:
        for m, mode in modes:
            m.training = mode


# --------------------------------------------------------------------------
# targets and scores
# --------------------------------------------------------------------------


@dataclass
class Target:
    """A target resolved for one batch.

    ``classes`` (N,) long for classifiers, ``region`` (N, H, W) float for
    segmenters; ``n_out`` is the number of output columns (1: one sigmoid).
    """

    classes: torch.Tensor | None = None
    region: torch.Tensor | None = None
    n_out: int = 1


def _as_2d(out: torch.Tensor) -> torch.Tensor:
    return out[:, None] if out.ndim == 1 else out


def resolve_target(
    out: torch.Tensor, target: Any, start: int = 0, *, mask_logit: float = 0.0
) -> Target:
    """Turn ``target`` into per-image classes or regions for the batch ``out``.

    ``start`` is the index of the batch's first image in the whole call (for
    per-image targets); ``mask_logit`` is the logit above which a segmenter's
    pixel is predicted lesion (0: probability 0.5).
    """
    out = out.detach()
    n = out.shape[0]
    if out.ndim in (1, 2):
        out2 = _as_2d(out)
        k = out2.shape[1]
        if target is None:
            classes = (out2[:, 0] > 0).long() if k == 1 else out2.argmax(1)
        else:
            t = np.asarray(target.detach().cpu() if isinstance(target, torch.Tensor) else target)
            if t.dtype.kind == "b" or t.dtype.kind not in "iuf" or np.any(t != np.round(t)):
                raise TypeError(
                    f"a classifier's target must be None, a class index or one index per "
                    f"image; got {_describe(t)}"
                )
            t = t.astype(np.int64)
            if t.ndim == 0:
                t = np.full(n, int(t))
            elif t.ndim == 1:
                t = t[start : start + n]
            else:
                raise ValueError(f"target must be one index or one per image; got shape {t.shape}")
            n_classes = 2 if k == 1 else k
            if t.size and (t.min() < 0 or t.max() >= n_classes):
                raise ValueError(
                    f"target class must be in 0..{n_classes - 1} for a model with {k} "
                    f"output{'s' if k > 1 else ''} (one sigmoid: 0 or 1); got {sorted(set(t))}"
                )
            classes = torch.from_numpy(t).to(out.device)
        return Target(classes=classes, n_out=k)
    if out.ndim == 4:
        if out.shape[1] != 1:
            raise ValueError(
                f"segmentation output must have one channel (N x 1 x H x W logits); got "
                f"shape {tuple(out.shape)}"
            )
        h, w = out.shape[-2:]
        if target is None:
            region = out[:, 0] > mask_logit
        else:
            r = np.asarray(target.detach().cpu() if isinstance(target, torch.Tensor) else target)
            if r.dtype != np.bool_:
                raise TypeError(
                    f"a segmenter's target must be None (the predicted mask) or a bool region "
                    f"H x W or N x H x W; got {_describe(r)}"
                )
            if r.ndim == 2:
                r = np.broadcast_to(r, (n, *r.shape))
            elif r.ndim == 3:
                r = r[start : start + n]
            if r.shape[-2:] != (h, w) or r.ndim != 3:
                raise ValueError(
                    f"target region must be {h} x {w} (the output size) or N x {h} x {w}; got "
                    f"shape {r.shape}"
                )
            region = torch.from_numpy(np.ascontiguousarray(r)).to(out.device)
        # an empty region (nothing predicted) explains the whole image
        empty = ~region.flatten(1).any(1)
        region = region.clone()
        region[empty] = True
        return Target(region=region.to(out.dtype), n_out=1)
    raise PyBridgeError(
        "the network's output must be N x K class logits or N x 1 x H x W segmentation "
        f"logits; got shape {tuple(out.shape)}"
    )


def score(out: torch.Tensor, target: Target) -> torch.Tensor:
    """Per-image score (N,) of the resolved target, differentiable."""
    if target.region is not None:
        return (out[:, 0] * target.region).flatten(1).sum(1)
    out2 = _as_2d(out)
    if target.n_out == 1:
        sign = target.classes.to(out2.dtype) * 2 - 1  # class 1 -> +logit, class 0 -> -logit
        return out2[:, 0] * sign
    return out2.gather(1, target.classes[:, None])[:, 0]


def batches(n: int, size: int) -> Iterator[slice]:
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
        raise ValueError(f"'batch_size' must be a positive int; got {size!r}")
    for i in range(0, n, size):
        yield slice(i, min(i + size, n))
