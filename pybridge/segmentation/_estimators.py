"""Scikit-learn-style segmenters: CAESegmenter and UNetSegmenter."""

from __future__ import annotations

from os import PathLike
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from torch import nn

from .._augment import Augmenter, make_augmenter
from .._errors import PyBridgeError
from .._inputs import as_image_stack
from .._training import (
    fit_network,
    load_model,
    predict_batches,
    resolve_device,
    save_model,
    seed_everything,
    split_train_val,
)
from ..metrics import dice
from ._networks import CAE, PadToMultiple, UNet
from ._postprocess import check_steps, postprocess

__all__ = ["CAESegmenter", "UNetSegmenter", "load", "LOSSES"]

#: Values of the ``loss=`` option.
LOSSES = ("bce+dice", "dice", "bce")
_THRESHOLDS = np.round(np.arange(0.1, 0.91, 0.05), 2)


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------


def _as_masks(y: Any, shape: tuple[int, ...], *, name: str = "y") -> np.ndarray:
    """(N, H, W) or (N, 1, H, W) bool or 0/1 -> bool (N, H, W) matching images of ``shape``."""
    m = np.asarray(y)
    if m.ndim == 4 and m.shape[1] == 1:
        m = m[:, 0]
    want = (shape[0], *shape[2:])
    if m.shape != want:
        raise ValueError(f"{name} must be masks of shape {want} (one per image); got {m.shape}")
    if m.dtype != np.bool_:
        if m.dtype.kind not in "iuf" or not np.isin(m, (0, 1)).all():
            raise ValueError(
                f"{name} must be logical masks (bool or 0/1); got dtype {m.dtype} "
                "with other values (threshold it first, e.g. m > 0.5)"
            )
        m = m.astype(bool)
    return m


# --------------------------------------------------------------------------
# losses and metrics
# --------------------------------------------------------------------------


def _soft_dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    p = torch.sigmoid(logits).flatten(1)
    t = target.flatten(1)
    inter = (p * t).sum(1)
    return (1.0 - (2.0 * inter + 1.0) / (p.sum(1) + t.sum(1) + 1.0)).mean()


def _loss_fn(name: str):
    if name == "bce":
        return nn.functional.binary_cross_entropy_with_logits
    if name == "dice":
        return _soft_dice_loss
    if name == "bce+dice":

        def bce_dice(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            bce = nn.functional.binary_cross_entropy_with_logits(logits, target)
            return bce + _soft_dice_loss(logits, target)

        return bce_dice
    raise ValueError(f"loss must be one of {LOSSES}; got {name!r}")


def _val_dice(y: torch.Tensor, logits: torch.Tensor) -> float:
    pred = (logits[:, 0] > 0).numpy()
    return float(np.mean(dice(pred, y[:, 0].numpy() > 0.5, batch=True, empty=1.0)))


# --------------------------------------------------------------------------
# tiling
# --------------------------------------------------------------------------


def _starts(side: int, tile: int, step: int) -> list[int]:
    if side <= tile:
        return [0]
    s = list(range(0, side - tile + 1, step))
    if s[-1] != side - tile:
        s.append(side - tile)
    return s


def _ramp(n: int, overlap: int) -> np.ndarray:
    """1-D blending weights: linear ramps of ``overlap`` pixels at both ends, > 0 everywhere."""
    i = np.arange(n, dtype=np.float64)
    r = max(overlap, 1)
    return np.minimum(1.0, np.minimum(i + 1, n - i) / (r + 1))


def tiled_probabilities(
    network: nn.Module,
    X: torch.Tensor,
    *,
    tile: int | None,
    overlap: int,
    device: torch.device,
    batch_size: int = 16,
) -> np.ndarray:
    """Sigmoid of ``network`` over (N, C, H, W) images, tile by tile for large images.

    Tiles of ``tile x tile`` pixels overlapping by ``overlap`` are blended with
    linear weights, so any image size is handled in bounded memory. Images no
    larger than a tile (or ``tile=None``) go through the network whole.

    Returns
    -------
    ndarray of shape (N, H, W), float32 in [0, 1]
    """
    n, _, h, w = X.shape
    if tile is None or (h <= tile and w <= tile):
        logits = predict_batches(network, X, batch_size=batch_size, device=device)
        return torch.sigmoid(logits[:, 0]).float().cpu().numpy()
    th, tw = min(tile, h), min(tile, w)
    ys = _starts(h, th, max(1, th - overlap))
    xs = _starts(w, tw, max(1, tw - overlap))
    weight = np.outer(_ramp(th, overlap), _ramp(tw, overlap))
    out = np.empty((n, h, w), dtype=np.float32)
    for i in range(n):
        tiles = torch.stack([X[i, :, y : y + th, x : x + tw] for y in ys for x in xs])
        logits = predict_batches(network, tiles, batch_size=batch_size, device=device)
        probs = torch.sigmoid(logits[:, 0]).double().cpu().numpy()
        acc = np.zeros((h, w))
        norm = np.zeros((h, w))
        k = 0
        for y in ys:
            for x in xs:
                acc[y : y + th, x : x + tw] += weight * probs[k]
                norm[y : y + th, x : x + tw] += weight
                k += 1
        out[i] = acc / norm
    return out


# --------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------


class _Segmenter(BaseEstimator):
    """Shared training, inference and persistence of the segmenters."""

    _estimator_name = ""

    def _common_init(
        self,
        *,
        epochs,
        batch_size,
        lr,
        weight_decay,
        loss,
        validation_fraction,
        early_stopping,
        lr_patience,
        augment,
        threshold,
        postprocess,
        tile,
        tile_overlap,
        seed,
        device,
        progress,
        verbose,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.loss = loss
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.lr_patience = lr_patience
        self.augment = augment
        self.threshold = threshold
        self.postprocess = postprocess
        self.tile = tile
        self.tile_overlap = tile_overlap
        self.seed = seed
        self.device = device
        self.progress = progress
        self.verbose = verbose

    # subclasses: the architecture
    def _arch(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _build(arch: dict[str, Any]) -> nn.Module:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------ checks
    def _check_options(self) -> None:
        _loss_fn(self.loss)
        check_steps(self.postprocess)
        if not (
            self.threshold == "auto"
            or (isinstance(self.threshold, float | int) and 0 < self.threshold < 1)
        ):
            raise ValueError(
                f"threshold must be 'auto' or a number in (0, 1); got {self.threshold!r}"
            )
        if self.tile is not None and (
            int(self.tile) < 16 or int(self.tile_overlap) >= int(self.tile)
        ):
            raise ValueError(
                f"tile must be None or >= 16 and larger than tile_overlap; got tile={self.tile}, "
                f"tile_overlap={self.tile_overlap}"
            )

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise PyBridgeError(
                f"this {type(self).__name__} is not trained yet; call fit(X, y) first"
            )

    # ------------------------------------------------------------ training
    def fit(self, X: Any, y: Any, *, X_val: Any = None, y_val: Any = None):
        """Train on images ``X`` with masks ``y``.

        Parameters
        ----------
        X : array-like of shape (N, H, W) or (N, 1, H, W)
            Grey-level images, any real dtype, all the same size.
        y : array-like of shape (N, H, W) or (N, 1, H, W)
            Masks, bool or 0/1.
        X_val, y_val : optional
            Explicit validation data (otherwise ``validation_fraction`` of X
            is held out). Early stopping, the learning-rate schedule and the
            automatic threshold use it.

        Returns
        -------
        self
        """
        self._check_options()
        Xa = as_image_stack(X)
        ya = _as_masks(y, Xa.shape)
        if (X_val is None) != (y_val is None):
            raise ValueError("pass both X_val and y_val, or neither")
        self.device_ = resolve_device(self.device)
        self.mean_ = float(Xa.mean())
        self.std_ = float(Xa.std()) or 1.0
        if X_val is not None:
            Xv = as_image_stack(X_val, name="X_val")
            yv = _as_masks(y_val, Xv.shape, name="y_val")
            Xt, yt = Xa, ya
        elif self.validation_fraction:
            tr, va = split_train_val(Xa.shape[0], float(self.validation_fraction), seed=self.seed)
            Xt, yt, Xv, yv = Xa[tr], ya[tr], Xa[va], ya[va]
        else:
            Xt, yt, Xv, yv = Xa, ya, None, None

        def tensors(images, masks):
            x = torch.from_numpy((images - self.mean_) / self.std_)
            return x, torch.from_numpy(masks[:, None].astype(np.float32))

        X_t, y_t = tensors(Xt, yt)
        validation = tensors(Xv, yv) if Xv is not None and len(Xv) else None
        seed_everything(self.seed)
        self.network_ = PadToMultiple(self._build(self._arch())).to(self.device_)
        opt = torch.optim.Adam(
            self.network_.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        self.history_ = fit_network(
            self.network_,
            X_t,
            y_t,
            loss_fn=_loss_fn(self.loss),
            optimizer=opt,
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            validation=validation,
            early_stopping=self.early_stopping,
            lr_patience=self.lr_patience,
            augment=make_augmenter(self.augment),
            augment_targets=True,
            metric=_val_dice,
            metric_name="val_dice",
            device=self.device_,
            seed=self.seed,
            progress=self.progress,
            verbose=self.verbose,
            desc=self._estimator_name,
        )
        self.network_.eval()
        self.threshold_ = self._choose_threshold(Xv, yv)
        return self

    def _choose_threshold(self, Xv, yv) -> float:
        if self.threshold != "auto":
            return float(self.threshold)
        if Xv is None or not len(Xv):
            return 0.5
        p = self.predict_proba(Xv)
        scores = [np.mean(dice(p > t, yv, batch=True, empty=1.0)) for t in _THRESHOLDS]
        return float(_THRESHOLDS[int(np.argmax(scores))])

    # ------------------------------------------------------------ inference
    def to_tensor(self, X: Any) -> torch.Tensor:
        """Images as the network sees them: (N, 1, H, W) float32 on ``device_``, normalised.

        Any H and W: ``network_`` pads to its stride and crops back.
        """
        self._check_fitted()
        Xa = as_image_stack(X)
        return torch.from_numpy((Xa - self.mean_) / self.std_).to(self.device_)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Per-pixel lesion probability.

        Parameters
        ----------
        X : array-like of shape (N, H, W) or (N, 1, H, W), any H and W
            Images larger than ``tile`` are processed in overlapping tiles.

        Returns
        -------
        ndarray of shape (N, H, W), float32 in [0, 1]
        """
        self._check_fitted()
        Xa = as_image_stack(X)
        T = torch.from_numpy((Xa - self.mean_) / self.std_)
        tile = None if self.tile is None else int(self.tile)
        return tiled_probabilities(
            self.network_, T, tile=tile, overlap=int(self.tile_overlap), device=self.device_
        )

    def predict(self, X: Any) -> np.ndarray:
        """Lesion masks: ``predict_proba(X) > threshold_``, then ``postprocess`` steps.

        Returns
        -------
        ndarray of shape (N, H, W), bool
        """
        masks = self.predict_proba(X) > self.threshold_
        steps = check_steps(self.postprocess)
        return postprocess(masks, steps) if steps else masks

    def score(self, X: Any, y: Any) -> float:
        """Mean Dice of ``predict(X)`` against masks ``y`` (an image with both masks empty scores 1)."""
        Xa = as_image_stack(X)
        ya = _as_masks(y, Xa.shape)
        return float(np.mean(dice(self.predict(Xa), ya, batch=True, empty=1.0)))

    # ------------------------------------------------------------ persistence
    def _params_json(self) -> dict[str, Any]:
        params = self.get_params()
        if isinstance(params["augment"], Augmenter):
            params["augment"] = params["augment"].to_dict()
        for k, v in params.items():
            if isinstance(v, tuple):
                params[k] = list(v)
        params["device"] = None
        return params

    def save(self, path: str | PathLike) -> None:
        """Save weights and metadata to a safetensors file (loads without running code).

        Parameters
        ----------
        path : str or path-like
        """
        self._check_fitted()
        meta = {
            "estimator": self._estimator_name,
            "params": self._params_json(),
            "architecture": {"name": type(self.network_.net).__name__, **self._arch()},
            "normalisation": {"mean": self.mean_, "std": self.std_},
            "threshold": self.threshold_,
            "history": {k: [float(v) for v in vs] for k, vs in self.history_.items()},
        }
        save_model(path, self.network_, meta)

    @classmethod
    def load(cls, path: str | PathLike, *, device: Any = None):
        """Load a model written by :meth:`save`.

        Raises
        ------
        PyBridgeError
            When the file holds another kind of model.
        """
        state, meta = load_model(path, expect=cls._estimator_name, hint="pybridge.segmentation.load(path)")
        return cls._from_saved(state, meta, device=device)

    @classmethod
    def _from_saved(cls, state: dict, meta: dict, *, device: Any = None):
        params = dict(meta["params"])
        for k in ("filters", "postprocess"):
            if isinstance(params.get(k), list):
                params[k] = tuple(params[k])
        params["device"] = device
        est = cls(**params)
        est.device_ = resolve_device(device)
        est.mean_ = float(meta["normalisation"]["mean"])
        est.std_ = float(meta["normalisation"]["std"])
        est.threshold_ = float(meta["threshold"])
        est.history_ = {k: list(v) for k, v in meta.get("history", {}).items()}
        arch = {k: v for k, v in meta["architecture"].items() if k != "name"}
        net = PadToMultiple(cls._build(arch))
        net.load_state_dict(state)
        est.network_ = net.to(est.device_).eval()
        return est


_COMMON_DOC = """
    epochs : int, default 40
        Upper bound; early stopping usually ends sooner.
    batch_size : int, default 16
    lr : float, default 1e-3
        Adam's learning rate.
    weight_decay : float, default 0.0
    loss : {'bce+dice', 'dice', 'bce'}, default 'bce+dice'
        Per-pixel binary cross-entropy, soft Dice loss, or their sum.
    validation_fraction : float, default 0.2
        Held out of ``X`` unless ``fit`` gets ``X_val``/``y_val``.
    early_stopping : int or None, default 10
        Patience in epochs (on the validation loss; best weights kept).
    lr_patience : int or None, default 4
        Epochs without improvement before the learning rate is halved.
    augment : bool, dict or Augmenter, default False
        Flips, rotations, shifts and scaling on the fly, applied to images and
        masks alike (:class:`pybridge._augment.Augmenter`).
    threshold : 'auto' or float, default 'auto'
        Probability above which a pixel is lesion; 'auto' picks the value in
        0.10, 0.15, ..., 0.90 with the best mean Dice on the validation data.
    postprocess : None, str or tuple of str, default None
        Steps applied by ``predict``: 'largest' (largest connected component)
        and/or 'fill' (hole filling).
    tile : int or None, default 256
        Images larger than ``tile`` x ``tile`` are segmented in overlapping
        tiles (bounded memory, any size); None runs them whole.
    tile_overlap : int, default 32
    seed : int or None, default 0
        Same seed on the CPU -> same weights.
    device : None, 'auto', str or torch.device, default None
        None: CUDA when torch sees a GPU.
    progress : bool, default True
        tqdm bar over epochs.
    verbose : int, default 0

    Attributes
    ----------
    network_ : torch.nn.Module
        In eval mode; ``network_(to_tensor(X))`` gives (N, 1, H, W) logits for any H, W.
    device_ : torch.device
    history_ : dict of lists
        'loss', 'val_loss', 'val_dice', 'lr' per epoch, 'best_epoch'.
    threshold_ : float
    mean_, std_ : float
        Normalisation of the inputs.
"""


class CAESegmenter(_Segmenter):
    """Convolutional auto-encoder segmenter (the course architecture), scikit-learn style.

    Strided-convolution encoder, transposed-convolution decoder, no skip
    connections: coarse but fast. See :class:`UNetSegmenter` for the sharper one.

    Parameters
    ----------
    filters : tuple of int, default (16, 32, 64)
        Channels of the encoder levels (each halves the resolution).
    {common}
    Examples
    --------
    >>> from pybridge.datasets import masses
    >>> d = masses(24, size=32, seed=0)
    >>> seg = CAESegmenter(epochs=2, progress=False).fit(d["images"], d["masks"])
    >>> seg.predict(d["images"][:2]).shape
    (2, 32, 32)
    """

    _estimator_name = "CAESegmenter"

    def __init__(
        self,
        *,
        filters: tuple[int, ...] = (16, 32, 64),
        epochs: int = 40,
        batch_size: int = 16,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        loss: str = "bce+dice",
        validation_fraction: float = 0.2,
        early_stopping: int | None = 10,
        lr_patience: int | None = 4,
        augment: Any = False,
        threshold: str | float = "auto",
        postprocess: Any = None,
        tile: int | None = 256,
        tile_overlap: int = 32,
        seed: int | None = 0,
        device: Any = None,
        progress: bool = True,
        verbose: int = 0,
    ) -> None:
        self.filters = filters
        self._common_init(
            **{k: v for k, v in locals().items() if k not in ("self", "filters", "__class__")}
        )

    def _arch(self) -> dict[str, Any]:
        return {"filters": [int(f) for f in self.filters]}

    @staticmethod
    def _build(arch: dict[str, Any]) -> nn.Module:
        return CAE(filters=arch["filters"])


class UNetSegmenter(_Segmenter):
    """U-Net segmenter (encoder-decoder with skip connections), scikit-learn style.

    Parameters
    ----------
    width : int, default 16
        Channels of the first level (doubled at each level down).
    depth : int, default 3
        Number of 2 x 2 poolings.
    {common}
    Examples
    --------
    >>> from pybridge.datasets import masses
    >>> d = masses(24, size=32, seed=0)
    >>> seg = UNetSegmenter(width=4, epochs=2, progress=False).fit(d["images"], d["masks"])
    >>> seg.predict_proba(d["images"][:2]).shape
    (2, 32, 32)
    """

    _estimator_name = "UNetSegmenter"

    def __init__(
        self,
        *,
        width: int = 16,
        depth: int = 3,
        epochs: int = 40,
        batch_size: int = 16,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        loss: str = "bce+dice",
        validation_fraction: float = 0.2,
        early_stopping: int | None = 10,
        lr_patience: int | None = 4,
        augment: Any = False,
        threshold: str | float = "auto",
        postprocess: Any = None,
        tile: int | None = 256,
        tile_overlap: int = 32,
        seed: int | None = 0,
        device: Any = None,
        progress: bool = True,
        verbose: int = 0,
    ) -> None:
        self.width = width
        self.depth = depth
        self._common_init(
            **{
                k: v
                for k, v in locals().items()
                if k not in ("self", "width", "depth", "__class__")
            }
        )

    def _arch(self) -> dict[str, Any]:
        return {"width": int(self.width), "depth": int(self.depth)}

    @staticmethod
    def _build(arch: dict[str, Any]) -> nn.Module:
        return UNet(width=arch["width"], depth=arch["depth"])


CAESegmenter.__doc__ = CAESegmenter.__doc__.format(common=_COMMON_DOC)
UNetSegmenter.__doc__ = UNetSegmenter.__doc__.format(common=_COMMON_DOC)

_ESTIMATORS = {c._estimator_name: c for c in (CAESegmenter, UNetSegmenter)}


def load(path: str | PathLike, *, device: Any = None) -> CAESegmenter | UNetSegmenter:
    """Load any segmenter saved with ``est.save(path)``.

    Parameters
    ----------
    path : str or path-like
    device : None, 'auto', str or torch.device

    Returns
    -------
    CAESegmenter or UNetSegmenter

    Raises
    ------
    PyBridgeError
        When the file holds no segmenter.
    """
    state, meta = load_model(path)
    cls = _ESTIMATORS.get(meta.get("estimator"))
    if cls is None:
        raise PyBridgeError(
            f"{str(path)!r} holds a {meta.get('estimator')!r} model, not a segmenter "
            f"(expected one of {sorted(_ESTIMATORS)})"
        )
    return cls._from_saved(state, meta, device=device)
