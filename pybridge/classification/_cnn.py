"""The course CNN and its scikit-learn-style estimator."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from torch import nn

from .._augment import Augmenter, make_augmenter
from .._errors import PyBridgeError
from .._inputs import InputProfile
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
    upgrade_params,
)
from ._inputs import as_binary_labels, as_image_stack

__all__ = ["CourseCNN", "CNNClassifier", "ARCHITECTURES"]

#: Values of the ``architecture=`` option: the course CNN (with the
#: ``filters``/``dense``/``dropout`` given). It is kept as the default: the
#: tuning settings showed no gain worth a larger network on 2 CPU cores.
ARCHITECTURES = ("course",)
_MONITORS = ("val_auc", "val_loss")


class CourseCNN(nn.Module):
    """Three conv-batchnorm-relu-maxpool blocks, dense, dropout, one logit.

    The course's architecture: 3 x 3 convolutions ('same' padding) with 8,
    16 and 32 filters, each followed by batch normalisation, ReLU and 2 x 2
    max pooling; then a dense layer of 10 units with ReLU, dropout 0.2 and a
    single output, the logit of class 1 (the course puts a sigmoid on it).
    For 60 x 60 inputs this has 21,701 trainable parameters (21,813 counting
    batch norm's running statistics, the course's Keras figure).

    Parameters
    ----------
    input_size : (int, int), default (60, 60)
    in_channels : int, default 1
    filters : sequence of int, default (8, 16, 32)
    dense : int, default 10
    dropout : float, default 0.2

    Examples
    --------
    >>> net = CourseCNN()
    >>> sum(p.numel() for p in net.parameters())
    21701
    >>> net(torch.zeros(2, 1, 60, 60)).shape
    torch.Size([2, 1])
    """

    def __init__(
        self,
        input_size: Sequence[int] = (60, 60),
        *,
        in_channels: int = 1,
        filters: Sequence[int] = (8, 16, 32),
        dense: int = 10,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        h, w = (int(s) for s in input_size)
        blocks = []
        c = in_channels
        for f in filters:
            blocks.append(
                nn.Sequential(
                    nn.Conv2d(c, f, 3, padding=1),
                    nn.BatchNorm2d(f),
                    nn.ReLU(),
                    nn.MaxPool2d(2),
                )
            )
            c = f
            h, w = h // 2, w // 2
        if h < 1 or w < 1:
            raise ValueError(
                f"input_size {tuple(input_size)} is too small for {len(filters)} pooling blocks "
                f"(needs at least {2 ** len(filters)} pixels a side)"
            )
        self.blocks = nn.ModuleList(blocks)
        self.dense = nn.Linear(c * h * w, dense)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(dense, 1)
        #: indices of blocks kept frozen (eval mode, no gradient) when training
        self.frozen: set[int] = set()

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features: (N, dense), after the dense layer's ReLU."""
        for block in self.blocks:
            x = block(x)
        return torch.relu(self.dense(torch.flatten(x, 1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(self.embed(x)))

    def train(self, mode: bool = True) -> CourseCNN:
        super().train(mode)
        for i in self.frozen:  # frozen blocks keep their batch-norm statistics
            self.blocks[i].eval()
        return self

    def freeze(self, blocks: Sequence[int]) -> None:
        """Freeze the given conv blocks (and unfreeze the others)."""
        self.frozen = {int(i) for i in blocks}
        for i, block in enumerate(self.blocks):
            for p in block.parameters():
                p.requires_grad_(i not in self.frozen)

    def reset_head(self, seed: int | None = None) -> None:
        """Re-initialise the dense layers (a new task's classifier head)."""
        if seed is not None:
            torch.manual_seed(int(seed))
        self.dense.reset_parameters()
        self.out.reset_parameters()


def _class_weights(class_weight: Any, y: np.ndarray) -> tuple[float, float]:
    if class_weight is None:
        return 1.0, 1.0
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"class_weight must be None, 'balanced' or a dict; got {class_weight!r}")
        counts = np.bincount(y, minlength=2).astype(float)
        if (counts == 0).any():
            return 1.0, 1.0
        w = len(y) / (2 * counts)
        return float(w[0]), float(w[1])
    if isinstance(class_weight, dict):
        try:
            return float(class_weight.get(0, class_weight.get("0", 1.0))), float(
                class_weight.get(1, class_weight.get("1", 1.0))
            )
        except (TypeError, ValueError) as err:
            raise ValueError(f"class_weight values must be numbers; got {class_weight!r}") from err
    raise TypeError(f"class_weight must be None, 'balanced' or a dict; got {type(class_weight).__name__}")


def _auc_metric(y: torch.Tensor, logits: torch.Tensor) -> float:
    from sklearn.metrics import roc_auc_score

    yy = y.numpy().ravel()
    if yy.min() == yy.max():
        return float("nan")
    return float(roc_auc_score(yy, logits.numpy().ravel()))


class CNNClassifier(BaseEstimator):
    """The course CNN as a scikit-learn-style binary classifier of image patches.

    The defaults were chosen on a family of synthetic data settings
    (:func:`pybridge.datasets.settings`, tuning settings only) and checked on
    held-out ones (``benchmarks/bench_defaults.py``):

    - on-the-fly augmentation (flips, rotations, small shifts and zooms);
    - class imbalance handled by a weighted loss (``class_weight='balanced'``);
    - a stratified validation split; early stopping on the validation AUC,
      which a few confident mistakes on the rare class do not swing as they
      swing the loss, with the best weights restored;
    - SGD with momentum and the learning rate halved on plateaus;
    - per-patch centring and a scale fitted on the training images, saved
      with the model together with the training images' class and value
      range (:class:`pybridge._inputs.InputProfile`).

    A :class:`NoBetterThanChanceWarning` is issued when the restored model
    does no better than chance on its own validation split.
    ``architecture='course'`` is the course's network. Same
    ``random_state`` on the CPU -> same weights.

    Parameters
    ----------
    architecture : {'course'}, default 'course'
        The course CNN: three conv-batchnorm-relu-maxpool blocks of
        ``filters``, a dense layer of ``dense`` units, ``dropout``, one logit.
    filters : tuple of int, default (8, 16, 32)
    dense : int, default 10
    dropout : float, default 0.2
    epochs : int, default 60
        Upper bound; early stopping usually ends sooner.
    batch_size : int, default 32
    optimizer : {'sgd', 'adam'}, default 'sgd'
    lr : float, default 0.003
    momentum : float, default 0.9
        SGD only.
    weight_decay : float, default 0.0
    validation_fraction : float, default 0.2
        Held out of ``X`` (stratified) unless ``fit`` gets ``X_val``/``y_val``.
    early_stopping : int or None, default 15
        Patience in epochs.
    monitor : {'val_auc', 'val_loss'}, default 'val_auc'
        What early stopping, the learning-rate schedule and the restored
        weights follow.
    lr_patience : int or None, default 4
        Epochs without improvement before the learning rate is halved.
    weight_average : float or None, default None
        Decay of an exponential moving average of the weights, updated after
        every step (e.g. 0.98); the average is validated and kept. Not a
        default: on the tuning data settings 0.99 and 0.95 scored the same
        mean AUC as without (+0.0001, +0.0011 over 9 fits;
        ``benchmarks/bench_defaults.py --part tune``).
    class_weight : None, 'balanced' or dict, default 'balanced'
        'balanced' weighs each class by ``N / (2 * count)``.
    augment : bool, dict or Augmenter, default True
        Flips, rotations, shifts and scaling on the fly (see
        :class:`pybridge._augment.Augmenter`).
    normalisation : {'patch', 'dataset'}, default 'patch'
        'patch' subtracts each patch's mean, 'dataset' the training mean;
        both divide by the training standard deviation.
    random_state : int or None, default 0
        Seeds the weights, the validation split, the batches and the
        augmentation; None draws fresh ones.
    seed : int or None, default None
        Alias of ``random_state`` kept for existing code; when given it wins.
    device : None, 'auto', str or torch.device, default None
        None: CUDA when torch sees a GPU.
    verbose : bool or int, default True
        True shows a progress bar over the epochs with the loss and the
        validation AUC; False shows nothing; 2 prints one line per epoch.
    progress : bool or None, default None
        Older switch of the progress bar; ``False`` hides it (with the older
        integer ``verbose=1``, one line per epoch takes its place).

    Attributes
    ----------
    network_ : CourseCNN
        In eval mode; ``network_(to_tensor(X))`` gives (N, 1) logits of class 1.
    device_ : torch.device
    history_ : dict of lists
        'loss', 'val_loss', 'val_auc', 'lr' per epoch, 'best_epoch'.
    classes_ : ndarray, array([0, 1])
    mean_, std_ : float
        Normalisation of the inputs, fitted on the training images.
    input_size_ : tuple of int
    input_profile_ : InputProfile
        Class and value range of the training images.

    Examples
    --------
    >>> from pybridge.datasets import microcalcifications
    >>> d = microcalcifications(64, seed=0)
    >>> clf = CNNClassifier(epochs=2, verbose=False).fit(d["images"], d["labels"])
    >>> clf.predict_proba(d["images"][:3]).shape
    (3, 2)
    """

    _estimator_name = "CNNClassifier"

    def __init__(
        self,
        *,
        architecture: str = "course",
        filters: tuple[int, ...] = (8, 16, 32),
        dense: int = 10,
        dropout: float = 0.2,
        epochs: int = 60,
        batch_size: int = 32,
        optimizer: str = "sgd",
        lr: float = 0.003,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        validation_fraction: float = 0.2,
        early_stopping: int | None = 15,
        monitor: str = "val_auc",
        lr_patience: int | None = 4,
        weight_average: float | None = None,
        class_weight: Any = "balanced",
        augment: Any = True,
        normalisation: str = "patch",
        random_state: int | None = 0,
        seed: int | None = None,
        device: Any = None,
        verbose: bool | int = True,
        progress: bool | None = None,
    ) -> None:
        self.architecture = architecture
        self.filters = filters
        self.dense = dense
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.monitor = monitor
        self.lr_patience = lr_patience
        self.weight_average = weight_average
        self.class_weight = class_weight
        self.augment = augment
        self.normalisation = normalisation
        self.random_state = random_state
        self.seed = seed
        self.device = device
        self.verbose = verbose
        self.progress = progress

    # ------------------------------------------------------------ building
    def _seed(self) -> int | None:
        return effective_seed(self.random_state, self.seed)

    def _arch(self) -> dict[str, Any]:
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}; got {self.architecture!r}")
        return {"filters": [int(f) for f in self.filters], "dense": int(self.dense), "dropout": float(self.dropout)}

    def _build_network(self, input_size: tuple[int, int]) -> CourseCNN:
        return CourseCNN(input_size, **self._arch())

    def _make_optimizer(self, params) -> torch.optim.Optimizer:
        name = str(self.optimizer).lower()
        if name == "sgd":
            return torch.optim.SGD(params, lr=self.lr, momentum=self.momentum, weight_decay=self.weight_decay)
        if name == "adam":
            return torch.optim.Adam(params, lr=self.lr, weight_decay=self.weight_decay)
        raise ValueError(f"optimizer must be 'sgd' or 'adam'; got {self.optimizer!r}")

    def _normalisation(self, X: np.ndarray) -> tuple[float, float]:
        if self.normalisation not in ("patch", "dataset"):
            raise ValueError(f"normalisation must be 'patch' or 'dataset'; got {self.normalisation!r}")
        return float(X.mean()), float(X.std()) or 1.0

    def _normalise(self, X: np.ndarray) -> np.ndarray:
        if self.normalisation == "patch":
            X = X - X.mean(axis=(1, 2, 3), keepdims=True)
        return (X - (0.0 if self.normalisation == "patch" else self.mean_)) / self.std_

    def _loss(self, y: np.ndarray):
        w0, w1 = _class_weights(self.class_weight, y)

        def loss_fn(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            weight = w0 + (w1 - w0) * target
            return nn.functional.binary_cross_entropy_with_logits(logits, target, weight=weight)

        return loss_fn

    def _fit_kwargs(self, X_val, y_val) -> dict[str, Any]:
        if X_val is not None:
            validation: Any = (self.to_tensor(X_val).cpu(), torch.from_numpy(y_val[:, None].astype(np.float32)))
        else:
            validation = self.validation_fraction
        if self.monitor not in _MONITORS:
            raise ValueError(f"monitor must be one of {_MONITORS}; got {self.monitor!r}")
        check_average(self.weight_average, "weight_average")
        bar, lines = show_progress(self.verbose, self.progress)
        return {
            "epochs": int(self.epochs),
            "batch_size": int(self.batch_size),
            "validation": validation,
            "early_stopping": self.early_stopping,
            "monitor": self.monitor,
            "lr_patience": self.lr_patience,
            "average": self.weight_average,
            "augment": make_augmenter(self.augment),
            "metric": _auc_metric,
            "metric_name": "val_auc",
            "device": self.device_,
            "seed": self._seed(),
            "progress": bar,
            "verbose": lines,
        }

    def _train(self, X_t: torch.Tensor, y_t: torch.Tensor, y: np.ndarray, fit_kwargs: dict) -> dict:
        net = self.network_
        opt = self._make_optimizer([p for p in net.parameters() if p.requires_grad])
        return fit_network(
            net, X_t, y_t, loss_fn=self._loss(y), optimizer=opt, stratify=y,
            desc=self._estimator_name, **fit_kwargs,
        )

    # ------------------------------------------------------------ public API
    def fit(self, X: Any, y: Any, *, X_val: Any = None, y_val: Any = None) -> CNNClassifier:
        """Train on images ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (N, H, W) or (N, 1, H, W)
            Grey-level patches, any real dtype.
        y : array-like of shape (N,)
            Labels 0/1.
        X_val, y_val : optional
            Explicit validation data (otherwise ``validation_fraction`` of X).

        Returns
        -------
        self
        """
        profile = InputProfile.of(X)
        Xa = as_image_stack(X)
        ya = as_binary_labels(y, Xa.shape[0])
        if len(np.unique(ya)) < 2:
            raise ValueError("y holds a single class; training needs examples of both 0 and 1")
        if (X_val is None) != (y_val is None):
            raise ValueError("pass both X_val and y_val, or neither")
        if X_val is not None:
            Xv = as_image_stack(X_val, name="X_val")
            y_val = as_binary_labels(y_val, Xv.shape[0], name="y_val")
            if Xv.shape[2:] != Xa.shape[2:]:
                raise ValueError(f"X_val images are {Xv.shape[2:]}; X images are {Xa.shape[2:]}")
        self.device_ = resolve_device(self.device)
        self.input_size_ = (int(Xa.shape[2]), int(Xa.shape[3]))
        self.mean_, self.std_ = self._normalisation(Xa)
        if self.normalisation == "patch":
            self.std_ = float((Xa - Xa.mean(axis=(1, 2, 3), keepdims=True)).std()) or 1.0
        self.classes_ = np.array([0, 1])
        self.input_profile_ = profile
        seed_everything(self._seed())
        self.network_ = self._build_network(self.input_size_).to(self.device_)
        X_t = torch.from_numpy(self._normalise(Xa))
        y_t = torch.from_numpy(ya[:, None].astype(np.float32))
        self.history_ = self._train(X_t, y_t, ya, self._fit_kwargs(X_val, y_val))
        self.network_.eval()
        check_chance(self.history_, "val_auc", self._chance_auc(ya, y_val), type(self).__name__)
        return self

    def _chance_auc(self, y: np.ndarray, y_val: Any) -> float | None:
        """The validation AUC a model that learned nothing exceeds only by luck (2 standard errors).

        The standard error of the AUC of random scores is
        sqrt((n0 + n1 + 1) / (12 n0 n1)) (the Mann-Whitney U statistic's).
        None when the validation split is too small to judge (< 10 per class).
        """
        if y_val is not None:
            yv = np.asarray(y_val)
        else:
            from .._training import split_train_val

            _, va = split_train_val(len(y), float(self.validation_fraction), stratify=y, seed=self._seed())
            yv = y[va]
        n1 = int((yv == 1).sum())
        n0 = len(yv) - n1
        if min(n0, n1) < 10:
            return None
        return 0.5 + 2 * float(np.sqrt((n0 + n1 + 1) / (12 * n0 * n1)))

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise PyBridgeError(f"this {type(self).__name__} is not trained yet; call fit(X, y) first")

    def to_tensor(self, X: Any) -> torch.Tensor:
        """Images as the network sees them: (N, 1, H, W) float32 on ``device_``, normalised.

        Raises
        ------
        ValueError
            When the images' size differs from the training size.
        """
        self._check_fitted()
        profile = getattr(self, "input_profile_", None)
        Xa = as_image_stack(X) if profile is None else profile.check(X)
        if tuple(Xa.shape[2:]) != tuple(self.input_size_):
            raise ValueError(
                f"images must be {self.input_size_[0]} x {self.input_size_[1]} like the training "
                f"patches; got {Xa.shape[2]} x {Xa.shape[3]} (crop or resize them first)"
            )
        return torch.from_numpy(self._normalise(Xa)).to(self.device_)

    def decision_function(self, X: Any) -> np.ndarray:
        """Logit of class 1, shape (N,)."""
        self._check_fitted()
        logits = predict_batches(self.network_, self.to_tensor(X), device=self.device_)
        return logits.reshape(-1).double().cpu().numpy()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (N, 2): columns P(0), P(1)."""
        p1 = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels 0/1, shape (N,), int64 (P(1) >= 0.5)."""
        return (self.decision_function(X) >= 0).astype(np.int64)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy on (X, y), as scikit-learn classifiers score."""
        ya = as_binary_labels(y, as_image_stack(X).shape[0])
        return float((self.predict(X) == ya).mean())

    def embed(self, X: Any) -> np.ndarray:
        """Penultimate-layer features, shape (N, dense), float32."""
        self._check_fitted()
        T = self.to_tensor(X)
        with torch.no_grad():
            feats = [self.network_.embed(T[i : i + 256]) for i in range(0, T.shape[0], 256)]
        return torch.cat(feats).cpu().numpy()

    # ------------------------------------------------------------ persistence
    def _params_json(self) -> dict[str, Any]:
        params = self.get_params()
        aug = params["augment"]
        if isinstance(aug, Augmenter):
            params["augment"] = aug.to_dict()
        if isinstance(params["class_weight"], dict):
            params["class_weight"] = {str(k): float(v) for k, v in params["class_weight"].items()}
        params["filters"] = [int(f) for f in params["filters"]]
        params["device"] = None
        return params

    def _meta(self) -> dict[str, Any]:
        profile = getattr(self, "input_profile_", None)
        return {
            "estimator": self._estimator_name,
            "params": self._params_json(),
            "architecture": {"name": "CourseCNN", "input_size": list(self.input_size_), **self._arch()},
            "normalisation": {"mean": self.mean_, "std": self.std_},
            "input_profile": None if profile is None else profile.to_dict(),
            "classes": [0, 1],
            "history": {k: [float(v) for v in vs] for k, vs in self.history_.items()},
        }

    def save(self, path: str | PathLike) -> None:
        """Save weights and metadata to a safetensors file (loads without running code)."""
        self._check_fitted()
        save_model(path, self.network_, self._meta())

    @classmethod
    def load(cls, path: str | PathLike, *, device: Any = None) -> CNNClassifier:
        """Load a model written by :meth:`save`.

        Raises
        ------
        PyBridgeError
            When the file holds another kind of model.
        """
        state, meta = load_model(path, expect=cls._estimator_name, hint="pybridge.classification.load(path)")
        return cls._from_saved(state, meta, device=device)

    @classmethod
    def _from_saved(cls, state: dict, meta: dict, *, device: Any = None) -> CNNClassifier:
        params = dict(meta["params"])
        if isinstance(params.get("class_weight"), dict):
            params["class_weight"] = {int(k): v for k, v in params["class_weight"].items()}
        params["filters"] = tuple(params["filters"])
        params["device"] = device
        params = upgrade_params(cls, params, meta)
        est = cls(**params)
        arch = meta["architecture"]
        est.input_size_ = tuple(arch["input_size"])
        est.device_ = resolve_device(device)
        est.mean_ = meta["normalisation"]["mean"]
        est.std_ = meta["normalisation"]["std"]
        est.classes_ = np.array([0, 1])
        est.input_profile_ = InputProfile.from_dict(meta.get("input_profile"))
        est.history_ = {k: list(v) for k, v in meta.get("history", {}).items()}
        net = CourseCNN(est.input_size_, filters=arch["filters"], dense=arch["dense"], dropout=arch["dropout"])
        load_weights(net, state, meta)
        est.network_ = net.to(est.device_).eval()
        return est
