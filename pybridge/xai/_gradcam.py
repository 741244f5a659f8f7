"""Grad-CAM (Selvaraju et al., 2017).

captum's ``LayerGradCam`` (with ``relu_attributions=True`` and bilinear
upsampling) is the reference the tests check this against, map for map. The
computation is kept here because it is shorter than adapting captum to what
pybridge needs around it: one hook that also explains a segmenter's region
(the sum of the logits inside a mask) and a single-logit model's class 0, the
layers before the explained one run without autograd, the model's
``requires_grad`` flags and ``.grad`` are left untouched, and a layer that
runs twice in one pass is refused instead of silently mixed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .._errors import PyBridgeError
from ._model import Explained, batches, evaluating, resolve_target, score

__all__ = ["gradcam"]


def gradcam(
    model: Any,
    images: Any,
    *,
    target: Any = None,
    layer: Any = None,
    normalize: bool = False,
    batch_size: int = 64,
) -> np.ndarray:
    """Grad-CAM heatmaps: where a convolutional layer saw evidence for the target.

    The three steps of Grad-CAM: the gradients of the target score with
    respect to the layer's activations ``A`` (N x K x h x w) are averaged
    over the spatial axes into one weight per channel; the map is the ReLU
    of the weighted sum of the channels; it is then upsampled bilinearly
    (``align_corners=False``) to the input size. This is what captum's
    ``LayerGradCam(relu_attributions=True)`` followed by bilinear
    interpolation, and MONAI's ``GradCAM`` without post-processing, compute.

    Parameters
    ----------
    model : pybridge estimator or torch.nn.Module
        A fitted :class:`~pybridge.classification.CNNClassifier` or segmenter
        (images go through its ``to_tensor``), or a network taking N x C x H x W.
    images : array-like of shape (N, H, W) or (N, C, H, W)
        The images, as the model takes them (numpy or torch).
    target : None, int, array of int of shape (N,), or bool array
        Classifier: the class to explain, one for all or one per image;
        None explains each image's predicted class. For a single-sigmoid
        model class 1's score is the logit and class 0's the negated logit.
        Segmenter: the score is the sum of the logits inside a region,
        a bool H x W or N x H x W array; None takes the predicted mask
        (probability above the estimator's ``threshold_``, else 0.5; the
        whole image where nothing is predicted).
    layer : None, str or torch.nn.Module
        The layer to explain: a name from ``network.named_modules()`` (for an
        estimator, names inside ``network_``) or the module itself. Default:
        the rectified feature maps of the last convolution, as Selvaraju et
        al. use them: the last ``Conv2d`` with more than one output channel,
        or, when it sits in an ``nn.Sequential``, the last of the
        normalisation/activation modules directly after it (for the course
        CNN, the ReLU of the third block, before its max pooling).
    normalize : bool, default False
        Divide each map by its maximum (maps that are all zero stay zero).
    batch_size : int, default 64
        Images per forward/backward pass.

    Returns
    -------
    ndarray of shape (N, H, W), float32
        Non-negative heatmaps at the input's size.

    Raises
    ------
    ValueError
        Unknown layer, a target out of range, a layer whose output is not
        N x K x h x w.
    PyBridgeError
        The layer is not on the path to the output, or is called twice in
        one forward pass.

    Notes
    -----
    The model is left as it was: hooks are removed, every submodule's
    train/eval mode is restored, ``requires_grad`` is not touched and no
    ``.grad`` is written (gradients come from :func:`torch.autograd.grad`).
    The layers before the explained one run without autograd.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
    ...                           torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
    ...                           torch.nn.Linear(4, 1))
    >>> maps = gradcam(net, torch.rand(2, 1, 16, 16))
    >>> maps.shape, bool((maps >= 0).all())
    ((2, 16, 16), True)
    """
    model_ = Explained(model)
    net = model_.network
    x_all = model_.tensor(images)
    module = model_.layer(layer)
    n, _, h, w = x_all.shape
    out_maps = np.empty((n, h, w), dtype=np.float32)
    with evaluating(net):
        for sl in batches(n, batch_size):
            cam = _gradcam_batch(net, module, x_all[sl], target, sl.start, model_.mask_logit)
            out_maps[sl] = cam.cpu().numpy()
    if normalize:
        peak = out_maps.reshape(n, -1).max(1) if n else np.zeros(0, np.float32)
        scale = np.where(peak > 0, peak, 1).astype(np.float32)
        out_maps /= scale[:, None, None]
    return out_maps


def _gradcam_batch(
    net: torch.nn.Module,
    module: torch.nn.Module,
    x: torch.Tensor,
    target: Any,
    start: int,
    mask_logit: float,
) -> torch.Tensor:
    store: dict[str, torch.Tensor] = {}

    def hook(_mod, _inputs, output):
        if "acts" in store:
            raise PyBridgeError(
                "the explained layer ran twice in one forward pass (a shared module); "
                "name a layer that runs once with layer='<name>'"
            )
        if not isinstance(output, torch.Tensor) or output.ndim != 4:
            raise ValueError(
                "Grad-CAM needs a layer whose output is an N x K x h x w tensor; the chosen "
                f"layer gives {type(output).__name__}"
                + (f" of shape {tuple(output.shape)}" if isinstance(output, torch.Tensor) else "")
            )
        # From here on autograd records; the activations become the leaf we
        # differentiate with respect to. A clone goes downstream so that an
        # in-place op after the layer (ReLU(inplace=True)) cannot touch them.
        torch.set_grad_enabled(True)
        acts = output.detach().requires_grad_(True)
        store["acts"] = acts
        return acts.clone()

    handle = module.register_forward_hook(hook)
    try:
        with torch.no_grad():  # restores the caller's grad mode on exit
            out = net(x)
            if "acts" not in store:
                raise PyBridgeError("the explained layer did not run in the forward pass")
            tgt = resolve_target(out, target, start, mask_logit=mask_logit)
            s = score(out, tgt)
            acts = store["acts"]
            grads = (
                torch.autograd.grad(s.sum(), acts, allow_unused=True)[0]
                if s.requires_grad
                else None
            )
            if grads is None:
                raise PyBridgeError(
                    "the model's output does not depend on the explained layer; choose a "
                    "layer on the path to the output"
                )
            torch.set_grad_enabled(False)
            weights = grads.mean(dim=(2, 3), keepdim=True)
            cam = F.relu((weights * acts).sum(1, keepdim=True))
            cam = F.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)
    finally:
        handle.remove()
    return cam[:, 0].detach()
