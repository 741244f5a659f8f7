"""Transfer learning with the lecture's three strategies, from a source model pybridge pretrains.

No weights can be downloaded, so the source model is the course CNN trained
by :func:`build_source_model` on a related synthetic source task: bright
specks and clusters imaged differently (smaller pixels, coarser texture,
more noise, higher contrast, clusters anywhere in the patch). The package
ships one (``pybridge/_data/microcalc_source.safetensors``, about 90 kB);
``build_source_model()`` rebuilds it (1200 source patches, seed 0, CPU;
identical weights with the same torch build and thread count, a few
minutes on two cores).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._errors import PyBridgeError
from .._training import fit_network, load_model
from ._cnn import CNNClassifier, CourseCNN

__all__ = ["TransferClassifier", "STRATEGIES", "build_source_model", "source_model_path", "source_task"]

#: The lecture's strategies: CNN as fixed feature extractor, gradual unfreezing
#: with discriminative learning rates, fine-tuning of every layer.
STRATEGIES = ("feature_extractor", "gradual", "fine_tune")

_SOURCE_FILE = "microcalc_source.safetensors"
_SOURCE_SEED = 20240


def source_model_path() -> Path:
    """Where the shipped source model lies (inside the installed package)."""
    return Path(__file__).resolve().parent.parent / "_data" / _SOURCE_FILE


def source_task(n: int, *, seed: int = _SOURCE_SEED) -> dict[str, np.ndarray]:
    """The synthetic source task: 60 x 60 patches with or without a speck cluster.

    Differs from the default :func:`pybridge.datasets.microcalcifications`
    on purpose (a related task, not the same one): 70 um pixels, texture
    exponent 2.5, more noise, higher contrast, clusters anywhere.
    """
    from ..datasets import microcalcifications

    return microcalcifications(
        n, seed=seed, pixel_mm=0.07, beta=2.5, noise=0.04, contrast=(0.2, 0.4),
        distractors=(0, 2), jitter=0.3,
    )


def build_source_model(
    path: str | PathLike | None = None,
    *,
    n: int = 1200,
    epochs: int = 40,
    seed: int = 0,
    progress: bool = False,
) -> Path:
    """Pretrain the course CNN on :func:`source_task` and save it.

    Parameters
    ----------
    path : str, path-like or None
        Target file; None writes the package's own source model
        (:func:`source_model_path`).
    n : int, default 1200
        Source-task patches.
    epochs : int, default 40
    seed : int, default 0
    progress : bool, default False

    Returns
    -------
    pathlib.Path
        The file written (a :class:`CNNClassifier` file, loadable with
        ``CNNClassifier.load``).
    """
    data = source_task(n)
    # the options the shipped file was built with (before the defaults changed)
    clf = CNNClassifier(
        epochs=epochs, lr=0.005, random_state=seed, device="cpu", verbose=progress,
        augment=False, class_weight=None, monitor="val_loss", early_stopping=12,
    )
    clf.fit(data["images"], data["labels"])
    target = source_model_path() if path is None else Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clf.save(target)
    return target


class TransferClassifier(CNNClassifier):
    """The course CNN started from a pretrained source model.

    Strategies (``strategy=``):

    - ``'feature_extractor'``: the convolutional blocks are frozen (weights
      and batch-norm statistics); only a new dense head is trained.
    - ``'gradual'``: gradual unfreezing with discriminative learning rates:
      the new head alone first, then the top block, then all blocks, in three
      stages of ``epochs // 3`` epochs; block ``k`` levels below the head
      learns at ``lr * lr_decay**k``.
    - ``'fine_tune'``: every layer trained from the source weights at ``lr``.

    In all three the dense head is re-initialised (a new task's classifier)
    and the inputs are normalised as the source model's were.

    Parameters
    ----------
    strategy : {'feature_extractor', 'gradual', 'fine_tune'}, default 'fine_tune'
    source : str, path-like or None, default None
        A :class:`CNNClassifier` file; None uses the shipped source model.
    lr_decay : float, default 0.3
        Discriminative learning-rate factor per block (``'gradual'``).
    lr : float, default 0.003
    **kwargs
        Every other :class:`CNNClassifier` option (keyword-only).

    Examples
    --------
    >>> from pybridge.datasets import microcalcifications
    >>> d = microcalcifications(48, seed=2)
    >>> clf = TransferClassifier(strategy="feature_extractor", epochs=2, progress=False)
    >>> clf.fit(d["images"], d["labels"]).predict(d["images"][:4]).shape
    (4,)
    """

    _estimator_name = "TransferClassifier"

    def __init__(
        self,
        *,
        strategy: str = "fine_tune",
        source: str | PathLike | None = None,
        lr_decay: float = 0.3,
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
        super().__init__(
            architecture=architecture, filters=filters, dense=dense, dropout=dropout, epochs=epochs,
            batch_size=batch_size, optimizer=optimizer, lr=lr, momentum=momentum,
            weight_decay=weight_decay, validation_fraction=validation_fraction,
            early_stopping=early_stopping, monitor=monitor, lr_patience=lr_patience,
            weight_average=weight_average, class_weight=class_weight, augment=augment, normalisation=normalisation,
            random_state=random_state, seed=seed, device=device, verbose=verbose, progress=progress,
        )
        self.strategy = strategy
        self.source = source
        self.lr_decay = lr_decay

    def _source(self) -> tuple[dict, dict]:
        path = source_model_path() if self.source is None else Path(self.source)
        if self.source is None and not path.is_file():
            raise PyBridgeError(
                f"the shipped source model {str(path)!r} is missing; rebuild it with "
                "pybridge.classification.build_source_model()"
            )
        state, meta = load_model(path)
        if meta.get("architecture", {}).get("name") != "CourseCNN":
            raise PyBridgeError(f"{str(path)!r} is not a course-CNN model; pass a CNNClassifier file as source=")
        return state, meta

    def _build_network(self, input_size: tuple[int, int]) -> CourseCNN:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}; got {self.strategy!r}")
        state, meta = self._source()
        arch = meta["architecture"]
        if tuple(arch["input_size"]) != tuple(input_size):
            raise ValueError(
                f"the source model takes {arch['input_size'][0]} x {arch['input_size'][1]} patches; "
                f"got {input_size[0]} x {input_size[1]} (crop or resize the images)"
            )
        # architecture and normalisation follow the source model
        self.filters = tuple(arch["filters"])
        self.dense = arch["dense"]
        self.dropout = arch["dropout"]
        src_norm = meta["params"].get("normalisation", "patch")
        if src_norm != self.normalisation:
            self.normalisation = src_norm
        self.mean_ = meta["normalisation"]["mean"]
        self.std_ = meta["normalisation"]["std"]
        net = CourseCNN(input_size, filters=self.filters, dense=self.dense, dropout=self.dropout)
        net.load_state_dict(state)
        net.reset_head()
        return net

    def _group(self, net: CourseCNN, blocks: list[int]) -> list[dict]:
        n = len(net.blocks)
        groups = [{"params": list(net.dense.parameters()) + list(net.out.parameters()), "lr": self.lr}]
        for i in blocks:
            groups.append({"params": list(net.blocks[i].parameters()), "lr": self.lr * self.lr_decay ** (n - i)})
        return groups

    def _train(self, X_t: torch.Tensor, y_t: torch.Tensor, y: np.ndarray, fit_kwargs: dict) -> dict:
        net = self.network_
        n = len(net.blocks)
        loss = self._loss(y)
        if self.strategy == "feature_extractor":
            net.freeze(range(n))
            opt = self._make_optimizer(self._group(net, []))
            hist = fit_network(net, X_t, y_t, loss_fn=loss, optimizer=opt, stratify=y, desc="feature extractor", **fit_kwargs)
            hist["stage"] = [0] * len(hist["loss"])
            return hist
        if self.strategy == "fine_tune":
            net.freeze([])
            opt = self._make_optimizer(net.parameters())
            hist = fit_network(net, X_t, y_t, loss_fn=loss, optimizer=opt, stratify=y, desc="fine-tune", **fit_kwargs)
            hist["stage"] = [0] * len(hist["loss"])
            return hist
        # gradual unfreezing: head, head + top block, everything
        stages = [list(range(n)), list(range(n - 1)), []]
        per_stage = max(1, int(fit_kwargs["epochs"]) // len(stages))
        hist: dict[str, list] = {}
        for k, frozen in enumerate(stages):
            net.freeze(frozen)
            opt = self._make_optimizer(self._group(net, [i for i in range(n) if i not in frozen]))
            kw = dict(fit_kwargs, epochs=per_stage)  # same seed: same validation split
            h = fit_network(net, X_t, y_t, loss_fn=loss, optimizer=opt, stratify=y, desc=f"gradual stage {k + 1}", **kw)
            best = h.pop("best_epoch")[0]
            offset = len(hist.get("loss", []))
            for key, values in h.items():
                hist.setdefault(key, []).extend(values)
            hist.setdefault("stage", []).extend([k] * len(h["loss"]))
            hist["best_epoch"] = [offset + best]
        net.freeze([])
        return hist

    def _params_json(self) -> dict[str, Any]:
        params = super()._params_json()
        if params.get("source") is not None:
            params["source"] = str(params["source"])
        return params
