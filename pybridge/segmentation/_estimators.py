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
from .._inputs import InputProfile, as_image_stack
from .._training import (
    check_average,
    check_chance,
    effective_seed,
    fit_network,
    load_model,
    load_weights,
    predict_batches,
    resolve_device,
    save_model,
    seed_everything,
    show_progress,
    split_train_val,
    upgrade_params,
)
from ..metrics import dice
from ._networks import ARCHITECTURES, build_network
from ._postprocess import check_steps, keep_overlapping, parse_rois, postprocess

__all__ = ["CAESegmenter", "UNetSegmenter", "load", "LOSSES", "tiled_probabilities"]

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


def _loss_fn(name: str):
    """The training loss: MONAI's soft Dice (+ binary cross-entropy) on sigmoid outputs.

    ``batch=True`` sums the Dice terms over the whole batch before the ratio,
    so a crop with a tiny or empty lesion cannot dominate the loss with a
    0-or-1 Dice of its own: the loss does not collapse to "predict nothing"
    on small foregrounds.
    """
    from monai.losses import DiceCELoss, DiceLoss

    if name == "bce":
        return nn.functional.binary_cross_entropy_with_logits
    if name == "dice":
        return DiceLoss(sigmoid=True, batch=True)
    if name == "bce+dice":
        return DiceCELoss(sigmoid=True, batch=True)
    raise ValueError(f"loss must be one of {LOSSES}; got {name!r}")


def _val_dice(y: torch.Tensor, logits: torch.Tensor) -> float:
    pred = (logits[:, 0] > 0).numpy()
    return float(np.mean(dice(pred, y[:, 0].numpy() > 0.5, batch=True, empty=1.0)))


# --------------------------------------------------------------------------
# tiling
# --------------------------------------------------------------------------


def tiled_probabilities(
    network: nn.Module,
    X: torch.Tensor,
    *,
    tile: int | tuple[int, int] | None,
    overlap: int,
    device: torch.device,
    batch_size: int = 16,
) -> np.ndarray:
    """Sigmoid of ``network`` over (N, C, H, W) images, by sliding windows for large images.

    MONAI's ``sliding_window_inference``: windows of ``tile`` pixels
    overlapping by ``overlap`` pixels, blended with Gaussian weights, so a
    network trained on crops sees windows like its training crops and any
    image size runs in bounded memory. Images no larger than a window (or
    ``tile=None``) go through the network whole.

    Returns
    -------
    ndarray of shape (N, H, W), float32 in [0, 1]
    """
    from monai.inferers import sliding_window_inference

    n, _, h, w = X.shape
    if tile is None:
        th = tw = None
    elif isinstance(tile, int | np.integer):
        th = tw = int(tile)
    else:
        th, tw = (int(t) for t in tile)
    if th is None or (h <= th and w <= tw):
        logits = predict_batches(network, X, batch_size=batch_size, device=device)
        return torch.sigmoid(logits[:, 0]).float().cpu().numpy()
    th, tw = min(th, h), min(tw, w)
    frac = min(0.9, max(0.0, float(overlap) / min(th, tw)))
    was_training = network.training
    network.eval()
    out = np.empty((n, h, w), dtype=np.float32)
    try:
        with torch.no_grad():
            for i in range(n):  # one image at a time: bounded memory for whole mammograms
                logits = sliding_window_inference(
                    X[i : i + 1].to(device), roi_size=(th, tw), sw_batch_size=batch_size,
                    predictor=network, overlap=frac, mode="gaussian", padding_mode="reflect",
                )
                out[i] = torch.sigmoid(logits[0, 0]).float().cpu().numpy()
    finally:
        network.train(was_training)
    return out


# --------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------


class _Segmenter(BaseEstimator):
    """Shared training, inference and persistence of the segmenters."""

    _estimator_name = ""
    _kind = ""

    def _common_init(self, **options) -> None:
        for name, value in options.items():
            setattr(self, name, value)

    def _seed(self) -> int | None:
        return effective_seed(self.random_state, self.seed)

    # subclasses: the architecture's sizes
    def _arch(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------ checks
    def _check_options(self) -> None:
        _loss_fn(self.loss)
        check_steps(self.postprocess)
        check_average(self.weight_average, "weight_average")
        if not (
            self.threshold == "auto"
            or (isinstance(self.threshold, float | int) and 0 < self.threshold < 1)
        ):
            raise ValueError(
                f"threshold must be 'auto' or a number in (0, 1); got {self.threshold!r}"
            )
        if self.tile is not None and self.tile != "auto" and (
            int(self.tile) < 16
            or (self.tile_overlap is not None and int(self.tile_overlap) >= int(self.tile))
        ):
            raise ValueError(
                f"tile must be 'auto', None or >= 16 and larger than tile_overlap; got tile={self.tile}, "
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

        Warns
        -----
        NoBetterThanChanceWarning
            When the validation Dice is no better than marking every pixel
            (or none) as lesion.
        """
        self._check_options()
        profile = InputProfile.of(X)
        Xa = as_image_stack(X)
        ya = _as_masks(y, Xa.shape)
        if (X_val is None) != (y_val is None):
            raise ValueError("pass both X_val and y_val, or neither")
        arch = self._arch()  # checks the architecture before any work
        self.device_ = resolve_device(self.device)
        self.input_profile_ = profile
        self.input_size_ = (int(Xa.shape[2]), int(Xa.shape[3]))
        self.mean_ = float(Xa.mean())
        self.std_ = float(Xa.std()) or 1.0
        # the typical contrast of one training image: ROI windows cut from other
        # images (whole mammograms) are brought to it before the network sees them
        self.image_std_ = float(np.median(Xa.std(axis=(1, 2, 3)))) or self.std_
        seed = self._seed()
        if X_val is not None:
            Xv = profile.check(X_val, name="X_val")
            yv = _as_masks(y_val, Xv.shape, name="y_val")
            Xt, yt = Xa, ya
        elif self.validation_fraction:
            tr, va = split_train_val(Xa.shape[0], float(self.validation_fraction), seed=seed)
            Xt, yt, Xv, yv = Xa[tr], ya[tr], Xa[va], ya[va]
        else:
            Xt, yt, Xv, yv = Xa, ya, None, None

        def tensors(images, masks):
            x = torch.from_numpy((images - self.mean_) / self.std_)
            return x, torch.from_numpy(masks[:, None].astype(np.float32))

        X_t, y_t = tensors(Xt, yt)
        validation = tensors(Xv, yv) if Xv is not None and len(Xv) else None
        seed_everything(seed)
        self.network_ = build_network(self._kind, arch).to(self.device_)
        opt = torch.optim.Adam(
            self.network_.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        bar, lines = show_progress(self.verbose, self.progress)
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
            monitor="val_dice" if validation is not None else "val_loss",
            lr_patience=self.lr_patience,
            average=self.weight_average,
            augment=make_augmenter(self.augment),
            augment_targets=True,
            metric=_val_dice,
            metric_name="val_dice",
            device=self.device_,
            seed=seed,
            progress=bar,
            verbose=lines,
            desc=self._estimator_name,
        )
        self.network_.eval()
        self.threshold_ = self._choose_threshold(Xv, yv)
        check_chance(self.history_, "val_dice", _chance_dice(yv), type(self).__name__)
        return self

    def _choose_threshold(self, Xv, yv) -> float:
        if self.threshold != "auto":
            return float(self.threshold)
        if Xv is None or not len(Xv):
            return 0.5
        p = self._probabilities(Xv)
        scores = [np.mean(dice(p > t, yv, batch=True, empty=1.0)) for t in _THRESHOLDS]
        return float(_THRESHOLDS[int(np.argmax(scores))])

    # ------------------------------------------------------------ inference
    def _prepare(self, X: Any) -> np.ndarray:
        profile = getattr(self, "input_profile_", None)
        return as_image_stack(X) if profile is None else profile.check(X)

    def to_tensor(self, X: Any) -> torch.Tensor:
        """Images as the network sees them: (N, 1, H, W) float32 on ``device_``, normalised.

        Any H and W: ``network_`` pads to its stride and crops back.
        """
        self._check_fitted()
        return torch.from_numpy((self._prepare(X) - self.mean_) / self.std_).to(self.device_)

    def _window(self):
        if self.tile is None:
            return None
        if self.tile == "auto":
            size = getattr(self, "input_size_", None)
            return tuple(size) if size is not None else 256
        return int(self.tile)

    def _probabilities(self, Xa: np.ndarray) -> np.ndarray:
        T = torch.from_numpy((Xa - self.mean_) / self.std_)
        return tiled_probabilities(
            self.network_, T, tile=self._window(), overlap=self._overlap(), device=self.device_
        )

    def _overlap(self) -> int:
        window = self._window()
        side = min(window) if isinstance(window, tuple) else (window or 0)
        if self.tile_overlap is None:
            # half a window: every pixel lies in the central half of some window, where the
            # network saw context on every side as in training
            return side // 2
        overlap = int(self.tile_overlap)
        return min(overlap, max(side - 1, 0)) if side else overlap

    def predict_proba(self, X: Any) -> np.ndarray:
        """Per-pixel lesion probability.

        Parameters
        ----------
        X : array-like of shape (N, H, W) or (N, 1, H, W), any H and W
            Same class and scale as the training images (uint8 0-255 images
            given to a model trained on 0-1 images are converted).
            Images larger than the window (``tile``) are processed by
            overlapping sliding windows with the training normalisation.

        Returns
        -------
        ndarray of shape (N, H, W), float32 in [0, 1]
        """
        self._check_fitted()
        return self._probabilities(self._prepare(X))

    def predict(self, X: Any, *, roi: Any = None) -> np.ndarray:
        """Lesion masks: ``predict_proba(X) > threshold_``, then ``postprocess`` steps.

        Parameters
        ----------
        X : array-like of shape (N, H, W) or (N, 1, H, W), any H and W
        roi : (row0, col0, row1, col1) or N of them, optional
            The region a lesion was marked in (0-based, end-exclusive, as the
            legacy method takes it). The network then segments a window
            around the ROI, as the legacy method does: of the training
            images' shape, ``ROI_CONTEXT`` times as large as needed to hold
            the ROI, centred on it, resampled to the training images' size and brought to their
            typical mean and contrast (see :meth:`predict_roi_proba`); of
            the result only the connected components that overlap the ROI
            are kept, and of them only what lies inside it. A model trained
            on crops so sees a lesion of a whole mammogram at the scale and
            contrast of its training crops (``benchmarks/bench_defaults.py``,
            part ``whole``).

        Returns
        -------
        ndarray of shape (N, H, W), bool
        """
        if roi is None:
            masks = self.predict_proba(X) > self.threshold_
        else:
            masks = self.predict_roi_proba(X, roi) > self.threshold_
            masks = keep_overlapping(masks, roi, clip=True)
        steps = check_steps(self.postprocess)
        return postprocess(masks, steps) if steps else masks

    #: Size of the window segmented around an ROI, relative to the smallest window
    #: of the training images' shape that holds the ROI.
    #: Training crops hold their lesion in 25-50% of their side (``datasets.masses``
    #: and the course's crops alike); an ROI drawn with a margin round the lesion
    #: fills about two thirds of a window 1.5 times its side, which puts the lesion
    #: at that scale.
    ROI_CONTEXT = 1.5

    def _image_std(self) -> float:
        # models saved before this was recorded did not keep the per-image contrast: the
        # dataset's standard deviation is the nearest figure they have
        return float(getattr(self, "image_std_", self.std_))

    def predict_roi_proba(self, X: Any, roi: Any) -> np.ndarray:
        """Lesion probability in a window round each image's ROI (0 elsewhere).

        The window (the training images' shape, ``ROI_CONTEXT`` times as
        large as needed to hold the ROI, centred on it, mirrored at the image
        border) is resampled to the training images' size with antialiasing, shifted and scaled to the training
        images' mean and median contrast, normalised as in training,
        segmented, and its probabilities resampled back onto the image.

        Parameters
        ----------
        X : array-like of shape (N, H, W) or (N, 1, H, W)
        roi : (row0, col0, row1, col1) or N of them (0-based, end-exclusive)

        Returns
        -------
        ndarray of shape (N, H, W), float32 in [0, 1]
        """
        import torch.nn.functional as F

        self._check_fitted()
        Xa = self._prepare(X)
        n, _, h, w = Xa.shape
        boxes = parse_rois(roi, n, h, w)
        size = getattr(self, "input_size_", None)
        out = np.zeros((n, h, w), dtype=np.float32)
        for i, (r0, c0, r1, c1) in enumerate(boxes):
            # the window has the training images' shape (no distortion when they are not
            # square) and holds the ROI with ROI_CONTEXT times its extent round it
            th, tw = (int(v) for v in size) if size is not None else (1, 1)
            scale = max((r1 - r0) / th, (c1 - c0) / tw) * self.ROI_CONTEXT
            wh, ww = max(2, int(round(th * scale))), max(2, int(round(tw * scale)))
            top = int(round((r0 + r1 - wh) / 2))
            left = int(round((c0 + c1 - ww) / 2))
            rows = _mirror_index(np.arange(top, top + wh), h)
            cols = _mirror_index(np.arange(left, left + ww), w)
            window = torch.from_numpy(Xa[i][:, rows[:, None], cols])[None]  # one copy
            target = (th, tw) if size is not None else (wh, ww)
            small = F.interpolate(window, size=target, mode="bilinear", antialias=True, align_corners=False)
            spread = float(small.std())
            if spread > 0:
                small = (small - small.mean()) / spread * self._image_std() + self.mean_
            prob = tiled_probabilities(
                self.network_, (small - self.mean_) / self.std_, tile=None, overlap=0, device=self.device_
            )
            back = F.interpolate(
                torch.from_numpy(prob)[None], size=(wh, ww), mode="bilinear", align_corners=False
            )[0, 0].numpy()
            ra, rb = max(top, 0), min(top + wh, h)
            ca, cb = max(left, 0), min(left + ww, w)
            out[i, ra:rb, ca:cb] = back[ra - top : rb - top, ca - left : cb - left]
        return out

    def score(self, X: Any, y: Any) -> float:
        """Mean Dice of ``predict(X)`` against masks ``y`` (an image with both masks empty scores 1)."""
        Xa = as_image_stack(X)
        ya = _as_masks(y, Xa.shape)
        return float(np.mean(dice(self.predict(X), ya, batch=True, empty=1.0)))

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
        profile = getattr(self, "input_profile_", None)
        meta = {
            "estimator": self._estimator_name,
            "params": self._params_json(),
            "architecture": self._arch(),
            "normalisation": {"mean": self.mean_, "std": self.std_, "image_std": self._image_std()},
            "input_profile": None if profile is None else profile.to_dict(),
            "input_size": list(getattr(self, "input_size_", ())) or None,
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
            When the file holds another kind of model, or a network this
            version cannot rebuild (the message names the file's format).
        """
        state, meta = load_model(path, expect=cls._estimator_name, hint="pybridge.segmentation.load(path)")
        return cls._from_saved(state, meta, device=device, path=path)

    @classmethod
    def _from_saved(cls, state: dict, meta: dict, *, device: Any = None, path: Any = None):
        params = dict(meta["params"])
        for k in ("filters", "postprocess"):
            if isinstance(params.get(k), list):
                params[k] = tuple(params[k])
        params["device"] = device
        params = upgrade_params(cls, params, meta)
        est = cls(**params)
        est.device_ = resolve_device(device)
        est.mean_ = float(meta["normalisation"]["mean"])
        est.std_ = float(meta["normalisation"]["std"])
        if meta["normalisation"].get("image_std") is not None:  # recorded by newer saves
            est.image_std_ = float(meta["normalisation"]["image_std"])
        est.threshold_ = float(meta["threshold"])
        est.input_profile_ = InputProfile.from_dict(meta.get("input_profile"))
        if meta.get("input_size"):
            est.input_size_ = tuple(int(v) for v in meta["input_size"])
        est.history_ = {k: list(v) for k, v in meta.get("history", {}).items()}
        net = build_network(cls._kind, dict(meta["architecture"]))
        load_weights(net, state, meta, path)
        est.network_ = net.to(est.device_).eval()
        return est


def _mirror_index(idx: np.ndarray, n: int) -> np.ndarray:
    """Indices reflected into 0..n-1 at both ends (``numpy.pad``'s 'symmetric' mode)."""
    period = 2 * n
    idx = np.mod(idx, period)
    return np.where(idx < n, idx, period - 1 - idx)


def _chance_dice(yv: np.ndarray | None) -> float | None:
    """The better mean validation Dice of two masks that need no learning: all lesion, or none."""
    if yv is None or len(yv) < 5:
        return None
    full = np.ones_like(yv)
    return float(max(
        np.mean(dice(full, yv, batch=True, empty=1.0)),
        np.mean(dice(np.zeros_like(yv), yv, batch=True, empty=1.0)),
    ))


_COMMON_DOC = """
    epochs : int, default 60
        Upper bound; early stopping usually ends sooner.
    batch_size : int, default 16
    lr : float, default 2e-3
        Adam's learning rate.
    weight_decay : float, default 0.0
    loss : {'bce+dice', 'dice', 'bce'}, default 'bce+dice'
        MONAI's ``DiceCELoss`` (soft Dice plus binary cross-entropy),
        ``DiceLoss``, or per-pixel binary cross-entropy. The Dice terms are
        summed over the batch (``batch=True``), so small lesions do not make
        the loss collapse to an empty mask.
    validation_fraction : float, default 0.2
        Held out of ``X`` unless ``fit`` gets ``X_val``/``y_val``.
    early_stopping : int or None, default 12
        Patience in epochs (on the validation Dice; the best weights are
        restored).
    lr_patience : int or None, default 4
        Epochs without improvement before the learning rate is halved.
    weight_average : float or None, default None
        Decay of an exponential moving average of the weights (and batch
        norm's statistics), updated after every step (e.g. 0.98); the average
        is validated and kept. Not a default: on the tuning data settings
        0.98 scored +0.004 mean Dice for the CAE (better in 8 of 9 fits, at
        1.4 times the training time) and 0.99 -0.006; for the U-Net 0.98
        scored the same mean (-0.0001), one fit ending 0.037 short
        (``benchmarks/bench_defaults.py --part tune``).
    augment : bool, dict or Augmenter, default True
        Flips, rotations, shifts, scaling and intensity changes on the fly,
        applied to images and masks alike (:class:`pybridge._augment.Augmenter`).
    threshold : 'auto' or float, default 'auto'
        Probability above which a pixel is lesion; 'auto' picks the value in
        0.10, 0.15, ..., 0.90 with the best mean Dice on the validation data.
    postprocess : None, str or tuple of str, default None
        Steps applied by ``predict``: 'largest' (largest connected component)
        and/or 'fill' (hole filling).
    tile : 'auto', int or None, default 'auto'
        Images larger than the window are segmented by MONAI's sliding-window
        inference: 'auto' uses windows of the training images' size (what the
        network saw), an int a square window of that side, None runs images
        whole.
    tile_overlap : int or None, default None
        Overlap of neighbouring windows, in pixels (Gaussian blending); None:
        half a window.
    random_state : int or None, default 0
        Same value on the CPU -> same weights; None draws fresh ones.
    seed : int or None, default None
        Alias of ``random_state`` kept for existing code; when given it wins.
    device : None, 'auto', str or torch.device, default None
        None: CUDA when torch sees a GPU.
    verbose : bool or int, default True
        True shows a progress bar over the epochs with the loss and the
        validation Dice; False shows nothing; 2 prints one line per epoch.
    progress : bool or None, default None
        Older switch of the progress bar; ``False`` hides it.

    Attributes
    ----------
    network_ : torch.nn.Module
        In eval mode; ``network_(to_tensor(X))`` gives (N, 1, H, W) logits for any H, W.
    device_ : torch.device
    history_ : dict of lists
        'loss', 'val_loss', 'val_dice', 'lr' per epoch, 'best_epoch'.
    threshold_ : float
    mean_, std_ : float
        Normalisation of the inputs, fitted on the training images.
    input_size_ : tuple of int
        Size of the training images (the sliding window's, with ``tile='auto'``).
    input_profile_ : InputProfile
        Class and value range of the training images.
"""

#: The CAE's encoder channels when ``filters`` is not given, per architecture.
CAE_FILTERS = {"monai": (16, 32, 64, 128), "course": (16, 32, 64)}


class CAESegmenter(_Segmenter):
    """Convolutional auto-encoder segmenter, scikit-learn style.

    Encoder of strided convolutions, decoder of transposed convolutions, no
    skip connections: coarse but fast. ``architecture='monai'`` is MONAI's
    ``AutoEncoder`` (residual units, batch norm); ``'course'`` the course's
    network (:class:`~pybridge.segmentation.CAE`). See
    :class:`UNetSegmenter` for the sharper one.

    Parameters
    ----------
    architecture : {'monai', 'course'}, default 'monai'
    filters : tuple of int, optional
        Channels of the encoder levels (each halves the resolution). By
        default (16, 32, 64, 128) for ``'monai'`` and the course's
        (16, 32, 64) for ``'course'``. Without skip connections the code is
        all the decoder has: the fourth level (a 64-pixel crop coded at 4 x 4)
        scored a mean Dice of 0.847 over the tuning data settings against
        0.822 with three levels (higher in 8 of 9 fits: 3 settings, 3
        seeds) in the same training time (about 30 s of CPU a fit on 2
        cores); two levels scored 0.734, five 0.841
        (``benchmarks/bench_defaults.py --part tune --tune-seeds 0 1 2``).
    {common}
    Examples
    --------
    >>> from pybridge.datasets import masses
    >>> d = masses(24, size=32, seed=0)
    >>> seg = CAESegmenter(epochs=2, verbose=False).fit(d["images"], d["masks"])
    >>> seg.predict(d["images"][:2]).shape
    (2, 32, 32)
    """

    _estimator_name = "CAESegmenter"
    _kind = "cae"

    def __init__(
        self,
        *,
        architecture: str = "monai",
        filters: tuple[int, ...] | None = None,
        epochs: int = 60,
        batch_size: int = 16,
        lr: float = 2e-3,
        weight_decay: float = 0.0,
        loss: str = "bce+dice",
        validation_fraction: float = 0.2,
        early_stopping: int | None = 12,
        lr_patience: int | None = 4,
        weight_average: float | None = None,
        augment: Any = True,
        threshold: str | float = "auto",
        postprocess: Any = None,
        tile: Any = "auto",
        tile_overlap: int | None = None,
        random_state: int | None = 0,
        seed: int | None = None,
        device: Any = None,
        verbose: bool | int = True,
        progress: bool | None = None,
    ) -> None:
        self._common_init(**{k: v for k, v in locals().items() if k not in ("self", "__class__")})

    def _arch(self) -> dict[str, Any]:
        if self.architecture not in ARCHITECTURES["cae"]:
            raise ValueError(f"architecture must be one of {ARCHITECTURES['cae']}; got {self.architecture!r}")
        filters = self.filters if self.filters is not None else CAE_FILTERS[self.architecture]
        return {"name": self.architecture, "filters": [int(f) for f in filters]}


class UNetSegmenter(_Segmenter):
    """U-Net segmenter (encoder-decoder with skip connections), scikit-learn style.

    ``architecture='course'`` is the course's U-Net
    (:class:`~pybridge.segmentation.UNet`: double convolutions, max pooling,
    transposed convolutions), ``'monai'`` MONAI's ``UNet`` (strided
    convolutions, residual units, batch norm), ``'basic'`` MONAI's
    ``BasicUNet`` (4 poolings; ``depth`` is ignored).

    The course's network is the default because it segments better: trained
    the same way (augmentation, Dice + BCE, early stopping on the validation
    Dice), it scored a mean Dice of 0.900 over the tuning data settings
    against 0.871 for MONAI's ``UNet`` and 0.886 for MONAI's at twice the
    width, higher on each of the three settings, in 36-69 s of training on
    2 CPU cores (``benchmarks/bench_defaults.py --part tune``). MONAI's
    networks stay available by name.

    Parameters
    ----------
    architecture : {'course', 'monai', 'basic'}, default 'course'
    width : int, default 16
        Channels of the first level (doubled at each level down).
    depth : int, default 3
        Number of down-samplings.
    {common}
    Examples
    --------
    >>> from pybridge.datasets import masses
    >>> d = masses(24, size=32, seed=0)
    >>> seg = UNetSegmenter(width=4, epochs=2, verbose=False).fit(d["images"], d["masks"])
    >>> seg.predict_proba(d["images"][:2]).shape
    (2, 32, 32)
    """

    _estimator_name = "UNetSegmenter"
    _kind = "unet"

    def __init__(
        self,
        *,
        architecture: str = "course",
        width: int = 16,
        depth: int = 3,
        epochs: int = 60,
        batch_size: int = 16,
        lr: float = 2e-3,
        weight_decay: float = 0.0,
        loss: str = "bce+dice",
        validation_fraction: float = 0.2,
        early_stopping: int | None = 12,
        lr_patience: int | None = 4,
        weight_average: float | None = None,
        augment: Any = True,
        threshold: str | float = "auto",
        postprocess: Any = None,
        tile: Any = "auto",
        tile_overlap: int | None = None,
        random_state: int | None = 0,
        seed: int | None = None,
        device: Any = None,
        verbose: bool | int = True,
        progress: bool | None = None,
    ) -> None:
        self._common_init(**{k: v for k, v in locals().items() if k not in ("self", "__class__")})

    def _arch(self) -> dict[str, Any]:
        if self.architecture not in ARCHITECTURES["unet"]:
            raise ValueError(
                f"architecture must be one of {ARCHITECTURES['unet']}; got {self.architecture!r}"
            )
        return {"name": self.architecture, "width": int(self.width), "depth": int(self.depth)}


CAESegmenter.__doc__ = CAESegmenter.__doc__.replace("{common}", _COMMON_DOC)
UNetSegmenter.__doc__ = UNetSegmenter.__doc__.replace("{common}", _COMMON_DOC)

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
    return cls._from_saved(state, meta, device=device, path=path)
